//! Cron expressions of backup schedules: five fields (minute hour day-of-month month
//! day-of-week), in UTC, parsed and evaluated by `croner`.

use chrono::{DateTime, Utc};
use croner::parser::{CronParser, Seconds, Year};

/// The shortest time a backup schedule may leave between two firings.
pub const SHORTEST_INTERVAL_MINUTES: i64 = 15;

/// How many of a new schedule's firings are looked at for its shortest interval.
const FIRINGS_CHECKED: usize = 1_000;

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

    /// Parses `text` as a backup schedule's expression: it must fire at all, and never twice
    /// within [`SHORTEST_INTERVAL_MINUTES`] (checked over its next [`FIRINGS_CHECKED`]
    /// firings after `now_ms`; cron fires every time of its day on every day it fires, so
    /// the first days it fires show its shortest interval).
    pub fn parse_for_schedule(text: &str, now_ms: i64) -> Result<Self, String> {
        let cron = Self::parse(text)?;
        let text = text.trim();
        let firings = cron.next_after(now_ms, FIRINGS_CHECKED);
        if firings.is_empty() {
            return Err(format!(
                "{text:?} never fires (no such date); give a time that exists"
            ));
        }
        let shortest = firings.windows(2).map(|w| w[1] - w[0]).min();
        if shortest.is_some_and(|gap| gap < SHORTEST_INTERVAL_MINUTES * 60_000) {
            return Err(format!(
                "{text:?} fires more often than every {SHORTEST_INTERVAL_MINUTES} minutes,                  the shortest interval a schedule may have"
            ));
        }
        Ok(cron)
    }

    /// The latest time it fires at or before `at_ms`; `None` if it never did.
    pub fn latest_at_or_before(&self, at_ms: i64) -> Option<i64> {
        let at = whole_second(at_ms)?;
        self.0
            .find_previous_occurrence(&at, true)
            .ok()
            .map(|t| t.timestamp_millis())
    }

    /// The next `n` times it fires strictly after `after_ms` (Unix milliseconds, UTC).
    pub fn next_after(&self, after_ms: i64, n: usize) -> Vec<i64> {
        let Some(start) = whole_second(after_ms) else {
            return Vec::new();
        };
        self.0
            .iter_after(start)
            .take(n)
            .map(|t| t.timestamp_millis())
            .collect()
    }
}

/// `at_ms` floored to its second. croner keeps the sub-second part of the moment it is asked
/// about in what it answers, so a firing time asked for 0.5 s after 03:00 would be 03:00:00.5:
/// a different slot at every tick, and the schedule started again at each.
fn whole_second(at_ms: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp(at_ms.div_euclid(1000), 0)
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

    /// A slot is a firing time, the same whenever the scheduler looks: were it to carry the
    /// milliseconds of the moment it was asked at, every tick would find a new slot and start
    /// the schedule again.
    #[test]
    fn the_latest_firing_is_the_same_at_every_moment_after_it() {
        let hourly = CronSchedule::parse("25 * * * *").unwrap();
        // 2026-12-08 00:25:00 UTC, then moments within that minute and after it.
        let fired = 1_796_689_500_000;
        for at in [
            fired,
            fired + 5,
            fired + 881,
            fired + 1_887,
            fired + 61_234,
            fired + 3_599_999,
        ] {
            assert_eq!(hourly.latest_at_or_before(at), Some(fired), "at {at}");
        }
        assert_eq!(
            hourly.latest_at_or_before(fired + 3_600_000),
            Some(fired + 3_600_000)
        );
        let next = hourly.next_after(fired + 881, 2);
        assert_eq!(next, [fired + 3_600_000, fired + 7_200_000]);
    }

    #[test]
    fn a_schedule_must_fire_and_not_too_often() {
        let now = 1_795_946_400_000;
        for ok in [
            "0 3 * * *",
            "*/15 * * * *",
            "0 0 29 2 *",
            "0,30 9-17 * * 1-5",
        ] {
            assert!(CronSchedule::parse_for_schedule(ok, now).is_ok(), "{ok}");
        }
        for (bad, says) in [
            ("0 0 31 2 *", "never fires"),
            ("0 0 30 2 *", "never fires"),
            ("* * * * *", "every 15 minutes"),
            ("*/5 * * * *", "every 15 minutes"),
            ("0,10 3 1 1 *", "every 15 minutes"),
        ] {
            let err = CronSchedule::parse_for_schedule(bad, now).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn mistakes_are_named() {
        for bad in ["", "* * * *", "0 0 * * * *", "61 * * * *", "banana * * * *"] {
            let err = CronSchedule::parse(bad).unwrap_err();
            assert!(err.contains("cron"), "{bad}: {err}");
        }
    }
}
