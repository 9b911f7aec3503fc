// R6: failure messages are sanitized and failure lists bounded.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use opsux_core::sanitize::MAX_MESSAGE_CHARS;
use opsux_core::{FailureSummary, ReasonCode, sanitize_message};

const JWT: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

#[test]
fn secrets_and_personal_data_are_redacted() {
    let cases: &[(&str, &str)] = &[
        (
            "GET /policies failed: Authorization: Bearer abc.DEF-123_xyz",
            "GET /policies failed: Authorization: [redacted] [redacted]",
        ),
        (
            "header bearer s3cr3t! rejected",
            "header bearer [redacted]! rejected",
        ),
        (
            "Basic dXNlcjpwYXNz was refused",
            "Basic [redacted] was refused",
        ),
        (&format!("token {JWT} expired"), "token [redacted] expired"),
        (
            "login password=hunter2 failed",
            "login password=[redacted] failed",
        ),
        ("client_secret: abc~123.xyz", "client_secret: [redacted]"),
        (
            r#"body {"access_token":"ya29.a0Af","expires_in":3599}"#,
            r#"body {"access_token":"[redacted]","expires_in":3599}"#,
        ),
        (
            "url ?sv=2020&sig=AbC%2B%3D&se=2026",
            "url ?sv=2020&sig=[redacted]&se=2026",
        ),
        (
            "conn AccountName=x;AccountKey=Zm9vYmFy==;EndpointSuffix=core",
            "conn AccountName=x;AccountKey=[redacted];EndpointSuffix=core",
        ),
        ("api_key='k-123' set", "api_key='[redacted]' set"),
        ("SECRET = topsecret", "SECRET = [redacted]"),
        (
            "user jane.doe+ops@contoso.onmicrosoft.com not found",
            "user [email] not found",
        ),
        ("mail to A.B@x.io, c@d.co.uk", "mail to [email], [email]"),
        (
            "GET https://svc:Pa55w0rd@graph.example.com/v1.0 failed",
            "GET https://[redacted]@graph.example.com/v1.0 failed",
        ),
        (
            "cannot reach postgres://admin:pw@db:5432/opsux",
            "cannot reach postgres://[redacted]@db:5432/opsux",
        ),
        (
            "clone https://ghx_user@github.com/o/r refused",
            "clone https://[redacted]@github.com/o/r refused",
        ),
        (
            "bad key -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nQx9+\n-----END RSA PRIVATE KEY----- in config",
            "bad key [redacted] in config",
        ),
        (
            "cut -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQ",
            "cut [redacted]",
        ),
        (
            "sent Cookie: opsux_session=abc123; theme=dark to the server",
            "sent Cookie: [redacted] to the server",
        ),
        (
            "got Set-Cookie: sid=s3cr3t; Path=/; HttpOnly; Secure",
            "got Set-Cookie: [redacted]",
        ),
        (
            "redirect /callback?code=0.AQk6AbCdEf-gh_ij&state=xyz failed",
            "redirect /callback?code=[redacted]&state=xyz failed",
        ),
        ("HTTP status code=404", "HTTP status code=404"),
        (
            "pushed with ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 denied",
            "pushed with [redacted] denied",
        ),
        (
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnop expired",
            "[redacted] expired",
        ),
        (
            "slack xoxb-1234567890-0987654321-AbCdEfGh said no",
            "slack [redacted] said no",
        ),
        (
            "aws AKIAIOSFODNN7EXAMPLE has no access",
            "aws [redacted] has no access",
        ),
        (
            "nothing to hide here: 42 items",
            "nothing to hide here: 42 items",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(&sanitize_message(input), expected, "input: {input}");
    }
}

#[test]
fn control_and_disguising_characters_are_removed() {
    let cases: &[(&str, &str)] = &[
        ("line one\nline two\r\n\ttabbed", "line one line two tabbed"),
        ("bell\u{7}and\u{0}nul", "bell and nul"),
        ("esc \u{1b}[31mred\u{1b}[0m", "esc [31mred [0m"),
        ("evil\u{202E}txt.exe", "eviltxt.exe"),
        ("zero\u{200B}width\u{FEFF}", "zerowidth"),
        ("   padded   ", "padded"),
        ("", ""),
    ];
    for (input, expected) in cases {
        assert_eq!(&sanitize_message(input), expected, "input: {input:?}");
    }
}

#[test]
fn length_is_bounded_and_marked() {
    let long = "é".repeat(MAX_MESSAGE_CHARS * 3);
    let out = sanitize_message(&long);
    assert_eq!(out.chars().count(), MAX_MESSAGE_CHARS);
    assert!(out.ends_with('…'));

    let exact = "a".repeat(MAX_MESSAGE_CHARS);
    assert_eq!(sanitize_message(&exact), exact);

    // A megabyte of input still yields a bounded message.
    let huge = "x ".repeat(512 * 1024);
    assert!(sanitize_message(&huge).chars().count() <= MAX_MESSAGE_CHARS);
}

#[test]
fn a_secret_cut_by_the_length_bound_is_still_redacted() {
    let input = format!(
        "{} password=hunter2hunter2",
        "a".repeat(MAX_MESSAGE_CHARS - 12)
    );
    let out = sanitize_message(&input);
    assert!(!out.contains("hunter"), "{out}");
}

#[test]
fn failure_list_keeps_a_bounded_number_and_counts_the_rest() {
    let mut failures = FailureSummary::new();
    for i in 0..25 {
        failures.push(
            ReasonCode::ProviderThrottled,
            &format!("item {i}: token=abc{i}"),
        );
    }
    assert_eq!(failures.entries().len(), FailureSummary::MAX_ENTRIES);
    assert_eq!(failures.omitted(), 15);
    assert_eq!(failures.total(), 25);
    assert_eq!(failures.entries()[3].message, "item 3: token=[redacted]");
}

#[test]
fn failure_list_read_back_is_held_to_the_same_rules() {
    let entries: Vec<String> = (0..12)
        .map(|i| format!(r#"{{"reason_code":"not_found","message":"gone password=p{i}"}}"#))
        .collect();
    let json = format!(r#"{{"entries":[{}],"omitted":3}}"#, entries.join(","));
    let failures: FailureSummary = serde_json::from_str(&json).unwrap();
    assert_eq!(failures.entries().len(), FailureSummary::MAX_ENTRIES);
    assert_eq!(failures.omitted(), 5);
    assert_eq!(failures.entries()[0].message, "gone password=[redacted]");
    assert_eq!(failures.entries()[0].reason_code, ReasonCode::NotFound);

    let err = serde_json::from_str::<FailureSummary>(r#"{"entries":[],"extra":1}"#).unwrap_err();
    assert!(err.to_string().contains("unknown field `extra`"), "{err}");
}

#[test]
fn a_message_cut_right_after_a_redaction_keeps_its_cut_mark() {
    let redacted_tail = "token: [redacted]";
    let prefix = "a ".repeat((MAX_MESSAGE_CHARS - 1 - redacted_tail.len()) / 2);
    let input = format!("{prefix}token: hunter2 and more words after the secret");
    let once = sanitize_message(&input);
    assert!(once.ends_with("[redacted]…"), "{once}");
    assert_eq!(
        sanitize_message(&once),
        once,
        "sanitizing again keeps the ellipsis"
    );
}
