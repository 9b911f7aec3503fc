//! One kit for every list of the panel, so each page states only what its rows are: pages read
//! by cursor to the list's end (`Load more`), filters kept in the URL, picks that survive
//! paging, a bulk bar, and the loading, empty and error states. Operations, Policies, Groups,
//! Backup sets, Restore runs, the Audit log and a backup set's `Add policies` are built on it.
//!
//! The parts a list draws the same way whatever its rows ([`ListFrame`], [`BulkBar`],
//! [`PickBox`]) take no type parameter, so the browser bundle carries them once, not once per
//! page; only [`Paged`], which holds the rows, is generic.

mod bulk;
mod filters;
mod frame;
mod paged;
mod picks;

pub(crate) use bulk::{BulkBar, BulkStart, bulk_busy, start_picked};
pub(crate) use filters::{UrlFilter, set_url_filters};
pub(crate) use frame::{ListFrame, LoadMore};
pub(crate) use paged::{Load, Paged};
pub(crate) use picks::{PickAll, PickBox, Picks};
