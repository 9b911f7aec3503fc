//! `/login`: e-mail and password; afterwards the page the person came from, else their first
//! tenant.

use leptos::prelude::*;
use opsux_core::presenter::{overview_url, safe_next};
use opsux_core::wire::{ErrorCode, MeResponse};

use crate::api::Api;
use crate::panel::router::Router;
use crate::panel::session::{Session, SessionState};
use crate::panel::title::set_title;

#[component]
pub(crate) fn LoginPage() -> impl IntoView {
    set_title("Sign in");
    let session = Session::expect();
    let router = Router::expect();
    let next = move || router.query("next").and_then(|n| safe_next(&n));
    let expired = untrack(|| router.query("expired").is_some());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // A server without a workspace refuses every password: say how to make one instead.
    let uninitialized = RwSignal::new(false);
    let oidc = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        if let Ok(setup) = Api::same_origin().setup().await {
            uninitialized.try_set(!setup.initialized);
            oidc.try_set(setup.oidc);
        }
    });
    // Back from the organisation's provider without a session: say why.
    let oidc_outcome = untrack(|| router.query("oidc")).map(|outcome| match outcome.as_str() {
        "no-access" => "No access: your organisation's account is not a member of this workspace. Ask an owner of a tenant for an invitation.",
        "unavailable" => "Sign-in with Microsoft is not available right now. Try again later, or sign in with your password.",
        _ => "Sign-in with Microsoft did not work. Try again, or sign in with your password.",
    });
    let oidc_href = move || {
        let next = untrack(next).unwrap_or_else(|| "/".to_owned());
        format!(
            "/api/oidc/login?next={}",
            js_sys::encode_uri_component(&next)
        )
    };

    // Someone already signed in has nothing to do here.
    Effect::new(move |_| {
        if let SessionState::SignedIn(me) = session.state.get() {
            let target = untrack(next).unwrap_or_else(|| home_of(&me));
            router.replace(&target);
        }
    });

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        busy.set(true);
        error.set(None);
        let (email, password) = (email.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match Api::same_origin().login(email, password).await {
                Ok(me) => session.signed_in(me),
                Err(err) if err.is(ErrorCode::Unauthenticated) => error.set(Some(
                    "Wrong e-mail or password. Check both and try again.".to_owned(),
                )),
                Err(err) => error.set(Some(err.describe())),
            }
            busy.set(false);
        });
    };

    view! {
        <main class="login" id="main">
            <form class="login-card" on:submit=submit data-test="login-form">
                <p class="brand brand-large">"opsux"</p>
                <h1>"Sign in"</h1>
                <p class="muted">"Operations of your tenants, in one place."</p>
                {expired.then(|| view! {
                    <p class="notice" role="status" data-test="session-expired">
                        "Your session ended. Sign in again to continue where you were."
                    </p>
                })}
                <label class="field">
                    <span>"Email"</span>
                    <input type="email" name="email" autocomplete="username" required=true
                        prop:value=email on:input=move |e| email.set(event_target_value(&e)) />
                </label>
                <label class="field">
                    <span>"Password"</span>
                    <input type="password" name="password" autocomplete="current-password" required=true
                        prop:value=password on:input=move |e| password.set(event_target_value(&e)) />
                </label>
                {move || uninitialized.get().then(|| view! {
                    <div class="notice" role="status" data-test="setup-needed">
                        <p><strong>"This opsux has no workspace yet."</strong>" On the server, create it and its first owner:"</p>
                        <pre class="command">"opsux init --workspace NAME --owner-email EMAIL"</pre>
                        <p class="muted">"Then add tenants and people with "<code>"opsux tenant add"</code>" and "<code>"opsux user add"</code>" (see the README's \"Set up for your organisation\")."</p>
                    </div>
                })}
                {oidc_outcome.map(|why| view! { <p class="error" role="alert" data-test="oidc-refused">{why}</p> })}
                {move || error.get().map(|e| view! { <p class="error" role="alert" data-test="login-error">{e}</p> })}
                <button type="submit" class="button button-primary button-wide" disabled=move || busy.get()>
                    "Sign in"
                </button>
                {move || oidc.get().then(|| view! {
                    <p class="or" aria-hidden="true">"or"</p>
                    <a class="button button-wide" href=oidc_href() data-test="sign-in-oidc">"Sign in with Microsoft"</a>
                })}
            </form>
        </main>
    }
}

/// The first tenant's overview, or the home page when the person has none.
fn home_of(me: &MeResponse) -> String {
    me.tenants
        .first()
        .map_or_else(|| "/".to_owned(), |t| overview_url(&t.slug))
}
