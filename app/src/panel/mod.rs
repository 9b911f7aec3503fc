//! The panel: sign-in, the shell, and the pages of a tenant. URL scheme `/t/{tenant}/…`, with
//! Run Detail at the contract's canonical link (R13).

mod confirm;
pub mod deferred;
mod list;
mod pages;
mod router;
mod session;
mod shell;
mod start;
mod title;
mod words;

use leptos::prelude::*;

use crate::api::Api;
use crate::components::toasts::{ToastRegion, Toasts};
use crate::live::NotificationsFeed;
use deferred::{Deferred, Side};
use pages::{HomePage, LoginPage, NotFoundPage};
use router::{PanelPage, Router};
use session::{RequireSession, Session};
use shell::{Shell, TenantLayout};

pub use session::{SessionState, SignedOutBecause};

/// Mounts the panel on the page's body.
pub fn mount() {
    mount_to_body(Panel);
}

#[component]
fn Panel() -> impl IntoView {
    let session = Session::provide();
    deferred::share_session(session, Side::Panel);
    let router = Router::provide();
    let toasts = Toasts::provide();
    deferred::receive_toasts(move |toast| toasts.show(toast));
    let page = Memo::new(move |_| PanelPage::of(&router.path()));
    // Pages of one tenant share a frame and its live feed: the frame is rebuilt only when the
    // tenant changes, the page inside it when the page does.
    let frame = Memo::new(move |_| match page.get() {
        PanelPage::Tenant(tenant, _) => Frame::Tenant(tenant),
        other => Frame::Page(other),
    });
    view! {
        <SessionFeeds session />
        {move || match frame.get() {
            Frame::Tenant(slug) => view! { <TenantLayout slug page /> }.into_any(),
            Frame::Page(PanelPage::Home) => view! { <HomePage /> }.into_any(),
            Frame::Page(PanelPage::Login) => view! { <LoginPage /> }.into_any(),
            Frame::Page(PanelPage::Catalog | PanelPage::Invitation(_)) => view! { <Deferred /> }.into_any(),
            Frame::Page(PanelPage::Account | PanelPage::Workspace) => view! {
                <RequireSession>
                    <Shell tenant=None feed=None>
                        <Deferred />
                    </Shell>
                </RequireSession>
            }.into_any(),
            Frame::Page(_) => view! { <NotFoundPage /> }.into_any(),
        }}
        <ToastRegion />
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Frame {
    Tenant(opsux_core::TenantSlug),
    Page(PanelPage),
}

/// The one notifications stream of a signed-in person: opened at sign-in, closed at sign-out,
/// kept across pages. Views find it through the [`CurrentNotifications`] context.
#[component]
fn SessionFeeds(session: Session) -> impl IntoView {
    let current = CurrentNotifications(RwSignal::new(None));
    provide_context(current);
    let user = Memo::new(move |_| session.user().map(|me| me.user.id));
    move || {
        user.get().map(|_| {
            current
                .0
                .set(Some(NotificationsFeed::connect(Api::same_origin())));
            on_cleanup(move || current.0.set(None));
        })
    }
}

/// The signed-in person's notifications feed, while there is one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CurrentNotifications(pub(crate) RwSignal<Option<NotificationsFeed>>);
