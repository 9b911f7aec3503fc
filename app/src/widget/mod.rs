//! The embeddable widget: a host page loads `/widget/opsux-widget.js` and marks elements with
//! `data-opsux-active-ops`, `data-tenant` and `data-server`. Each element gets a shadow root,
//! so the host's styles do not reach in and ours do not leak out; the stylesheets are linked
//! from the opsux server, which a host's strict CSP allows by allowing that origin.

mod attributes;

use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, ShadowRootInit, ShadowRootMode};

use crate::api::Api;
use crate::components::ActiveOpsCard;
use attributes::WidgetConfig;

/// The attribute that marks a host element.
pub const MARKER: &str = "data-opsux-active-ops";
/// Stylesheets linked into every shadow root, relative to the server's origin.
const STYLESHEETS: [&str; 2] = ["/widget/tokens.css", "/widget/active-ops.css"];

/// Mounts a widget into every marked element of the page.
pub fn mount_all() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(elements) = document.query_selector_all(&format!("[{MARKER}]")) else {
        return;
    };
    for index in 0..elements.length() {
        if let Some(element) = elements
            .item(index)
            .and_then(|node| node.dyn_into::<Element>().ok())
        {
            mount_one(&document, &element);
        }
    }
}

fn mount_one(document: &web_sys::Document, host: &Element) {
    // A second load of the script must not mount twice.
    if host.shadow_root().is_some() {
        return;
    }
    let Ok(root) = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)) else {
        return;
    };
    let config = WidgetConfig::read(host);
    let base = match &config {
        Ok(config) => config.server.clone(),
        // Without a valid server the styles come from the script's own origin, if any.
        Err(_) => String::new(),
    };
    for sheet in STYLESHEETS {
        if let Ok(link) = document.create_element("link") {
            let _ = link.set_attribute("rel", "stylesheet");
            let _ = link.set_attribute("href", &format!("{base}{sheet}"));
            let _ = root.append_child(&link);
        }
    }
    let Some(container) = document
        .create_element("div")
        .ok()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    container.set_class_name("opsux-root");
    let _ = root.append_child(&container);
    match config {
        Ok(WidgetConfig { tenant, server }) => {
            let api = Api::at(&server);
            mount_to(container, move || {
                view! { <ActiveOpsCard api=api tenant=tenant server=server /> }
            })
            .forget();
        }
        Err(message) => {
            // Never a blank: the element says what is wrong with it. Text only (R18).
            container.set_text_content(Some(&format!("opsux widget: {message}")));
            container.set_class_name("opsux-root opsux-misconfigured");
            let _ = container.set_attribute("role", "alert");
            let _ = container.set_attribute("data-test", "widget-error");
        }
    }
}
