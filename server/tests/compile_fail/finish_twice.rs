// A finished handle cannot finish again: the finishing methods consume it (R1, R2).
use opsux_core::{FailureSummary, ReasonCode, RunOutcome};
use opsux_server::runs::ClaimedRun;

async fn finish_twice(claimed: ClaimedRun) {
    let _ = claimed.complete(RunOutcome::Succeeded, FailureSummary::new()).await;
    let _ = claimed.fail(ReasonCode::InternalError, "again").await;
}

fn main() {}
