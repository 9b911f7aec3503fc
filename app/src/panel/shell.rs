//! One layout for every signed-in page (UI.md): the header with the product, the tenant
//! switcher, navigation, the active-operations widget, the bell and the user menu; then the
//! page in a content column.

use leptos::prelude::*;
use opsux_core::TenantSlug;
use opsux_core::presenter::{
    TenantPage, audit_log_url, backups_url, groups_url, members_url, operations_url, overview_url,
    policies_url, restore_runs_url, webhooks_url,
};
use opsux_core::wire::TenantAccessDto;

use super::CurrentNotifications;
use super::deferred::Deferred;
use super::pages::{NotFound, NotFoundPage, OperationsPage, OverviewPage, RunDetailPage};
use super::router::{NavLink, PanelPage, Router};
use super::session::{RequireSession, Session, SessionState, SignedOutBecause};
use crate::api::Api;
use crate::components::ActiveOpsMenu;
use crate::components::bell::NotificationBell;
use crate::live::ActiveFeed;

/// What the pages of one tenant share: the member's access and the tenant's live runs.
#[derive(Debug, Clone)]
pub(crate) struct TenantScope {
    pub(crate) access: TenantAccessDto,
    pub(crate) feed: ActiveFeed,
}

impl TenantScope {
    pub(crate) fn expect() -> Self {
        expect_context()
    }
}

/// `/t/{tenant}/…`: a tenant the person is not a member of shows the same not-found page as a
/// tenant that does not exist, or any unknown page (R16).
#[component]
pub(crate) fn TenantLayout(slug: TenantSlug, page: Memo<PanelPage>) -> impl IntoView {
    let session = Session::expect();
    let access = Memo::new(move |_| {
        session
            .user()
            .and_then(|me| me.tenants.into_iter().find(|t| t.slug == slug))
    });
    view! {
        <RequireSession>
            {move || match access.get() {
                None => view! { <NotFoundPage /> }.into_any(),
                Some(access) => {
                    // Rebuilt only when the tenant changes: the widget's stream stays open
                    // while the person moves between this tenant's pages.
                    let feed = ActiveFeed::connect(Api::same_origin(), &access.slug);
                    provide_context(TenantScope { access: access.clone(), feed });
                    view! {
                        <Shell tenant=Some(access) feed=Some(feed)>
                            {move || match page.get() {
                                PanelPage::Tenant(_, TenantPage::Overview) => view! { <OverviewPage /> }.into_any(),
                                PanelPage::Tenant(_, TenantPage::Operations) => view! { <OperationsPage /> }.into_any(),
                                PanelPage::Tenant(_, TenantPage::Run(id)) => view! { <RunDetailPage id /> }.into_any(),
                                // Every other page loads on demand (`deferred`).
                                PanelPage::Tenant(
                                    _,
                                    TenantPage::Policies
                                    | TenantPage::Policy(_)
                                    | TenantPage::Groups
                                    | TenantPage::Backups
                                    | TenantPage::BackupSet(_)
                                    | TenantPage::RestoreRuns
                                    | TenantPage::AuditLog
                                    | TenantPage::Members
                                    | TenantPage::Webhooks,
                                ) => view! { <Deferred /> }.into_any(),
                                _ => view! { <NotFound /> }.into_any(),
                            }}
                        </Shell>
                    }
                        .into_any()
                }
            }}
        </RequireSession>
    }
}

/// The frame of a signed-in page. Without a tenant (home, not found) the tenant parts are left
/// out.
#[expect(
    clippy::needless_pass_by_value,
    reason = "component props are owned values in Leptos"
)]
#[component]
pub(crate) fn Shell(
    tenant: Option<TenantAccessDto>,
    feed: Option<ActiveFeed>,
    children: Children,
) -> impl IntoView {
    let session = Session::expect();
    let me = session.user();
    let current = tenant.clone();
    let notifications = expect_context::<CurrentNotifications>().0;
    let nav = tenant.as_ref().map(|t| {
        view! {
            <nav class="nav" aria-label="Main">
                <NavLink href=overview_url(&t.slug) exact=true>"Overview"</NavLink>
                <NavLink href=operations_url(&t.slug)>"Operations"</NavLink>
                <NavLink href=policies_url(&t.slug)>"Policies"</NavLink>
                <NavLink href=groups_url(&t.slug)>"Groups"</NavLink>
                <NavLink href=backups_url(&t.slug)>"Backups"</NavLink>
                <NavLink href=restore_runs_url(&t.slug)>"Restores"</NavLink>
                <NavLink href=members_url(&t.slug)>"Members"</NavLink>
                <NavLink href=webhooks_url(&t.slug)>"Webhooks"</NavLink>
                {(t.role == opsux_core::Role::Owner).then(|| view! { <NavLink href=audit_log_url(&t.slug)>"Audit log"</NavLink> })}
            </nav>
        }
    });
    view! {
        <div class="app">
            <header class="topbar">
                <div class="topbar-inner">
                    <a class="brand" href="/">"opsux"</a>
                    {me.as_ref().and_then(|me| me.workspace.as_ref()).map(|w| view! {
                        <span class="workspace-name" title="Workspace" data-test="workspace-name">{w.name.clone()}</span>
                    })}
                    // Follows the session: a tenant added on the Workspace page appears at once.
                    {move || session.user().filter(|me| !me.tenants.is_empty()).map(|me| view! { <TenantSwitcher tenants=me.tenants current=current.clone() /> })}
                    {nav}
                    <div class="topbar-end">
                        {feed.map(|feed| view! { <ActiveOpsMenu feed /> })}
                        {move || notifications.get().map(|feed| view! { <NotificationBell feed api=Api::same_origin() /> })}
                        {me.as_ref().and_then(|me| me.workspace.as_ref()).filter(|w| w.is_owner).map(|_| view! {
                            <a class="header-link" href="/workspace" data-test="workspace-link">"Workspace"</a>
                        })}
                        {me.map(|me| view! { <UserMenu name=me.user.display_name email=me.user.email /> })}
                    </div>
                </div>
            </header>
            <main class="page" id="main">{children()}</main>
        </div>
    }
}

/// Only the person's own tenants. Switching keeps the section (Overview or Operations).
#[component]
fn TenantSwitcher(
    tenants: Vec<TenantAccessDto>,
    current: Option<TenantAccessDto>,
) -> impl IntoView {
    let router = Router::expect();
    let current_slug = current.map(|t| t.slug.to_string()).unwrap_or_default();
    let on_change = move |event: leptos::ev::Event| {
        let slug = event_target_value(&event);
        let section = match PanelPage::of(&router.path()) {
            PanelPage::Tenant(_, TenantPage::Operations | TenantPage::Run(_)) => operations_url,
            PanelPage::Tenant(_, TenantPage::Policies | TenantPage::Policy(_)) => policies_url,
            PanelPage::Tenant(_, TenantPage::Groups) => groups_url,
            PanelPage::Tenant(_, TenantPage::Backups | TenantPage::BackupSet(_)) => backups_url,
            PanelPage::Tenant(_, TenantPage::RestoreRuns) => restore_runs_url,
            PanelPage::Tenant(_, TenantPage::AuditLog) => audit_log_url,
            PanelPage::Tenant(_, TenantPage::Members) => members_url,
            PanelPage::Tenant(_, TenantPage::Webhooks) => webhooks_url,
            _ => overview_url,
        };
        let target = match TenantSlug::parse(&slug) {
            Ok(slug) => section(&slug),
            Err(_) => "/".to_owned(),
        };
        router.navigate(&target);
    };
    view! {
        <label class="tenant-switcher">
            <span class="visually-hidden">"Tenant"</span>
            <select on:change=on_change data-test="tenant-switcher">
                {current_slug.is_empty().then(|| view! { <option value="" selected=true>"Choose a tenant"</option> })}
                {tenants
                    .into_iter()
                    .map(|t| {
                        let selected = t.slug.as_str() == current_slug;
                        view! { <option value=t.slug.to_string() selected=selected>{t.name}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn UserMenu(name: String, email: String) -> impl IntoView {
    let session = Session::expect();
    let router = Router::expect();
    let busy = RwSignal::new(false);
    let sign_out = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            // Whatever the server answers, this page forgets the session.
            let _ = Api::same_origin().logout().await;
            session
                .state
                .set(SessionState::SignedOut(SignedOutBecause::SignedOut));
            router.navigate("/login");
        });
    };
    let initials: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect();
    view! {
        <div class="user">
            <span class="avatar" aria-hidden="true">{initials}</span>
            <a class="user-name" href="/account" title=format!("{email} · your account") data-test="user-name">{name}</a>
            <button type="button" class="button button-quiet" on:click=sign_out disabled=move || busy.get()>
                "Sign out"
            </button>
        </div>
    }
}
