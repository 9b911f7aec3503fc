//! Cron expressions of backup schedules: five fields (minute hour day-of-month month
//! day-of-week), in UTC, parsed and evaluated by `croner`.

use chrono::{DateTime, Utc};
use croner::parser::{CronParser, Seconds, Year};

/// A parsed schedule expression.
#[derive(Debug, Clone)]
pub struct CronSchedule(croner::Cron);

impl CronSchedule {
    /// Parses `text`; the error says what is wrong, for a person to read.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.split_whitespace().count() != 5 {
            return Err(format!(
                "{text:?} is not a cron expression of five fields \
                 (minute hour day-of-month month day-of-week), e.g. \"0 3 * * *\""
            ));
        }
        CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build()
            .parse(text)
            .map(Self)
            .map_err(|e| format!("{text:?} is not a valid cron expression: {e}"))
    }

    /// The latest time it fires at or before `at_ms`; `None` if it never did.
    pub fn latest_at_or_before(&self, at_ms: i64) -> Option<i64> {
        let at = DateTime::<Utc>::from_timestamp_millis(at_ms)?;
        self.0
            .find_previous_occurrence(&at, true)
            .ok()
            .map(|t| t.timestamp_millis())
    }

    /// The next `n` times it fires strictly after `after_ms` (Unix milliseconds, UTC).
    pub fn next_after(&self, after_ms: i64, n: usize) -> Vec<i64> {
        let Some(start) = DateTime::<Utc>::from_timestamp_millis(after_ms) else {
            return Vec::new();
        };
        self.0
            .iter_after(start)
            .take(n)
            .map(|t| t.timestamp_millis())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::CronSchedule;

    #[test]
    fn five_fields_in_utc() {
        let daily = CronSchedule::parse("0 3 * * *").unwrap();
        // 2026-11-29 10:00 UTC → the next three 03:00 UTC.
        let now = 1_795_946_400_000;
        let next = daily.next_after(now, 3);
        assert_eq!(next.len(), 3);
        assert_eq!(next[1] - next[0], 24 * 3600 * 1000);
        assert_eq!((next[0] / 1000) % 86_400, 3 * 3600);
        assert!(next[0] > now);
        let latest = daily.latest_at_or_before(now).unwrap();
        assert_eq!(next[0] - latest, 24 * 3600 * 1000);
        assert_eq!(
            daily.latest_at_or_before(next[0]),
            Some(next[0]),
            "inclusive"
        );
    }

    #[test]
    fn mistakes_are_named() {
        for bad in ["", "* * * *", "0 0 * * * *", "61 * * * *", "banana * * * *"] {
            let err = CronSchedule::parse(bad).unwrap_err();
            assert!(err.contains("cron"), "{bad}: {err}");
        }
    }
}
