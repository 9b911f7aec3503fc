//! The panel: sign-in, the shell, and the pages of a tenant. URL scheme `/t/{tenant}/…`, with
//! Run Detail at the contract's canonical link (R13).

mod confirm;
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
use pages::{
    AccountPage, CatalogPage, HomePage, InvitationPage, LoginPage, NotFoundPage, WorkspacePage,
};
use router::{PanelPage, Router};
use session::Session;
use shell::TenantLayout;

pub use session::{SessionState, SignedOutBecause};

/// Mounts the panel on the page's body.
pub fn mount() {
    mount_to_body(Panel);
}

#[component]
fn Panel() -> impl IntoView {
    let session = Session::provide();
    let router = Router::provide();
    Toasts::provide();
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
            Frame::Page(PanelPage::Catalog) => view! { <CatalogPage /> }.into_any(),
            Frame::Page(PanelPage::Account) => view! { <AccountPage /> }.into_any(),
            Frame::Page(PanelPage::Workspace) => view! { <WorkspacePage /> }.into_any(),
            Frame::Page(PanelPage::Invitation(token)) => view! { <InvitationPage token /> }.into_any(),
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
