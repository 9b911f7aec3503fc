//! `cargo xtask bench streams`: how many widget streams one server holds, what each costs in
//! memory, and how long a committed change takes to reach every watcher.
//!
//! For each watcher count (`STREAM_WATCHERS`, default `1000,5000,20000,50000`): a fresh
//! `opsux serve --demo` (this package's release binary) on loopback, and this process as the
//! load generator. The watchers connect to the two demo tenants' active-run streams (one
//! session, half per tenant) and each waits for its snapshot; the server's resident memory
//! is read before and after (`/proc/PID/status`). Then both tenants' inventory and group syncs
//! run against the simulator (slowed, so they report progress), and every watcher records when
//! each `changed` and `ended` event arrived. The server logs when each change reached its
//! event hub (`opsux::published` at trace level): commit → received is the difference, on the
//! same wall clock. Reported: p50, p99 and max over all watchers and events, and how many
//! expected events arrived.
//!
//! Each stream is a connection, so a process holds at most as many as its open-files limit
//! allows: the server and this process raise their soft limit to the hard one, and a count
//! beyond it is measured at the largest that fits, saying so. Numbers, not assertions.

#![expect(
    clippy::print_stdout,
    reason = "the printed numbers are this benchmark's output"
)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, Semaphore};

/// Descriptors kept free for everything that is not a stream (database, logs, listeners).
const SPARE_FILES: u64 = 300;
/// Connections being opened at once.
const CONNECTING: usize = 256;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let counts: Vec<u64> = std::env::var("STREAM_WATCHERS")
        .unwrap_or_else(|_| "1000,5000,20000,50000".to_owned())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let (soft, hard) = open_files_limit()?;
    if soft < hard && std::env::var_os("OPSUX_BENCH_RAISED").is_none() {
        // Run again with the soft limit raised to the hard one (a shell builtin can, this
        // safe-Rust process cannot).
        let status = Command::new("sh")
            .args(["-c", "ulimit -n \"$(ulimit -Hn)\" && exec \"$0\" \"$@\""])
            .arg(std::env::current_exe()?)
            .args(std::env::args_os().skip(1))
            .env("OPSUX_BENCH_RAISED", "1")
            .status()?;
        std::process::exit(status.code().unwrap_or(1));
    }
    let most = hard.saturating_sub(SPARE_FILES);
    println!(
        "opsux streams benchmark: widget streams on one server, commit → received latency of \
         progress and terminal events; open-files limit {soft} (hard {hard})\n"
    );
    println!(
        "{:>8} {:>10} {:>12} {:>10} {:>26} {:>26}",
        "watchers",
        "connect s",
        "KB/watcher",
        "delivered",
        "progress p50/p99/max ms",
        "terminal p50/p99/max ms"
    );
    let dir = tempfile::tempdir()?;
    let mut measured = Vec::new();
    for wanted in counts {
        let watchers = wanted.min(most);
        if watchers < wanted {
            println!(
                "{wanted:>8}  not possible here: one process may hold {hard} open files \
                 (hard limit), so at most {most} streams; measured at {watchers}"
            );
        }
        if measured.contains(&watchers) {
            continue;
        }
        measured.push(watchers);
        let row = measure(usize::try_from(watchers)?, dir.path()).await?;
        println!(
            "{:>8} {:>10.1} {:>12.1} {:>10} {:>26} {:>26}",
            watchers,
            row.connect.as_secs_f64(),
            row.kb_per_watcher,
            format!("{}/{}", row.delivered, row.expected),
            row.progress.show(),
            row.terminal.show(),
        );
    }
    Ok(())
}

struct Row {
    connect: Duration,
    kb_per_watcher: f64,
    delivered: usize,
    expected: usize,
    progress: Percentiles,
    terminal: Percentiles,
}

/// One event as a watcher received it.
struct Received {
    run: String,
    version: u64,
    ended: bool,
    at_us: u128,
}

async fn measure(watchers: usize, dir: &Path) -> anyhow::Result<Row> {
    let port = free_port()?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let simulator: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let log = dir.join(format!("server-{watchers}.log"));
    let mut server = Server(start_server(dir, port, simulator, watchers, &log)?);
    if let Err(err) = wait_ready(addr).await {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(20).collect();
        anyhow::bail!("{err}; the server's log ends:\n{}", tail.join("\n"));
    }
    let cookie = login(addr).await?;
    let baseline = resident_kb(server.0.id())?;

    let ready = Arc::new(AtomicUsize::new(0));
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let connecting = Arc::new(Semaphore::new(CONNECTING));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(watchers);
    for n in 0..watchers {
        let tenant = if n % 2 == 0 { "contoso" } else { "fabrikam" };
        let (cookie, ready, received, connecting) = (
            cookie.clone(),
            Arc::clone(&ready),
            Arc::clone(&received),
            Arc::clone(&connecting),
        );
        tasks.push(tokio::spawn(async move {
            watch(addr, tenant, &cookie, &ready, &received, &connecting).await
        }));
    }
    wait_until(Duration::from_secs(300), || {
        ready.load(Ordering::SeqCst) == watchers
    })
    .await
    .map_err(|()| {
        anyhow::anyhow!(
            "only {} of {watchers} watchers got their snapshot",
            ready.load(Ordering::SeqCst)
        )
    })?;
    let connect = started.elapsed();
    let loaded = resident_kb(server.0.id())?;
    #[expect(clippy::cast_precision_loss, reason = "a rate for display")]
    let kb_per_watcher = loaded.saturating_sub(baseline) as f64 / watchers as f64;

    // Two syncs per tenant, slowed so that they report progress along the way.
    for tenant in ["contoso", "fabrikam"] {
        set_faults(simulator, tenant).await?;
    }
    let mut runs = Vec::new();
    for tenant in ["contoso", "fabrikam"] {
        for operation in ["inventory_sync", "entra_group_sync"] {
            runs.push((tenant, start_run(addr, &cookie, tenant, operation).await?));
        }
    }
    // Every watcher sees its tenant's two runs end.
    let expected_ends = watchers * 2;
    wait_until(Duration::from_secs(300), || {
        received
            .try_lock()
            .is_ok_and(|r| r.iter().filter(|e| e.ended).count() >= expected_ends)
    })
    .await
    .ok();
    for task in tasks {
        task.abort();
    }
    server.stop();

    let published = published_at(&log)?;
    let received = received.lock().await;
    let mut progress = Vec::new();
    let mut terminal = Vec::new();
    for event in received.iter() {
        let Some(at) = published.get(&(event.run.clone(), event.version)) else {
            continue;
        };
        let latency = event.at_us.saturating_sub(*at);
        if event.ended {
            terminal.push(latency);
        } else {
            progress.push(latency);
        }
    }
    // What every watcher should have had: each change of its tenant's runs after it connected.
    let per_tenant: HashMap<&str, usize> = runs.iter().fold(HashMap::new(), |mut m, (t, id)| {
        let changes = published.keys().filter(|(run, _)| run == id).count();
        *m.entry(*t).or_default() += changes;
        m
    });
    let expected = (watchers / 2) * per_tenant.values().sum::<usize>();
    Ok(Row {
        connect,
        kb_per_watcher,
        delivered: received.len(),
        expected,
        progress: Percentiles::of(progress),
        terminal: Percentiles::of(terminal),
    })
}

/// One watcher: opens the tenant's stream, counts itself ready at the snapshot, then records
/// every `changed` and `ended` event until it is stopped.
async fn watch(
    addr: SocketAddr,
    tenant: &str,
    cookie: &str,
    ready: &AtomicUsize,
    received: &Mutex<Vec<Received>>,
    connecting: &Semaphore,
) -> anyhow::Result<()> {
    let mut permit = Some(connecting.acquire().await?);
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!(
        "GET /api/t/{tenant}/operations/stream HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
         Accept: text/event-stream\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 16 * 1024];
    let mut mine = Vec::new();
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            anyhow::bail!("the server closed a stream");
        }
        let at_us = unix_micros();
        buffer.extend_from_slice(&chunk[..n]);
        while let Some(end) = find(&buffer, b"\n\n") {
            let frame: Vec<u8> = buffer.drain(..end + 2).collect();
            let frame = String::from_utf8_lossy(&frame);
            if frame.contains("event: snapshot") && permit.is_some() {
                // Connected and served: let the next watcher connect.
                permit = None;
                ready.fetch_add(1, Ordering::SeqCst);
            } else if let Some(event) = parse(&frame, at_us) {
                mine.push(event);
            }
        }
        if !mine.is_empty() {
            received.lock().await.append(&mut mine);
        }
    }
}

/// A `changed` or `ended` frame: its run id and version.
fn parse(frame: &str, at_us: u128) -> Option<Received> {
    let ended = frame.contains("event: ended");
    if !ended && !frame.contains("event: changed") {
        return None;
    }
    let id_at = frame.find("\"id\":\"")? + 6;
    let run = frame.get(id_at..id_at + 36)?.to_owned();
    let version_at = frame.find("\"version\":")? + 10;
    let digits: String = frame[version_at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some(Received {
        run,
        version: digits.parse().ok()?,
        ended,
        at_us,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `(run, version)` → when the server's hub had it, from its trace log.
fn published_at(log: &Path) -> anyhow::Result<HashMap<(String, u64), u128>> {
    let text = std::fs::read_to_string(log)?;
    let field = |line: &str, name: &str| -> Option<String> {
        let at = line.find(&format!("{name}="))? + name.len() + 1;
        Some(
            line[at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '\u{1b}')
                .collect(),
        )
    };
    let mut published = HashMap::new();
    for line in text.lines().filter(|l| l.contains("opsux::published")) {
        let (Some(run), Some(version), Some(at)) = (
            field(line, "run"),
            field(line, "version"),
            field(line, "at_us"),
        ) else {
            continue;
        };
        published.insert((run, version.parse()?), at.parse()?);
    }
    Ok(published)
}

struct Percentiles(Vec<u128>);

impl Percentiles {
    fn of(mut micros: Vec<u128>) -> Self {
        micros.sort_unstable();
        Self(micros)
    }

    fn show(&self) -> String {
        if self.0.is_empty() {
            return "none".to_owned();
        }
        let at = |q: usize| self.0[(self.0.len() - 1) * q / 100];
        #[expect(clippy::cast_precision_loss, reason = "milliseconds for display")]
        let ms = |us: u128| us as f64 / 1000.0;
        format!(
            "{:.1} / {:.1} / {:.1}",
            ms(at(50)),
            ms(at(99)),
            ms(self.0[self.0.len() - 1])
        )
    }
}

/// The release `opsux serve --demo`, allowed as many streams and connections as asked for,
/// logging when changes are published.
fn start_server(
    dir: &Path,
    port: u16,
    simulator: SocketAddr,
    watchers: usize,
    log: &Path,
) -> anyhow::Result<Child> {
    let connections = (watchers + 1000).to_string();
    let database = format!(
        "sqlite://{}",
        dir.join(format!("streams-{port}.db")).display()
    );
    let child = Command::new("sh")
        .args(["-c", "ulimit -n \"$(ulimit -Hn)\" && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_opsux"))
        .args(["serve", "--demo", "--no-scheduler"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--simulator-listen", &simulator.to_string()])
        .args(["--database-url", &database])
        .args(["--assets-dir", "no-dashboard"])
        .args(["--streams-per-user", &connections])
        .args(["--max-connections", &connections])
        .env("RUST_LOG", "warn,opsux::published=trace")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log)?)
        .spawn()?;
    Ok(child)
}

struct Server(Child);

impl Server {
    fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A request on its own connection (`Connection: close`); status and body.
async fn request(
    addr: SocketAddr,
    head: &str,
    body: &str,
) -> anyhow::Result<(u16, String, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!(
        "{head}\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    let (headers, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = headers
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, headers.to_owned(), body.to_owned()))
}

async fn wait_ready(addr: SocketAddr) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok((200, _, _)) = request(addr, "GET /healthz HTTP/1.1", "").await {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the server did not answer /healthz within a minute")
}

async fn login(addr: SocketAddr) -> anyhow::Result<String> {
    let body = format!(
        r#"{{"email":"owner@demo.test","password":"{}"}}"#,
        opsux_server::demo::DEMO_PASSWORD
    );
    let (status, headers, _) = request(addr, "POST /api/login HTTP/1.1", &body).await?;
    anyhow::ensure!(status == 200, "login answered {status}");
    headers
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))
}

async fn start_run(
    addr: SocketAddr,
    cookie: &str,
    tenant: &str,
    operation: &str,
) -> anyhow::Result<String> {
    let head = format!("POST /api/t/{tenant}/operations HTTP/1.1\r\nCookie: {cookie}");
    let body = format!(r#"{{"type":"{operation}","params":{{}}}}"#);
    let (status, _, answer) = request(addr, &head, &body).await?;
    anyhow::ensure!(status == 202, "starting {operation}: {status} {answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer)?;
    answer["run"]["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no run id in {answer}"))
}

/// Slows the tenant's simulated Graph (the demo's in-process simulator, on `simulator`), so
/// its syncs take a few seconds and report progress on the way.
async fn set_faults(simulator: SocketAddr, tenant: &str) -> anyhow::Result<()> {
    let directory = opsux_server::simulator::demo_tenants()
        .into_iter()
        .find(|t| t.name.eq_ignore_ascii_case(tenant))
        .ok_or_else(|| anyhow::anyhow!("no demo tenant {tenant}"))?
        .directory_id;
    let head = format!("PUT /_admin/tenants/{directory}/faults HTTP/1.1");
    let (status, _, answer) = request(simulator, &head, r#"{"latency_ms": 150}"#).await?;
    anyhow::ensure!(status / 100 == 2, "setting faults: {status} {answer}");
    Ok(())
}

async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> Result<(), ()> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if done() { Ok(()) } else { Err(()) }
}

fn resident_kb(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmRSS for process {pid}"))
}

fn open_files_limit() -> anyhow::Result<(u64, u64)> {
    let limits = std::fs::read_to_string("/proc/self/limits")?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .ok_or_else(|| anyhow::anyhow!("no open-files limit in /proc/self/limits"))?;
    let numbers: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    match numbers[..] {
        [soft, hard, ..] => Ok((soft, hard)),
        _ => anyhow::bail!("cannot read {line:?}"),
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn unix_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}
