//! The panel's entry point.

fn main() {
    console_error_panic_hook::set_once();
    opsux_app::panel::mount();
}
