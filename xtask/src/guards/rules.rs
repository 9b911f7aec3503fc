//! The five guards: what each looks for, and the short allow-list of where it may occur.

use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guard {
    /// R1: SQL writing a run's `status`/`outcome` outside the run service.
    A,
    /// R2, R3: notification writes or construction outside the run service; any
    /// queued/running/started notification.
    B,
    /// R10, R13: toast copy or "View run" links built outside the presenter.
    C,
    /// R14: status/outcome badge labels or tones mapped outside the badge catalog.
    D,
    /// R15: provider calls reachable from start or monitoring handlers.
    E,
}

/// `(guard, path, why)`: where a guard's pattern is the contract itself, not a bypass.
const ALLOWED: &[(Guard, &str, &str)] = &[
    (
        Guard::A,
        "server/src/runs/store.rs",
        "the run service's transition SQL (R1)",
    ),
    (
        Guard::B,
        "server/src/runs/store.rs",
        "the terminal transition's notification insert (R2)",
    ),
    (
        Guard::B,
        "server/src/runs/service.rs",
        "the run service builds the one terminal notification",
    ),
    (
        Guard::B,
        "core/src/presenter.rs",
        "defines the notification copy",
    ),
    (
        Guard::C,
        "core/src/presenter.rs",
        "the presenter is where toast copy and links are built",
    ),
    (Guard::D, "core/src/badge.rs", "the badge catalog itself"),
];

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("guard patterns are valid")
}

/// Rust tokens that can contain quotes, left to right: comments and char literals are
/// consumed so that only real string literals (plain, `r"…"`, `r#"…"#`) are captured.
static TOKENS: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r##"(?s)//[^\n]*|/\*.*?\*/|'(?:[^'\\\n]|\\.)'|(?P<s>r#".*?"#|r"[^"]*"|"(?:[^"\\]|\\.)*")"##,
    )
});

static RUN_UPDATE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?is)\bUPDATE\s+operation_runs\s+SET\b(.*?)(?:\bWHERE\b|\bRETURNING\b|$)")
});
static RUN_INSERT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?is)\bINSERT\s+INTO\s+operation_runs\s*\(([^)]*)\)"));
static STATUS_ASSIGN: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\b(status|outcome)\s*="));
static STATUS_COLUMN: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\b(status|outcome)\b"));
static BUILDER_SET: LazyLock<Regex> = LazyLock::new(|| regex(r#"\.set\(\s*"(?:status|outcome)""#));

static NOTIFICATION_WRITE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(?:INSERT\s+INTO|DELETE\s+FROM)\s+notifications\b"));
static NOTIFICATION_UPDATE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?is)\bUPDATE\s+notifications\s+SET\b(.*?)(?:\bWHERE\b|$)"));
static ASSIGNED_COLUMN: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\b([a-z_]+)\s*="));
static NOTIFICATION_COPY: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\brun_completed_notification\s*\("));
static EARLY_NOTIFICATION: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:queued|running|started|progress)_?notification|notification_?(?:queued|running|started|progress)\b|NotificationKind::(?:Queued|Running|Started)",
    )
});

static TOAST_COPY: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)[a-z}] queued\b|already queued"));

const BADGE_LABELS: &[&str] = &[
    "Queued",
    "Running",
    "Completed",
    "Succeeded",
    "Partially succeeded",
    "Failed",
    "Cancelled",
];
static TONE_CLASS: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\btone-(?:neutral|info|success|warning|danger)\b"));

static PROVIDER_USE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"\bcrate::provider\b|\bprovider::|\b(?:Graph|Provider)Client\b|\breqwest::")
});

impl Guard {
    pub(crate) const ALL: [Self; 5] = [Self::A, Self::B, Self::C, Self::D, Self::E];

    pub(crate) fn letter(self) -> char {
        match self {
            Self::A => 'A',
            Self::B => 'B',
            Self::C => 'C',
            Self::D => 'D',
            Self::E => 'E',
        }
    }

    pub(crate) fn rule(self) -> &'static str {
        match self {
            Self::A => "R1: only the run service writes a run's status or outcome",
            Self::B => "R2/R3: only the run service writes notifications, and only terminal ones",
            Self::C => "R10/R13: toast copy and View-run links come from the presenter",
            Self::D => "R14: badge labels and tones come from the badge catalog",
            Self::E => "R15: start and monitoring handlers make no provider calls",
        }
    }

    pub(crate) fn allows(self, path: &str) -> bool {
        let in_scope = match self {
            // Start and monitoring handlers live in the HTTP layer.
            Self::E => path.starts_with("server/src/routes/"),
            _ => true,
        };
        !in_scope || ALLOWED.iter().any(|(g, p, _)| *g == self && *p == path)
    }

    /// Byte offsets of every hit in `text`.
    pub(crate) fn hits(self, text: &str) -> Vec<usize> {
        match self {
            Self::A => sql_hits(text),
            Self::B => notification_hits(text),
            Self::C => presenter_hits(text),
            Self::D => badge_hits(text),
            Self::E => PROVIDER_USE.find_iter(text).map(|m| m.start()).collect(),
        }
    }
}

/// Every string literal of `text` with its byte offset.
fn literals(text: &str) -> impl Iterator<Item = (usize, &str)> {
    TOKENS
        .captures_iter(text)
        .filter_map(|c| c.name("s"))
        .map(|m| (m.start(), m.as_str()))
}

fn sql_hits(text: &str) -> Vec<usize> {
    let mut hits = Vec::new();
    for (start, literal) in literals(text) {
        for m in RUN_UPDATE.captures_iter(literal) {
            if m.get(1)
                .is_some_and(|set| STATUS_ASSIGN.is_match(set.as_str()))
            {
                hits.push(start + m.get(0).map_or(0, |w| w.start()));
            }
        }
        for m in RUN_INSERT.captures_iter(literal) {
            if m.get(1)
                .is_some_and(|cols| STATUS_COLUMN.is_match(cols.as_str()))
            {
                hits.push(start + m.get(0).map_or(0, |w| w.start()));
            }
        }
    }
    hits.extend(BUILDER_SET.find_iter(text).map(|m| m.start()));
    hits
}

fn notification_hits(text: &str) -> Vec<usize> {
    let mut hits = Vec::new();
    for (start, literal) in literals(text) {
        hits.extend(
            NOTIFICATION_WRITE
                .find_iter(literal)
                .map(|m| start + m.start()),
        );
        for m in NOTIFICATION_UPDATE.captures_iter(literal) {
            // Marking read is the reader's own business; assigning anything else is a write.
            let only_read_at = m.get(1).is_some_and(|set| {
                ASSIGNED_COLUMN
                    .captures_iter(set.as_str())
                    .all(|c| c[1].eq_ignore_ascii_case("read_at"))
            });
            if !only_read_at {
                hits.push(start + m.get(0).map_or(0, |w| w.start()));
            }
        }
    }
    hits.extend(NOTIFICATION_COPY.find_iter(text).map(|m| m.start()));
    hits.extend(EARLY_NOTIFICATION.find_iter(text).map(|m| m.start()));
    hits
}

fn presenter_hits(text: &str) -> Vec<usize> {
    let mut hits = Vec::new();
    for (start, literal) in literals(text) {
        // A dashboard link `/t/{tenant}/operations…`; API routes (`/api/t/…`, `/operations/{id}`
        // segments) are not links a person follows.
        let link = literal
            .match_indices("/t/")
            .any(|(i, _)| !literal[..i].ends_with("/api") && literal[i..].contains("operations"));
        if link || literal.contains("View run") || TOAST_COPY.is_match(literal) {
            hits.push(start);
        }
    }
    hits
}

fn badge_hits(text: &str) -> Vec<usize> {
    let mut hits = Vec::new();
    for (start, literal) in literals(text) {
        let content = literal.trim_matches(|c| c == '"' || c == '#' || c == 'r');
        if BADGE_LABELS.contains(&content) || TONE_CLASS.is_match(literal) {
            hits.push(start);
        }
    }
    hits
}
