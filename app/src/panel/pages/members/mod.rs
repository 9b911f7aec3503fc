//! `/t/{tenant}/members`: who has access to the tenant and what they may do. Every member sees
//! the list; owners change roles, remove members (after a confirm step), invite people by
//! e-mail and revoke invitations. The server keeps the last owner (R21) and says why when it
//! refuses.

mod invitations;
mod invite;

use leptos::prelude::*;
use opsux_core::wire::MemberDto;
use opsux_core::{Role, TenantSlug};

use crate::api::Api;
use crate::components::RelativeTime;
use crate::live::ticking_now;
use crate::panel::confirm::{Action, Confirm, Opener, Question};
use crate::panel::shell::TenantScope;
use crate::panel::title::set_title;
use invitations::Invitations;
use invite::InviteForm;

/// What each role may do, in a phrase.
pub(crate) fn role_hint(role: Role) -> &'static str {
    match role {
        Role::Owner => "everything, members included",
        Role::Operator => "day-to-day operations",
        Role::Reader => "looks only",
    }
}

pub(crate) fn role_label(role: Role) -> &'static str {
    match role {
        Role::Owner => "Owner",
        Role::Operator => "Operator",
        Role::Reader => "Reader",
    }
}

#[component]
pub(crate) fn MembersPage() -> impl IntoView {
    let scope = TenantScope::expect();
    set_title(&format!("Members · {}", scope.access.name));
    let is_owner = scope.access.role == Role::Owner;
    let tenant = scope.access.slug.clone();
    let rows = RwSignal::new(Vec::<MemberDto>::new());
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // Bumped by an invitation, so the pending list re-reads.
    let invited = RwSignal::new(0_u32);
    {
        let tenant = tenant.clone();
        leptos::task::spawn_local(async move {
            let answer = Api::same_origin().members(&tenant).await;
            match answer {
                Ok(list) => {
                    rows.try_set(list.items);
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
            loaded.try_set(true);
        });
    }
    let row_tenant = tenant.clone();
    let description = if is_owner {
        "Who has access to this tenant and what they may do. Change a role, remove someone, or invite a colleague."
    } else {
        "Who has access to this tenant and what they may do. Its owners change this."
    };
    view! {
        <div class="page-head">
            <h1>"Members"</h1>
            <p class="muted">{description}</p>
        </div>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <div class="table-wrap card card-flush">
            <table class="table" data-test="members-table">
                <thead>
                    <tr>
                        <th scope="col">"Person"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Last sign-in"</th>
                        {is_owner.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody aria-busy=move || (!loaded.get()).to_string()>
                    <For each=move || rows.get() key=|m| (m.user_id, m.role) let(member)>
                        <MemberRow member tenant=row_tenant.clone() is_owner rows error />
                    </For>
                </tbody>
            </table>
        </div>
        <p class="muted small legend">"Owners may do everything, members included; operators run the day-to-day operations; readers look."</p>
        {is_owner.then(|| view! {
            <InviteForm tenant=tenant.clone() invited />
            <Invitations tenant=tenant.clone() invited />
        })}
    }
}

#[component]
fn MemberRow(
    member: MemberDto,
    tenant: TenantSlug,
    is_owner: bool,
    rows: RwSignal<Vec<MemberDto>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let now = ticking_now();
    let signed_in = member.last_sign_in_at.map_or_else(
        || view! { <span class="muted">"Never"</span> }.into_any(),
        |at| view! { <RelativeTime at now /> }.into_any(),
    );
    let role = if is_owner {
        view! { <RoleSelect member=member.clone() tenant=tenant.clone() rows error /> }.into_any()
    } else {
        view! { <span>{role_label(member.role)}</span> }.into_any()
    };
    let actions = is_owner.then(|| view! { <td><div class="row-actions"><RemoveMember member=member.clone() tenant rows /></div></td> });
    view! {
        <tr data-test="member">
            <td>
                <div class="member-name">{member.display_name.clone()}{member.disabled.then(|| view! { <span class="muted">" (disabled)"</span> })}</div>
                <div class="muted small">{member.email.clone()}</div>
            </td>
            <td>{role}</td>
            <td>{signed_in}</td>
            {actions}
        </tr>
    }
}

/// An owner's role picker for one member: a change is saved at once; a refusal (the last
/// owner) is said and the picker goes back.
#[component]
fn RoleSelect(
    member: MemberDto,
    tenant: TenantSlug,
    rows: RwSignal<Vec<MemberDto>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    // What is stored: a refused change puts the picker back to it.
    let stored = RwSignal::new(member.role);
    let on_change = move |event: leptos::ev::Event| {
        let Some(role) = Role::parse(&event_target_value(&event)) else {
            return;
        };
        let tenant = tenant.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match Api::same_origin()
                .change_role(&tenant, member.user_id, role)
                .await
            {
                Ok(list) => {
                    rows.try_set(list.items);
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                    stored.try_set(member.role);
                }
            }
            busy.try_set(false);
        });
    };
    let name = format!("Role of {}", member.display_name);
    view! {
        <select aria-label=name on:change=on_change disabled=move || busy.get() data-test="member-role"
            prop:value=move || stored.get().as_str()>
            {Role::ALL.into_iter().map(|r| view! {
                <option value=r.as_str() selected=r == member.role title=role_hint(r)>{role_label(r)}</option>
            }).collect_view()}
        </select>
    }
}

#[component]
fn RemoveMember(
    member: MemberDto,
    tenant: TenantSlug,
    rows: RwSignal<Vec<MemberDto>>,
) -> impl IntoView {
    let user = member.user_id;
    let act = move || -> Action {
        let tenant = tenant.clone();
        Box::pin(async move {
            Api::same_origin()
                .remove_member(&tenant, user)
                .await
                .map_err(|err| err.describe())?;
            rows.try_update(|list| list.retain(|m| m.user_id != user));
            Ok(())
        })
    };
    view! {
        <Confirm
            opener=Opener {
                label: "Remove",
                name: Some(format!("Remove {}", member.display_name)),
                class: "button button-small button-danger-quiet",
                test: "remove-member",
            }
            question=Question {
                title: Signal::stored(format!("Remove {} from this tenant?", member.display_name)),
                no: "Keep",
                yes: Signal::stored("Remove".to_owned()),
                danger: true,
            }
            dialog_test="remove-member-dialog"
            act
        >
            <p>{format!("{} loses access at once, in every open tab. Runs they started go on; they are not notified of them any more.", member.email)}</p>
        </Confirm>
    }
}
