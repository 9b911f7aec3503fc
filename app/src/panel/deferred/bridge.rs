//! What the panel and its deferred pages share though each runs in its own WebAssembly
//! instance: who is signed in, where the page is, and the toasts to show. Each crosses as a DOM
//! event on `window` carrying JSON, and the same code runs on both sides.

use leptos::prelude::*;
use opsux_core::presenter::Toast;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit};

use crate::api::json::decode;
use crate::panel::session::{Session, SessionState};

/// The session changed on one side; `detail` is `{"from", "state"}`.
const SESSION_EVENT: &str = "opsux:session";
/// A start surface on a deferred page has a toast for the panel to show; `detail` is the toast.
const TOAST_EVENT: &str = "opsux:toast";

/// Which instance sent an event, so neither acts on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Side {
    Panel,
    Deferred,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SessionChange {
    from: Side,
    state: SessionState,
}

/// Keeps this side's session and the other side's equal for as long as the current view lives:
/// a sign-out or an expiry on a deferred page reaches the panel, a sign-in on the panel reaches
/// the deferred page.
pub(crate) fn share_session(session: Session, side: Side) {
    Effect::new(move |_| {
        let state = session.state.get();
        dispatch(SESSION_EVENT, &SessionChange { from: side, state });
    });
    listen(SESSION_EVENT, move |change: SessionChange| {
        if change.from != side && session.state.get_untracked() != change.state {
            session.state.set(change.state);
        }
    });
}

/// Sends a toast to the panel, which shows every toast (R10).
pub(crate) fn send_toast(toast: &Toast) {
    dispatch(TOAST_EVENT, toast);
}

/// Calls `show` with every toast a deferred page sends, for as long as the current view lives.
pub(crate) fn receive_toasts(show: impl Fn(Toast) + 'static) {
    listen(TOAST_EVENT, show);
}

/// The current session as the deferred bundle receives it when it mounts.
pub(crate) fn encode_state(state: &SessionState) -> String {
    serde_json::to_string(state).unwrap_or_default()
}

pub(crate) fn decode_state(json: &str) -> Option<SessionState> {
    decode(json).ok()
}

fn dispatch(name: &str, detail: &impl Serialize) {
    let Ok(json) = serde_json::to_string(detail) else {
        return;
    };
    let init = CustomEventInit::new();
    init.set_detail(&JsValue::from_str(&json));
    if let (Some(window), Ok(event)) = (
        web_sys::window(),
        CustomEvent::new_with_event_init_dict(name, &init),
    ) {
        let _ = window.dispatch_event(&event);
    }
}

/// Listens for `name` until the current view is cleaned up; events whose detail does not read
/// as a `T` are ignored.
fn listen<T: DeserializeOwned + 'static>(name: &'static str, on: impl Fn(T) + 'static) {
    let handle = window_event_listener_untyped(name, move |event: web_sys::Event| {
        let detail = event
            .dyn_ref::<CustomEvent>()
            .and_then(|e| e.detail().as_string());
        if let Some(value) = detail.and_then(|json| decode::<T>(&json).ok()) {
            on(value);
        }
    });
    on_cleanup(move || handle.remove());
}
