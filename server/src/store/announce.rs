//! Announcing committed run changes and new notifications to every server process, on
//! PostgreSQL (`NOTIFY`; each process's relay `LISTEN`s). SQLite has one server process, which
//! publishes its own changes, so there is nothing to announce there.
//!
//! The run service's writer announces a batch right after its commit, in a statement of its
//! own, rather than from triggers inside the committing transaction: PostgreSQL serializes the
//! commits of every transaction that notifies (it holds a cluster-wide lock from before the
//! commit record is flushed until the commit ends), so announcing inside the transaction put
//! every run transition of every process in one line, one WAL flush after another. A
//! statement that only notifies writes no WAL, so its turn on that lock is short.
//!
//! The cost is a gap: a process killed between a commit and its announcement takes the
//! announcement with it. Each relay therefore also looks again, every few seconds, at the runs
//! it has seen active (see `relay`).

use super::Conn;

/// The channel the announcements go out on.
pub const CHANNEL: &str = "opsux_events";

/// What is announced, as the relay reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announcement {
    /// A run was created or changed (not on lease renewals): `r <run id> <version>`.
    Run { id: String, version: i64 },
    /// A notification was written: `n <notification id> <user id>`.
    Notification { id: String, user: String },
}

impl Announcement {
    fn payload(&self) -> String {
        match self {
            Self::Run { id, version } => format!("r {id} {version}"),
            Self::Notification { id, user } => format!("n {id} {user}"),
        }
    }
}

/// Sends `announcements` in one statement on `conn`, outside any transaction; nothing on
/// SQLite. Identical announcements in one statement are delivered once.
pub async fn announce(
    conn: &mut Conn<'_>,
    announcements: &[Announcement],
) -> Result<(), sqlx::Error> {
    const SQL: &str = "SELECT pg_notify($1, payload) FROM unnest(CAST($2 AS TEXT[])) AS payload";
    let Conn::Postgres(c) = conn else {
        return Ok(());
    };
    if announcements.is_empty() {
        return Ok(());
    }
    let payloads: Vec<String> = announcements.iter().map(Announcement::payload).collect();
    sqlx::query(SQL)
        .bind(CHANNEL)
        .bind(payloads)
        .execute(&mut **c)
        .await?;
    Ok(())
}
