//! Toasts (R10): only the presenter's toast from a start answer — "… queued" or "… already
//! queued", its body and its `View run` action — never a completion. They stack newest on top
//! in a polite live region and leave after the presenter's `duration_ms`.

use std::time::Duration;

use leptos::prelude::*;
use opsux_core::presenter::{Toast, ToastKind};

#[derive(Debug, Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<(u64, Toast)>>,
    next: StoredValue<u64>,
    /// Where toasts go instead when another part of the page shows them.
    forward: Option<fn(&Toast)>,
}

impl Toasts {
    /// Creates the page's toasts and makes them available to every view below.
    pub fn provide() -> Self {
        Self::provide_with(None)
    }

    /// Toasts that `forward` hands on to whoever shows them (the deferred pages, whose toasts
    /// the panel shows in its own region).
    pub fn forwarding(forward: fn(&Toast)) -> Self {
        Self::provide_with(Some(forward))
    }

    fn provide_with(forward: Option<fn(&Toast)>) -> Self {
        let toasts = Self {
            items: RwSignal::new(Vec::new()),
            next: StoredValue::new(0),
            forward,
        };
        provide_context(toasts);
        toasts
    }

    pub fn expect() -> Self {
        expect_context()
    }

    pub fn show(self, toast: Toast) {
        if let Some(forward) = self.forward {
            forward(&toast);
            return;
        }
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        let duration = Duration::from_millis(u64::from(toast.duration_ms));
        self.items.update(|items| items.insert(0, (id, toast)));
        set_timeout(move || self.dismiss(id), duration);
    }

    pub fn dismiss(self, id: u64) {
        let _ = self
            .items
            .try_update(|items| items.retain(|(other, _)| *other != id));
    }
}

#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = Toasts::expect();
    view! {
        <div class="toasts" role="status" aria-live="polite" data-test="toasts">
            <For each=move || toasts.items.get() key=|(id, _)| *id let((id, toast))>
                <div
                    class="toast"
                    data-test="toast"
                    data-kind=match toast.kind {
                        ToastKind::Queued => "queued",
                        ToastKind::AlreadyQueued => "already_queued",
                    }
                >
                    <div class="toast-text">
                        <p class="toast-title">{toast.title}</p>
                        <p class="toast-body">{toast.body}</p>
                    </div>
                    <div class="toast-actions">
                        <a class="button button-small" href=toast.action.url on:click=move |_| toasts.dismiss(id)>
                            {toast.action.label}
                        </a>
                        <button type="button" class="icon-button" aria-label="Dismiss" on:click=move |_| toasts.dismiss(id)>
                            "×"
                        </button>
                    </div>
                </div>
            </For>
        </div>
    }
}
