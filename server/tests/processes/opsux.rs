//! Starting, reaching and killing `opsux` processes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

/// A running `opsux` process, killed when dropped.
pub(crate) struct Opsux {
    child: Child,
    /// `http://127.0.0.1:PORT` for a server; empty for a worker.
    pub(crate) base: String,
    /// Where its log goes.
    pub(crate) log: PathBuf,
}

impl Opsux {
    /// `opsux serve` on a free loopback port, with the demo data set.
    pub(crate) fn serve(database: &str, extra: &[&str]) -> Self {
        let mut args = vec!["--demo"];
        args.extend_from_slice(extra);
        Self::serve_as_is(database, &args)
    }

    /// `opsux serve` on a free loopback port, on the database as it is (no demo).
    pub(crate) fn serve_as_is(database: &str, extra: &[&str]) -> Self {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut args = vec!["serve", "--listen", &listen, "--database-url", database];
        args.extend_from_slice(extra);
        let (child, log) = spawn(&args, &format!("serve-{port}"));
        Self {
            child,
            base: format!("http://{listen}"),
            log,
        }
    }

    /// `opsux worker`: the flows, against the provider each tenant is connected to.
    pub(crate) fn worker(database: &str, extra: &[&str]) -> Self {
        let mut args = vec!["worker", "--database-url", database];
        args.extend_from_slice(extra);
        let (child, log) = spawn(&args, &format!("worker-{}", free_port()));
        Self {
            child,
            base: String::new(),
            log,
        }
    }

    /// Waits until the server answers `/healthz`.
    pub(crate) async fn ready(&self) -> &Self {
        let url = format!("{}/healthz", self.base);
        tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                if let Ok(res) = reqwest::get(&url).await
                    && res.status() == StatusCode::OK
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .expect("the server answers /healthz within a minute");
        self
    }

    /// SIGTERM, as a service manager stops it; then waits for the exit (at most a minute).
    pub(crate) async fn terminate(&mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                if let Some(status) = self.child.try_wait().expect("the child can be waited on") {
                    return status;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("opsux exits within a minute of SIGTERM")
    }

    /// SIGKILL: no shutdown, no last writes.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Opsux {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `opsux <args>` to its end (a console command); its output.
pub(crate) fn command(args: &[&str]) -> Output {
    command_with(args, &[])
}

/// Runs `opsux <args>` with these environment variables (and the tests' secrets key).
pub(crate) fn command_with(args: &[&str], envs: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opsux"))
        .args(args)
        .envs(envs.iter().copied())
        .env("OPSUX_SECRETS_KEY", SECRETS_KEY)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("the opsux binary runs")
}

/// The exports folder every process of the tests shares (on PostgreSQL it must be given).
pub(crate) fn exports_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("exports")
}

/// Starts the binary; its log goes to `opsux-<name>.log` in Cargo's temporary folder for
/// tests (`target/tmp`), to read when a test fails — at `debug` for opsux itself, so a test
/// can also check what never reaches a log line.
fn spawn(args: &[&str], name: &str) -> (Child, PathBuf) {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("opsux-{name}.log"));
    let log = std::fs::File::create(&path).expect("a log file for the child process");
    let child = Command::new(env!("CARGO_BIN_EXE_opsux"))
        .args(args)
        // The dashboard is not needed; a missing build only logs a warning.
        .args(if args[0] == "serve" && !args.contains(&"--assets-dir") {
            &["--assets-dir", "no-dashboard"][..]
        } else {
            &[][..]
        })
        // On PostgreSQL every process needs the same key and exports folder.
        .args(["--secrets-key", SECRETS_KEY])
        .arg("--exports-dir")
        .arg(exports_dir())
        .env("RUST_LOG", "warn,opsux_server=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the opsux binary starts");
    (child, path)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The demo tenant every process test works in, read straight from the database.
pub(crate) async fn contoso(store: &opsux_server::store::Store) -> opsux_server::runs::TenantRef {
    let slug = opsux_core::TenantSlug::parse("contoso").unwrap();
    store.tenant(&slug).await.unwrap().expect("the demo tenant")
}

/// A signed-in person talking to one server process.
#[derive(Clone)]
pub(crate) struct Session {
    http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) cookie: String,
}

impl Session {
    /// Signs in as a demo user.
    pub(crate) async fn sign_in(base: &str, email: &str) -> Self {
        Self::sign_in_with(base, email, opsux_server::demo::DEMO_PASSWORD).await
    }

    pub(crate) async fn sign_in_with(base: &str, email: &str, password: &str) -> Self {
        let http = reqwest::Client::new();
        let res = sign_in_answer(&http, base, email, password).await;
        assert_eq!(res.status(), StatusCode::OK, "{email} signs in");
        let cookie = res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        Self {
            http,
            base: base.to_owned(),
            cookie,
        }
    }

    /// `POST /api/t/contoso/operations`; the status and the answer.
    pub(crate) async fn start(&self, body: &Value) -> reqwest::Result<(StatusCode, Value)> {
        let res = self
            .http
            .post(format!("{}/api/t/contoso/operations", self.base))
            .header("origin", &self.base)
            .header("cookie", &self.cookie)
            .json(body)
            .send()
            .await?;
        let status = res.status();
        Ok((status, res.json().await?))
    }

    /// `POST /api/t/contoso/operations/{id}/cancel`; the status.
    pub(crate) async fn cancel(&self, id: &str) -> StatusCode {
        self.http
            .post(format!(
                "{}/api/t/contoso/operations/{id}/cancel",
                self.base
            ))
            .header("origin", &self.base)
            .header("cookie", &self.cookie)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap()
            .status()
    }

    /// `POST` a JSON body to a path of the API as this person; the status and the answer.
    pub(crate) async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("origin", &self.base)
            .header("cookie", &self.cookie)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap())
    }

    /// Polls a run (`path` of its detail) until its status is `status`, for at most two
    /// minutes; the run.
    pub(crate) async fn run_at_status(&self, path: &str, status: &str) -> Value {
        tokio::time::timeout(Duration::from_secs(120), async {
            loop {
                let detail = self.get(path).await;
                if detail["run"]["status"] == status {
                    return detail["run"].clone();
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{path} reaches {status} within two minutes"))
    }

    /// The status of `GET path` as this person.
    pub(crate) async fn status_of(&self, path: &str) -> StatusCode {
        self.http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
            .status()
    }

    /// `GET` a path of the API as this person.
    pub(crate) async fn get(&self, path: &str) -> Value {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.json().await.unwrap()
    }
}

/// `POST /api/login`, as it is answered.
pub(crate) async fn sign_in_answer(
    http: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    http.post(format!("{base}/api/login"))
        .header("origin", base)
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

/// Replaces the faults of contoso's provider: the simulator its stored connection points at.
pub(crate) async fn contoso_faults(store: &opsux_server::store::Store, faults: Value) {
    let contoso = contoso(store).await;
    let connection = store
        .connection(contoso.id)
        .await
        .unwrap()
        .expect("a connection");
    let url = format!(
        "{}/_admin/tenants/{}/faults",
        connection.login_url, connection.directory_id
    );
    let res = reqwest::Client::new()
        .put(url)
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
}

/// The secrets key every process of a test shares (on PostgreSQL it must be given).
pub(crate) const SECRETS_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// What a command printed on standard output.
pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The command succeeded; what it printed.
pub(crate) fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}; stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(out)
}

/// The command failed with one line on standard error; that line.
pub(crate) fn refused(out: &Output) -> String {
    assert!(!out.status.success(), "refused; stdout: {}", stdout(out));
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    stderr
}
