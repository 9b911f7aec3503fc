//! `/account`: the signed-in person's own password and where they are signed in, with *Sign out
//! everywhere*.

use leptos::prelude::*;
use opsux_core::wire::SessionDto;

use crate::api::Api;
use crate::components::RelativeTime;
use crate::live::ticking_now;
use crate::panel::confirm::{Action, Confirm, Opener, Question};
use crate::panel::router::Router;
use crate::panel::session::{Session, SessionState, SignedOutBecause};
use crate::panel::title::set_title;

#[component]
pub(crate) fn AccountPage() -> impl IntoView {
    set_title("Account");
    let session = Session::expect();
    // The panel puts it in the signed-in frame.
    move || {
        session.user().map(|me| {
            view! {
                <div class="page-head">
                    <h1>"Account"</h1>
                    <p class="muted">{format!("Signed in as {} ({}).", me.user.display_name, me.user.email)}</p>
                </div>
                <div class="columns">
                    <PasswordForm />
                    <Sessions />
                </div>
            }
        })
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        done.set(false);
        if new.get_untracked() != again.get_untracked() {
            error.set(Some("The two new passwords differ.".to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        let (old, fresh) = (current.get_untracked(), new.get_untracked());
        leptos::task::spawn_local(async move {
            match Api::same_origin().change_password(old, fresh).await {
                Ok(()) => {
                    for field in [current, new, again] {
                        field.try_set(String::new());
                    }
                    done.try_set(true);
                }
                Err(err) => {
                    error.try_set(Some(err.describe()));
                }
            }
            busy.try_set(false);
        });
    };
    let field = |label: &'static str, value: RwSignal<String>, autocomplete: &'static str| {
        view! {
            <label class="field">
                <span>{label}</span>
                <input type="password" required=true autocomplete=autocomplete
                    prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e)) />
            </label>
        }
    };
    view! {
        <form class="card" on:submit=submit aria-labelledby="password-title" data-test="password-form">
            <h2 id="password-title" class="form-heading">"Password"</h2>
            {field("Current password", current, "current-password")}
            {field("New password", new, "new-password")}
            {field("New password, again", again, "new-password")}
            <p class="muted small">"At least 12 characters, not your e-mail address. You stay signed in here; everywhere else you are signed out."</p>
            <button type="submit" class="button button-primary" disabled=move || busy.get()>"Change password"</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || done.get().then(|| view! { <p class="notice" role="status" data-test="password-changed">"Password changed."</p> })}
        </form>
    }
}

#[component]
fn Sessions() -> impl IntoView {
    let session = Session::expect();
    let router = Router::expect();
    let rows = RwSignal::new(Vec::<SessionDto>::new());
    let error = RwSignal::new(None::<String>);
    let now = ticking_now();
    leptos::task::spawn_local(async move {
        match Api::same_origin().sessions().await {
            Ok(list) => {
                rows.try_set(list.items);
            }
            Err(err) => {
                error.try_set(Some(err.describe()));
            }
        }
    });
    let act = move || -> Action {
        Box::pin(async move {
            Api::same_origin()
                .sign_out_everywhere()
                .await
                .map_err(|err| err.describe())?;
            session
                .state
                .set(SessionState::SignedOut(SignedOutBecause::SignedOut));
            router.navigate("/login");
            Ok(())
        })
    };
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title" class="form-heading">"Where you are signed in"</h2>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <ul class="plain-list" data-test="sessions">
                <For each=move || rows.get() key=|s| s.id.clone() let(item)>
                    <li data-test="session">
                        "Signed in " <RelativeTime at=item.created_at now />
                        {item.current.then(|| view! { <span class="chip">"This browser"</span> })}
                        <span class="muted small">" · ends " <RelativeTime at=item.expires_at now /></span>
                    </li>
                </For>
            </ul>
            <Confirm
                opener=Opener { label: "Sign out everywhere", name: None, class: "button button-danger-quiet", test: "sign-out-everywhere" }
                question=Question {
                    title: Signal::stored("Sign out everywhere?".to_owned()),
                    no: "Stay signed in",
                    yes: Signal::stored("Sign out everywhere".to_owned()),
                    danger: true,
                }
                dialog_test="sign-out-everywhere-dialog"
                act
            >
                <p>"Every browser signed in as you is signed out, this one too. You sign in again with your password."</p>
            </Confirm>
        </section>
    }
}
