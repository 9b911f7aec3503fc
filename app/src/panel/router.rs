//! Client-side navigation for the panel: the current path and query as signals, links within
//! the panel followed without a reload, the back button honoured. Which page a path shows is
//! decided by [`PanelPage::of`], whose tenant pages are the contract's own link parser
//! (`presenter::tenant_page`), so every link the presenter builds leads where it says.
//!
//! Hand-written rather than `leptos_router`: that crate parses URLs with the `url` crate, whose
//! internationalized-domain tables alone outweigh this whole module many times over in the
//! bundle, and the panel has five kinds of page.

use leptos::ev;
use leptos::prelude::*;
use opsux_core::TenantSlug;
use opsux_core::presenter::{TenantPage, tenant_page};
use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, MouseEvent, UrlSearchParams};

/// The page a path shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PanelPage {
    Home,
    Login,
    Catalog,
    /// `/account`: the person's own password and sessions.
    Account,
    /// `/workspace`: the workspace's tenants and owners (its owners only).
    Workspace,
    /// `/invite/{token}`: an invitation link.
    Invitation(String),
    Tenant(TenantSlug, TenantPage),
    NotFound,
}

impl PanelPage {
    pub(crate) fn of(path: &str) -> Self {
        match path {
            "/" | "" => Self::Home,
            "/login" => Self::Login,
            "/catalog" => Self::Catalog,
            "/account" => Self::Account,
            "/workspace" => Self::Workspace,
            _ => {
                if let Some(token) = path.strip_prefix("/invite/")
                    && !token.is_empty()
                    && token.bytes().all(|b| b.is_ascii_alphanumeric())
                {
                    return Self::Invitation(token.to_owned());
                }
                tenant_page(path).map_or(Self::NotFound, |(t, p)| Self::Tenant(t, p))
            }
        }
    }
}

/// The current location, shared by the panel's views.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Router {
    path: RwSignal<String>,
    /// The query string without its `?`.
    search: RwSignal<String>,
}

impl Router {
    /// Reads the location and starts following links and the back button.
    pub(crate) fn provide() -> Self {
        let router = Self::provide_following_history();
        let _ = window_event_listener(ev::click, move |event| router.follow(&event));
        router
    }

    /// Reads the location and follows every change of it — the back button, and the moves of
    /// the other bundle's router — but leaves clicks on links to the panel's, which sees every
    /// click on the page (the deferred pages).
    pub(crate) fn provide_following_history() -> Self {
        let (path, search) = current();
        let router = Self {
            path: RwSignal::new(path),
            search: RwSignal::new(search),
        };
        let listener = window_event_listener(ev::popstate, move |_| router.sync());
        on_cleanup(move || listener.remove());
        provide_context(router);
        router
    }

    pub(crate) fn expect() -> Self {
        expect_context()
    }

    pub(crate) fn path(self) -> String {
        self.path.get()
    }

    pub(crate) fn path_untracked(self) -> String {
        self.path.get_untracked()
    }

    /// A query parameter, decoded.
    pub(crate) fn query(self, key: &str) -> Option<String> {
        let search = self.search.get();
        UrlSearchParams::new_with_str(&search).ok()?.get(key)
    }

    /// Path and query, as a `next` target.
    pub(crate) fn here(self) -> String {
        let (path, search) = (self.path.get_untracked(), self.search.get_untracked());
        if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        }
    }

    /// Goes to `to` (a path on this site), adding a history entry.
    pub(crate) fn navigate(self, to: &str) {
        self.go(to, false);
    }

    /// Goes to `to` in place of the current entry (redirects, filter changes).
    pub(crate) fn replace(self, to: &str) {
        self.go(to, true);
    }

    fn go(self, to: &str, replace: bool) {
        let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
            return;
        };
        let state = wasm_bindgen::JsValue::NULL;
        let _ = if replace {
            history.replace_state_with_url(&state, "", Some(to))
        } else {
            history.push_state_with_url(&state, "", Some(to))
        };
        self.sync();
        if let Some(window) = web_sys::window() {
            // Tells the other bundle's router (the deferred pages run their own) where the page
            // is now, as the browser tells both after the back button.
            if let Ok(event) = web_sys::PopStateEvent::new("popstate") {
                let _ = window.dispatch_event(&event);
            }
            if !replace {
                window.scroll_to_with_x_and_y(0.0, 0.0);
            }
        }
    }

    fn sync(self) {
        let (path, search) = current();
        if self.path.get_untracked() != path {
            self.path.set(path);
        }
        if self.search.get_untracked() != search {
            self.search.set(search);
        }
    }

    /// A plain click on a link to one of the panel's pages navigates in place; anything else
    /// (a new tab, a download, another site, the API) is left to the browser.
    fn follow(self, event: &MouseEvent) {
        if event.default_prevented()
            || event.button() != 0
            || event.meta_key()
            || event.ctrl_key()
            || event.shift_key()
            || event.alt_key()
        {
            return;
        }
        let Some(anchor) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
            .and_then(|a| a.dyn_into::<HtmlAnchorElement>().ok())
        else {
            return;
        };
        let same_origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .is_some_and(|origin| anchor.origin() == origin);
        let path = anchor.pathname();
        if !same_origin
            || anchor.has_attribute("download")
            || !anchor.target().is_empty()
            || path.starts_with("/api/")
            || path.starts_with("/widget/")
        {
            return;
        }
        event.prevent_default();
        self.navigate(&format!("{path}{}", anchor.search()));
    }
}

fn current() -> (String, String) {
    let location = web_sys::window().map(|w| w.location());
    let path = location
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_else(|| "/".to_owned());
    let search = location
        .and_then(|l| l.search().ok())
        .unwrap_or_default()
        .trim_start_matches('?')
        .to_owned();
    (path, search)
}

/// Sends the page elsewhere once it has rendered (rendering must not change the location it
/// is rendering from).
#[component]
pub(crate) fn Redirect(#[prop(into)] to: String) -> impl IntoView {
    let router = Router::expect();
    Effect::new(move |_| router.replace(&to));
}

/// A navigation link that marks itself `aria-current="page"` when it is where the reader is:
/// the exact path, or (unless `exact`) any page below it.
#[component]
pub(crate) fn NavLink(
    #[prop(into)] href: String,
    #[prop(optional)] exact: bool,
    children: Children,
) -> impl IntoView {
    let router = Router::expect();
    let target = href.clone();
    let current = Memo::new(move |_| {
        let path = router.path();
        let here = path == target || (!exact && path.starts_with(&format!("{target}/")));
        here.then_some("page")
    });
    // On a narrow screen the navigation scrolls sideways: keep the current page's link in view.
    let link = NodeRef::<leptos::html::A>::new();
    Effect::new(move |_| {
        if current.get().is_none() {
            return;
        }
        // After the browser has laid the link out (a fresh page has no positions yet).
        request_animation_frame(move || {
            let Some(link) = link.get_untracked() else {
                return;
            };
            if let Some(nav) = link
                .parent_element()
                .and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok())
            {
                nav.set_scroll_left(link.offset_left() - nav.offset_left() - 16);
            }
        });
    });
    view! { <a href=href aria-current=current node_ref=link>{children()}</a> }
}
