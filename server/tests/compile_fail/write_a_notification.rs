// Only the terminal transition writes a notification (R2, R3): the writer that applies it is
// private to the run service.
fn main() {
    let _ = opsux_server::runs::writer::notify_completion;
}
