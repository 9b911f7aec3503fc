//! A stream kept open for as long as the view that opened it lives: the browser reconnects
//! from network blips by itself (and the fresh snapshot covers what was missed); when the
//! server refuses the stream, a plain GET finds out why — signed out, not found — and anything
//! else is retried with a growing pause.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;

use super::event_stream::{EventStream, StreamEvent};
use super::stream_state::{StreamState, refused_because, retry_pause};
use crate::api::Api;

/// Which stream, and which plain GET explains a refusal.
#[derive(Debug, Clone)]
pub struct StreamTarget {
    pub api: Api,
    pub stream_path: String,
    pub probe_path: String,
}

struct Connection<E> {
    target: StreamTarget,
    on_event: Rc<dyn Fn(E)>,
    state: RwSignal<StreamState>,
    slot: StoredValue<Option<EventStream>, LocalStorage>,
    failures: Cell<u32>,
}

/// Opens the stream and keeps it open until the current reactive owner is cleaned up.
pub(crate) fn keep_open<E: StreamEvent>(
    target: StreamTarget,
    on_event: impl Fn(E) + 'static,
) -> ReadSignal<StreamState> {
    let state = RwSignal::new(StreamState::Connecting);
    let connection = Rc::new(Connection {
        target,
        on_event: Rc::new(on_event),
        state,
        slot: StoredValue::new_local(None),
        failures: Cell::new(0),
    });
    open(&connection);
    state.read_only()
}

fn open<E: StreamEvent>(connection: &Rc<Connection<E>>) {
    let url = connection.target.api.url(&connection.target.stream_path);
    let cross_origin = !url.starts_with('/');
    let on_event = {
        let connection = Rc::clone(connection);
        move |event: E| {
            connection.failures.set(0);
            if connection.state.get_untracked() != StreamState::Live {
                connection.state.set(StreamState::Live);
            }
            (connection.on_event)(event);
        }
    };
    let on_reconnecting = {
        let state = connection.state;
        move || state.set(StreamState::Reconnecting)
    };
    let on_closed = {
        let connection = Rc::clone(connection);
        move || diagnose(Rc::clone(&connection))
    };
    match EventStream::open(&url, cross_origin, on_event, on_reconnecting, on_closed) {
        Ok(stream) => {
            // The view may be gone by the time a retry fires: then the stream closes at once.
            let _ = connection.slot.try_set_value(Some(stream));
        }
        Err(err) => connection.state.set(StreamState::Unreachable(err)),
    }
}

/// The stream was refused or could not be opened: ask why, then give up or retry.
fn diagnose<E: StreamEvent>(connection: Rc<Connection<E>>) {
    let _ = connection.slot.try_set_value(None);
    leptos::task::spawn_local(async move {
        let probe = connection
            .target
            .api
            .probe(&connection.target.probe_path)
            .await;
        let state = refused_because(&probe);
        // Not found is final. Signed out is retried slowly: the person may sign in in another
        // tab, and an embedded widget should then come alive without a reload.
        if state == Some(StreamState::NotFound) {
            connection.state.set(StreamState::NotFound);
            return;
        }
        let signed_out = state == Some(StreamState::SignedOut);
        connection
            .state
            .set(state.unwrap_or(StreamState::Reconnecting));
        let failures = connection.failures.get().saturating_add(1);
        connection.failures.set(failures);
        let pause = retry_pause(failures, signed_out);
        set_timeout(
            move || {
                if !connection.slot.is_disposed() {
                    open(&connection);
                }
            },
            pause,
        );
    });
}
