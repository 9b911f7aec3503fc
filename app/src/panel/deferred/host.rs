//! The panel's side: where a deferred page goes, and the loading of its bundle.

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

use super::bridge::encode_state;
use crate::panel::session::Session;

/// Where the deferred bundle is served (`dist/deferred/`, stable file names).
const BUNDLE: &str = "/deferred/";

// One load per page: later pages reuse the module (and its instance) the first one started; a
// failed load is forgotten so the next page tries again.
#[wasm_bindgen(inline_js = r#"
let loading;
export function load_bundle(base) {
  loading ??= import(base + "opsux-deferred.js")
    .then(async (module) => {
      await module.default({ module_or_path: base + "opsux-deferred_bg.wasm" });
      return module;
    })
    .catch((error) => {
      loading = undefined;
      throw error;
    });
  return loading;
}
"#)]
extern "C" {
    fn load_bundle(base: &str) -> js_sys::Promise;
}

/// The bundle's two entry points, as `app/src/bin/deferred.rs` exports them.
#[wasm_bindgen]
extern "C" {
    type DeferredBundle;
    #[wasm_bindgen(method, js_name = mount_deferred)]
    fn mount(this: &DeferredBundle, host: &HtmlElement, session: &str);
    #[wasm_bindgen(method, js_name = unmount_deferred)]
    fn unmount(this: &DeferredBundle);
}

/// The current page, rendered by the deferred bundle into this element once it has loaded; the
/// element says it is busy until then, and says what went wrong if the bundle cannot load.
#[component]
pub(crate) fn Deferred() -> impl IntoView {
    let session = Session::expect();
    let host = NodeRef::<Div>::new();
    let failed = RwSignal::new(None::<String>);
    // Set when this view goes away, so a bundle that arrives later mounts nothing.
    let gone = StoredValue::new(false);
    let mounted = StoredValue::new_local(None::<DeferredBundle>);
    host.on_load(move |element| {
        let element: HtmlElement = element.into();
        leptos::task::spawn_local(async move {
            match JsFuture::from(load_bundle(BUNDLE)).await {
                Ok(module) if !gone.get_value() => {
                    let bundle: DeferredBundle = module.unchecked_into();
                    bundle.mount(&element, &encode_state(&session.state.get_untracked()));
                    mounted.set_value(Some(bundle));
                }
                Ok(_) => {}
                Err(error) => {
                    let detail = error
                        .dyn_ref::<js_sys::Error>()
                        .map_or_else(|| "no detail".to_owned(), |e| String::from(e.message()));
                    failed.try_set(Some(detail));
                }
            }
        });
    });
    on_cleanup(move || {
        gone.set_value(true);
        if let Some(bundle) = mounted.try_update_value(Option::take).flatten() {
            bundle.unmount();
        }
    });
    view! {
        <div class="deferred" node_ref=host data-test="deferred" aria-busy="true"></div>
        {move || failed.get().map(|detail| view! {
            <p class="error" role="alert" data-test="deferred-failed">
                {format!("This page could not be loaded ({detail}). Check your connection and reload the page.")}
            </p>
        })}
    }
}
