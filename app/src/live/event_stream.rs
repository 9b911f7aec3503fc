//! A thin owner of one browser `EventSource`: typed events in, closed when dropped.

use opsux_core::wire::{ActiveRunsEvent, NotificationsEvent, RunStreamEvent};
use wasm_bindgen::JsCast;

use crate::api::json::Parsed;
use wasm_bindgen::closure::Closure;
use web_sys::{EventSource, EventSourceInit, MessageEvent};

/// A stream's events: the `event:` names they arrive under (from the contract), and how each
/// is read.
pub(crate) trait StreamEvent: Sized + 'static {
    const NAMES: &'static [&'static str];
    fn from_sse(name: &str, data: Parsed) -> Option<Self>;
}

impl StreamEvent for ActiveRunsEvent {
    const NAMES: &'static [&'static str] = Self::NAMES;
    fn from_sse(name: &str, data: Parsed) -> Option<Self> {
        Self::from_sse(name, data)
    }
}

impl StreamEvent for RunStreamEvent {
    const NAMES: &'static [&'static str] = Self::NAMES;
    fn from_sse(name: &str, data: Parsed) -> Option<Self> {
        Self::from_sse(name, data)
    }
}

impl StreamEvent for NotificationsEvent {
    const NAMES: &'static [&'static str] = Self::NAMES;
    fn from_sse(name: &str, data: Parsed) -> Option<Self> {
        Self::from_sse(name, data)
    }
}

/// An open stream. Dropping it closes the connection.
pub(crate) struct EventStream {
    source: EventSource,
    _listeners: Vec<Closure<dyn FnMut(MessageEvent)>>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl EventStream {
    /// Opens `url`. `on_event` gets every event that parses (one that does not is logged and
    /// skipped: a bad event never breaks the view); `on_closed` runs when the browser gives up
    /// (the server refused the stream), not on the blips it reconnects from by itself.
    pub(crate) fn open<E: StreamEvent>(
        url: &str,
        with_credentials: bool,
        on_event: impl Fn(E) + 'static,
        on_reconnecting: impl Fn() + 'static,
        on_closed: impl Fn() + 'static,
    ) -> Result<Self, String> {
        let init = EventSourceInit::new();
        init.set_with_credentials(with_credentials);
        let source = EventSource::new_with_event_source_init_dict(url, &init)
            .map_err(|err| format!("{err:?}"))?;
        let on_event = std::rc::Rc::new(on_event);
        let mut listeners = Vec::new();
        for name in E::NAMES {
            let on_event = std::rc::Rc::clone(&on_event);
            let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
                let Some(data) = message.data().as_string() else {
                    return;
                };
                match Parsed::of(&data).and_then(|data| E::from_sse(name, data)) {
                    Some(event) => on_event(event),
                    None => web_sys::console::warn_2(
                        &"opsux: skipped an event that did not parse:".into(),
                        &(*name).into(),
                    ),
                }
            });
            source
                .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
                .map_err(|err| format!("{err:?}"))?;
            listeners.push(listener);
        }
        let watched = source.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_event| {
            if watched.ready_state() == EventSource::CLOSED {
                on_closed();
            } else {
                on_reconnecting();
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            source,
            _listeners: listeners,
            _on_error: on_error,
        })
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.source.close();
    }
}
