//! The embeddable widget: a host page loads `/widget/opsux-widget.js` and marks elements with
//! `data-opsux-active-ops`, `data-tenant` and `data-server`. Each element gets a shadow root,
//! so the host's styles do not reach in and ours do not leak out; the stylesheets are linked
//! from the opsux server, which a host's strict CSP allows by allowing that origin. It is drawn
//! straight with web-sys (`card.rs`, `feed.rs`), without Leptos: a host pays only for what it
//! shows.

mod attributes;
mod card;
mod feed;

use std::any::Any;
use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{
    Element, HtmlElement, MutationObserver, MutationObserverInit, ShadowRootInit, ShadowRootMode,
};

use crate::api::Api;
use attributes::WidgetConfig;
use feed::Widget;

/// The attribute that marks a host element.
pub(crate) const MARKER: &str = "data-opsux-active-ops";
/// Set on an element that cannot hold a shadow root, once it has been told so.
const REFUSED: &str = "data-opsux-refused";
/// Stylesheets linked into every shadow root, from the folder the loader was served from.
const STYLESHEETS: [&str; 2] = ["tokens.css", "active-ops.css"];

/// Where the loader (`opsux-widget.js`) came from, which it records before starting us: the
/// stylesheets sit beside it. Without it (the wasm started some other way), the server's
/// `/widget/` folder.
fn assets_base(server: Option<&str>) -> String {
    js_sys::Reflect::get(&js_sys::global(), &"__opsuxWidgetAssets".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| format!("{}/widget/", server.unwrap_or_default()))
}

thread_local! {
    /// The mounted widgets, so one whose element leaves the page can be unmounted (its stream
    /// closed) — hosts that are single-page apps add and remove elements as they go.
    static MOUNTED: RefCell<Vec<(Element, Box<dyn Any>)>> = const { RefCell::new(Vec::new()) };
}

/// Mounts a widget into every marked element of the page, now and whenever the host adds one;
/// unmounts those whose element is removed.
pub(crate) fn mount_all() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    scan(&document);
    let watched = document.clone();
    let on_change = Closure::<dyn FnMut()>::new(move || {
        scan(&watched);
        MOUNTED.with(|mounted| {
            mounted
                .borrow_mut()
                .retain(|(element, _)| watched.contains(Some(element)));
        });
    });
    if let (Ok(observer), Some(body)) = (
        MutationObserver::new(on_change.as_ref().unchecked_ref()),
        document.body(),
    ) {
        let options = MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        let _ = observer.observe_with_options(&body, &options);
    }
    // The observer lives as long as the page.
    on_change.forget();
}

/// Mounts every marked element that has no widget yet.
fn scan(document: &web_sys::Document) {
    let Ok(elements) = document.query_selector_all(&format!("[{MARKER}]")) else {
        return;
    };
    for index in 0..elements.length() {
        if let Some(element) = elements
            .item(index)
            .and_then(|node| node.dyn_into::<Element>().ok())
        {
            mount_one(document, &element);
        }
    }
}

fn mount_one(document: &web_sys::Document, host: &Element) {
    // Mounted already (a second scan, a second load of the script), or found unable to hold
    // the widget: writing the message again would be a change that triggers another scan.
    if host.shadow_root().is_some() || host.has_attribute(REFUSED) {
        return;
    }
    let Ok(root) = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)) else {
        // Elements such as <li>, <td> or <a> cannot hold a shadow root: say so, not a blank.
        let message = "opsux widget: this element cannot hold the widget; use a <div> or <section>";
        web_sys::console::error_1(&message.into());
        let _ = host.set_attribute(REFUSED, "");
        host.set_text_content(Some(message));
        return;
    };
    let config = WidgetConfig::read(host);
    let base = assets_base(config.as_ref().ok().map(|c| c.server.as_str()));
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
            let widget = Widget::start(&container, Api::at(&server), &tenant, server);
            MOUNTED.with(|mounted| mounted.borrow_mut().push((host.clone(), Box::new(widget))));
        }
        Err(message) => {
            // Never a blank: the element says what is wrong with it. Text only (R18), styled
            // through the CSSOM, so it shows even when no stylesheet could be linked and
            // under a host CSP that forbids inline styles.
            container.set_text_content(Some(&format!("opsux widget: {message}")));
            let _ = container.set_attribute("role", "alert");
            let _ = container.set_attribute("data-test", "widget-error");
            let style = container.style();
            for (name, value) in [
                ("display", "block"),
                ("padding", "0.75em 1em"),
                ("border-radius", "8px"),
                ("border", "1px solid #d33"),
                ("background", "#fde3e3"),
                ("color", "#8a1c1c"),
                ("font", "0.9em/1.4 system-ui, sans-serif"),
            ] {
                let _ = style.set_property(name, value);
            }
        }
    }
}
