// Secrets and the database at rest, with the real binary: `opsux secrets rotate` moves every
// tenant's client secret to a new key in one transaction (all or none), each bound to its
// tenant; secrets stored before binding are bound when a process starts; a key file others
// may read is refused; a SQLite database is created owner-only.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use opsux_server::secrets::{SealedField, SecretsKey};
use opsux_server::store::Store;
use opsux_server::store::connections::Connection;

use crate::opsux::{Opsux, SECRETS_KEY, ok, refused};
use crate::support::{execute_raw, fresh_database};

/// `opsux <args> --database-url <database>`, the secrets key from files only.
fn opsux(database: &str, args: &[&str], envs: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsux"))
        .args(args)
        .args(["--database-url", database])
        .env_remove("OPSUX_SECRETS_KEY")
        .envs(envs.iter().copied())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("the opsux binary runs")
}

/// `opsux secrets rotate` from the key in `from` to the key in `to`.
fn rotate(database: &str, from: &Path, to: &Path) -> Output {
    let (from, to) = (from.to_str().unwrap(), to.to_str().unwrap());
    let args = [
        "secrets",
        "rotate",
        "--secrets-key-file",
        from,
        "--new-key-file",
        to,
    ];
    opsux(database, &args, &[])
}

/// `opsux connect` for `tenant` without checking, the key as `key_args` give it.
fn connect_with(database: &str, tenant: &str, key_args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut args = vec![
        "connect",
        "--tenant",
        tenant,
        "--directory-id",
        "d",
        "--client-id",
        "app",
        "--no-check",
    ];
    args.extend_from_slice(key_args);
    opsux(database, &args, envs)
}

fn connect(database: &str, key_file: &Path, tenant: &str, secret: &str) {
    let key = ["--secrets-key-file", key_file.to_str().unwrap()];
    ok(&connect_with(
        database,
        tenant,
        &key,
        &[("OPSUX_CLIENT_SECRET", secret)],
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_moves_every_secret_to_the_new_key_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    ok(&opsux(&database, &["seed-demo"], &[]));
    let old = dir.path().join("old.key");
    let new = dir.path().join("new.key");
    connect(&database, &old, "contoso", "contoso-secret");
    connect(&database, &old, "fabrikam", "fabrikam-secret");
    // A webhook whose secret was rotated: its secret and the one it replaced move too.
    let key = old.to_str().unwrap();
    let webhook = |command: &[&str]| {
        let mut args = vec!["webhook"];
        args.extend_from_slice(command);
        args.extend([
            "--tenant",
            "contoso",
            "--name",
            "hooks",
            "--secrets-key-file",
            key,
        ]);
        ok(&opsux(&database, &args, &[]))
    };
    webhook(&["add", "--url", "https://hooks.example.com/in"]);
    webhook(&["rotate-secret"]);

    let rotated = ok(&rotate(&database, &old, &new));
    assert!(rotated.contains("Moved 4 secrets"), "{rotated}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&new).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the new key file is owner-only");
    }
    let store = Store::connect(&database).await.unwrap();
    let (old_key, new_key) = (
        SecretsKey::load_or_create(&old).unwrap(),
        SecretsKey::load_or_create(&new).unwrap(),
    );
    let mut sealed = Vec::new();
    for (slug, secret) in [
        ("contoso", "contoso-secret"),
        ("fabrikam", "fabrikam-secret"),
    ] {
        let tenant = store.tenant(&slug.parse().unwrap()).await.unwrap().unwrap();
        let field = SealedField::client_secret(tenant.id);
        let stored = store.connection(tenant.id).await.unwrap().unwrap();
        assert_eq!(
            new_key.open(&stored.secret_sealed, field).as_deref(),
            Ok(secret)
        );
        assert!(
            old_key.open(&stored.secret_sealed, field).is_err(),
            "moved off the old key"
        );
        sealed.push((tenant.id, stored.secret_sealed));
    }
    // Bound to its tenant: contoso's sealed secret does not open as fabrikam's.
    assert!(
        new_key
            .open(&sealed[0].1, SealedField::client_secret(sealed[1].0))
            .is_err()
    );

    // A secret that does not open stops the whole rotation, naming its tenant; nothing moves.
    let newer = dir.path().join("newer.key");
    let corrupt = "UPDATE tenant_connections SET secret_sealed = 'v2.AAAA' \
                   WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'fabrikam')";
    execute_raw(&store, corrupt).await.unwrap();
    let stopped = refused(&rotate(&database, &new, &newer));
    assert!(stopped.contains("tenant fabrikam"), "{stopped}");
    assert!(stopped.contains("no secret was moved"), "{stopped}");
    let contoso = store.connection(sealed[0].0).await.unwrap().unwrap();
    assert_eq!(
        contoso.secret_sealed, sealed[0].1,
        "contoso's stayed as it was"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_file_others_may_read_is_refused_and_a_new_database_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    ok(&opsux(&database, &["seed-demo"], &[]));
    let key = dir.path().join("shared.key");
    connect(&database, &key, "contoso", "contoso-secret");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let key_args = ["--secrets-key-file", key.to_str().unwrap()];
    let out = connect_with(
        &database,
        "contoso",
        &key_args,
        &[("OPSUX_CLIENT_SECRET", "s")],
    );
    let err = refused(&out);
    assert!(
        err.contains("may be read by other users (mode 0644)"),
        "{err}"
    );
    assert!(err.contains("chmod 600"), "{err}");

    if let Some(file) = database.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            let path = format!("{file}{suffix}");
            if let Ok(meta) = std::fs::metadata(&path) {
                assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{path}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secrets_key_on_the_command_line_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    ok(&opsux(&database, &["seed-demo"], &[]));
    let key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let secret = [("OPSUX_CLIENT_SECRET", "s")];
    let flag = connect_with(&database, "contoso", &["--secrets-key", key], &secret);
    ok(&flag);
    let warned = String::from_utf8_lossy(&flag.stderr).into_owned();
    assert!(warned.contains("shows in the process list"), "{warned}");
    let env = connect_with(
        &database,
        "contoso",
        &[],
        &[("OPSUX_CLIENT_SECRET", "s"), ("OPSUX_SECRETS_KEY", key)],
    );
    ok(&env);
    assert!(!String::from_utf8_lossy(&env.stderr).contains("process list"));
}

/// `plain` sealed the way secrets were before they were bound to their tenant: AES-256-GCM
/// without associated data, base64 of nonce ‖ ciphertext ‖ tag.
fn sealed_unbound(key_base64: &str, plain: &str) -> String {
    use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let bytes = engine.decode(key_base64).unwrap();
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &bytes).unwrap());
    let nonce = [7u8; 12];
    let mut sealed = plain.as_bytes().to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::empty(),
        &mut sealed,
    )
    .unwrap();
    engine.encode([nonce.as_slice(), &sealed].concat())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_stored_before_binding_are_bound_when_a_worker_starts() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    ok(&opsux(&database, &["seed-demo"], &[]));
    let store = Store::connect(&database).await.unwrap();
    let contoso = store
        .tenant(&"contoso".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let old = Connection {
        directory_id: "d".to_owned(),
        client_id: "app".to_owned(),
        secret_sealed: sealed_unbound(SECRETS_KEY, "from-an-older-version"),
        login_url: "https://login.microsoftonline.com".to_owned(),
        graph_url: "https://graph.microsoft.com/v1.0".to_owned(),
    };
    store.set_connection(contoso.id, &old, 0).await.unwrap();
    let key = SecretsKey::from_base64(SECRETS_KEY).unwrap();
    let field = SealedField::client_secret(contoso.id);
    assert!(
        key.open(&old.secret_sealed, field).is_err(),
        "unbound: refused as it is"
    );

    let _worker = Opsux::worker(&database, &["--no-scheduler"]);
    let bound = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            let now = store.connection(contoso.id).await.unwrap().unwrap();
            if now.secret_sealed != old.secret_sealed {
                return now.secret_sealed;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the worker binds the stored secret at start");
    assert_eq!(
        key.open(&bound, field).as_deref(),
        Ok("from-an-older-version")
    );
    let fabrikam = store
        .tenant(&"fabrikam".parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        key.open(&bound, SealedField::client_secret(fabrikam.id))
            .is_err()
    );
}
