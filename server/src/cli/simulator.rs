//! `opsux simulator`: the Graph simulator alone.

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

#[derive(Debug, clap::Args)]
pub struct SimulatorArgs {
    /// Address to listen on.
    #[arg(long, env = "OPSUX_SIMULATOR_LISTEN", default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,
}

pub(super) async fn simulator(args: &SimulatorArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!("Graph simulator on http://{addr}");
    print_simulator_tenants(addr);
    crate::simulator::Simulator::demo()
        .serve(listener)
        .await
        .context("simulator error")
}

/// On standard output, as `serve --demo`'s logins: standard error is the log.
#[expect(
    clippy::print_stdout,
    reason = "the demo tenants' credentials are for the person at the terminal"
)]
fn print_simulator_tenants(addr: SocketAddr) {
    println!(
        "tenants (directory id, client id, client secret); faults: PUT /_admin/tenants/{{directory}}/faults"
    );
    for tenant in crate::simulator::demo_tenants() {
        println!(
            "  {:<10} {}  {}  {}",
            tenant.name, tenant.directory_id, tenant.client_id, tenant.client_secret
        );
    }
    println!("token: POST http://{addr}/{{directory}}/oauth2/v2.0/token; API: http://{addr}/v1.0/");
}
