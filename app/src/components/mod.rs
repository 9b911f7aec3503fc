//! The parts both bundles draw. Each renders what the contract computes; none writes copy about
//! runs of its own.

mod active_ops;
mod badge;
mod progress;
mod time;

pub mod bell;
pub mod toasts;

pub use active_ops::{ActiveOpsList, ActiveOpsMenu, StreamNotice};
pub use badge::{Badge, RunBadge};
pub use progress::ProgressBar;
pub use time::{Duration, RelativeTime};
