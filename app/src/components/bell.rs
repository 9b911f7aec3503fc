//! The notification centre (R12): a bell with the unread count, a slide-over listing each
//! terminal notification with its title, body, time and `View run`; following it marks the
//! notification read; `Mark all read`. Live over the notifications stream.

use leptos::ev;
use leptos::prelude::*;
use opsux_core::wire::NotificationDto;

use super::RelativeTime;
use crate::api::Api;
use crate::live::{NotificationsFeed, now as clock_now, ticking_now};

#[component]
pub fn NotificationBell(feed: NotificationsFeed, api: Api) -> impl IntoView {
    let open = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let bell = NodeRef::<leptos::html::Button>::new();
    let heading = NodeRef::<leptos::html::H2>::new();
    let unread = move || feed.feed.with(|f| f.unread);
    let close = move || {
        open.set(false);
        if let Some(bell) = bell.try_get_untracked().flatten() {
            let _ = bell.focus();
        }
    };
    Effect::new(move |_| {
        if open.get()
            && let Some(heading) = heading.get()
        {
            let _ = heading.focus();
        }
    });
    let mark_all = {
        let api = api.clone();
        move |_| {
            let api = api.clone();
            leptos::task::spawn_local(async move {
                match api.mark_all_read().await {
                    Ok(()) => feed.feed.update(|f| {
                        f.apply(opsux_core::wire::NotificationsEvent::Read { unread: 0 });
                    }),
                    Err(err) => error.set(Some(err.describe())),
                }
            });
        }
    };
    // Escape closes the panel wherever focus is (a button that just disabled itself drops it).
    let on_key = window_event_listener(ev::keydown, move |event| {
        if event.key() == "Escape" && open.try_get_untracked() == Some(true) {
            close();
        }
    });
    on_cleanup(move || on_key.remove());
    view! {
        <div class="menu">
            <button
                type="button"
                class="header-button bell"
                node_ref=bell
                aria-expanded=move || open.get().to_string()
                aria-controls="notification-panel"
                data-test="bell"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M12 3a6 6 0 0 0-6 6v3.2L4.3 15.4A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.6L18 12.2V9a6 6 0 0 0-6-6Zm-2.5 15a2.5 2.5 0 0 0 5 0Z" />
                </svg>
                <span class="visually-hidden">"Notifications"</span>
                <span class="unread-badge" class:none=move || unread() == 0>
                    <span data-test="unread-count">{unread}</span>
                    <span class="visually-hidden">" unread"</span>
                </span>
            </button>
            <Show when=move || open.get()>
                <div class="scrim" on:click=move |_| close()></div>
                <section id="notification-panel" class="slideover" role="region" aria-labelledby="notification-heading" data-test="notification-panel">
                    <header class="slideover-head">
                        <h2 id="notification-heading" tabindex="-1" node_ref=heading>"Notifications"</h2>
                        <button type="button" class="button button-small" on:click=mark_all.clone()
                            disabled=move || unread() == 0 data-test="mark-all-read">
                            "Mark all read"
                        </button>
                        <button type="button" class="icon-button" aria-label="Close notifications" on:click=move |_| close()>
                            "×"
                        </button>
                    </header>
                    {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                    <NotificationList feed api=api.clone() on_follow=move || open.set(false) />
                </section>
            </Show>
        </div>
    }
}

#[component]
fn NotificationList(
    feed: NotificationsFeed,
    api: Api,
    on_follow: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let now_signal = ticking_now();
    let api = StoredValue::new(api);
    let items = move || feed.feed.with(|f| f.items.clone());
    view! {
        <Show
            when=move || feed.feed.with(|f| !f.items.is_empty())
            fallback=|| view! {
                <p class="empty" data-test="notifications-empty">
                    "No notifications yet. When an operation you started ends, it is reported here."
                </p>
            }
        >
            <ul class="notification-list">
                <For each=items key=|n| (n.id, n.read_at.is_some()) let(notification)>
                    <NotificationItem notification feed api=api.get_value() now=now_signal on_follow />
                </For>
            </ul>
        </Show>
    }
}

#[component]
fn NotificationItem(
    notification: NotificationDto,
    feed: NotificationsFeed,
    api: Api,
    now: ReadSignal<time::OffsetDateTime>,
    on_follow: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let unread = notification.read_at.is_none();
    let id = notification.id;
    let follow = move |_| {
        if unread {
            let api = api.clone();
            leptos::task::spawn_local(async move {
                if api.mark_read(id).await.is_ok() {
                    feed.feed.update(|f| f.mark_read(id, clock_now()));
                }
            });
        }
        on_follow();
    };
    view! {
        <li class="notification" class:is-unread=unread data-test="notification" data-unread=unread.to_string()
            data-outcome=notification.outcome.as_str()>
            <span class="dot" aria-hidden="true"></span>
            <div class="notification-text">
                <p class="notification-title">
                    {notification.title}
                    {unread.then(|| view! { <span class="visually-hidden">" (unread)"</span> })}
                </p>
                <p class="notification-body">{notification.body}</p>
                <p class="notification-meta">
                    <RelativeTime at=notification.created_at now=now />
                    " · "
                    {notification.tenant.to_string()}
                </p>
            </div>
            <a class="button button-small" href=notification.action.url on:click=follow>
                {notification.action.label}
            </a>
        </li>
    }
}
