// Only the terminal transition writes a notification (R2, R3).
fn main() {
    let _ = opsux_server::runs::RunService::notify_completion;
}
