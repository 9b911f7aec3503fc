//! What a person picked in a list: ids, kept while more pages load or rows are read again, so
//! a pick on the first page still counts after `Load more`.

use std::collections::BTreeSet;

use leptos::prelude::*;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Picks(pub(super) RwSignal<BTreeSet<String>>);

impl Picks {
    pub(crate) fn new() -> Self {
        Self(RwSignal::new(BTreeSet::new()))
    }

    pub(crate) fn count(self) -> usize {
        self.0.with(BTreeSet::len)
    }

    pub(crate) fn count_untracked(self) -> usize {
        self.0.with_untracked(BTreeSet::len)
    }

    pub(crate) fn contains(self, id: &str) -> bool {
        self.0.with(|p| p.contains(id))
    }

    fn toggle(self, id: &str) {
        self.0.update(|p| {
            if !p.remove(id) {
                p.insert(id.to_owned());
            }
        });
    }

    /// The picked ids, sorted (as the operation's parameters want them).
    pub(crate) fn ids(self) -> Vec<String> {
        self.0.with_untracked(|p| p.iter().cloned().collect())
    }

    pub(crate) fn clear(self) {
        self.0.set(BTreeSet::new());
    }
}

/// A row's checkbox, named `Select {label}`; its label is the 44-px target a finger hits.
/// `named` shows `label` beside the box (a list of names rather than a table's row).
#[component]
pub(crate) fn PickBox(
    picks: Picks,
    #[prop(into)] id: String,
    label: String,
    #[prop(optional)] named: bool,
) -> impl IntoView {
    let checked = {
        let id = id.clone();
        move || picks.contains(&id)
    };
    let (name, text) = if named {
        (None, Some(label))
    } else {
        (Some(format!("Select {label}")), None)
    };
    view! {
        <label class="pick-target">
            <input type="checkbox" aria-label=name prop:checked=checked
                on:change=move |_| picks.toggle(&id) />
            {text}
        </label>
    }
}

/// "Select all listed": picks (or, when all are picked, unpicks) every row shown, `shown`
/// being their ids.
#[component]
pub(crate) fn PickAll(picks: Picks, shown: Signal<Vec<String>>) -> impl IntoView {
    let all = move || {
        shown.with(|ids| !ids.is_empty() && picks.0.with(|p| ids.iter().all(|id| p.contains(id))))
    };
    let toggle = move |_| {
        let select = !all();
        shown.with_untracked(|ids| {
            picks.0.update(|p| {
                for id in ids {
                    if select {
                        p.insert(id.clone());
                    } else {
                        p.remove(id);
                    }
                }
            });
        });
    };
    view! {
        <label class="pick-target">
            <input type="checkbox" aria-label="Select all listed" data-test="pick-page"
                prop:checked=all on:change=toggle />
        </label>
    }
}
