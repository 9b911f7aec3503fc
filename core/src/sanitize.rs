//! Failure messages as they may be stored and shown (R6).
//!
//! Whatever a provider, a handler or a panic says passes through [`sanitize_message`] before it
//! is stored: credentials and personal data are redacted, control and direction-override
//! characters removed, and the length bounded. A run keeps at most
//! [`FailureSummary::MAX_ENTRIES`] failures; the rest are counted, not stored.

use std::borrow::Cow;
#[cfg(feature = "sanitizer")]
use std::sync::LazyLock;

#[cfg(feature = "sanitizer")]
use regex::{Captures, Regex};
use serde::{Deserialize, Serialize};

use crate::reason::ReasonCode;

/// The longest message kept, in characters, including the trailing ellipsis of a cut message.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// Input beyond this many bytes is dropped before any pattern runs: it could never reach the
/// stored message, and it bounds the work a hostile payload can cause.
const MAX_INPUT_BYTES: usize = 16 * 1024;

/// What replaces a redacted value.
pub const REDACTED: &str = "[redacted]";
/// What replaces an e-mail address.
pub const REDACTED_EMAIL: &str = "[email]";

#[cfg(feature = "sanitizer")]
static BEARER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+").expect("the bearer pattern is valid")
});

#[cfg(feature = "sanitizer")]
static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
        .expect("the JWT pattern is valid")
});

#[cfg(feature = "sanitizer")]
/// `password=…`, `client_secret: "…"`, `"access_token":"…"`, `AccountKey=…`, `sig=…`: any name
/// containing a credential word, then `=` or `:`, then a quoted or bare value. A bare value
/// stops before `…`, so the mark of a cut message survives sanitizing it again.
static CREDENTIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)([A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|key|sig|signature|credential|authorization)[A-Za-z0-9_.-]*["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s&;,…]+)"#,
    )
    .expect("the credential pattern is valid")
});

#[cfg(feature = "sanitizer")]
/// A PEM private-key block, to its END line or, when cut off, to the end of the input.
static PRIVATE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)",
    )
    .expect("the private key pattern is valid")
});

#[cfg(feature = "sanitizer")]
/// The user-info of a URL (`https://user:pass@host`, `postgres://admin:pw@db`,
/// `https://ghp_…@github.com`): whatever stands between `scheme://` and `@`.
static URL_USERINFO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@]+@")
        .expect("the URL user-info pattern is valid")
});

#[cfg(feature = "sanitizer")]
/// `Cookie:` and `Set-Cookie:` headers: their `name=value` pairs and flag attributes.
static COOKIE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b((?:set-)?cookie\s*:\s*)[^\s;=:]+=[^\s;]*(?:;\s*(?:[^\s;=:]+=[^\s;]*|httponly|secure|partitioned))*")
        .expect("the cookie pattern is valid")
});

#[cfg(feature = "sanitizer")]
/// An OAuth authorization code (`?code=0.AQk…&state=…`). Short values (`code=404`) are status
/// codes, not secrets, and are kept.
static OAUTH_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(code=)[^\s&#;,…]{6,}").expect("the OAuth code pattern is valid")
});

#[cfg(feature = "sanitizer")]
/// Tokens recognisable by their prefix wherever they stand: GitHub (`ghp_`, `gho_`, `ghu_`,
/// `ghs_`, `ghr_`, `github_pat_`), Slack (`xoxb-`, `xoxp-`…), GitLab (`glpat-`) and AWS access
/// key ids (`AKIA…`, `ASIA…`). A token's body runs to the first character no token uses.
static PREFIXED_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(?:gh[pousr]_|github_pat_|xox[abposr]-|glpat-)[A-Za-z0-9_-]{8,}|(?:AKIA|ASIA)[0-9A-Z]{16})",
    )
    .expect("the prefixed token pattern is valid")
});

#[cfg(feature = "sanitizer")]
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
        .expect("the e-mail pattern is valid")
});

/// Returns `raw` as it may be stored, logged and shown: secrets and e-mail addresses redacted,
/// control characters removed, white space folded, at most [`MAX_MESSAGE_CHARS`] characters.
/// Applying it twice gives the same result as applying it once.
#[cfg(feature = "sanitizer")]
pub fn sanitize_message(raw: &str) -> String {
    let bounded = &raw[..floor_char_boundary(raw, MAX_INPUT_BYTES)];
    // Before white space is folded: a key block spans lines.
    let unkeyed = PRIVATE_KEY.replace_all(bounded, REDACTED);
    let visible = strip_invisible(&unkeyed);
    // One redaction can expose another (a redacted token leaves a word boundary before
    // `Bearer`), so repeat until nothing changes; each pass only replaces text with the
    // fixed marks, so this ends within a few passes.
    let mut text = visible.into_owned();
    for _ in 0..MAX_REDACTION_PASSES {
        let next = redact(&text);
        if next == text {
            break;
        }
        text = next;
    }
    truncate_chars(fold_whitespace(&text), MAX_MESSAGE_CHARS)
}

/// More passes than any input seen needs; a bound, so hostile input cannot loop.
#[cfg(feature = "sanitizer")]
const MAX_REDACTION_PASSES: usize = 4;

/// One pass of every secret pattern over `text`.
#[cfg(feature = "sanitizer")]
fn redact(text: &str) -> String {
    let redacted =
        URL_USERINFO.replace_all(text, |c: &Captures<'_>| format!("{}{REDACTED}@", &c[1]));
    let redacted = COOKIE.replace_all(&redacted, |c: &Captures<'_>| format!("{}{REDACTED}", &c[1]));
    let redacted = BEARER.replace_all(&redacted, |c: &Captures<'_>| {
        format!("{} {REDACTED}", &c[1])
    });
    let redacted = CREDENTIAL.replace_all(&redacted, |c: &Captures<'_>| {
        let masked = match c[2].chars().next() {
            Some(quote @ ('"' | '\'')) => format!("{quote}{REDACTED}{quote}"),
            _ => REDACTED.to_owned(),
        };
        format!("{}{masked}", &c[1])
    });
    let redacted =
        OAUTH_CODE.replace_all(&redacted, |c: &Captures<'_>| format!("{}{REDACTED}", &c[1]));
    let redacted = PREFIXED_TOKEN.replace_all(&redacted, REDACTED);
    let redacted = JWT.replace_all(&redacted, REDACTED);
    let redacted = EMAIL.replace_all(&redacted, REDACTED_EMAIL);
    redacted.into_owned()
}

/// Control characters become spaces (so words stay apart); bidirectional overrides and
/// zero-width characters, which can disguise text, are dropped.
fn strip_invisible(input: &str) -> Cow<'_, str> {
    let is_hidden = |c: char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}');
    if !input.chars().any(|c| c.is_control() || is_hidden(c)) {
        return Cow::Borrowed(input);
    }
    Cow::Owned(
        input
            .chars()
            .filter(|c| !is_hidden(*c))
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
    )
}

fn fold_whitespace(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for word in input.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn truncate_chars(mut text: String, max_chars: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        let keep = text[..cut]
            .char_indices()
            .nth(max_chars - 1)
            .map_or(cut, |(i, _)| i);
        text.truncate(keep);
        text.truncate(text.trim_end().len());
        text.push('…');
    }
    text
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    (0..=max)
        .rev()
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(0)
}

/// One stored failure: a stable code and a sanitized message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FailureEntry {
    pub reason_code: ReasonCode,
    pub message: String,
}

/// The failures of one run, bounded: the first [`FailureSummary::MAX_ENTRIES`] are kept, the
/// rest counted in `omitted`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, from = "RawFailureSummary")]
pub struct FailureSummary {
    entries: Vec<FailureEntry>,
    omitted: u64,
}

impl FailureSummary {
    pub const MAX_ENTRIES: usize = 10;

    pub fn new() -> Self {
        Self::default()
    }

    /// Records a failure, sanitizing its message; past the bound it is only counted.
    pub fn push(&mut self, reason_code: ReasonCode, raw_message: &str) {
        if self.entries.len() < Self::MAX_ENTRIES {
            self.entries.push(FailureEntry {
                reason_code,
                message: clean(raw_message),
            });
        } else {
            self.omitted = self.omitted.saturating_add(1);
        }
    }

    pub fn entries(&self) -> &[FailureEntry] {
        &self.entries
    }

    pub fn omitted(&self) -> u64 {
        self.omitted
    }

    pub fn total(&self) -> u64 {
        (self.entries.len() as u64).saturating_add(self.omitted)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// What a message becomes when it enters a summary: fully sanitized wherever summaries are
/// written (the server).
#[cfg(feature = "sanitizer")]
fn clean(raw: &str) -> String {
    sanitize_message(raw)
}

/// Without the `sanitizer` feature — the browser bundles, which only read what the server
/// already sanitized, and which the regular expressions would triple in size — a message is
/// still stripped of invisible characters and bounded, but not scanned again for secrets.
#[cfg(not(feature = "sanitizer"))]
fn clean(raw: &str) -> String {
    let bounded = &raw[..floor_char_boundary(raw, MAX_INPUT_BYTES)];
    truncate_chars(
        fold_whitespace(&strip_invisible(bounded)),
        MAX_MESSAGE_CHARS,
    )
}

/// The stored or sent form; turned into a [`FailureSummary`] through `push`, so anything read
/// back is held to the same bound and sanitizing as anything written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFailureSummary {
    #[serde(default)]
    entries: Vec<FailureEntry>,
    #[serde(default)]
    omitted: u64,
}

impl From<RawFailureSummary> for FailureSummary {
    fn from(raw: RawFailureSummary) -> Self {
        let mut summary = Self::new();
        for entry in raw.entries {
            summary.push(entry.reason_code, &entry.message);
        }
        summary.omitted = summary.omitted.saturating_add(raw.omitted);
        summary
    }
}
