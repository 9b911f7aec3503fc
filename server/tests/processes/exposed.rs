// Serving on an address other machines can reach is refused at start where it would expose
// something by accident: `/metrics` without a token, or the demo with its known passwords.
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

#[test]
fn the_demo_on_a_network_address_is_refused_at_start() {
    for args in [
        [
            "serve",
            "--demo",
            "--listen",
            "0.0.0.0:0",
            "--metrics-token",
            "t",
        ],
        [
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--simulator-listen",
            "0.0.0.0:0",
        ],
    ] {
        let output = command(&args);
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("--demo signs people in with passwords anyone can read")
                && stderr.contains("listen on loopback only"),
            "{stderr}"
        );
    }
}
