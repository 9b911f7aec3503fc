//! What the directory commands print, and how they read a password: an answer a person can
//! read (aligned columns, one line per change) or, with `--json`, one a script can.

use std::io::{BufRead, IsTerminal};

use anyhow::Context;
use serde::Serialize;

use crate::org::Change;
use crate::store::Store;
use crate::store::audit::Actor;

/// A change made now from the console, by the operating-system user running it (R19).
pub(super) fn console_change() -> Change {
    Change {
        actor: Actor::console(),
        at_ms: crate::clock::to_ms(time::OffsetDateTime::now_utc()),
    }
}

/// The store at `database`, migrated.
pub(super) async fn open(database: &super::DatabaseArgs) -> anyhow::Result<Store> {
    database.open().await
}

#[expect(
    clippy::print_stdout,
    reason = "the outcome is the command's answer to the person at the terminal"
)]
pub(super) fn say(line: &str) {
    println!("{line}");
}

/// `rows` as one JSON array, or as aligned columns under `headers`.
#[expect(
    clippy::print_stdout,
    reason = "a list is the command's answer, on standard output"
)]
pub(super) fn list<T: Serialize>(
    json: bool,
    items: &[T],
    headers: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(items)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = items.iter().map(row).collect();
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .chain([headers[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    println!("{}", line(headers.to_vec()));
    for r in &rows {
        println!("{}", line(r.iter().map(String::as_str).collect()));
    }
    Ok(())
}

/// A time for a list: RFC 3339, UTC; `-` for never.
pub(super) fn when(ms: Option<i64>) -> String {
    ms.and_then(|ms| {
        crate::clock::from_ms(ms)
            .format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    .unwrap_or_else(|| "-".to_owned())
}

/// A password from the environment variable `var` or, unset, from standard input: asked twice
/// without echo on a terminal, else its first line — never from an argument, which other users
/// of the machine can read.
pub(super) fn read_password(var: &str, whose: &str) -> anyhow::Result<String> {
    if let Ok(password) = std::env::var(var)
        && !password.is_empty()
    {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {whose}: "))
            .context("reading the password from the terminal")?;
        let again = rpassword::prompt_password("Again: ")
            .context("reading the password from the terminal")?;
        anyhow::ensure!(
            first == again,
            "the two passwords differ; nothing was changed"
        );
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(
        !password.is_empty(),
        "no password: set {var} or give it on standard input"
    );
    Ok(password)
}
