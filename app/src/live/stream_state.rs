//! What a view says about its stream, and how a refused stream is explained and retried —
//! shared by the panel's streams (`connection.rs`) and the widget, without Leptos.

use std::time::Duration;

use opsux_core::wire::ErrorCode;

use crate::api::ApiError;

/// What a view shows about its stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamState {
    Connecting,
    Live,
    /// Lost; trying again.
    Reconnecting,
    /// The session ended (the panel returns to sign-in; the widget says to sign in).
    SignedOut,
    /// The tenant or run is not there, or not this user's to see (R16).
    NotFound,
    /// The server could not be reached at all (down, or this page's origin is not allowed).
    Unreachable(String),
}

const FIRST_RETRY: Duration = Duration::from_secs(2);
const LONGEST_RETRY: Duration = Duration::from_secs(30);

/// The line a live list shows about its stream when it is not simply live.
pub fn notice_text(state: &StreamState) -> Option<String> {
    Some(match state {
        StreamState::Connecting | StreamState::Live => return None,
        StreamState::Reconnecting => "Connection lost; reconnecting…".to_owned(),
        StreamState::SignedOut => "Sign in to opsux to see active operations.".to_owned(),
        StreamState::NotFound => {
            "This tenant does not exist, or you are not a member of it.".to_owned()
        }
        StreamState::Unreachable(detail) => format!(
            "Could not reach opsux ({detail}). If this page is on another site, its origin must be allowed by the opsux server."
        ),
    })
}

/// What an empty list of active runs says: only what the stream can vouch for.
pub fn empty_text(state: &StreamState) -> Option<&'static str> {
    match state {
        StreamState::Connecting => Some("Loading…"),
        StreamState::Live => {
            Some("No operations are running. Operations you start appear here until they end.")
        }
        _ => None,
    }
}

/// How long to wait before opening a refused stream again: slowly while signed out (the
/// person may sign in in another tab), else doubling from 2 s up to 30 s.
pub fn retry_pause(failures: u32, signed_out: bool) -> Duration {
    if signed_out {
        LONGEST_RETRY
    } else {
        FIRST_RETRY
            .saturating_mul(2u32.saturating_pow(failures.saturating_sub(1)))
            .min(LONGEST_RETRY)
    }
}

/// Why a stream was refused, from the answer to its plain GET; `None`: try again.
pub(crate) fn refused_because(probe: &Result<(), ApiError>) -> Option<StreamState> {
    match probe {
        Err(err) if err.is(ErrorCode::Unauthenticated) => Some(StreamState::SignedOut),
        Err(err) if err.is(ErrorCode::NotFound) => Some(StreamState::NotFound),
        Err(err) if err.code.is_none() && err.status == 0 => {
            Some(StreamState::Unreachable(err.message.clone()))
        }
        _ => None,
    }
}
