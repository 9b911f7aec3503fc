//! A list's filters live in the URL's query, so a filtered list can be shared, reloaded, and
//! left and found again as it was.

use leptos::prelude::*;
use web_sys::UrlSearchParams;

use crate::panel::router::Router;

/// One filter: the query parameter `key`, absent or empty meaning "any".
#[derive(Clone, Copy)]
pub(crate) struct UrlFilter(Memo<Option<String>>);

impl UrlFilter {
    pub(crate) fn new(key: &'static str) -> Self {
        Self::one_of(key, &[])
    }

    /// A filter taking only `values` (any other value in the URL: not filtered).
    pub(crate) fn one_of(key: &'static str, values: &'static [&'static str]) -> Self {
        let router = Router::expect();
        Self(Memo::new(move |_| {
            router
                .query(key)
                .filter(|value| !value.is_empty())
                .filter(|value| values.is_empty() || values.contains(&value.as_str()))
        }))
    }

    pub(crate) fn get(self) -> Option<String> {
        self.0.get()
    }

    pub(crate) fn get_untracked(self) -> Option<String> {
        self.0.get_untracked()
    }
}

/// Shows the list with `filters` (`None` or empty: not filtered), in place of the current
/// history entry — a filter change is not a page to go back to.
pub(crate) fn set_url_filters(filters: &[(&str, Option<String>)]) {
    let router = Router::expect();
    let path = router.path_untracked();
    let Ok(query) = UrlSearchParams::new() else {
        return;
    };
    for (key, value) in filters {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            query.append(key, value);
        }
    }
    let query: String = query.to_string().into();
    router.replace(&if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    });
}
