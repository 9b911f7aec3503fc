// R5: summary counts are flat non-negative integers under keys from SummaryKey::ALL.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use opsux_core::{SummaryCounts, SummaryKey};

const ALLOWED: &str =
    "allowed keys: total, processed, succeeded, failed, skipped, created, updated, deleted";

#[test]
fn the_key_list_is_the_spec_list() {
    let ids: Vec<&str> = SummaryKey::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        ids,
        [
            "total",
            "processed",
            "succeeded",
            "failed",
            "skipped",
            "created",
            "updated",
            "deleted"
        ]
    );
}

#[test]
fn valid_counts_parse_and_serialize_in_key_order() {
    let counts: SummaryCounts =
        serde_json::from_str(r#"{"failed": 2, "total": 40, "processed": 40, "succeeded": 38}"#)
            .unwrap();
    assert_eq!(counts.get(SummaryKey::Total), Some(40));
    assert_eq!(counts.get(SummaryKey::Skipped), None);
    assert_eq!(
        serde_json::to_string(&counts).unwrap(),
        r#"{"total":40,"processed":40,"succeeded":38,"failed":2}"#
    );
    let empty: SummaryCounts = serde_json::from_str("{}").unwrap();
    assert!(empty.is_empty());
}

#[test]
fn bad_counts_are_rejected_with_a_message_naming_the_rule() {
    let cases: &[(&str, &str)] = &[
        (r#"{"totl": 1}"#, "unknown summary key \"totl\"; "),
        (r#"{"Total": 1}"#, "unknown summary key \"Total\"; "),
        (
            r#"{"total": -1}"#,
            "summary count \"total\" must be a non-negative integer, found -1",
        ),
        (
            r#"{"processed": 1.5}"#,
            "summary count \"processed\" must be a non-negative integer, found a number with a fraction or exponent",
        ),
        (
            r#"{"processed": 3.0}"#,
            "summary count \"processed\" must be a non-negative integer, found a number with a fraction or exponent",
        ),
        (
            r#"{"failed": "2"}"#,
            "summary count \"failed\" must be a non-negative integer, found a string",
        ),
        (
            r#"{"failed": null}"#,
            "summary count \"failed\" must be a non-negative integer, found null",
        ),
        (
            r#"{"failed": true}"#,
            "summary count \"failed\" must be a non-negative integer, found a boolean",
        ),
        (
            r#"{"total": {"a": 1}}"#,
            "summary count \"total\" must be a non-negative integer, found a nested object",
        ),
        (
            r#"{"total": [1]}"#,
            "summary count \"total\" must be a non-negative integer, found an array",
        ),
        (
            r#"{"total": 1, "total": 2}"#,
            "summary key \"total\" appears twice",
        ),
        (
            r#"{"total": 9007199254740992}"#,
            "summary count \"total\" is 9007199254740992, above the largest allowed count 9007199254740991",
        ),
        (
            "[1, 2]",
            "invalid type: sequence, expected a flat JSON object of summary counts; ",
        ),
        (
            "7",
            "invalid type: integer `7`, expected a flat JSON object of summary counts; ",
        ),
    ];
    for (input, expected) in cases {
        let message = serde_json::from_str::<SummaryCounts>(input)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with(expected),
            "{input}: got {message:?}, want it to start with {expected:?}"
        );
        if expected.starts_with("unknown") || expected.starts_with("invalid type") {
            assert!(
                message.contains(ALLOWED),
                "{input}: {message:?} lacks the allowed keys"
            );
        }
    }
}

#[test]
fn set_and_add_stay_in_range() {
    let mut counts = SummaryCounts::new();
    assert!(
        counts
            .set(SummaryKey::Total, SummaryCounts::MAX_COUNT)
            .is_ok()
    );
    assert!(
        counts
            .set(SummaryKey::Total, SummaryCounts::MAX_COUNT + 1)
            .is_err()
    );
    counts.add(SummaryKey::Total, u64::MAX);
    assert_eq!(
        counts.get(SummaryKey::Total),
        Some(SummaryCounts::MAX_COUNT)
    );
    counts.add(SummaryKey::Processed, 3);
    counts.add(SummaryKey::Processed, 4);
    assert_eq!(counts.get(SummaryKey::Processed), Some(7));
}

#[test]
fn labels_are_the_capitalized_keys() {
    let labels: Vec<String> = SummaryKey::ALL.iter().map(|k| k.label()).collect();
    assert_eq!(
        labels,
        [
            "Total",
            "Processed",
            "Succeeded",
            "Failed",
            "Skipped",
            "Created",
            "Updated",
            "Deleted"
        ]
    );
}
