//! The deferred bundle's side: the pages it renders into the panel's host element, with the
//! session, location and toasts the panel shares with it.

use std::any::Any;
use std::cell::RefCell;

use leptos::prelude::*;
use opsux_core::TenantSlug;
use opsux_core::presenter::TenantPage;
use web_sys::HtmlElement;

use super::bridge::{Side, decode_state, send_toast, share_session};
use crate::api::Api;
use crate::components::toasts::Toasts;
use crate::live::ActiveFeed;
use crate::panel::pages::{
    AccountPage, AuditLogPage, BackupSetPage, BackupsPage, CatalogPage, GroupsPage, InvitationPage,
    MembersPage, PoliciesPage, PolicyPage, RestoreRunsPage, WebhooksPage, WorkspacePage,
};
use crate::panel::router::{PanelPage, Router};
use crate::panel::session::{Session, SessionState};
use crate::panel::shell::TenantScope;

thread_local! {
    /// What is mounted now; dropping it takes the page down and disposes its reactive state.
    static MOUNTED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Renders the current page into `host`, starting from the panel's `session` (JSON).
pub fn mount(host: HtmlElement, session: &str) {
    unmount();
    let state = decode_state(session).unwrap_or(SessionState::Loading);
    let _ = host.set_attribute("aria-busy", "false");
    let handle = mount_to(host, move || view! { <DeferredRoot state /> });
    MOUNTED.with(|mounted| *mounted.borrow_mut() = Some(Box::new(handle)));
}

/// Takes the page down (the panel moved to one of its own).
pub fn unmount() {
    let handle = MOUNTED.with(|mounted| mounted.borrow_mut().take());
    drop(handle);
}

#[component]
fn DeferredRoot(state: SessionState) -> impl IntoView {
    let session = Session::provide_with(state);
    share_session(session, Side::Deferred);
    let router = Router::provide_following_history();
    Toasts::forwarding(send_toast);
    let page = Memo::new(move |_| PanelPage::of(&router.path()));
    move || match page.get() {
        PanelPage::Catalog => view! { <CatalogPage /> }.into_any(),
        PanelPage::Account => view! { <AccountPage /> }.into_any(),
        PanelPage::Workspace => view! { <WorkspacePage /> }.into_any(),
        PanelPage::Invitation(token) => view! { <InvitationPage token /> }.into_any(),
        PanelPage::Tenant(slug, page) => view! { <TenantPages slug page /> }.into_any(),
        // The panel's own pages: it takes this bundle down as it shows them.
        _ => ().into_any(),
    }
}

/// A tenant's deferred pages, with the member's access and the tenant's live runs as the
/// panel's tenant pages have them (the panel shows the not-found page to non-members before
/// this bundle is asked for anything).
#[component]
fn TenantPages(slug: TenantSlug, page: TenantPage) -> impl IntoView {
    let session = Session::expect();
    let access = session
        .user()
        .and_then(|me| me.tenants.into_iter().find(|t| t.slug == slug))?;
    let feed = ActiveFeed::connect(Api::same_origin(), &access.slug);
    provide_context(TenantScope { access, feed });
    Some(match page {
        TenantPage::Policies => view! { <PoliciesPage /> }.into_any(),
        TenantPage::Policy(id) => view! { <PolicyPage id /> }.into_any(),
        TenantPage::Groups => view! { <GroupsPage /> }.into_any(),
        TenantPage::Backups => view! { <BackupsPage /> }.into_any(),
        TenantPage::BackupSet(id) => view! { <BackupSetPage id /> }.into_any(),
        TenantPage::RestoreRuns => view! { <RestoreRunsPage /> }.into_any(),
        TenantPage::AuditLog => view! { <AuditLogPage /> }.into_any(),
        TenantPage::Members => view! { <MembersPage /> }.into_any(),
        TenantPage::Webhooks => view! { <WebhooksPage /> }.into_any(),
        _ => ().into_any(),
    })
}
