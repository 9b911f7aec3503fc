//! The contract's tests. The same tests run natively (`cargo test`) and in headless Chromium
//! (`cargo test --target wasm32-unknown-unknown`), so server and browser are proven to compute
//! the same things.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod badge;
mod ids;
mod live;
mod operation;
mod params;
mod presenter;
mod progress;
mod sanitize;
mod state_machine;
mod summary;
mod when;
mod wire;

#[cfg(not(target_arch = "wasm32"))]
mod sanitize_props;

/// A fixed run id for copy and link expectations.
pub(crate) fn run_id() -> opsux_core::RunId {
    "0192f1c4-7a1e-7cc3-9a6e-2f4c8d1b5e07"
        .parse()
        .expect("a valid UUID")
}

pub(crate) fn contoso() -> opsux_core::TenantSlug {
    opsux_core::TenantSlug::parse("contoso").expect("a valid slug")
}
