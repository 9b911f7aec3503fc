//! Live data in the browser: the SSE client, the feeds built on it, and the ticking clock.
//! How events are applied (snapshot, versions, ended runs) is `opsux_core::live`; this module
//! only connects it to the streams and to signals.

mod clock;
mod connection;
mod event_stream;
mod feeds;

pub use clock::{local_time, now, ticking_now};
pub(crate) use connection::keep_open;
pub use connection::{StreamState, StreamTarget};
pub use feeds::{ActiveFeed, NotificationsFeed};
