//! Telling other systems how runs ended (issue "How runs ended, for the systems around opsux"):
//! so far the signing of a delivery as Standard Webhooks specifies; the outbox, the deliverer
//! and the endpoints' management build on it.

pub mod signature;
