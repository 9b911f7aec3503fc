//! One widget's life: its tenant's active-runs stream, kept open while its element is on the
//! page (refusals explained by a plain GET and retried as the panel's streams are), and a
//! clock that moves elapsed times every second. Dropping the [`Widget`] closes both.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use opsux_core::TenantSlug;
use opsux_core::live::ActiveRunSet;
use opsux_core::wire::ActiveRunsEvent;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::Element;

use super::card::Card;
use crate::api::Api;
use crate::live::{EventStream, StreamState, now, refused_because, retry_pause};

/// A mounted widget; dropping it ends its stream and its clock.
pub(super) struct Widget {
    inner: Rc<RefCell<Inner>>,
    clock: Option<(i32, Closure<dyn FnMut()>)>,
}

struct Inner {
    api: Api,
    stream_path: String,
    probe_path: String,
    card: Card,
    runs: ActiveRunSet,
    state: StreamState,
    failures: u32,
    stream: Option<EventStream>,
    /// A pending reopen after a refusal.
    retry: Option<(i32, Closure<dyn FnMut()>)>,
}

impl Inner {
    fn redraw(&mut self) {
        self.card.show(&self.runs, &self.state, now());
    }
}

impl Widget {
    pub(super) fn start(
        container: &Element,
        api: Api,
        tenant: &TenantSlug,
        server: String,
    ) -> Self {
        let inner = Rc::new(RefCell::new(Inner {
            api,
            stream_path: format!("/api/t/{tenant}/operations/stream"),
            probe_path: format!("/api/t/{tenant}/operations/active"),
            card: Card::new(container, tenant.as_str(), server),
            runs: ActiveRunSet::new(),
            state: StreamState::Connecting,
            failures: 0,
            stream: None,
            retry: None,
        }));
        open(&inner);
        let ticking = Rc::downgrade(&inner);
        let tick = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = ticking.upgrade() {
                inner.borrow_mut().redraw();
            }
        });
        let clock = web_sys::window()
            .and_then(|w| {
                w.set_interval_with_callback_and_timeout_and_arguments_0(
                    tick.as_ref().unchecked_ref(),
                    1000,
                )
                .ok()
            })
            .map(|handle| (handle, tick));
        Self { inner, clock }
    }
}

impl Drop for Widget {
    fn drop(&mut self) {
        let window = web_sys::window();
        if let (Some(window), Some((handle, _))) = (&window, &self.clock) {
            window.clear_interval_with_handle(*handle);
        }
        let mut inner = self.inner.borrow_mut();
        if let (Some(window), Some((handle, _))) = (&window, &inner.retry) {
            window.clear_timeout_with_handle(*handle);
        }
        inner.retry = None;
        // Closes the connection.
        inner.stream = None;
    }
}

fn open(inner: &Rc<RefCell<Inner>>) {
    let url = {
        let inner = inner.borrow();
        inner.api.url(&inner.stream_path)
    };
    let cross_origin = !url.starts_with('/');
    let on_event = {
        let weak = Rc::downgrade(inner);
        move |event: ActiveRunsEvent| {
            if let Some(inner) = weak.upgrade() {
                let mut inner = inner.borrow_mut();
                inner.failures = 0;
                inner.state = StreamState::Live;
                inner.runs.apply(event);
                inner.redraw();
            }
        }
    };
    let on_reconnecting = {
        let weak = Rc::downgrade(inner);
        move || {
            if let Some(inner) = weak.upgrade() {
                let mut inner = inner.borrow_mut();
                inner.state = StreamState::Reconnecting;
                inner.redraw();
            }
        }
    };
    let on_closed = {
        let weak = Rc::downgrade(inner);
        move || diagnose(weak.clone())
    };
    let opened = EventStream::open(&url, cross_origin, on_event, on_reconnecting, on_closed);
    let mut held = inner.borrow_mut();
    match opened {
        Ok(stream) => held.stream = Some(stream),
        Err(err) => {
            held.state = StreamState::Unreachable(err);
            held.redraw();
        }
    }
}

/// The stream was refused: ask why, then give up (not found) or try again later.
fn diagnose(weak: Weak<RefCell<Inner>>) {
    let Some(inner) = weak.upgrade() else {
        return;
    };
    let (api, probe_path) = {
        let mut held = inner.borrow_mut();
        held.stream = None;
        (held.api.clone(), held.probe_path.clone())
    };
    drop(inner);
    wasm_bindgen_futures::spawn_local(async move {
        let probe = api.probe(&probe_path).await;
        let Some(inner) = weak.upgrade() else {
            return;
        };
        let state = refused_because(&probe);
        let mut held = inner.borrow_mut();
        if state == Some(StreamState::NotFound) {
            held.state = StreamState::NotFound;
            held.redraw();
            return;
        }
        let signed_out = state == Some(StreamState::SignedOut);
        held.state = state.unwrap_or(StreamState::Reconnecting);
        held.failures = held.failures.saturating_add(1);
        held.redraw();
        let pause = retry_pause(held.failures, signed_out);
        let reopen = {
            let weak = weak.clone();
            Closure::<dyn FnMut()>::new(move || {
                if let Some(inner) = weak.upgrade() {
                    inner.borrow_mut().retry = None;
                    open(&inner);
                }
            })
        };
        let handle = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                reopen.as_ref().unchecked_ref(),
                i32::try_from(pause.as_millis()).unwrap_or(i32::MAX),
            )
            .ok()
        });
        held.retry = handle.map(|handle| (handle, reopen));
    });
}
