// The transition SQL is private to the run service (R1).
fn main() {
    let _ = opsux_server::runs::store::complete;
}
