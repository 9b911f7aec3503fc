//! HTTP tests: the real router, driven in-process with `oneshot` and, where the network path
//! matters, through a real socket on loopback.

mod assets;
mod catalog;
mod errors;
mod support;
