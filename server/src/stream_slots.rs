//! How many event streams one session may hold open at once.
//!
//! A browser tab holds two or three (the bell, the widget, a Run Detail page); a script
//! opening streams in a loop would otherwise hold a task, a broadcast receiver and a socket
//! per stream until the server runs out. A stream takes a [`StreamSlot`] when it opens and
//! gives it back when it is dropped (the client went away, or the stream ended).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug)]
pub struct StreamSlots {
    per_session: usize,
    open: Mutex<HashMap<String, usize>>,
}

/// One open stream of one session; frees its slot when dropped.
#[derive(Debug)]
pub struct StreamSlot {
    slots: Arc<StreamSlots>,
    session: String,
}

impl StreamSlots {
    pub fn new(per_session: usize) -> Arc<Self> {
        Arc::new(Self {
            per_session: per_session.max(1),
            open: Mutex::new(HashMap::new()),
        })
    }

    pub fn per_session(&self) -> usize {
        self.per_session
    }

    /// A slot for one more stream of `session` (its token's hash), unless it holds the most
    /// allowed already.
    pub fn take(self: &Arc<Self>, session: &str) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(session.to_owned()).or_default();
        if *count >= self.per_session {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            slots: Arc::clone(self),
            session: session.to_owned(),
        })
    }

    /// Streams open now, over all sessions.
    pub fn open(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .sum()
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self
            .slots
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.session) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.session);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_per_session_and_given_back() {
        let slots = StreamSlots::new(2);
        let a1 = slots.take("a").unwrap();
        let _a2 = slots.take("a").unwrap();
        assert!(slots.take("a").is_none());
        let _b = slots.take("b").unwrap();
        assert_eq!(slots.open(), 3);
        drop(a1);
        assert!(slots.take("a").is_some());
    }
}
