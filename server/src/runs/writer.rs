//! The group-commit writer: every run transition of this process is committed here, and the
//! transitions that arrive while one commit is in flight are committed together in the next.
//!
//! One task owns the writing. It takes the first waiting transition, then every other already
//! queued (up to [`MAX_BATCH`]), applies them in order inside one transaction and commits once,
//! so N concurrent transitions cost one commit (one fsync) instead of N. Each transition still
//! gets its own answer:
//! - a guarded statement that matches no row is that transition's `Conflict`, computed inside
//!   the batch (a second transition of the same run in one batch sees the first one's effect);
//! - a transition that fails (a constraint, a row the contract rejects) is taken out and the
//!   batch is applied again without it, so it never takes the others down and leaves no
//!   partial effect behind;
//! - nothing is answered before the commit returns: an acknowledged transition is durable, and a
//!   failed commit fails every transition in it (their callers retry as after any database
//!   error);
//! - the finishes and progress reports of runs that nothing else in the batch names are
//!   written set-wise, one statement per kind over a JSON array of rows (sorted by id, so two
//!   writers lock in one order), each run under its own guards; a run the statement did not
//!   change gets the answer its one-by-one statement would have given. If such a statement
//!   fails, the batch is applied again one by one, where the failing transition is found.
//!
//! On SQLite there is one such writer: the database takes one writer at a time anyway. On
//! PostgreSQL, which commits concurrent transactions in parallel (and shares their WAL
//! flushes), a few writers run side by side, each on its own connection; what bounds one
//! writer there is the round trip per statement, not the flush. A run's transitions always go
//! to the same writer (by run id), and so do the starts of one identity, so their order and
//! the dedupe within a batch are as with one writer; claims go round-robin.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use futures_util::FutureExt;
use opsux_core::presenter::ActiveRunCap;
use opsux_core::wire::{NotificationDto, NotificationKind};
use opsux_core::{RunId, RunState, RunStatus, SummaryCounts, presenter};
use tokio::sync::{OwnedRwLockWriteGuard, RwLock, mpsc, oneshot};
use uuid::Uuid;

use super::RunError;
use super::announcer::Announcer;
use super::record::RunRecord;
use super::store::{
    self, Completion, CompletionRow, LeaseGuard, NewRun, NotificationRow, Pick, ProgressRow,
};
use crate::store::announce::Announcement;
use crate::store::{Conn, Pooled, Store};

/// The most transitions one commit carries; more wait for the next.
const MAX_BATCH: usize = 512;
/// Transitions that may wait for a writer before submitters wait too.
const QUEUE: usize = 4096;
/// Writers side by side where the database commits in parallel (PostgreSQL).
const PARALLEL_WRITERS: usize = 4;

/// One transition, as the run service asks for it.
#[derive(Debug)]
pub(super) enum Write {
    /// Insert a queued run, or find the identical active one (R4).
    Start(NewRun),
    /// Up to one run per token, each leased under its own.
    Claim {
        tokens: Vec<String>,
        expires_ms: i64,
        now_ms: i64,
        pick: Pick,
    },
    Renew {
        id: RunId,
        token: String,
        expires_ms: i64,
    },
    Progress {
        id: RunId,
        token: String,
        counts: SummaryCounts,
    },
    RequestCancel {
        id: RunId,
    },
    Requeue {
        id: RunId,
        token: String,
        now_ms: i64,
    },
    /// The lease holder gives its run back to the queue (shutdown).
    HandBack {
        id: RunId,
        token: String,
    },
    /// The terminal transition, its notification (R2) and the webhook deliveries it owes.
    Finish {
        id: RunId,
        from: RunState,
        guard: LeaseGuard,
        done: Completion,
    },
}

impl Write {
    /// The existing run this transition names, if one.
    fn run(&self) -> Option<RunId> {
        match self {
            Self::Start(_)
            | Self::Claim {
                pick: Pick::Builtin | Pick::Registered { .. },
                ..
            } => None,
            Self::Claim {
                pick: Pick::Only(id),
                ..
            }
            | Self::Renew { id, .. }
            | Self::Progress { id, .. }
            | Self::RequestCancel { id }
            | Self::Requeue { id, .. }
            | Self::HandBack { id, .. }
            | Self::Finish { id, .. } => Some(*id),
        }
    }
}

/// What a transition did, once committed.
#[derive(Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "one answer per transition, moved once through its channel: boxing the start's \
              two records would only add an allocation to every start"
)]
pub(super) enum Written {
    /// The new run, or else the identical active one (`None`: it ended meanwhile).
    Started {
        inserted: Option<RunRecord>,
        existing: Option<RunRecord>,
    },
    Claimed(Vec<RunRecord>),
    /// Whether the lease was still held.
    Renewed(bool),
    /// The cancel flag and new version, or `None` when the lease is lost.
    Progressed(Option<(bool, i64)>),
    /// The run as now stored.
    Changed(RunRecord),
    /// The completed run and the notification written with it.
    Finished(RunRecord, Option<NotificationDto>),
    /// The guarded statement matched nothing; the run's status found instead, if it exists.
    Refused(Option<RunStatus>),
    /// A person's start met an active-run cap (and no identical run is active).
    OverQuota(ActiveRunCap),
}

struct Job {
    write: Write,
    reply: oneshot::Sender<Result<Written, RunError>>,
}

/// How much grouping the writer achieved, for `/metrics` and the benchmark.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Commits (batches) attempted.
    pub batches: AtomicU64,
    /// Transitions applied in committed batches.
    pub transitions: AtomicU64,
    /// Finishes and progress reports written together with others of their batch (one
    /// statement for each kind).
    pub written_together: AtomicU64,
    submitted: AtomicU64,
    answered: AtomicU64,
}

impl WriterStats {
    fn bump(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Ordering::Relaxed);
    }

    /// Transitions submitted and not yet answered.
    pub fn pending(&self) -> u64 {
        let submitted = self.submitted.load(Ordering::SeqCst);
        submitted.saturating_sub(self.answered.load(Ordering::SeqCst))
    }
}

/// The handle the run service submits transitions through. Cheap to clone.
#[derive(Debug, Clone)]
pub(super) struct Writer {
    queues: Arc<[mpsc::Sender<Job>]>,
    /// Where the next claim goes.
    next_claim: Arc<AtomicUsize>,
    stats: Arc<WriterStats>,
    /// Read-held by the writers around each batch, write-held by [`PausedWrites`].
    gate: Arc<RwLock<()>>,
}

/// While alive, the writers start no batch: transitions queue up and are committed together
/// once it is dropped. For tests that need a known batch, and for maintenance.
#[derive(Debug)]
pub struct PausedWrites {
    _gate: OwnedRwLockWriteGuard<()>,
}

impl Writer {
    /// Starts the writer tasks on `store`; they end when the last handle is dropped.
    pub(super) fn spawn(store: &Store) -> Self {
        let count = if store.commits_in_parallel() {
            PARALLEL_WRITERS
        } else {
            1
        };
        let stats = Arc::new(WriterStats::default());
        let announcer = Announcer::spawn(store);
        let gate = Arc::new(RwLock::new(()));
        let queues: Vec<_> = (0..count)
            .map(|_| {
                let (queue, jobs) = mpsc::channel(QUEUE);
                let task = run(
                    store.clone(),
                    jobs,
                    Arc::clone(&stats),
                    Arc::clone(&gate),
                    announcer.clone(),
                );
                tokio::spawn(task);
                queue
            })
            .collect();
        Self {
            queues: queues.into(),
            next_claim: Arc::new(AtomicUsize::new(0)),
            stats,
            gate,
        }
    }

    /// The writer of `write`: by run, by start identity, or the next in turn for a claim.
    fn queue_for(&self, write: &Write) -> &mpsc::Sender<Job> {
        let mut hasher = DefaultHasher::new();
        match write {
            Write::Start(run) => (run.tenant_id, run.op_type, &run.identity).hash(&mut hasher),
            Write::Claim { .. } => {
                let next = self.next_claim.fetch_add(1, Ordering::Relaxed);
                return &self.queues[next % self.queues.len()];
            }
            Write::Renew { id, .. }
            | Write::Progress { id, .. }
            | Write::RequestCancel { id }
            | Write::Requeue { id, .. }
            | Write::HandBack { id, .. }
            | Write::Finish { id, .. } => id.hash(&mut hasher),
        }
        let index = usize::try_from(hasher.finish() % self.queues.len() as u64).unwrap_or(0);
        &self.queues[index]
    }

    /// Submits one transition and waits until its batch is committed (or failed).
    pub(super) async fn write(&self, write: Write) -> Result<Written, RunError> {
        let (reply, answer) = oneshot::channel();
        WriterStats::bump(&self.stats.submitted, 1);
        let queue = self.queue_for(&write);
        let sent = queue.send(Job { write, reply }).await;
        let result = match sent {
            Ok(()) => answer.await.unwrap_or_else(|_| Err(writer_gone())),
            Err(_) => Err(writer_gone()),
        };
        WriterStats::bump(&self.stats.answered, 1);
        result
    }

    pub(super) fn stats(&self) -> &WriterStats {
        &self.stats
    }

    pub(super) async fn pause(&self) -> PausedWrites {
        PausedWrites {
            _gate: Arc::clone(&self.gate).write_owned().await,
        }
    }
}

fn writer_gone() -> RunError {
    RunError::Database(Arc::new(sqlx::Error::PoolClosed))
}

async fn run(
    store: Store,
    mut jobs: mpsc::Receiver<Job>,
    stats: Arc<WriterStats>,
    gate: Arc<RwLock<()>>,
    announcer: Announcer,
) {
    let mut batch = Vec::new();
    // The writer's own connection, kept between batches (no pool checkout and no liveness
    // ping per commit); dropped after a connection-level failure and taken anew.
    let mut conn: Option<Pooled> = None;
    while let Some(first) = jobs.recv().await {
        let _held = gate.read().await;
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // A bug that panics inside one batch fails that batch's transitions (their callers see
        // the writer gone), not every later one.
        let batch = std::mem::take(&mut batch);
        let committed = AssertUnwindSafe(commit(&store, &mut conn, batch, &stats, &announcer))
            .catch_unwind()
            .await;
        if committed.is_err() {
            tracing::error!("the run-transition writer panicked on a batch; going on");
            conn = None;
        }
    }
}

/// Why a batch did not commit.
enum BatchError {
    /// Transition `index` failed: apply the batch again without it.
    Item(usize, RunError),
    /// The database failed the batch as a whole (connection, commit, deadlock).
    Whole(RunError),
    /// A statement writing several finishes or progress reports failed, and cannot say for
    /// which run: apply the batch again one transition at a time.
    Together(RunError),
}

/// Commits `jobs` on the writer's connection and answers each.
async fn commit(
    store: &Store,
    conn: &mut Option<Pooled>,
    jobs: Vec<Job>,
    stats: &WriterStats,
    announcer: &Announcer,
) {
    let pooled = match conn {
        Some(pooled) => pooled,
        None => match store.acquire().await {
            Ok(pooled) => conn.insert(pooled),
            Err(err) => {
                let err = RunError::from(err);
                for job in jobs {
                    let _ = job.reply.send(Err(err.clone()));
                }
                return;
            }
        },
    };
    let broken = if let [job] = jobs.as_slice()
        && !matches!(job.write, Write::Finish { .. })
    {
        commit_alone(pooled, jobs, stats, announcer).await
    } else {
        commit_batch(pooled, jobs, stats, announcer).await
    };
    if broken {
        *conn = None;
    }
}

/// Applies `jobs` in one transaction and answers each; `true` when the connection failed.
async fn commit_batch(
    conn: &mut Pooled,
    jobs: Vec<Job>,
    stats: &WriterStats,
    announcer: &Announcer,
) -> bool {
    let mut excluded: Vec<Option<RunError>> = jobs.iter().map(|_| None).collect();
    let mut victim_replays = 0;
    let mut together = true;
    let outcome = loop {
        if excluded.iter().all(Option::is_some) {
            break Ok((jobs.iter().map(|_| None).collect(), 0));
        }
        WriterStats::bump(&stats.batches, 1);
        match apply_all(conn, &jobs, &excluded, together).await {
            Ok(applied) => break Ok(applied),
            Err(BatchError::Together(err)) => {
                tracing::warn!(error = %err, "finishing runs together failed; applying them one by one");
                together = false;
            }
            Err(BatchError::Item(index, err)) => {
                tracing::warn!(error = %err, "a run transition failed; committing the others");
                excluded[index] = Some(err);
            }
            // Chosen as a deadlock or serialization victim: nothing was wrong with the batch,
            // and it was rolled back whole; apply it again.
            Err(BatchError::Whole(err)) if is_victim(&err) && victim_replays < 3 => {
                victim_replays += 1;
                tracing::warn!(error = %err, "a batch of run transitions was a deadlock victim; replaying it");
            }
            Err(BatchError::Whole(err)) => break Err(err),
        }
    };
    let broken = outcome.as_ref().is_err_and(affects_whole_batch);
    match outcome {
        Ok((results, written_together)) => {
            let applied = excluded.iter().filter(|e| e.is_none()).count();
            WriterStats::bump(&stats.transitions, applied as u64);
            WriterStats::bump(&stats.written_together, written_together as u64);
            let mut said = Vec::new();
            for (job, result) in jobs.iter().zip(&results) {
                if let Some(written) = result {
                    announcements(&job.write, written, &mut said);
                }
            }
            announcer.send(said);
            for ((job, result), error) in jobs.into_iter().zip(results).zip(excluded) {
                let answer = match (result, error) {
                    (Some(written), _) => Ok(written),
                    (None, Some(err)) => Err(err),
                    (None, None) => Err(RunError::Corrupt("a transition got no result".to_owned())),
                };
                let _ = job.reply.send(answer);
            }
        }
        Err(err) => {
            for (job, error) in jobs.into_iter().zip(excluded) {
                let _ = job.reply.send(Err(error.unwrap_or_else(|| err.clone())));
            }
        }
    }
    broken
}

/// A lone transition of one statement commits on its own (autocommit): the same durability
/// without the round trips of `BEGIN` and `COMMIT`. A failed statement leaves nothing behind.
/// `true` when the connection failed.
async fn commit_alone(
    conn: &mut Pooled,
    jobs: Vec<Job>,
    stats: &WriterStats,
    announcer: &Announcer,
) -> bool {
    WriterStats::bump(&stats.batches, 1);
    let mut broken = false;
    for job in jobs {
        let answer = apply(&mut conn.conn(), &job.write).await;
        match &answer {
            Ok(written) => {
                WriterStats::bump(&stats.transitions, 1);
                let mut said = Vec::new();
                announcements(&job.write, written, &mut said);
                announcer.send(said);
            }
            Err(err) => broken |= affects_whole_batch(err),
        }
        let _ = job.reply.send(answer);
    }
    broken
}

/// What other processes are told of a committed transition (see `store/announce.rs`): the
/// run's new version whenever it changed (not a lease renewal), and a notification written.
fn announcements(write: &Write, written: &Written, out: &mut Vec<Announcement>) {
    let run = |record: &RunRecord| Announcement::Run {
        id: record.id().to_string(),
        version: i64::try_from(record.summary.version).unwrap_or(i64::MAX),
    };
    match (write, written) {
        (
            _,
            Written::Started {
                inserted: Some(record),
                ..
            }
            | Written::Changed(record),
        ) => {
            out.push(run(record));
        }
        (_, Written::Claimed(records)) => out.extend(records.iter().map(run)),
        (Write::Progress { id, .. }, Written::Progressed(Some((_, version)))) => {
            out.push(Announcement::Run {
                id: id.to_string(),
                version: *version,
            });
        }
        (_, Written::Finished(record, notification)) => {
            out.push(run(record));
            if let (Some(notification), Some(initiator)) = (notification, &record.summary.initiator)
            {
                out.push(Announcement::Notification {
                    id: notification.id.to_string(),
                    user: initiator.id.to_string(),
                });
            }
        }
        _ => {}
    }
}

/// Applies every transition not excluded, in one transaction, and commits. With `together`,
/// the finishes and progress reports of runs no other transition of the batch names are
/// written first: one statement for the finishes, one for their notifications, one for the
/// progress reports; the rest one by one, in order. Moving them first changes no answer: none
/// is given before the commit, and each competes only with transitions of its own run.
async fn apply_all(
    conn: &mut Pooled,
    jobs: &[Job],
    excluded: &[Option<RunError>],
    together: bool,
) -> Result<(Vec<Option<Written>>, usize), BatchError> {
    let mut tx = conn
        .begin()
        .await
        .map_err(|e| BatchError::Whole(e.into()))?;
    let mut results: Vec<Option<Written>> = jobs.iter().map(|_| None).collect();
    let mut written_together = 0;
    if together {
        let alone = alone_in_batch(jobs, excluded);
        let of_kind = |pick: fn(&Write) -> bool| -> Vec<usize> {
            alone
                .iter()
                .copied()
                .filter(|&index| pick(&jobs[index].write))
                .collect()
        };
        let finishes = of_kind(|w| matches!(w, Write::Finish { .. }));
        let progress = of_kind(|w| matches!(w, Write::Progress { .. }));
        let written = async {
            let mut written = Vec::new();
            if finishes.len() > 1 {
                written_together = finishes.len();
                let done = finish_together(&mut tx.conn(), jobs, &finishes).await?;
                written.extend(finishes.iter().copied().zip(done));
            }
            if progress.len() > 1 {
                written_together += progress.len();
                let saved = progress_together(&mut tx.conn(), jobs, &progress).await?;
                written.extend(progress.iter().copied().zip(saved));
            }
            Ok::<_, RunError>(written)
        }
        .await;
        match written {
            Ok(written) => {
                for (index, written) in written {
                    results[index] = Some(written);
                }
            }
            Err(err) => {
                let _ = tx.rollback().await;
                return Err(if affects_whole_batch(&err) {
                    BatchError::Whole(err)
                } else {
                    BatchError::Together(err)
                });
            }
        }
    }
    for (index, job) in jobs.iter().enumerate() {
        if excluded[index].is_some() || results[index].is_some() {
            continue;
        }
        match apply(&mut tx.conn(), &job.write).await {
            Ok(written) => results[index] = Some(written),
            Err(err) => {
                let _ = tx.rollback().await;
                return Err(if affects_whole_batch(&err) {
                    BatchError::Whole(err)
                } else {
                    BatchError::Item(index, err)
                });
            }
        }
    }
    tx.commit().await.map_err(|e| BatchError::Whole(e.into()))?;
    Ok((results, written_together))
}

/// The transitions in `jobs`, not excluded, whose run no other transition of the batch
/// names: these may be written in any order.
fn alone_in_batch(jobs: &[Job], excluded: &[Option<RunError>]) -> Vec<usize> {
    let mut named: HashMap<RunId, usize> = HashMap::new();
    for (job, excluded) in jobs.iter().zip(excluded) {
        if let (None, Some(id)) = (excluded, job.write.run()) {
            *named.entry(id).or_default() += 1;
        }
    }
    jobs.iter()
        .zip(excluded)
        .enumerate()
        .filter(|(_, (job, excluded))| {
            excluded.is_none() && job.write.run().is_some_and(|id| named.get(&id) == Some(&1))
        })
        .map(|(index, _)| index)
        .collect()
}

/// The progress reports at `indices` of `jobs`, as [`apply`] would write them one by one.
async fn progress_together(
    conn: &mut Conn<'_>,
    jobs: &[Job],
    indices: &[usize],
) -> Result<Vec<Written>, RunError> {
    let mut ids = Vec::with_capacity(indices.len());
    let mut rows = Vec::with_capacity(indices.len());
    for &index in indices {
        let Write::Progress { id, token, counts } = &jobs[index].write else {
            return Err(RunError::Corrupt(
                "a progress report that is not one".to_owned(),
            ));
        };
        ids.push(id.to_string());
        rows.push(ProgressRow::new(*id, token, counts)?);
    }
    let mut saved: HashMap<String, (bool, i64)> = store::save_progress_many(conn, &mut rows)
        .await?
        .into_iter()
        .map(|(id, cancel, version)| (id, (cancel, version)))
        .collect();
    Ok(ids
        .iter()
        .map(|id| Written::Progressed(saved.remove(id)))
        .collect())
}

/// The finishes at `indices` of `jobs`, as [`apply`] would write them one by one.
async fn finish_together(
    conn: &mut Conn<'_>,
    jobs: &[Job],
    indices: &[usize],
) -> Result<Vec<Written>, RunError> {
    let mut finishes = Vec::with_capacity(indices.len());
    let mut rows = Vec::with_capacity(indices.len());
    for &index in indices {
        let Write::Finish {
            id,
            from,
            guard,
            done,
        } = &jobs[index].write
        else {
            return Err(RunError::Corrupt("a finish that is not one".to_owned()));
        };
        finishes.push((*id, done.now_ms));
        rows.extend(CompletionRow::new(*id, *from, guard, done)?);
    }
    let mut completed: HashMap<RunId, RunRecord> = store::complete_many(conn, &mut rows)
        .await?
        .into_iter()
        .map(|run| (run.id(), run))
        .collect();
    let owed: Vec<(&RunRecord, i64)> = finishes
        .iter()
        .filter_map(|(id, now_ms)| Some((completed.get(id)?, *now_ms)))
        .collect();
    let notified = notify_completions(conn, &owed).await?;
    let ended: Vec<RunId> = completed.keys().copied().collect();
    store::owe_deliveries(conn, &ended).await?;
    let mut notifications: HashMap<RunId, NotificationDto> = owed
        .iter()
        .zip(notified)
        .filter_map(|((run, _), notification)| Some((run.id(), notification?)))
        .collect();
    let mut written = Vec::with_capacity(finishes.len());
    for (id, _) in finishes {
        written.push(match completed.remove(&id) {
            Some(run) => Written::Finished(run, notifications.remove(&id)),
            None => refused(conn, id).await?,
        });
    }
    Ok(written)
}

/// PostgreSQL chose the transaction as a deadlock or serialization victim.
fn is_victim(err: &RunError) -> bool {
    let RunError::Database(err) = err else {
        return false;
    };
    matches!(&**err, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("40001" | "40P01")))
}

/// Errors that say nothing about the transition that met them: whatever may pass by itself
/// (the connection or the server failed, a busy database, a deadlock or serialization
/// victim), and a connection that cannot go on (TLS, protocol, a closed pool).
fn affects_whole_batch(err: &RunError) -> bool {
    let RunError::Database(err) = err else {
        return false;
    };
    super::is_transient_database_error(err)
        || matches!(
            &**err,
            sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::PoolClosed
        )
}

async fn apply(conn: &mut Conn<'_>, write: &Write) -> Result<Written, RunError> {
    Ok(match write {
        Write::Start(run) => start(conn, run).await?,
        Write::Claim {
            tokens,
            expires_ms,
            now_ms,
            pick,
        } => Written::Claimed(store::claim_batch(conn, tokens, *expires_ms, *now_ms, pick).await?),
        Write::Renew {
            id,
            token,
            expires_ms,
        } => Written::Renewed(store::renew_lease(conn, *id, token, *expires_ms).await?),
        Write::Progress { id, token, counts } => {
            Written::Progressed(store::save_progress(conn, *id, token, counts).await?)
        }
        Write::RequestCancel { id } => match store::request_cancel(conn, *id).await? {
            Some(run) => Written::Changed(run),
            None => refused(conn, *id).await?,
        },
        Write::Requeue { id, token, now_ms } => {
            match store::requeue(conn, *id, token, *now_ms).await? {
                Some(run) => Written::Changed(run),
                None => refused(conn, *id).await?,
            }
        }
        Write::HandBack { id, token } => match store::hand_back(conn, *id, token).await? {
            Some(run) => Written::Changed(run),
            None => refused(conn, *id).await?,
        },
        Write::Finish {
            id,
            from,
            guard,
            done,
        } => match store::complete(conn, *id, *from, guard, done).await? {
            Some(run) => {
                let notification = notify_completion(conn, &run, done.now_ms).await?;
                store::owe_deliveries(conn, &[run.id()]).await?;
                Written::Finished(run, notification)
            }
            None => refused(conn, *id).await?,
        },
    })
}

async fn refused(conn: &mut Conn<'_>, id: RunId) -> Result<Written, RunError> {
    let found = store::load(conn, id).await?;
    Ok(Written::Refused(found.map(|r| r.summary.status)))
}

/// Writes the run's one terminal notification for its initiator, in the terminal transition's
/// transaction; `None` for a system run, or when the initiator is no longer a member of the
/// run's tenant (R2, R3, R16).
async fn notify_completion(
    conn: &mut Conn<'_>,
    run: &RunRecord,
    now_ms: i64,
) -> Result<Option<NotificationDto>, RunError> {
    Ok(notify_completions(conn, &[(run, now_ms)])
        .await?
        .pop()
        .flatten())
}

/// [`notify_completion`] for the runs of one batch, in one statement; the answers are in the
/// order of `runs`.
async fn notify_completions(
    conn: &mut Conn<'_>,
    runs: &[(&RunRecord, i64)],
) -> Result<Vec<Option<NotificationDto>>, RunError> {
    let mut owed = Vec::with_capacity(runs.len());
    for (run, now_ms) in runs {
        owed.push(owed_notification(run, *now_ms)?);
    }
    let mut rows: Vec<NotificationRow<'_>> = runs
        .iter()
        .zip(&owed)
        .filter_map(|((run, now_ms), owed)| {
            let (user, dto) = owed.as_ref()?;
            Some(NotificationRow {
                id: dto.id.to_string(),
                user_id: user.to_string(),
                tenant_id: run.tenant_id.to_string(),
                run_id: dto.run_id.to_string(),
                outcome: dto.outcome.as_str(),
                title: &dto.title,
                body: &dto.body,
                action_url: &dto.action.url,
                created_at: *now_ms,
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(owed.into_iter().map(|_| None).collect());
    }
    let written: HashSet<String> = store::notify_many(conn, &mut rows)
        .await?
        .into_iter()
        .collect();
    Ok(owed
        .into_iter()
        .map(|owed| {
            owed.map(|(_, dto)| dto)
                .filter(|dto| written.contains(&dto.run_id.to_string()))
        })
        .collect())
}

/// The notification a completed run owes its initiator, and to whom; `None` for a system run.
fn owed_notification(
    run: &RunRecord,
    now_ms: i64,
) -> Result<Option<(Uuid, NotificationDto)>, RunError> {
    let summary = &run.summary;
    let Some(user) = summary.initiator.as_ref().map(|u| u.id) else {
        return Ok(None);
    };
    let outcome = summary
        .outcome
        .ok_or_else(|| RunError::Corrupt("completed run without outcome".to_owned()))?;
    let content = presenter::run_completed_notification(
        &summary.label,
        outcome,
        &summary.summary_counts,
        summary.reason_code,
        &summary.tenant,
        summary.id,
    );
    Ok(Some((
        *user.as_uuid(),
        NotificationDto {
            id: Uuid::now_v7(),
            kind: NotificationKind::RunCompleted,
            tenant: summary.tenant.clone(),
            run_id: summary.id,
            outcome,
            title: content.title,
            body: content.body,
            action: content.action,
            created_at: crate::clock::from_ms(now_ms),
            read_at: None,
        },
    )))
}

/// Inserts a queued run; if it was not inserted, the identical active run is the answer even
/// at a cap (R4: starting it again adds nothing), else the cap it met. Neither (on PostgreSQL,
/// the identical run ended meanwhile): the caller starts again.
async fn start(conn: &mut Conn<'_>, run: &NewRun) -> Result<Written, RunError> {
    if let Some(inserted) = store::insert_queued(conn, run).await? {
        return Ok(Written::Started {
            inserted: Some(inserted),
            existing: None,
        });
    }
    let existing =
        store::load_active(conn, run.tenant_id, run.op_type.as_str(), &run.identity).await?;
    if existing.is_none()
        && let Some(refusal) = store::over_quota(conn, run).await?
    {
        return Ok(Written::OverQuota(refusal));
    }
    Ok(Written::Started {
        inserted: None,
        existing,
    })
}

#[cfg(test)]
mod tests {
    /// `bypasses.md` proves the notification writer is private; this, that it is there.
    #[test]
    fn the_notification_writer_exists() {
        let _ = super::notify_completion;
    }
}
