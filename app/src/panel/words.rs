//! Counts as people read them: "1 policy", "3 policies".

/// `n` and the noun, singular for one.
pub(crate) fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    match n.into() {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}
