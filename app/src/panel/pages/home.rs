//! `/`: the first tenant's overview; a person with no tenant is told so.

use leptos::prelude::*;
use opsux_core::presenter::overview_url;

use crate::panel::router::Redirect;
use crate::panel::session::{RequireSession, Session};
use crate::panel::shell::Shell;
use crate::panel::title::set_title;

#[component]
pub(crate) fn HomePage() -> impl IntoView {
    set_title("Home");
    let session = Session::expect();
    view! {
        <RequireSession>
            {move || match session.user().and_then(|me| me.tenants.first().cloned()) {
                Some(first) => view! { <Redirect to=overview_url(&first.slug) /> }.into_any(),
                None => view! {
                    <Shell tenant=None feed=None>
                        <div class="page-head">
                            <h1>"No tenants yet"</h1>
                            <p class="muted">"You are not a member of any tenant. Ask a tenant's owner to add you."</p>
                        </div>
                    </Shell>
                }
                    .into_any(),
            }}
        </RequireSession>
    }
}
