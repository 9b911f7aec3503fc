//! `/t/{tenant}/policies/{id}`: one policy and the versions inventory sync captured of it,
//! newest first; each can be pushed back to the tenant with `Restore this version`
//! (`policy_version_restore`), after a confirm step that shows what will be pushed.

use leptos::prelude::*;
use opsux_core::presenter::policies_url;
use opsux_core::wire::{ErrorCode, PolicyDto, PolicyVersionDto};
use opsux_core::{OperationParams, OperationType, TenantSlug};

use crate::api::Api;
use crate::components::RelativeTime;
use crate::components::toasts::Toasts;
use crate::live::ticking_now;
use crate::panel::confirm::{Action, Confirm, Opener, Question};
use crate::panel::pages::NotFound;
use crate::panel::shell::TenantScope;
use crate::panel::start::{may_start, start};
use crate::panel::title::set_title;

#[derive(Debug, Clone)]
enum Load {
    Loading,
    Ready(PolicyDto, Vec<PolicyVersionDto>),
    NotFound,
    Failed(String),
}

#[component]
pub(crate) fn PolicyPage(id: String) -> impl IntoView {
    let scope = TenantScope::expect();
    let tenant = scope.access.slug.clone();
    let may_restore = may_start(&scope.access, OperationType::PolicyVersionRestore);
    let load = RwSignal::new(Load::Loading);
    {
        let tenant = tenant.clone();
        leptos::task::spawn_local(async move {
            let api = Api::same_origin();
            let answer = match api.policy(&tenant, &id).await {
                Ok(policy) => match api.policy_versions(&tenant, &id).await {
                    Ok(versions) => Load::Ready(policy, versions.items),
                    Err(err) => Load::Failed(err.describe()),
                },
                Err(err) if err.is(ErrorCode::NotFound) => Load::NotFound,
                Err(err) => Load::Failed(err.describe()),
            };
            load.try_set(answer);
        });
    }
    let back = policies_url(&tenant);
    move || match load.get() {
        Load::Loading => {
            view! { <div class="page-loading" aria-busy="true" data-test="loading"></div> }
                .into_any()
        }
        Load::NotFound => view! { <NotFound /> }.into_any(),
        Load::Failed(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
        Load::Ready(policy, versions) => {
            set_title(&format!(
                "{} · Policies · {}",
                policy.name, scope.access.name
            ));
            view! {
                <div class="page-head" data-test="policy-detail">
                    <p class="muted"><a href=back.clone()>"← Policies"</a></p>
                    <h1>{policy.name.clone()}</h1>
                    <p class="muted">
                        <code class="kind">{policy.kind.clone()}</code>
                        {format!(" · version {} at the provider · id {}", policy.provider_version, policy.provider_id)}
                        {policy.ignored.then_some(" · ignored by backups")}
                    </p>
                </div>
                <Versions tenant=tenant.clone() versions may_restore />
            }
            .into_any()
        }
    }
}

#[component]
fn Versions(
    tenant: TenantSlug,
    versions: Vec<PolicyVersionDto>,
    may_restore: bool,
) -> impl IntoView {
    let now = ticking_now();
    if versions.is_empty() {
        return view! {
            <div class="card empty" data-test="versions-empty">
                <p>"No versions captured yet. The next inventory sync keeps one for every change."</p>
            </div>
        }
        .into_any();
    }
    view! {
        <section class="card card-flush">
            <h2 class="card-title">"Captured versions"</h2>
            <ol class="version-list" data-test="versions">
                {versions
                    .into_iter()
                    .map(|version| {
                        let tenant = tenant.clone();
                        let (id, number, captured) =
                            (version.id.clone(), version.provider_version, version.captured_at);
                        view! {
                            <li class="version" data-test="version" data-version-id=id>
                                <div>
                                    <strong>{format!("Version {number}")}</strong>
                                    " · captured "
                                    <RelativeTime at=captured now />
                                </div>
                                {may_restore.then(|| view! { <RestoreVersion tenant version /> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
    .into_any()
}

/// `Restore this version`, after a confirm step showing the snapshot that will be pushed.
#[component]
fn RestoreVersion(tenant: TenantSlug, version: PolicyVersionDto) -> impl IntoView {
    let toasts = Toasts::expect();
    let snapshot = serde_json::to_string_pretty(&version.snapshot).unwrap_or_default();
    let id = version.id.clone();
    let act = move || -> Action {
        let tenant = tenant.clone();
        let params = OperationParams::PolicyVersionRestore {
            policy_version_id: id.clone(),
        };
        Box::pin(async move {
            let toast = start(&tenant, params).await?;
            toasts.show(toast);
            Ok(())
        })
    };
    let title = format!(
        "Push version {} back to the tenant?",
        version.provider_version
    );
    view! {
        <Confirm
            opener=Opener { label: "Restore this version", name: None, class: "button button-small", test: "restore-version" }
            question=Question {
                title: Signal::stored(title),
                no: "Keep the tenant as it is",
                yes: Signal::stored("Yes, restore this version".to_owned()),
                danger: false,
            }
            dialog_test="restore-dialog"
            wide=true
            act
        >
            <p>"The policy in the tenant is replaced with this snapshot. You are notified when it is done."</p>
            <pre class="code" data-test="restore-snapshot">{snapshot}</pre>
        </Confirm>
    }
}
