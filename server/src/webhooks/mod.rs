//! Telling other systems how runs ended: each tenant's webhook endpoints hear `run.ended`
//! from an outbox the run service writes in the terminal transition's transaction (R25's
//! exactly-once discipline), signed as Standard Webhooks specifies, sent by the deliverer only
//! to destinations the rules allow.

pub mod deliverer;
pub mod destination;
pub mod event;
pub mod signature;

pub use deliverer::{Deliverer, DelivererConfig};
