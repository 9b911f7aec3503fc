use leptos::prelude::*;
use opsux_core::when::{format_duration, relative_time, run_duration};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::live::local_time;

/// "3 min ago", with the absolute local time as a tooltip and machine-readable `datetime`.
#[component]
pub fn RelativeTime(
    at: OffsetDateTime,
    #[prop(into)] now: Signal<OffsetDateTime>,
) -> impl IntoView {
    let stamp = at.format(&Rfc3339).unwrap_or_default();
    view! {
        <time datetime=stamp title=local_time(at)>
            {move || relative_time(at, now.get())}
        </time>
    }
}

/// How long a run took, or has taken so far while active.
#[component]
pub fn Duration(
    created_at: OffsetDateTime,
    started_at: Option<OffsetDateTime>,
    completed_at: Option<OffsetDateTime>,
    #[prop(into)] now: Signal<OffsetDateTime>,
) -> impl IntoView {
    view! {
        <span class="duration">
            {move || format_duration(run_duration(created_at, started_at, completed_at, now.get()))}
        </span>
    }
}
