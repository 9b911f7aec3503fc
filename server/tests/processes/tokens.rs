// A tenant's API tokens, made, listed and revoked with the real `opsux` binary, and checked the
// way a request presenting one will be: bound to its tenant, scopes and types; shown once, kept
// only as a hash; refused at once when revoked, and when expired; every change audited (R19).

use std::process::Output;

use opsux_server::org::{self, TokenScope};
use opsux_server::store::Store;
use opsux_server::store::audit::AuditScope;
use serde_json::Value;

use crate::opsux::{command_with, ok, refused};
use crate::support::fresh_database;

const DAY_MS: i64 = 24 * 3_600_000;

fn opsux(database: &str, args: &[&str]) -> Output {
    let mut all = args.to_vec();
    all.extend(["--database-url", database]);
    command_with(&all, &[("OPSUX_OWNER_PASSWORD", "owner password 1")])
}

fn now_ms() -> i64 {
    opsux_server::clock::to_ms(time::OffsetDateTime::now_utc())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_shown_once_bound_to_its_tenant_scopes_and_types_and_revoked_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    ok(&opsux(
        &database,
        &[
            "init",
            "--workspace",
            "Acme IT",
            "--owner-email",
            "admin@acme.test",
            "--owner-name",
            "Ada Admin",
        ],
    ));
    for slug in ["acme-emea", "acme-apac"] {
        ok(&opsux(
            &database,
            &["tenant", "add", "--slug", slug, "--name", slug],
        ));
    }
    let create = |name: &'static str, extra: &'static [&'static str]| {
        let mut args = vec![
            "token",
            "create",
            "--tenant",
            "acme-emea",
            "--name",
            name,
            "--scopes",
        ];
        args.extend(extra);
        opsux(&database, &args)
    };

    // Made: the token is the last line, once.
    let made = ok(&create(
        "billing",
        &[
            "runs:start,runs:work",
            "--types",
            "inventory_sync,inventory_sync",
            "--expires-days",
            "30",
        ],
    ));
    let secret = made.lines().last().unwrap().trim().to_owned();
    assert!(secret.starts_with(org::TOKEN_PREFIX), "{made}");
    assert!(made.contains("runs:start, runs:work"), "{made}");

    let store = Store::open(&database).await.unwrap();
    let grant = org::authenticate_token(&store, &secret, now_ms())
        .await
        .unwrap()
        .expect("the token just made works");
    assert_eq!(grant.tenant_slug, "acme-emea");
    assert_eq!(grant.scopes, [TokenScope::RunsStart, TokenScope::RunsWork]);
    assert!(grant.allows_type("inventory_sync"));
    assert!(!grant.allows_type("backup_set"), "limited to its types");

    // What is not a token opsux made, or no longer one, is nobody's.
    for presented in [
        "opsux_made_up",
        &secret[..secret.len() - 1],
        "Bearer-like garbage",
    ] {
        assert!(
            org::authenticate_token(&store, presented, now_ms())
                .await
                .unwrap()
                .is_none(),
            "{presented:?}"
        );
    }
    assert!(
        org::authenticate_token(&store, &secret, now_ms() + 31 * DAY_MS)
            .await
            .unwrap()
            .is_none(),
        "expired after its 30 days"
    );

    // Refusals say which rule; nothing is made.
    let twice = refused(&create("billing", &["runs:start"]));
    assert!(twice.contains("already has a token named"), "{twice}");
    let scope = refused(&create("reports", &["runs:admin"]));
    assert!(scope.contains("\"runs:admin\" is not a scope"), "{scope}");
    let kind = refused(&create(
        "reports",
        &["runs:start", "--types", "acme.nothing"],
    ));
    assert!(
        kind.contains("acme.nothing is not a registered operation type"),
        "{kind}"
    );
    let days = refused(&create("reports", &["runs:start", "--expires-days", "0"]));
    assert!(days.contains("1–3650 days"), "{days}");
    let elsewhere = refused(&opsux(
        &database,
        &[
            "token",
            "create",
            "--tenant",
            "nowhere",
            "--name",
            "x",
            "--scopes",
            "runs:start",
        ],
    ));
    assert!(elsewhere.contains("there is no tenant"), "{elsewhere}");

    // Listed without its secret; another tenant's list is its own.
    ok(&create("reports", &["runs:start"]));
    let listed = ok(&opsux(
        &database,
        &["token", "list", "--tenant", "acme-emea", "--json"],
    ));
    assert!(
        !listed.contains(&secret[org::TOKEN_PREFIX.len()..]),
        "{listed}"
    );
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["reports", "billing"]);
    assert_eq!(listed[1]["types"][0], "inventory_sync");
    assert_eq!(listed[0]["types"], Value::Null);
    let other = ok(&opsux(
        &database,
        &["token", "list", "--tenant", "acme-apac", "--json"],
    ));
    assert_eq!(
        serde_json::from_str::<Value>(&other).unwrap(),
        Value::Array(vec![])
    );

    // Revoked: refused from the next request on; the name is free again.
    let revoke = [
        "token",
        "revoke",
        "--tenant",
        "acme-emea",
        "--name",
        "billing",
    ];
    ok(&opsux(&database, &revoke));
    assert!(
        org::authenticate_token(&store, &secret, now_ms())
            .await
            .unwrap()
            .is_none()
    );
    let again = refused(&opsux(&database, &revoke));
    assert!(again.contains("has no token named \"billing\""), "{again}");
    ok(&create("billing", &["runs:work"]));

    // Each change is in the tenant's audit log.
    let tenant = store
        .tenant(&"acme-emea".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let (entries, _) = store
        .audit_log(AuditScope::Tenant(tenant.id), None, 50)
        .await
        .unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e.action.as_str())
        .filter(|a| a.starts_with("token."))
        .collect();
    assert_eq!(
        actions,
        [
            "token.create",
            "token.revoke",
            "token.create",
            "token.create"
        ]
    );
}
