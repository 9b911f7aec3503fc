//! Keyset cursors of the store's lists: opaque to clients, who pass `next_cursor` back.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Where a page of a by-name list starts: strictly after this name and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCursor {
    pub name: String,
    pub id: String,
}

impl NameCursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}\n{}", self.id, self.name))
    }

    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (id, name) = text.split_once('\n')?;
        Some(Self {
            name: name.to_owned(),
            id: id.to_owned(),
        })
    }
}

/// Where a page of a newest-first list starts: strictly older than this time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeCursor {
    pub at_ms: i64,
    pub id: uuid::Uuid,
}

impl TimeCursor {
    pub fn encode(&self) -> String {
        format!("{}_{}", self.at_ms, self.id)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (at, id) = text.split_once('_')?;
        Some(Self {
            at_ms: at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// Rows fetched as `limit + 1`: the page, and the cursor after it when the extra row says
/// there is more.
pub(super) fn split_page<T, C>(
    mut rows: Vec<T>,
    limit: u32,
    cursor: impl Fn(&T) -> C,
) -> (Vec<T>, Option<C>) {
    if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        let next = rows.last().map(cursor);
        (rows, next)
    } else {
        (rows, None)
    }
}
