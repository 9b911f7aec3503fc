//! `/t/{tenant}/backup-schedules`: the tenant's backup schedules with their next run times,
//! `Run now` (`backup_schedule_run`) and `Apply retention` (`backup_retention`) for each, a
//! switch to enable or disable one, and a form for a new one (a plain record; the server says
//! which field is wrong), each with its history (`history.rs`): a schedule whose last run
//! failed is marked. Below, the backup sets the schedules (and people) made.

mod history;

use leptos::prelude::*;
use opsux_core::badge::DISABLED_SCHEDULE;
use opsux_core::presenter::backup_set_url;
use opsux_core::wire::{
    BackupScheduleDto, BackupSchedulePatch, BackupSetDto, NewBackupSchedule, PolicySelection,
};
use opsux_core::{Capability, OperationParams, OperationType, TenantSlug};

use crate::api::Api;
use crate::components::toasts::Toasts;
use crate::components::{Badge, RelativeTime, RunBadge};
use crate::live::ticking_now;
use crate::panel::list::{ListFrame, Paged};
use crate::panel::shell::TenantScope;
use crate::panel::start::{may_start, start};
use crate::panel::title::set_title;
use crate::panel::words::count;
use history::ScheduleHistory;

/// Backup sets read at a time.
const SETS_PAGE: &str = "20";

/// The runs a schedule's history shows.
const HISTORY_OF: [OperationType; 1] = [OperationType::BackupScheduleRun];

#[component]
pub(crate) fn BackupsPage() -> impl IntoView {
    let scope = TenantScope::expect();
    set_title(&format!("Backups · {}", scope.access.name));
    let tenant = scope.access.slug.clone();
    let may_manage = scope
        .access
        .capabilities
        .contains(&Capability::BackupManage);
    let schedules = RwSignal::new(None::<Result<Vec<BackupScheduleDto>, String>>);
    let reload = {
        let tenant = tenant.clone();
        move || {
            let tenant = tenant.clone();
            leptos::task::spawn_local(async move {
                let answer = Api::same_origin().backup_schedules(&tenant).await;
                schedules.try_set(Some(answer.map(|l| l.items).map_err(|e| e.describe())));
            });
        }
    };
    reload();
    // A schedule's history changes when one of its runs starts or ends.
    {
        let reload = reload.clone();
        scope.feed.on_ended(&HISTORY_OF, reload);
    }
    let on_changed = reload.clone();
    view! {
        <div class="page-head">
            <h1>"Backups"</h1>
            <p class="muted">"Schedules snapshot the tenant's policies into backup sets; retention keeps the newest of them."</p>
        </div>
        <section aria-labelledby="schedules-title">
            <h2 id="schedules-title" class="section-title">"Schedules"</h2>
            {move || match schedules.get() {
                None => Some(view! { <div class="page-loading" aria-busy="true"></div> }.into_any()),
                Some(Err(message)) => Some(view! { <p class="error" role="alert">{message}</p> }.into_any()),
                Some(Ok(list)) if list.is_empty() => Some(view! {
                    <div class="card empty" data-test="schedules-empty">
                        <p>"No backup schedules yet."</p>
                    </div>
                }.into_any()),
                Some(Ok(_)) => None,
            }}
            // Keyed by version: a reload rebuilds only the cards that changed, so an edit in
            // progress on another card keeps what was typed.
            <div class="schedule-list">
                <For
                    each=move || schedules.get().and_then(Result::ok).unwrap_or_default()
                    key=|s| (s.id.clone(), s.updated_at, s.recent_runs.first().map(|r| (r.id, r.version)))
                    let(schedule)
                >
                    <ScheduleCard schedule tenant=tenant.clone() may_manage on_changed=on_changed.clone() />
                </For>
            </div>
            {may_manage.then(|| view! { <ScheduleForm on_saved=reload.clone() /> })}
        </section>
        <BackupSets />
    }
}

#[component]
fn ScheduleCard(
    schedule: BackupScheduleDto,
    tenant: TenantSlug,
    may_manage: bool,
    on_changed: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let now = ticking_now();
    let scope = TenantScope::expect();
    let selection = match &schedule.policy_selection {
        PolicySelection::All => view! { "every policy not ignored" }.into_any(),
        PolicySelection::Kinds(kinds) if kinds.len() == 1 => {
            let kind = kinds[0].clone();
            view! { "policies of kind "<code class="kind">{kind}</code> }.into_any()
        }
        PolicySelection::Kinds(kinds) => {
            view! { {format!("policies of {} kinds", kinds.len())} }.into_any()
        }
        PolicySelection::PolicyIds(ids) => {
            view! { {count(ids.len() as u64, "picked policy", "picked policies")} }.into_any()
        }
    };
    let next_runs = schedule.next_runs.clone();
    let failed = history::failed_last(&schedule.recent_runs).cloned();
    let skipped = schedule.skipped_at.zip(schedule.skip_reason.clone());
    let editing = RwSignal::new(false);
    let enabled = schedule.enabled;
    let after_edit = on_changed.clone();
    let toggle_error = RwSignal::new(None::<String>);
    let toggle = {
        let (tenant, id) = (tenant.clone(), schedule.id.clone());
        move |_| {
            let (tenant, id, on_changed) = (tenant.clone(), id.clone(), on_changed.clone());
            toggle_error.set(None);
            leptos::task::spawn_local(async move {
                let patch = BackupSchedulePatch {
                    name: None,
                    cron: None,
                    policy_selection: None,
                    keep_last: None,
                    enabled: Some(!enabled),
                };
                match Api::same_origin()
                    .update_backup_schedule(&tenant, &id, &patch)
                    .await
                {
                    Ok(_) => on_changed(),
                    Err(err) => {
                        toggle_error.try_set(Some(err.describe()));
                    }
                }
            });
        }
    };
    let may_run = may_start(&scope.access, OperationType::BackupScheduleRun);
    view! {
        <article class="card schedule" data-test="schedule" data-schedule-id=schedule.id.clone()
            aria-labelledby=format!("schedule-{}", schedule.id)>
            <header class="schedule-head">
                <h3 id=format!("schedule-{}", schedule.id)>{schedule.name.clone()}</h3>
                {(!enabled).then(|| view! { <Badge label=DISABLED_SCHEDULE.label tone=DISABLED_SCHEDULE.tone /> })}
            </header>
            {failed.map(|run| view! {
                <p class="callout callout-danger schedule-failed" data-test="schedule-last-failed">
                    "Its last run ended "
                    <RunBadge status=run.status outcome=run.outcome />
                    " "<a href=run.view_run_url.clone()><RelativeTime at=run.completed_at.unwrap_or(run.created_at) now /></a>
                    {run.message.clone().map(|m| view! { <span class="callout-body">{m}</span> })}
                </p>
            })}
            <dl class="facts">
                <dt>"When"</dt>
                <dd><code>{schedule.cron.clone()}</code>" (UTC)"</dd>
                <dt>"Next runs"</dt>
                <dd data-test="next-runs">{if next_runs.is_empty() {
                    view! { <span class="muted">"None (disabled)"</span> }.into_any()
                } else {
                    view! {
                        <ol class="next-runs">
                            {next_runs.into_iter().map(|at| view! { <li><RelativeTime at now /></li> }).collect_view()}
                        </ol>
                    }.into_any()
                }}</dd>
                <dt>"Backs up"</dt>
                <dd>{selection}</dd>
                <dt>"Keeps"</dt>
                <dd>{match schedule.keep_last {
                    1 => "the newest set".to_owned(),
                    n => format!("the newest {n} sets"),
                }}</dd>
                {skipped.map(|(at, reason)| view! {
                    <dt>"Last skipped"</dt>
                    <dd data-test="skipped"><RelativeTime at now />" — "{reason}</dd>
                })}
            </dl>
            <ScheduleHistory runs=schedule.recent_runs.clone() last_success_at=schedule.last_success_at now />
            {may_run.then(|| {
                let id = schedule.id.clone();
                view! {
                    <div class="schedule-actions">
                        <ScheduleStart tenant=tenant.clone() params=OperationParams::BackupScheduleRun { schedule_id: id.clone() } label="Run now" />
                        <ScheduleStart tenant=tenant.clone() params=OperationParams::BackupRetention { schedule_id: id } label="Apply retention" />
                        {may_manage.then(|| view! {
                            <button type="button" class="button button-quiet" on:click=move |_| editing.update(|e| *e = !*e)
                                aria-expanded=move || editing.get().to_string()>
                                "Edit"
                            </button>
                            <button type="button" class="button button-quiet" on:click=toggle.clone() data-test="toggle-schedule">
                                {if enabled { "Disable" } else { "Enable" }}
                            </button>
                            {move || toggle_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        })}
                    </div>
                }
            })}
            {may_manage.then(|| {
                let schedule = schedule.clone();
                view! {
                    <Show when=move || editing.get()>
                        <ScheduleForm editing=schedule.clone() on_saved=after_edit.clone() />
                    </Show>
                }
            })}
        </article>
    }
}

/// A start of `operation` on one schedule; its answer is the presenter's toast (R10).
#[component]
fn ScheduleStart(
    tenant: TenantSlug,
    params: OperationParams,
    label: &'static str,
) -> impl IntoView {
    let operation = params.operation();
    let toasts = Toasts::expect();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let click = move |_| {
        let (tenant, params) = (tenant.clone(), params.clone());
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match start(&tenant, params).await {
                Ok(toast) => toasts.show(toast),
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <button type="button" class="button" on:click=click disabled=move || busy.get()
            data-test=format!("start-{}", operation.as_str())>
            {label}
        </button>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}

/// What a schedule backs up, as the form holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selecting {
    All,
    Kinds,
    /// Picked policies (made through the API); kept as they are.
    Picked,
}

/// A schedule's form: a new one, or changes to `editing`. The server checks the cron
/// expression and the rest, and names the field it refuses.
#[component]
fn ScheduleForm(
    #[prop(optional)] editing: Option<BackupScheduleDto>,
    on_saved: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let scope = TenantScope::expect();
    let tenant = scope.access.slug.clone();
    let id = editing.as_ref().map(|s| s.id.clone());
    let (selecting, kinds_text) = match editing.as_ref().map(|s| &s.policy_selection) {
        None | Some(PolicySelection::All) => (Selecting::All, String::new()),
        Some(PolicySelection::Kinds(kinds)) => (Selecting::Kinds, kinds.join(", ")),
        Some(PolicySelection::PolicyIds(_)) => (Selecting::Picked, String::new()),
    };
    let kept = editing.as_ref().map(|s| s.policy_selection.clone());
    let name = RwSignal::new(editing.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let cron = RwSignal::new(
        editing
            .as_ref()
            .map_or_else(|| "0 3 * * *".to_owned(), |s| s.cron.clone()),
    );
    let keep = RwSignal::new(editing.as_ref().map_or(7, |s| s.keep_last).to_string());
    let selecting = RwSignal::new(selecting);
    let kinds = RwSignal::new(kinds_text);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Ok(keep_last) = keep.get_untracked().trim().parse::<u32>() else {
            error.set(Some(
                "Keep: a whole number of backup sets, from 1.".to_owned(),
            ));
            return;
        };
        let selection = match selecting.get_untracked() {
            Selecting::All => PolicySelection::All,
            Selecting::Kinds => PolicySelection::Kinds(
                kinds
                    .get_untracked()
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            Selecting::Picked => kept.clone().unwrap_or(PolicySelection::All),
        };
        let (tenant, id, on_saved) = (tenant.clone(), id.clone(), on_saved.clone());
        let (name_text, cron_text) = (name.get_untracked(), cron.get_untracked());
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let api = Api::same_origin();
            let saved = match &id {
                None => {
                    let body = NewBackupSchedule {
                        name: name_text,
                        cron: cron_text,
                        policy_selection: selection,
                        keep_last,
                        enabled: true,
                    };
                    api.create_backup_schedule(&tenant, &body).await
                }
                Some(id) => {
                    let patch = BackupSchedulePatch {
                        name: Some(name_text),
                        cron: Some(cron_text),
                        policy_selection: Some(selection),
                        keep_last: Some(keep_last),
                        enabled: None,
                    };
                    api.update_backup_schedule(&tenant, id, &patch).await
                }
            };
            match saved {
                Ok(_) => {
                    if id.is_none() {
                        // Ready for the next one, not for the same one twice.
                        name.try_set(String::new());
                    }
                    on_saved();
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
            busy.try_set(false);
        });
    };
    let (label, title, button) = if editing.is_some() {
        ("Edit backup schedule", "Edit schedule", "Save changes")
    } else {
        ("New backup schedule", "New schedule", "Create schedule")
    };
    let pick = move |value: Selecting| move |_| selecting.set(value);
    view! {
        <form class="card inline-form" on:submit=submit aria-label=label data-test="schedule-form">
            <h3 class="form-title">{title}</h3>
            <label class="field">
                <span>"Name"</span>
                <input type="text" required=true maxlength="100" placeholder="Nightly"
                    prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
            </label>
            <label class="field">
                <span>"When (cron, UTC)"</span>
                <input type="text" required=true prop:value=move || cron.get() on:input=move |e| cron.set(event_target_value(&e)) />
            </label>
            <label class="field field-narrow">
                <span>"Keep"</span>
                <input type="number" min="1" max="1000" required=true prop:value=move || keep.get()
                    on:input=move |e| keep.set(event_target_value(&e)) />
            </label>
            <fieldset class="choice">
                <legend>"Backs up"</legend>
                <label><input type="radio" name="selection" prop:checked=move || selecting.get() == Selecting::All
                    on:change=pick(Selecting::All) />" Every policy not ignored"</label>
                <label><input type="radio" name="selection" prop:checked=move || selecting.get() == Selecting::Kinds
                    on:change=pick(Selecting::Kinds) />" Policies of these kinds"</label>
                {(selecting.get_untracked() == Selecting::Picked).then(|| view! {
                    <label><input type="radio" name="selection" prop:checked=move || selecting.get() == Selecting::Picked
                        on:change=pick(Selecting::Picked) />" The picked policies (unchanged)"</label>
                })}
            </fieldset>
            <Show when=move || selecting.get() == Selecting::Kinds>
                <label class="field">
                    <span>"Kinds (comma-separated)"</span>
                    <input type="text" placeholder="windows10GeneralConfiguration, iosGeneralDeviceConfiguration"
                        prop:value=move || kinds.get() on:input=move |e| kinds.set(event_target_value(&e)) />
                </label>
            </Show>
            <button type="submit" class="button button-primary" disabled=move || busy.get()>{button}</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}

/// The tenant's backup sets, newest first, each leading to its items, a page at a time.
#[component]
fn BackupSets() -> impl IntoView {
    let scope = TenantScope::expect();
    let tenant = scope.access.slug.clone();
    let now = ticking_now();
    let sets = Paged::new(|set: &BackupSetDto| set.id.clone(), {
        let tenant = tenant.clone();
        move |cursor| {
            let tenant = tenant.clone();
            let mut query = vec![("limit", SETS_PAGE.to_owned())];
            query.extend(cursor.map(|c| ("cursor", c)));
            async move {
                let page = Api::same_origin().backup_sets(&tenant, &query).await?;
                Ok((page.items, page.next_cursor))
            }
        }
    });
    scope.feed.on_ended(
        &[
            OperationType::BackupScheduleRun,
            OperationType::BackupRetention,
            OperationType::BackupSetAddPolicies,
            OperationType::BackupSetRemovePolicies,
        ],
        move || sets.reload(),
    );
    view! {
        <section aria-labelledby="sets-title">
            <h2 id="sets-title" class="section-title">"Backup sets"</h2>
            <ListFrame state=sets.state table="backup-sets-table" empty_test="backup-sets-empty" columns=3
                head=|| view! {
                    <th scope="col">"Name"</th>
                    <th scope="col" class="numeric">"Policies"</th>
                    <th scope="col">"Made"</th>
                }
                empty=|| view! { <p>"No backup sets yet. Run a schedule to make one."</p> }>
                <For each=move || sets.rows.get() key=|set| (set.id.clone(), set.item_count) let(set)>
                    <tr data-test="backup-set-row" data-set-id=set.id.clone()>
                        <td><a class="row-link" href=backup_set_url(&tenant, &set.id)>{set.name.clone()}</a></td>
                        <td class="numeric">{set.item_count}</td>
                        <td><RelativeTime at=set.created_at now /></td>
                    </tr>
                </For>
            </ListFrame>
        </section>
    }
}
