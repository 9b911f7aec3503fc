// Times in lists: relative, compact, never negative.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use opsux_core::when::{format_duration, relative_time, run_duration};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2026-11-29 12:00:00 UTC);

#[test]
fn relative_times() {
    let cases: &[(Duration, &str)] = &[
        (Duration::seconds(-30), "just now"),
        (Duration::ZERO, "just now"),
        (Duration::seconds(44), "just now"),
        (Duration::seconds(45), "1 min ago"),
        (Duration::seconds(181), "4 min ago"),
        (Duration::seconds(3_599), "59 min ago"),
        (Duration::hours(3), "3 h ago"),
        (Duration::hours(30), "1 day ago"),
        (Duration::days(12), "12 days ago"),
        (Duration::days(40), "2026-10-20"),
    ];
    for (ago, expected) in cases {
        assert_eq!(relative_time(NOW - *ago, NOW), *expected, "{ago}");
    }
}

#[test]
fn times_ahead_read_forward() {
    let cases: &[(Duration, &str)] = &[
        (Duration::seconds(30), "just now"),
        (Duration::seconds(181), "in 4 min"),
        (Duration::hours(16), "in 16 h"),
        (Duration::hours(30), "in 1 day"),
        (Duration::days(3), "in 3 days"),
        (Duration::days(40), "2027-01-08"),
    ];
    for (ahead, expected) in cases {
        assert_eq!(relative_time(NOW + *ahead, NOW), *expected, "{ahead}");
    }
}

#[test]
fn durations_run_from_start_to_end() {
    let queued = NOW - Duration::minutes(10);
    let started = NOW - Duration::minutes(9);
    let ended = started + Duration::seconds(125);
    let took = |s, e| format_duration(run_duration(queued, s, e, NOW));
    assert_eq!(took(Some(started), Some(ended)), "2m 05s");
    assert_eq!(took(Some(started), None), "9m 00s", "still running: so far");
    assert_eq!(
        took(None, Some(queued + Duration::seconds(3))),
        "3s",
        "cancelled while queued"
    );
}
