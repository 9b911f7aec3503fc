//! A tenant's overview: the last run of each type, recent failures, the next backups and 30
//! days of outcomes, in one answer. Each part is an index lookup or a read of the daily counts
//! the transitions keep, so its cost does not grow with the tenant's history
//! (`cargo xtask bench list`).

use axum::Json;
use axum::extract::State;
use opsux_core::wire::{
    DayOutcomes, ErrorEnvelope, FAILURE_DAYS, FAILURES_LISTED, NEXT_BACKUPS_LISTED, NextBackup,
    OVERVIEW_DAYS, OverviewFailure, TenantOverview,
};
use opsux_core::{Capability, ReasonCode, RunOutcome};
use time::{Duration, OffsetDateTime};

use crate::auth::TenantAccess;
use crate::clock::{from_ms, to_ms};
use crate::cron::CronSchedule;
use crate::error::ApiError;
use crate::runs::RunRecord;
use crate::runs::queries;
use crate::state::AppState;

const DAY_MS: i64 = 86_400_000;

#[utoipa::path(get, path = "/api/t/{tenant}/overview", tag = "runs",
    params(("tenant" = String, Path, description = "Tenant slug")),
    responses((status = 200, body = TenantOverview), (status = 404, body = ErrorEnvelope, description = "Not a member of the tenant")))]
pub(super) async fn show(
    State(state): State<AppState>,
    access: TenantAccess,
) -> Result<Json<TenantOverview>, ApiError> {
    access.require(Capability::RunsView)?;
    let tenant = access.tenant.id;
    let now = state.clock.now();
    let today = to_ms(now).div_euclid(DAY_MS);
    let first_day = today - (OVERVIEW_DAYS as i64 - 1);
    let first_failure_day = today - (FAILURE_DAYS as i64 - 1);

    let last_runs = queries::last_ended_each_type(&state.store, tenant).await?;
    let failures = queries::recent_failures(
        &state.store,
        tenant,
        first_failure_day * DAY_MS,
        FAILURES_LISTED as u32,
    )
    .await?;
    let counts = queries::ended_by_day(&state.store, tenant, first_day).await?;
    let failures_total = counts
        .iter()
        .filter(|(day, outcome, _)| {
            *day >= first_failure_day
                && matches!(outcome, RunOutcome::Failed | RunOutcome::PartiallySucceeded)
        })
        .map(|(_, _, runs)| runs)
        .sum();
    let schedules = state.store.schedules(tenant).await?;
    Ok(Json(TenantOverview {
        last_runs,
        recent_failures: failures.iter().map(failure).collect(),
        failures_total,
        next_backups: next_backups(&state, tenant, &schedules, to_ms(now)).await?,
        days: days(first_day, today, &counts),
    }))
}

fn failure(record: &RunRecord) -> OverviewFailure {
    let mut reason_codes: Vec<ReasonCode> = record.summary().reason_code.into_iter().collect();
    for entry in record.failure_summary().entries() {
        if !reason_codes.contains(&entry.reason_code) {
            reason_codes.push(entry.reason_code);
        }
    }
    OverviewFailure {
        run: record.summary().clone(),
        reason_codes,
    }
}

/// The next firing of enabled schedules, soonest first: the [`NEXT_BACKUPS_LISTED`] soonest,
/// and any other whose last run did not succeed, which the overview marks.
async fn next_backups(
    state: &AppState,
    tenant: uuid::Uuid,
    schedules: &[crate::store::schedules::Schedule],
    now_ms: i64,
) -> Result<Vec<NextBackup>, ApiError> {
    let mut next = Vec::new();
    for schedule in schedules.iter().filter(|s| s.enabled) {
        let Some(at) = CronSchedule::parse(&schedule.cron)
            .ok()
            .and_then(|cron| cron.next_after(now_ms, 1).first().copied())
        else {
            continue;
        };
        let last_run = queries::schedule_runs(&state.store, tenant, &schedule.id, true, 1)
            .await?
            .pop();
        next.push(NextBackup {
            schedule_id: schedule.id.clone(),
            name: schedule.name.clone(),
            at: from_ms(at),
            last_run,
        });
    }
    next.sort_by_key(|n| n.at);
    let mut listed = 0;
    next.retain(|n| {
        listed += 1;
        let failed = n.last_run.as_ref().is_some_and(|run| {
            matches!(
                run.outcome,
                Some(RunOutcome::Failed | RunOutcome::PartiallySucceeded)
            )
        });
        listed <= NEXT_BACKUPS_LISTED || failed
    });
    Ok(next)
}

/// Every day from `first_day` to `today`, with what ended on it.
fn days(first_day: i64, today: i64, counts: &[(i64, RunOutcome, u64)]) -> Vec<DayOutcomes> {
    (first_day..=today)
        .map(|day| {
            let mut out = DayOutcomes {
                day: date_of(day),
                ..DayOutcomes::default()
            };
            for (_, outcome, runs) in counts.iter().filter(|(d, _, _)| *d == day) {
                *match outcome {
                    RunOutcome::Succeeded => &mut out.succeeded,
                    RunOutcome::PartiallySucceeded => &mut out.partially_succeeded,
                    RunOutcome::Failed => &mut out.failed,
                    RunOutcome::Cancelled => &mut out.cancelled,
                } += runs;
            }
            out
        })
        .collect()
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01.
fn date_of(day: i64) -> String {
    let date = (OffsetDateTime::UNIX_EPOCH + Duration::days(day)).date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use super::{date_of, days};
    use opsux_core::RunOutcome;

    #[test]
    fn every_day_is_present_and_counts_land_on_theirs() {
        let counts = [
            (20_000, RunOutcome::Succeeded, 3),
            (20_002, RunOutcome::Failed, 1),
            (20_002, RunOutcome::Succeeded, 2),
        ];
        let days = days(20_000, 20_002, &counts);
        assert_eq!(days.len(), 3);
        assert_eq!(days[0].day, "2024-10-04");
        assert_eq!(days[0].succeeded, 3);
        assert_eq!(days[1].total(), 0);
        assert_eq!((days[2].succeeded, days[2].failed), (2, 1));
        assert_eq!(date_of(0), "1970-01-01");
    }
}
