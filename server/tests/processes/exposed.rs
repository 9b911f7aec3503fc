// Serving on an address other machines can reach, without a metrics token, is refused at
// start with a message naming the fix: `/metrics` is never open to the network by accident.
use crate::opsux::command;

#[test]
fn open_metrics_on_a_network_address_is_refused_at_start() {
    let output = command(&["serve", "--listen", "0.0.0.0:0", "--no-worker"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("/metrics would be open") && stderr.contains("--metrics-token"),
        "{stderr}"
    );
}
