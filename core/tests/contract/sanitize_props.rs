// R6, property-based (native only: proptest needs an OS RNG).
use opsux_core::sanitize::MAX_MESSAGE_CHARS;
use opsux_core::sanitize_message;
use proptest::prelude::*;

fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            Just("password=hunter2".to_owned()),
            Just("Bearer abc.def".to_owned()),
            Just("token: ".to_owned()),
            Just("eyJhbGciOi.eyJzdWIi.sig".to_owned()),
            Just("ops@contoso.com".to_owned()),
            Just("\u{202E}\u{200B}\n\t\u{0}".to_owned()),
            Just("[redacted]".to_owned()),
            Just(" https://svc:SURVIVOR1@host.example ".to_owned()),
            Just(" postgres://admin:SURVIVOR2@db/x ".to_owned()),
            Just(
                "-----BEGIN EC PRIVATE KEY-----\nSURVIVOR3\n-----END EC PRIVATE KEY-----"
                    .to_owned()
            ),
            Just("-----BEGIN PRIVATE KEY-----\nSURVIVOR4".to_owned()),
            Just(" Cookie: sid=SURVIVOR5; a=b".to_owned()),
            Just(" Set-Cookie: sid=SURVIVOR6; Path=/".to_owned()),
            Just("?code=SURVIVOR7&state=1".to_owned()),
            Just("ghp_SURVIVOR8abcdefghijklmnopqrstuvwxyz".to_owned()),
            Just("xoxb-SURVIVOR9-123456".to_owned()),
            Just("AKIASURVIVOR10XXXXXX".to_owned()),
            "[a-zA-Z0-9 =:&;,'\"@.+_-]{0,40}",
            any::<String>(),
        ],
        0..40,
    );
    pieces.prop_map(|p| p.concat())
}

proptest! {
    #[test]
    fn sanitizing_is_bounded_clean_and_idempotent(raw in hostile_text()) {
        let once = sanitize_message(&raw);
        prop_assert!(once.chars().count() <= MAX_MESSAGE_CHARS);
        prop_assert!(!once.chars().any(char::is_control));
        prop_assert!(!once.contains("hunter2"));
        prop_assert!(!once.contains("ops@contoso.com"));
        prop_assert!(!once.contains("SURVIVOR"), "a secret survived: {once}");
        prop_assert_eq!(sanitize_message(&once), once);
    }
}
