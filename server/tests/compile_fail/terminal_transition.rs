// The terminal transition, which writes the notification, is the service's own (R1, R2).
fn main() {
    let _ = opsux_server::runs::RunService::finish;
}
