//! The five guards: what each looks for, and the short allow-list of where it may occur.

use std::sync::LazyLock;

use regex::Regex;

use super::lexer;

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
    /// The store seam: which database a store talks to is matched inside `store/` only;
    /// everything else asks the store what it needs (a statement's dialect, whether changes
    /// are announced) instead of reaching for its pools.
    F,
}

/// `(guard, path, why)`: where a guard's pattern is the contract itself, not a bypass.
const ALLOWED: &[(Guard, &str, &str)] = &[
    (
        Guard::A,
        "server/src/runs/store.rs",
        "the run service's transition SQL (R1)",
    ),
    (
        Guard::A,
        "server/src/store/probe.rs",
        "a million finished runs written in one statement for `cargo xtask bench list` only",
    ),
    (
        Guard::B,
        "server/src/runs/store.rs",
        "the terminal transition's notification insert (R2)",
    ),
    (
        Guard::B,
        "server/src/runs/writer.rs",
        "the terminal transition builds its one notification in its transaction",
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

/// `UPDATE operation_runs [AS r] SET …` up to where the assignments end.
static RUN_UPDATE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?is)\bUPDATE\s+operation_runs\b(?:\s+(?:AS\s+)?\w+)?\s+SET\b(.*?)(?:\bWHERE\b|\bRETURNING\b|\bFROM\b|$)",
    )
});
/// `INSERT [OR …] INTO operation_runs [(columns)]`, `REPLACE INTO …`.
static RUN_INSERT: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?is)\b(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO\s+operation_runs\b(\s*\(([^)]*)\))?")
});
/// The assignments of an upsert.
static UPSERT_SET: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?is)\bDO\s+UPDATE\s+SET\b(.*?)(?:\bWHERE\b|\bRETURNING\b|$)"));
/// A column named in an assignment list, however written; or a placeholder that could
/// name one.
static STATUS_COLUMN: LazyLock<Regex> =
    LazyLock::new(|| regex(r#"(?i)\b(?:status|outcome)\b|\{[^}]*\}\s*="#));
static BUILDER_SET: LazyLock<Regex> = LazyLock::new(|| regex(r#"\.set\(\s*"(?:status|outcome)""#));

static NOTIFICATION_WRITE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b(?:(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|DELETE\s+FROM)\s+notifications\b")
});
static NOTIFICATION_UPDATE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?is)\bUPDATE\s+notifications\s+SET\b(.*?)(?:\bWHERE\b|$)"));
static ASSIGNED_COLUMN: LazyLock<Regex> = LazyLock::new(|| regex(r#"(?i)([a-z_"({]+)\s*="#));
static NOTIFICATION_COPY: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\brun_completed_notification\s*\("));
static EARLY_NOTIFICATION: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:queued|running|started|progress)_?notification|notification_?(?:queued|running|started|progress)\b|NotificationKind::(?:Queued|Running|Started)",
    )
});

static TOAST_COPY: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)(?:^|[a-z}]) queued\b|already queued"));

const BADGE_LABELS: &[&str] = &[
    "Queued",
    "Running",
    "Completed",
    "Succeeded",
    "Partially succeeded",
    "Failed",
    "Cancelled",
];
static TONE_CLASS: LazyLock<Regex> = LazyLock::new(|| regex(r"\btone-"));

static BACKEND_MATCH: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b(?:Store|Conn|Tx|Pooled)::(?:Sqlite|Postgres)\b"));

static PROVIDER_USE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?m)\bcrate::provider\b|\bprovider::|^\s*use\s+crate::\{[^}]*\bprovider\b|\b(?:Graph|Provider)Client\b|\breqwest::",
    )
});

impl Guard {
    pub(crate) const ALL: [Self; 6] = [Self::A, Self::B, Self::C, Self::D, Self::E, Self::F];

    pub(crate) fn letter(self) -> char {
        match self {
            Self::A => 'A',
            Self::B => 'B',
            Self::C => 'C',
            Self::D => 'D',
            Self::E => 'E',
            Self::F => 'F',
        }
    }

    pub(crate) fn rule(self) -> &'static str {
        match self {
            Self::A => "R1: only the run service writes a run's status or outcome",
            Self::B => "R2/R3: only the run service writes notifications, and only terminal ones",
            Self::C => "R10/R13: toast copy and View-run links come from the presenter",
            Self::D => "R14: badge labels and tones come from the badge catalog",
            Self::E => "R15: start and monitoring handlers make no provider calls",
            Self::F => "the store seam: backends are matched inside server/src/store/ only",
        }
    }

    pub(crate) fn allows(self, path: &str) -> bool {
        let in_scope = match self {
            // Start and monitoring handlers live in the HTTP layer.
            Self::E => path.starts_with("server/src/routes/"),
            Self::F => !path.starts_with("server/src/store/"),
            _ => true,
        };
        !in_scope || ALLOWED.iter().any(|(g, p, _)| *g == self && *p == path)
    }

    /// Byte offsets of every hit in `text` that the allow-list can excuse.
    pub(crate) fn hits(self, text: &str) -> Vec<usize> {
        match self {
            Self::A => sql_hits(text),
            Self::B => notification_hits(text),
            Self::C => presenter_hits(text),
            Self::D => badge_hits(text),
            Self::E => PROVIDER_USE.find_iter(text).map(|m| m.start()).collect(),
            Self::F => BACKEND_MATCH.find_iter(text).map(|m| m.start()).collect(),
        }
    }

    /// Hits no allow-list excuses: there is no place for a queued, running or started
    /// notification, not even in the run service (R3).
    pub(crate) fn unconditional_hits(self, text: &str) -> Vec<usize> {
        match self {
            Self::B => EARLY_NOTIFICATION
                .find_iter(text)
                .map(|m| m.start())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The literals of each statement joined, so SQL split over `concat!` pieces or several
/// arguments is read as one text; with the offset of its first literal.
fn statements(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    for (statement, literal) in lexer::literals(text) {
        match out.last_mut() {
            Some((index, _, joined)) if *index == statement => {
                joined.push(' ');
                joined.push_str(&literal.text);
            }
            _ => out.push((statement, literal.offset, literal.text)),
        }
    }
    out.into_iter()
        .map(|(_, offset, joined)| (offset, joined))
        .collect()
}

fn sql_hits(text: &str) -> Vec<usize> {
    let mut hits = Vec::new();
    for (start, sql) in statements(text) {
        let sets_status = |set: &str| STATUS_COLUMN.is_match(set);
        let update = RUN_UPDATE
            .captures_iter(&sql)
            .any(|m| m.get(1).is_some_and(|set| sets_status(set.as_str())));
        let insert = RUN_INSERT.captures_iter(&sql).any(|m| {
            // No column list means every column, status included.
            m.get(2).is_none_or(|cols| sets_status(cols.as_str()))
        });
        let upsert = sql.contains("operation_runs")
            && UPSERT_SET
                .captures_iter(&sql)
                .any(|m| m.get(1).is_some_and(|set| sets_status(set.as_str())));
        if update || insert || upsert {
            hits.push(start);
        }
    }
    hits.extend(BUILDER_SET.find_iter(text).map(|m| m.start()));
    hits
}

fn notification_hits(text: &str) -> Vec<usize> {
    let mut hits = Vec::new();
    for (start, sql) in statements(text) {
        let written = NOTIFICATION_WRITE.is_match(&sql);
        // Marking read is the reader's own business; assigning anything else is a write.
        let updated = NOTIFICATION_UPDATE.captures_iter(&sql).any(|m| {
            let columns: Vec<String> = m.get(1).map_or_else(Vec::new, |set| {
                ASSIGNED_COLUMN
                    .captures_iter(set.as_str())
                    .map(|c| c[1].to_ascii_lowercase())
                    .collect()
            });
            columns.is_empty() || columns.iter().any(|c| c != "read_at")
        });
        if written || updated {
            hits.push(start);
        }
    }
    hits.extend(NOTIFICATION_COPY.find_iter(text).map(|m| m.start()));
    hits
}

fn presenter_hits(text: &str) -> Vec<usize> {
    let mut hits = Vec::new();
    for (start, joined) in statements(text) {
        // A dashboard link `/t/{tenant}/operations…`, even when built from pieces; API routes
        // (`/api/t/…`, the token API's `/api/v1/t/…` or, nested under `/api`, `/v1/t/…`;
        // `/operations/{id}` segments) are not links a person follows.
        let link = joined.match_indices("/t/").any(|(i, _)| {
            let before = &joined[..i];
            !(before.ends_with("/api") || before.ends_with("/v1"))
                && joined[i..].contains("operations")
        });
        if link {
            hits.push(start);
        }
    }
    for (_, literal) in lexer::literals(text) {
        if literal.text.contains("View run") || TOAST_COPY.is_match(&literal.text) {
            hits.push(literal.offset);
        }
    }
    hits
}

fn badge_hits(text: &str) -> Vec<usize> {
    lexer::literals(text)
        .into_iter()
        .filter(|(_, l)| BADGE_LABELS.contains(&l.text.as_str()) || TONE_CLASS.is_match(&l.text))
        .map(|(_, l)| l.offset)
        .collect()
}
