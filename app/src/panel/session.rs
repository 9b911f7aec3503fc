//! Who is signed in. Loaded once from `GET /api/me`; a 401 from any later call (the session
//! expired or was ended elsewhere) returns the page to sign-in, and back afterwards.

use leptos::prelude::*;
use opsux_core::wire::MeResponse;

use super::router::{Redirect, Router};
use crate::api::{self, Api};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SessionState {
    Loading,
    SignedOut(SignedOutBecause),
    SignedIn(MeResponse),
}

/// Why there is no session, which decides where sign-in leads back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SignedOutBecause {
    /// Never signed in on this page: sign in, then back to the page asked for.
    NotSignedIn,
    /// The session ended while the page was open: say so, then back to the page.
    Expired,
    /// The person signed out: a plain sign-in page.
    SignedOut,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Session {
    pub(crate) state: RwSignal<SessionState>,
}

impl Session {
    /// Loads who is signed in.
    pub(crate) fn provide() -> Self {
        let session = Self::provide_with(SessionState::Loading);
        leptos::task::spawn_local(async move {
            let state = match Api::same_origin().me().await {
                Ok(me) => SessionState::SignedIn(me),
                // Unreachable or not signed in: sign-in says which when it is tried.
                Err(_) => SessionState::SignedOut(SignedOutBecause::NotSignedIn),
            };
            session.state.set(state);
        });
        session
    }

    /// Starts from `state`, already known (the deferred pages get it from the panel).
    pub(crate) fn provide_with(state: SessionState) -> Self {
        let session = Self {
            state: RwSignal::new(state),
        };
        provide_context(session);
        api::on_unauthenticated(move || {
            if matches!(session.state.get_untracked(), SessionState::SignedIn(_)) {
                session
                    .state
                    .set(SessionState::SignedOut(SignedOutBecause::Expired));
            }
        });
        session
    }

    pub(crate) fn expect() -> Self {
        expect_context()
    }

    pub(crate) fn user(self) -> Option<MeResponse> {
        match self.state.get() {
            SessionState::SignedIn(me) => Some(me),
            _ => None,
        }
    }

    pub(crate) fn signed_in(self, me: MeResponse) {
        self.state.set(SessionState::SignedIn(me));
    }
}

/// `/login?next=/t/contoso/operations` (and `&expired=1` when the session ended).
pub(crate) fn login_url(next: &str, expired: bool) -> String {
    let next = js_sys::encode_uri_component(next);
    let expired = if expired { "&expired=1" } else { "" };
    format!("/login?next={next}{expired}")
}

/// Renders `children` with the signed-in person; sends anyone else to sign-in, remembering
/// where they were.
#[component]
pub(crate) fn RequireSession(children: ChildrenFn) -> impl IntoView {
    let session = Session::expect();
    let router = Router::expect();
    // Only the phase matters here; a refreshed `me` must not rebuild the page.
    let phase = Memo::new(move |_| match session.state.get() {
        SessionState::Loading => None,
        SessionState::SignedOut(because) => Some(Some(because)),
        SessionState::SignedIn(_) => Some(None),
    });
    move || match phase.get() {
        None => view! { <div class="page-loading" data-test="loading" aria-busy="true"></div> }
            .into_any(),
        Some(Some(SignedOutBecause::SignedOut)) => view! { <Redirect to="/login" /> }.into_any(),
        Some(Some(because)) => {
            let expired = because == SignedOutBecause::Expired;
            let here = router.here();
            view! { <Redirect to=login_url(&here, expired) /> }.into_any()
        }
        Some(None) => children().into_any(),
    }
}
