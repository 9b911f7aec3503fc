use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = opsux_server::cli::Cli::parse();
    opsux_server::telemetry::init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(opsux_server::cli::run(cli))
}
