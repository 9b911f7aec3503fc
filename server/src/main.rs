use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = opsux_server::cli::Cli::parse();
    opsux_server::telemetry::init(cli.log_format);
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(opsux_server::cli::run(cli)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            fail(&err);
            ExitCode::FAILURE
        }
    }
}

/// One line for the person or script that ran the command: what went wrong and, after a colon,
/// why (the error's causes, outermost first).
#[expect(
    clippy::print_stderr,
    reason = "a command's failure is said on standard error"
)]
fn fail(err: &anyhow::Error) {
    eprintln!("opsux: {err:#}");
}
