//! The parts of `live` that do not use Leptos: what the widget's bundle takes of it (the widget
//! is built without the `opsux_app` library, so that Leptos and what it pulls in stay out).

mod event_stream;
mod now;
mod stream_state;

pub(crate) use event_stream::EventStream;
pub(crate) use now::now;
pub(crate) use stream_state::{StreamState, empty_text, notice_text, refused_because, retry_pause};
