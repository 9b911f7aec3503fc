//! A step that asks before doing something that cannot be taken back: a button opens a modal
//! dialog (focus trapped, Escape closes) that says what will happen; `yes` runs the action,
//! whose failure is shown in the dialog and whose success closes it.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::prelude::*;

/// What a confirmed action does: `Ok` closes the dialog, `Err` says why it did not happen.
pub(crate) type Action = Pin<Box<dyn Future<Output = Result<(), String>>>>;

/// How the opening button looks and is found.
#[derive(Debug, Clone)]
pub(crate) struct Opener {
    pub(crate) label: &'static str,
    /// Its accessible name when the label alone is not enough (one button per row).
    pub(crate) name: Option<String>,
    pub(crate) class: &'static str,
    pub(crate) test: &'static str,
}

/// The wording of the dialog: its title, the two answers, and whether `yes` destroys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Question {
    pub(crate) title: Signal<String>,
    pub(crate) no: &'static str,
    pub(crate) yes: Signal<String>,
    pub(crate) danger: bool,
}

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

#[component]
pub(crate) fn Confirm(
    opener: Opener,
    question: Question,
    #[prop(optional, into)] disabled: Signal<bool>,
    /// Room for a snapshot to read.
    #[prop(optional)]
    wide: bool,
    /// Also sets the dialog's `data-test`.
    dialog_test: &'static str,
    act: impl Fn() -> Action + 'static,
    /// What the dialog says will happen.
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let title_id = format!("confirm-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let open = move |_| {
        error.set(None);
        if let Some(dialog) = dialog.get_untracked() {
            let _ = dialog.show_modal();
        }
    };
    let close = move || {
        if let Some(dialog) = dialog.try_get_untracked().flatten() {
            dialog.close();
        }
    };
    let confirm = move |_| {
        busy.set(true);
        error.set(None);
        let action = act();
        leptos::task::spawn_local(async move {
            match action.await {
                Ok(()) => close(),
                Err(message) => {
                    error.try_set(Some(message));
                }
            }
            busy.try_set(false);
        });
    };
    let Question {
        title,
        no,
        yes,
        danger,
    } = question;
    view! {
        <button type="button" class=opener.class on:click=open disabled=move || disabled.get()
            aria-label=opener.name data-test=opener.test>
            {opener.label}
        </button>
        <dialog node_ref=dialog class=if wide { "dialog dialog-wide" } else { "dialog" } aria-labelledby=title_id.clone() data-test=dialog_test>
            <h2 id=title_id.clone()>{move || title.get()}</h2>
            {children()}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| close() autofocus=true>{no}</button>
                <button type="button" class=if danger { "button button-danger" } else { "button button-primary" }
                    on:click=confirm disabled=move || busy.get()>
                    {move || yes.get()}
                </button>
            </div>
        </dialog>
    }
}
