//! Sends what the writers committed to the other server processes (PostgreSQL only; see
//! `store/announce.rs`), on a connection of its own and off the commit path: a writer hands a
//! batch's announcements over and answers its callers at once, and the announcer sends
//! whatever has gathered meanwhile in one statement.
//!
//! Under load it sends at most once per [`LINGER`]: each statement is a round trip and a commit
//! that takes PostgreSQL's cluster-wide notify lock, and sent after every writer batch they
//! were nearly as many as the progress reports (`cargo xtask bench`'s PostgreSQL rows: 6,800
//! statements for 13,200 announcements; 2,900 with the linger). The first announcement after a
//! quiet spell goes at once; only a busy announcer waits, at most [`LINGER`] more, for a live
//! view in another process. Of one run only the newest version is sent: the relay reads the
//! run as stored. (A 10 ms linger made the run-service tests on PostgreSQL take 2.5 times as
//! long, each step waiting on the last one's announcement.)
//!
//! Announcements of one run may so reach a relay out of order (a claim from one writer after
//! the finish from another): the relay reads the run as stored now and skips versions it has
//! delivered, so a late one changes nothing. One that cannot be sent (the queue full, the
//! database gone) is dropped and logged; the relays' periodic look at the runs they have seen
//! active shows its change within seconds.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::store::announce::{self, Announcement};
use crate::store::{Pooled, Store};

/// Batches of announcements that may wait before new ones are dropped.
const QUEUE: usize = 4096;
/// The least time between two statements of the announcer.
const LINGER: Duration = Duration::from_millis(2);

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
    let mut last_sent: Option<Instant> = None;
    while let Some(mut gathered) = batches.recv().await {
        if let Some(last) = last_sent {
            tokio::time::sleep_until(last + LINGER).await;
        }
        while let Ok(more) = batches.try_recv() {
            gathered.extend(more);
        }
        let gathered = newest_only(gathered);
        last_sent = Some(Instant::now());
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

/// `gathered` with each run's older versions left out; notifications all kept.
fn newest_only(gathered: Vec<Announcement>) -> Vec<Announcement> {
    let mut newest: HashMap<String, i64> = HashMap::new();
    for announcement in &gathered {
        if let Announcement::Run { id, version } = announcement {
            let seen = newest.entry(id.clone()).or_insert(*version);
            *seen = (*seen).max(*version);
        }
    }
    gathered
        .into_iter()
        .filter(|announcement| match announcement {
            Announcement::Run { id, version } => {
                let newest_here = newest.get(id) == Some(version);
                if newest_here {
                    newest.remove(id);
                }
                newest_here
            }
            Announcement::Notification { .. } => true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: &str, version: i64) -> Announcement {
        Announcement::Run {
            id: id.to_owned(),
            version,
        }
    }

    #[test]
    fn only_the_newest_version_of_a_run_is_sent_once() {
        let note = Announcement::Notification {
            id: "n".to_owned(),
            user: "u".to_owned(),
        };
        let sent = newest_only(vec![
            run("a", 2),
            run("b", 1),
            run("a", 4),
            note,
            run("a", 4),
        ]);
        let runs: Vec<_> = sent
            .iter()
            .filter_map(|a| match a {
                Announcement::Run { id, version } => Some((id.as_str(), *version)),
                Announcement::Notification { .. } => None,
            })
            .collect();
        assert_eq!(runs, [("b", 1), ("a", 4)]);
        assert_eq!(sent.len(), 3, "the notification is kept");
    }
}
