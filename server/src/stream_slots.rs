//! How many event streams one person may hold open at once.
//!
//! Counted per person, not per session: signing in again makes a new session, not more room.
//! A browser tab holds two or three (the bell, the widget, a Run Detail page); a script
//! opening streams in a loop would otherwise hold a task, a broadcast receiver and a socket
//! per stream until the server runs out. A stream takes a [`StreamSlot`] when it opens and
//! gives it back when it is dropped (the client went away, or the stream ended).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug)]
pub struct StreamSlots {
    per_user: usize,
    open: Mutex<HashMap<String, usize>>,
}

/// One open stream of one person; frees its slot when dropped.
#[derive(Debug)]
pub struct StreamSlot {
    slots: Arc<StreamSlots>,
    user: String,
}

impl StreamSlots {
    pub fn new(per_user: usize) -> Arc<Self> {
        Arc::new(Self {
            per_user: per_user.max(1),
            open: Mutex::new(HashMap::new()),
        })
    }

    pub fn per_user(&self) -> usize {
        self.per_user
    }

    /// A slot for one more stream of `user`, unless they hold the most
    /// allowed already.
    pub fn take(self: &Arc<Self>, user: &str) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(user.to_owned()).or_default();
        if *count >= self.per_user {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            slots: Arc::clone(self),
            user: user.to_owned(),
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
        if let Some(count) = open.get_mut(&self.user) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_per_person_and_given_back() {
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
