// Identifiers are parsed at the edge; malformed ones get a message naming what was expected.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use opsux_core::{RunId, TenantSlug};

#[test]
fn tenant_slugs() {
    for ok in ["contoso", "a", "fabrikam-eu-2", &"x".repeat(63)] {
        assert_eq!(TenantSlug::parse(ok).unwrap().as_str(), ok);
    }
    for bad in [
        "",
        "-lead",
        "trail-",
        "UPPER",
        "sp ace",
        "ü",
        "a/b",
        "../x",
        &"x".repeat(64),
    ] {
        let err = TenantSlug::parse(bad).unwrap_err().to_string();
        assert!(err.contains("is not a valid tenant slug"), "{bad:?}: {err}");
    }
    let err = serde_json::from_str::<TenantSlug>(r#""Bad Slug""#).unwrap_err();
    assert!(err.to_string().contains("not a valid tenant slug"), "{err}");
}

#[test]
fn run_ids() {
    let id: RunId = "0192f1c4-7a1e-7cc3-9a6e-2f4c8d1b5e07".parse().unwrap();
    assert_eq!(id.to_string(), "0192f1c4-7a1e-7cc3-9a6e-2f4c8d1b5e07");
    assert_eq!(
        serde_json::to_string(&id).unwrap(),
        r#""0192f1c4-7a1e-7cc3-9a6e-2f4c8d1b5e07""#
    );
    let err = "not-a-uuid".parse::<RunId>().unwrap_err().to_string();
    assert_eq!(
        err,
        r#""not-a-uuid" is not a valid run id (expected a UUID)"#
    );
    let long = "z".repeat(500);
    let err = long.parse::<RunId>().unwrap_err().to_string();
    assert!(
        err.len() < 200,
        "error messages echo a bounded part of the input"
    );
}
