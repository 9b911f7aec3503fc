// An organisation sets opsux up as the README's "Set up for your organisation" says — the
// real `opsux` binary on an empty database (SQLite here; PostgreSQL in `cargo xtask test`'s
// PostgreSQL step): init, a tenant, a person, their roles. R16 (a revoked member's open session
// gets 404 at once), R19 (every change of access in an append-only audit log), R21 (the last
// owner stays), R22 (no password on the command line).

use std::process::Output;

use opsux_server::store::Store;
use opsux_server::store::audit::AuditScope;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::opsux::{Opsux, Session, command_with, ok, refused, sign_in_answer};
use crate::support::{execute_raw, fresh_database};

const OWNER: &str = "admin@acme.test";
const OWNER_PASSWORD: &str = "owner password 1";
const RITA: &str = "rita@acme.test";
const RITA_PASSWORD: &str = "rita's password";

/// `opsux <args> --database-url <database>` with these environment variables.
fn opsux(database: &str, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut all = args.to_vec();
    all.extend(["--database-url", database]);
    command_with(&all, envs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisation_sets_up_its_workspace_tenants_and_people() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let assets = dir.path().join("dist");
    std::fs::create_dir_all(&assets).unwrap();
    std::fs::write(
        assets.join("index.html"),
        "<!doctype html><title>opsux</title>",
    )
    .unwrap();
    let server = Opsux::serve_as_is(
        &database,
        &["--assets-dir", assets.to_str().unwrap(), "--no-worker"],
    );
    server.ready().await;
    let http = reqwest::Client::new();

    // An empty database: every page answers (the panel then says how to set up), sign-in 401.
    let page = http
        .get(format!("{}/t/acme-emea/operations", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        get_json(&http, &format!("{}/api/setup", server.base)).await,
        json!({"initialized": false, "oidc": false})
    );
    let answer = sign_in_answer(&http, &server.base, OWNER, OWNER_PASSWORD).await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);

    // init: the password from the environment, rules checked, only once.
    let init = [
        "init",
        "--workspace",
        "Acme IT",
        "--owner-email",
        OWNER,
        "--owner-name",
        "Ada Admin",
    ];
    let short = refused(&opsux(
        &database,
        &init,
        &[("OPSUX_OWNER_PASSWORD", "short")],
    ));
    assert!(short.contains("at least 12 characters"), "{short}");
    let none = refused(&opsux(&database, &init, &[]));
    assert!(none.contains("OPSUX_OWNER_PASSWORD"), "{none}");
    let made = ok(&opsux(
        &database,
        &init,
        &[("OPSUX_OWNER_PASSWORD", OWNER_PASSWORD)],
    ));
    assert!(made.contains("Acme IT"), "{made}");
    let again = refused(&opsux(
        &database,
        &init,
        &[("OPSUX_OWNER_PASSWORD", OWNER_PASSWORD)],
    ));
    assert!(again.contains("already exists"), "{again}");
    assert_eq!(
        get_json(&http, &format!("{}/api/setup", server.base)).await,
        json!({"initialized": true, "oidc": false})
    );

    // Tenants: the slug rule, duplicates, a list for scripts.
    let bad = refused(&opsux(
        &database,
        &[
            "tenant",
            "add",
            "--slug",
            "Acme_EMEA",
            "--name",
            "Acme EMEA",
        ],
        &[],
    ));
    assert!(bad.contains("2–40 lowercase letters"), "{bad}");
    let add_tenant = [
        "tenant",
        "add",
        "--slug",
        "acme-emea",
        "--name",
        "Acme EMEA",
    ];
    ok(&opsux(&database, &add_tenant, &[]));
    let twice = refused(&opsux(&database, &add_tenant, &[]));
    assert!(twice.contains("exists already"), "{twice}");
    ok(&opsux(
        &database,
        &[
            "tenant",
            "rename",
            "--slug",
            "acme-emea",
            "--name",
            "Acme Europe",
        ],
        &[],
    ));
    let tenants: Value =
        serde_json::from_str(&ok(&opsux(&database, &["tenant", "list", "--json"], &[]))).unwrap();
    assert_eq!(tenants[0]["slug"], "acme-emea");
    assert_eq!(tenants[0]["name"], "Acme Europe");
    assert_eq!(tenants[0]["members"], 1, "the workspace's owner owns it");

    // A person: a malformed address and a duplicate are refused.
    let user_password = [("OPSUX_USER_PASSWORD", RITA_PASSWORD)];
    let malformed = refused(&opsux(
        &database,
        &["user", "add", "--email", "rita.acme.test", "--name", "Rita"],
        &user_password,
    ));
    assert!(malformed.contains("not an e-mail address"), "{malformed}");
    let add_rita = ["user", "add", "--email", RITA, "--name", "Rita Reader"];
    ok(&opsux(&database, &add_rita, &user_password));
    let duplicate = refused(&opsux(&database, &add_rita, &user_password));
    assert!(duplicate.contains("exists already"), "{duplicate}");

    // Reader: sees the tenant, may not start.
    let grant = |role: &'static str| {
        let database = database.clone();
        move || {
            opsux(
                &database,
                &[
                    "member",
                    "grant",
                    "--tenant",
                    "acme-emea",
                    "--email",
                    RITA,
                    "--role",
                    role,
                ],
                &[],
            )
        }
    };
    ok(&grant("reader")());
    let rita = Session::sign_in_with(&server.base, RITA, RITA_PASSWORD).await;
    let me = rita.get("/api/me").await;
    assert_eq!(me["tenants"][0]["slug"], "acme-emea");
    assert_eq!(me["tenants"][0]["role"], "reader");
    assert_eq!(
        me["workspace"],
        json!({"name": "Acme IT", "is_owner": false})
    );
    let start = json!({"type": "inventory_sync"});
    let (status, _) = rita.post("/api/t/acme-emea/operations", &start).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Operator: the same session may start now.
    let changed = ok(&grant("operator")());
    assert!(changed.contains("was reader"), "{changed}");
    let (status, answer) = rita.post("/api/t/acme-emea/operations", &start).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    let members: Value = serde_json::from_str(&ok(&opsux(
        &database,
        &["member", "list", "--tenant", "acme-emea", "--json"],
        &[],
    )))
    .unwrap();
    let roles: Vec<(&str, &str)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(roles, [(OWNER, "owner"), (RITA, "operator")]);

    // An invitation for scripts: the link on the last line, the same the Members page gives.
    let invited = ok(&opsux(
        &database,
        &[
            "invite",
            "create",
            "--tenant",
            "acme-emea",
            "--email",
            "ivan@acme.test",
            "--role",
            "reader",
            "--public-origin",
            &server.base,
        ],
        &[],
    ));
    let link = invited.lines().last().unwrap();
    let token = link
        .strip_prefix(&format!("{}/invite/", server.base))
        .unwrap_or_else(|| panic!("a link to this server: {invited}"));
    let view = get_json(&http, &format!("{}/api/invitations/{token}", server.base)).await;
    assert_eq!(view["email"], "ivan@acme.test");
    assert_eq!(view["tenant_name"], "Acme Europe");

    // Revoked: the still-open session gets 404 at once.
    ok(&opsux(
        &database,
        &["member", "revoke", "--tenant", "acme-emea", "--email", RITA],
        &[],
    ));
    assert_eq!(
        rita.status_of("/api/t/acme-emea/operations").await,
        StatusCode::NOT_FOUND
    );

    // The last owner can be neither revoked nor demoted.
    let last = refused(&opsux(
        &database,
        &[
            "member",
            "revoke",
            "--tenant",
            "acme-emea",
            "--email",
            OWNER,
        ],
        &[],
    ));
    assert!(last.contains("last owner"), "{last}");
    let demoted = refused(&opsux(
        &database,
        &[
            "member",
            "grant",
            "--tenant",
            "acme-emea",
            "--email",
            OWNER,
            "--role",
            "reader",
        ],
        &[],
    ));
    assert!(demoted.contains("last owner"), "{demoted}");

    // A wrong password is counted; a disabled user's session ends and they cannot sign in.
    let wrong = sign_in_answer(&http, &server.base, RITA, "not her password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    // Counted after the answer (so an unknown address takes as long): wait for its entry.
    let store = Store::connect(&database).await.unwrap();
    let workspace = store.workspace().await.unwrap().unwrap();
    let scope = AuditScope::Workspace(workspace.id.parse().unwrap());
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let (entries, _) = store.audit_log(scope, None, 1).await.unwrap();
            if entries
                .first()
                .is_some_and(|e| e.action == "sign_in.failed")
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the failed sign-in is counted within ten seconds");
    ok(&opsux(
        &database,
        &["user", "disable", "--email", RITA],
        &[],
    ));
    assert_eq!(rita.status_of("/api/me").await, StatusCode::UNAUTHORIZED);
    let disabled = sign_in_answer(&http, &server.base, RITA, RITA_PASSWORD).await;
    assert_eq!(disabled.status(), StatusCode::UNAUTHORIZED);
    let users: Value =
        serde_json::from_str(&ok(&opsux(&database, &["user", "list", "--json"], &[]))).unwrap();
    assert_eq!(users[1]["email"], RITA);
    assert_eq!(users[1]["disabled"], true);
    assert!(users[0]["last_sign_in_at"].is_null(), "{users}");
    assert!(users[1]["last_sign_in_at"].is_string(), "{users}");

    // Every step is in the audit log: the tenant's (read by its owner) and the workspace's.
    let owner = Session::sign_in_with(&server.base, OWNER, OWNER_PASSWORD).await;
    let log = owner.get("/api/t/acme-emea/audit-log").await;
    let tenant_actions = actions(&log["items"]);
    assert_eq!(
        tenant_actions,
        [
            "member.revoke",
            "invitation.create",
            "member.role_change",
            "member.grant",
            "tenant.rename",
            "member.grant",
            "tenant.add",
        ]
    );
    let console = log["items"][0]["actor_label"].as_str().unwrap();
    assert!(console.starts_with("cli ("), "{console}");
    let (entries, _) = store.audit_log(scope, None, 50).await.unwrap();
    let entries = serde_json::to_value(&entries).unwrap();
    assert_eq!(
        actions(&entries),
        [
            "user.disable",
            "sign_in.failed",
            "user.add",
            "workspace_owner.add",
            "user.add",
            "workspace.create",
        ]
    );
    assert_eq!(entries[1]["after"], json!({"email": RITA, "failures": 1}));

    // The database itself keeps the log append-only.
    for statement in [
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
    ] {
        let err = execute_raw(&store, statement)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("append-only"), "{statement}: {err}");
    }
    let (after, _) = store.audit_log(scope, None, 50).await.unwrap();
    assert_eq!(after.len(), 6, "nothing changed");
}

async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    http.get(url).send().await.unwrap().json().await.unwrap()
}

fn actions(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}
