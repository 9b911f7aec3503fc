//! Summary counts (R5): flat, non-negative integers under keys from one list.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::operation::write_list;

/// The only keys a run's summary may carry. Adding one means changing [`SummaryKey::ALL`],
/// SPEC.md (R5) and the tests together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SummaryKey {
    Total,
    Processed,
    Succeeded,
    Failed,
    Skipped,
    Created,
    Updated,
    Deleted,
}

impl SummaryKey {
    pub const ALL: [Self; 8] = [
        Self::Total,
        Self::Processed,
        Self::Succeeded,
        Self::Failed,
        Self::Skipped,
        Self::Created,
        Self::Updated,
        Self::Deleted,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Total => "total",
            Self::Processed => "processed",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Deleted => "deleted",
        }
    }

    /// The heading of the count on Run Detail: the key, capitalized (`Total`, `Processed`).
    pub fn label(self) -> String {
        let key = self.as_str();
        let mut label = key[..1].to_ascii_uppercase();
        label.push_str(&key[1..]);
        label
    }
}

impl fmt::Display for SummaryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SummaryKey {
    type Err = SummaryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| SummaryError::UnknownKey(s.chars().take(80).collect()))
    }
}

/// A run's counts. Serialized as a flat JSON object in [`SummaryKey::ALL`] order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryCounts(BTreeMap<SummaryKey, u64>);

impl SummaryCounts {
    /// The largest count accepted: the largest integer a browser's JSON numbers hold exactly.
    pub const MAX_COUNT: u64 = (1 << 53) - 1;

    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, key: SummaryKey) -> Option<u64> {
        self.0.get(&key).copied()
    }

    pub fn set(&mut self, key: SummaryKey, value: u64) -> Result<(), SummaryError> {
        if value > Self::MAX_COUNT {
            return Err(SummaryError::TooLarge { key, value });
        }
        self.0.insert(key, value);
        Ok(())
    }

    /// Builder form of [`Self::set`] for literals known to be in range.
    pub fn with(mut self, key: SummaryKey, value: u64) -> Result<Self, SummaryError> {
        self.set(key, value)?;
        Ok(self)
    }

    /// Adds to a count, saturating at [`Self::MAX_COUNT`] rather than failing mid-run.
    pub fn add(&mut self, key: SummaryKey, delta: u64) {
        let entry = self.0.entry(key).or_insert(0);
        *entry = entry.saturating_add(delta).min(Self::MAX_COUNT);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The present counts in [`SummaryKey::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (SummaryKey, u64)> + '_ {
        self.0.iter().map(|(k, v)| (*k, *v))
    }
}

/// Why a summary was rejected. Every message names the allowed keys or the rule broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryError {
    NotAnObject,
    UnknownKey(String),
    DuplicateKey(SummaryKey),
    NotAnInteger {
        key: SummaryKey,
        found: &'static str,
    },
    Negative {
        key: SummaryKey,
        value: i64,
    },
    TooLarge {
        key: SummaryKey,
        value: u64,
    },
}

impl fmt::Display for SummaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnObject => {
                f.write_str("a flat JSON object of summary counts; allowed keys: ")?;
                write_list(f, SummaryKey::ALL.iter().map(|k| k.as_str()))
            }
            Self::UnknownKey(key) => {
                write!(f, "unknown summary key {key:?}; allowed keys: ")?;
                write_list(f, SummaryKey::ALL.iter().map(|k| k.as_str()))
            }
            Self::DuplicateKey(key) => write!(f, "summary key \"{key}\" appears twice"),
            Self::NotAnInteger { key, found } => write!(
                f,
                "summary count \"{key}\" must be a non-negative integer, found {found}"
            ),
            Self::Negative { key, value } => write!(
                f,
                "summary count \"{key}\" must be a non-negative integer, found {value}"
            ),
            Self::TooLarge { key, value } => write!(
                f,
                "summary count \"{key}\" is {value}, above the largest allowed count {}",
                SummaryCounts::MAX_COUNT
            ),
        }
    }
}

impl std::error::Error for SummaryError {}

impl<'de> Deserialize<'de> for SummaryCounts {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(CountsVisitor)
    }
}

struct CountsVisitor;

impl<'de> Visitor<'de> for CountsVisitor {
    type Value = SummaryCounts;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", SummaryError::NotAnObject)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut counts = SummaryCounts::new();
        while let Some(raw_key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let key = SummaryKey::from_str(&raw_key).map_err(de::Error::custom)?;
            if counts.get(key).is_some() {
                return Err(de::Error::custom(SummaryError::DuplicateKey(key)));
            }
            let value = map.next_value::<CountValue>()?.check(key);
            counts
                .set(key, value.map_err(de::Error::custom)?)
                .map_err(de::Error::custom)?;
        }
        Ok(counts)
    }
}

/// One count as it arrived, before the key-specific checks.
enum CountValue {
    Unsigned(u64),
    Negative(i64),
    Other(&'static str),
}

impl CountValue {
    fn check(self, key: SummaryKey) -> Result<u64, SummaryError> {
        match self {
            Self::Unsigned(value) => Ok(value),
            Self::Negative(value) => Err(SummaryError::Negative { key, value }),
            Self::Other(found) => Err(SummaryError::NotAnInteger { key, found }),
        }
    }
}

impl<'de> Deserialize<'de> for CountValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CountValueVisitor)
    }
}

struct CountValueVisitor;

impl<'de> Visitor<'de> for CountValueVisitor {
    type Value = CountValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer")
    }

    fn visit_u64<E>(self, v: u64) -> Result<CountValue, E> {
        Ok(CountValue::Unsigned(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<CountValue, E> {
        Ok(u64::try_from(v).map_or(CountValue::Negative(v), CountValue::Unsigned))
    }

    fn visit_f64<E>(self, _: f64) -> Result<CountValue, E> {
        // Counts are integers; `3.0` is as wrong as `2.5`, so the error says so instead of
        // silently rounding.
        Ok(CountValue::Other("a number with a fraction or exponent"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<CountValue, E> {
        Ok(CountValue::Other("a boolean"))
    }

    fn visit_str<E>(self, _: &str) -> Result<CountValue, E> {
        Ok(CountValue::Other("a string"))
    }

    fn visit_unit<E>(self) -> Result<CountValue, E> {
        Ok(CountValue::Other("null"))
    }

    fn visit_none<E>(self) -> Result<CountValue, E> {
        Ok(CountValue::Other("null"))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<CountValue, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(CountValue::Other("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CountValue, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(CountValue::Other("a nested object"))
    }
}
