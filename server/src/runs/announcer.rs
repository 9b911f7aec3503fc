//! Sends what the writers committed to the other server processes (PostgreSQL only; see
//! `store/announce.rs`), on a connection of its own and off the commit path: a writer hands a
//! batch's announcements over and answers its callers at once, and the announcer sends
//! whatever has gathered meanwhile in one statement.
//!
//! Announcements of one run may so reach a relay out of order (a claim from one writer after
//! the finish from another): the relay reads the run as stored now and skips versions it has
//! delivered, so a late one changes nothing. One that cannot be sent (the queue full, the
//! database gone) is dropped and logged; the relays' periodic look at the runs they have seen
//! active shows its change within seconds.

use tokio::sync::mpsc;

use crate::store::announce::{self, Announcement};
use crate::store::{Pooled, Store};

/// Batches of announcements that may wait before new ones are dropped.
const QUEUE: usize = 4096;

/// The writers' handle on the announcer; does nothing where the database announces nothing.
#[derive(Debug, Clone)]
pub(super) struct Announcer {
    queue: Option<mpsc::Sender<Vec<Announcement>>>,
}

impl Announcer {
    /// Starts the announcer task on `store` if it announces changes; it ends when the last
    /// handle is dropped.
    pub(super) fn spawn(store: &Store) -> Self {
        if !store.announces_changes() {
            return Self { queue: None };
        }
        let (queue, batches) = mpsc::channel(QUEUE);
        tokio::spawn(run(store.clone(), batches));
        Self { queue: Some(queue) }
    }

    /// Hands `announcements` over to be sent; never waits.
    pub(super) fn send(&self, announcements: Vec<Announcement>) {
        let Some(queue) = &self.queue else {
            return;
        };
        if announcements.is_empty() {
            return;
        }
        if queue.try_send(announcements).is_err() {
            tracing::warn!(
                "the announcement queue is full; dropping announcements of committed changes"
            );
        }
    }
}

async fn run(store: Store, mut batches: mpsc::Receiver<Vec<Announcement>>) {
    let mut conn: Option<Pooled> = None;
    while let Some(mut gathered) = batches.recv().await {
        while let Ok(more) = batches.try_recv() {
            gathered.extend(more);
        }
        let pooled = match &mut conn {
            Some(pooled) => pooled,
            None => match store.acquire().await {
                Ok(pooled) => conn.insert(pooled),
                Err(err) => {
                    tracing::warn!(error = %err, "cannot announce committed changes; dropping them");
                    continue;
                }
            },
        };
        if let Err(err) = announce::announce(&mut pooled.conn(), &gathered).await {
            tracing::warn!(error = %err, "announcing committed changes failed; dropping them");
            conn = None;
        }
    }
}
