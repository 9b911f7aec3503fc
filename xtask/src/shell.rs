//! Running child processes with a readable trail: each step is announced, each failure says
//! which command failed.

use std::ffi::OsStr;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};

pub(crate) struct Cmd {
    inner: Command,
}

pub(crate) fn cmd(program: impl AsRef<OsStr>) -> Cmd {
    let mut inner = Command::new(program);
    inner.env("PATH", crate::toolchain::tool_path());
    Cmd { inner }
}

impl Cmd {
    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.inner.arg(arg);
        self
    }

    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.inner.args(args);
        self
    }

    pub(crate) fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.inner.env(key, value);
        self
    }

    pub(crate) fn current_dir(mut self, dir: impl AsRef<std::path::Path>) -> Self {
        self.inner.current_dir(dir);
        self
    }

    /// Discards the command's standard output; its errors still show.
    pub(crate) fn quiet(mut self) -> Self {
        self.inner.stdout(Stdio::null());
        self
    }

    /// Runs to completion with inherited output; a non-zero exit is an error naming the command.
    pub(crate) fn run(mut self) -> anyhow::Result<()> {
        let shown = self.display();
        let status = self
            .inner
            .stdin(Stdio::null())
            .status()
            .with_context(|| format!("cannot start `{shown}`"))?;
        if !status.success() {
            bail!("`{shown}` failed ({status})");
        }
        Ok(())
    }

    /// Starts in the background with inherited output; the caller ends it.
    pub(crate) fn spawn(mut self) -> anyhow::Result<std::process::Child> {
        let shown = self.display();
        self.inner
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start `{shown}`"))
    }

    /// Runs quietly and returns trimmed stdout, or `None` if the program is missing or fails.
    pub(crate) fn read(mut self) -> Option<String> {
        let output = self
            .inner
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    fn display(&self) -> String {
        let mut parts = vec![self.inner.get_program().to_string_lossy().into_owned()];
        parts.extend(
            self.inner
                .get_args()
                .map(|a| a.to_string_lossy().into_owned()),
        );
        parts.join(" ")
    }
}

/// Announces a step on stderr, so it is visible between the tools' own output.
pub(crate) fn step(name: &str, detail: &str) {
    eprintln!("\n==> {name}: {detail}");
}

/// Runs `f` as a named step and reports how long it took.
pub(crate) fn timed<T>(
    name: &str,
    detail: &str,
    f: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    step(name, detail);
    let start = Instant::now();
    let result = f();
    let verdict = if result.is_ok() { "ok" } else { "FAILED" };
    eprintln!(
        "<== {name}: {verdict} in {:.1}s",
        start.elapsed().as_secs_f64()
    );
    result
}
