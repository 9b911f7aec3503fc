//! `/invite/{token}`: a single-use invitation link. It says which tenant and role it is for;
//! someone without an account makes one here (name and password) and lands on the tenant;
//! someone with an account signs in as it first, then joins with one button.

use leptos::prelude::*;
use opsux_core::presenter::overview_url;
use opsux_core::wire::{AcceptInvitation, InvitationView};

use super::members::role_label;
use crate::api::Api;
use crate::panel::router::Router;
use crate::panel::session::{Session, SessionState, login_url};
use crate::panel::title::set_title;

#[derive(Debug, Clone)]
enum Loaded {
    Loading,
    Open(InvitationView),
    Unusable(String),
}

#[component]
pub(crate) fn InvitationPage(token: String) -> impl IntoView {
    set_title("Invitation");
    let loaded = RwSignal::new(Loaded::Loading);
    {
        let token = token.clone();
        leptos::task::spawn_local(async move {
            let state = match Api::same_origin().invitation(&token).await {
                Ok(view) => Loaded::Open(view),
                Err(err) => Loaded::Unusable(err.describe()),
            };
            loaded.try_set(state);
        });
    }
    let token = StoredValue::new(token);
    view! {
        <main class="login" id="main">
            <div class="login-card" data-test="invitation">
                <p class="brand brand-large">"opsux"</p>
                {move || match loaded.get() {
                    Loaded::Loading => view! { <div class="page-loading" aria-busy="true"></div> }.into_any(),
                    Loaded::Unusable(why) => view! {
                        <h1>"Invitation"</h1>
                        <p class="error" role="alert" data-test="invitation-unusable">{why}</p>
                        <a class="button" href="/login">"Sign in"</a>
                    }.into_any(),
                    Loaded::Open(invitation) => view! { <Accept invitation token=token.get_value() /> }.into_any(),
                }}
            </div>
        </main>
    }
}

#[component]
fn Accept(invitation: InvitationView, token: String) -> impl IntoView {
    let session = Session::expect();
    let router = Router::expect();
    let heading = format!("Join {}", invitation.tenant_name);
    let summary = format!(
        "You are invited to {} as {} ({}).",
        invitation.tenant_name,
        role_label(invitation.role).to_ascii_lowercase(),
        invitation.email
    );
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let token = StoredValue::new(token);
    let tenant = invitation.tenant_slug.clone();
    let accept = move |body: AcceptInvitation| {
        let tenant = tenant.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match Api::same_origin()
                .accept_invitation(&token.get_value(), &body)
                .await
            {
                Ok(me) => {
                    session.signed_in(me);
                    match opsux_core::TenantSlug::parse(&tenant) {
                        Ok(slug) => router.navigate(&overview_url(&slug)),
                        Err(_) => router.navigate("/"),
                    }
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
            busy.try_set(false);
        });
    };
    let email = invitation.email.clone();
    let account_exists = invitation.account_exists;
    let body = move || {
        let signed_in_as = match session.state.get() {
            SessionState::SignedIn(me) => Some(me.user.email),
            SessionState::Loading => {
                return view! { <div class="page-loading" aria-busy="true"></div> }.into_any();
            }
            SessionState::SignedOut(_) => None,
        };
        let accept = accept.clone();
        match (account_exists, signed_in_as) {
            (true, Some(me)) if me.eq_ignore_ascii_case(&email) => view! {
                <button type="button" class="button button-primary button-wide" disabled=move || busy.get()
                    on:click=move |_| accept(AcceptInvitation::default()) data-test="join">
                    "Join"
                </button>
            }.into_any(),
            (_, Some(me)) => view! {
                <p class="notice" data-test="invitation-other-account">
                    {format!("You are signed in as {me}, but this invitation is for {email}. Sign out, then open the link again.")}
                </p>
            }.into_any(),
            (true, None) => {
                let next = login_url(&router.here(), false);
                view! {
                    <p>{format!("{email} has an account: sign in with it, and you come back here to join.")}</p>
                    <a class="button button-primary button-wide" href=next data-test="sign-in-to-join">"Sign in to join"</a>
                }.into_any()
            }
            (false, None) => view! { <NewAccount email=email.clone() busy accept /> }.into_any(),
        }
    };
    view! {
        <h1>{heading}</h1>
        <p class="muted" data-test="invitation-summary">{summary}</p>
        {body}
        {move || error.get().map(|e| view! { <p class="error" role="alert" data-test="invitation-error">{e}</p> })}
    }
}

/// The account an invitation makes: a name and a password (at least 12 characters, not the
/// e-mail address — the server checks and says which rule failed).
#[component]
fn NewAccount(
    email: String,
    busy: RwSignal<bool>,
    accept: impl Fn(AcceptInvitation) + Clone + 'static,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        accept(AcceptInvitation {
            display_name: Some(name.get_untracked()),
            password: Some(password.get_untracked()),
        });
    };
    view! {
        <form on:submit=submit data-test="new-account">
            <label class="field">
                <span>"Email"</span>
                <input type="email" autocomplete="username" readonly=true prop:value=email />
            </label>
            <label class="field">
                <span>"Your name"</span>
                <input type="text" name="name" autocomplete="name" required=true maxlength="200"
                    prop:value=name on:input=move |e| name.set(event_target_value(&e)) />
            </label>
            <label class="field">
                <span>"Choose a password"</span>
                <input type="password" name="password" autocomplete="new-password" required=true minlength="12"
                    prop:value=password on:input=move |e| password.set(event_target_value(&e)) />
                <span class="muted small">"At least 12 characters."</span>
            </label>
            <button type="submit" class="button button-primary button-wide" disabled=move || busy.get()>
                "Create account and join"
            </button>
        </form>
    }
}
