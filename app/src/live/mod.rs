//! Live data in the browser: the SSE client, the feeds built on it, and the ticking clock.
//! How events are applied (snapshot, versions, ended runs) is `opsux_core::live`; this module
//! only connects it to the streams and to signals. `plain.rs` is the widget's view of it: the
//! parts without Leptos.

mod clock;
mod connection;
mod event_stream;
mod feeds;
mod now;
mod stream_state;

pub use clock::{local_time, ticking_now};
pub use connection::StreamTarget;
pub(crate) use connection::keep_open;
pub use feeds::{ActiveFeed, NotificationsFeed};
pub use now::now;
pub use stream_state::{StreamState, empty_text, notice_text};
