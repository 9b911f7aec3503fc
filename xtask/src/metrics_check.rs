//! `/metrics` read by an independent parser — the Prometheus project's own Python client, its
//! strict OpenMetrics parser — against `opsux serve --demo` on a free loopback port, after a
//! few runs ended; and `docs/alerts.yml`, the alert rules the README offers, checked against
//! what the server exposes. The checks are in `tests/metrics/check.py`.

use std::path::Path;

use anyhow::Context;

use crate::api_fuzz::{Server, python_venv, start_server};
use crate::e2e::{build_server, free_ports};
use crate::shell::cmd;

const PROMETHEUS_CLIENT_VERSION: &str = "0.21.1";
const PYYAML_VERSION: &str = "6.0.2";

pub(crate) fn run(root: &Path) -> anyhow::Result<()> {
    let target = build_server(root)?;
    let venv = python_venv(
        &target,
        &format!("prometheus-client-{PROMETHEUS_CLIENT_VERSION}"),
        &[
            &format!("prometheus-client=={PROMETHEUS_CLIENT_VERSION}"),
            &format!("PyYAML=={PYYAML_VERSION}"),
        ],
    )?;
    let data = target.join("metrics-check");
    if data.exists() {
        std::fs::remove_dir_all(&data).context("clearing the previous metrics check")?;
    }
    std::fs::create_dir_all(&data)?;
    let [port] = free_ports()?;
    let server = Server(start_server(
        &target,
        &data,
        port,
        &crate::api_fuzz::Backend::Sqlite,
    )?);
    let result = cmd(venv.join("bin/python"))
        .arg(root.join("tests/metrics/check.py"))
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(root.join("docs/alerts.yml"))
        .run();
    drop(server);
    result.with_context(|| {
        format!(
            "the metrics check failed; the server's log is {}",
            data.join("server.log").display()
        )
    })
}
