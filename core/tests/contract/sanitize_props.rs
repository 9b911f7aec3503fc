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
        prop_assert_eq!(sanitize_message(&once), once);
    }
}
