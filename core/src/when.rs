//! Times as people read them in lists: "3 min ago" for when, "2m 05s" for how long. The
//! absolute time goes in a tooltip; the browser formats that in the reader's locale.

use std::time::Duration;

use time::OffsetDateTime;

use crate::progress::{elapsed_between, format_elapsed};

/// `just now`, `4 min ago`, `3 h ago`, `2 days ago`, then the date (`2026-11-02`); a time
/// ahead (a schedule's next run) the same way: `in 4 min`, `in 3 h`, `in 2 days`.
pub fn relative_time(then: OffsetDateTime, now: OffsetDateTime) -> String {
    if then > now {
        let ahead = elapsed_between(now, then).as_secs();
        return match ahead {
            // A few seconds ahead is the two clocks disagreeing about something just done.
            0..45 => "just now".to_owned(),
            45..3_600 => format!("in {} min", ahead.div_ceil(60).min(59)),
            3_600..86_400 => format!("in {} h", ahead / 3_600),
            86_400..172_800 => "in 1 day".to_owned(),
            172_800..2_592_000 => format!("in {} days", ahead / 86_400),
            _ => date_of(then),
        };
    }
    let secs = elapsed_between(then, now).as_secs();
    match secs {
        0..45 => "just now".to_owned(),
        45..3_600 => format!("{} min ago", secs.div_ceil(60).min(59)),
        3_600..86_400 => format!("{} h ago", secs / 3_600),
        86_400..172_800 => "1 day ago".to_owned(),
        172_800..2_592_000 => format!("{} days ago", secs / 86_400),
        _ => date_of(then),
    }
}

fn date_of(at: OffsetDateTime) -> String {
    let date = at.date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// How long a run took, or has taken so far: from its start (else from queueing) to its end
/// (else `now`).
pub fn run_duration(
    created_at: OffsetDateTime,
    started_at: Option<OffsetDateTime>,
    completed_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Duration {
    let from = started_at.unwrap_or(created_at);
    elapsed_between(from, completed_at.unwrap_or(now))
}

/// `run_duration` in the compact form of [`format_elapsed`].
pub fn format_duration(duration: Duration) -> String {
    format_elapsed(duration)
}
