//! The one not-found page: an unknown route, an unknown run and any page of a tenant the person
//! is not a member of all look exactly alike (R16).

use leptos::prelude::*;

use crate::panel::session::Session;
use crate::panel::shell::Shell;
use crate::panel::title::set_title;

#[component]
pub(crate) fn NotFoundPage() -> impl IntoView {
    let signed_in = Session::expect()
        .state
        .with_untracked(|s| matches!(s, crate::panel::SessionState::SignedIn(_)));
    let content = view! { <NotFound /> };
    if signed_in {
        view! { <Shell tenant=None feed=None>{content}</Shell> }.into_any()
    } else {
        view! { <main class="page page-bare" id="main">{content}</main> }.into_any()
    }
}

/// The content of the not-found page, also shown inside a tenant's frame for an unknown run.
#[component]
pub(crate) fn NotFound() -> impl IntoView {
    set_title("Page not found");
    view! {
        <div class="not-found" data-test="not-found">
            <p class="not-found-code" aria-hidden="true">"404"</p>
            <h1>"Page not found"</h1>
            <p class="muted">"There is nothing here, or it is not yours to see."</p>
            <a class="button" href="/">"Go to your dashboard"</a>
        </div>
    }
}
