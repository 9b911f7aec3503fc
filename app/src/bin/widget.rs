//! The embeddable widget's entry point: mounts the active-operations component into every
//! element of the host page that carries `data-opsux-active-ops`.

fn main() {
    console_error_panic_hook::set_once();
    opsux_app::widget::mount_all();
}
