use leptos::prelude::*;
use opsux_core::Progress;
use opsux_core::wire::RunSummary;
use time::OffsetDateTime;

/// R7: a thin bar for an active run. Determinate (with `aria-valuenow`) only when the run
/// reports a total and what it processed; otherwise an animated stripe and the elapsed time.
/// The text beside it is the contract's label — `processed/total` or `Running · 2m 05s` — never
/// a percentage.
#[component]
pub fn ProgressBar(
    #[prop(into)] run: Signal<RunSummary>,
    #[prop(into)] now: Signal<OffsetDateTime>,
) -> impl IntoView {
    let progress = Memo::new(move |_| run.with(|r| Progress::of(r, now.get())));
    let name = move || run.with(|r| format!("{} progress", r.label));
    move || {
        progress.get().map(|p| {
            let (percent, determinate) = match p {
                Progress::Determinate { percent, .. } => (Some(percent), true),
                Progress::Indeterminate { .. } => (None, false),
            };
            let label = p.label();
            view! {
                <div class="progress" data-test="progress">
                    <div
                        class="progress-track"
                        class:indeterminate=!determinate
                        role="progressbar"
                        aria-label=name
                        aria-valuemin=determinate.then_some("0")
                        aria-valuemax=determinate.then_some("100")
                        aria-valuenow=percent.map(|p| p.to_string())
                        aria-valuetext=label.clone()
                    >
                        <div class="progress-fill" style:width=percent.map(|p| format!("{p}%"))></div>
                    </div>
                    <span class="progress-label" data-test="progress-label">{label}</span>
                </div>
            }
        })
    }
}
