//! A list read a page at a time, to its end.

use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;

use crate::api::ApiError;

/// Where a list's reading stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Load {
    /// The first page is being read: nothing to show yet.
    Loading,
    Ready,
    /// The first page could not be read, said for a person.
    Failed(String),
}

type Reader = Rc<dyn Fn(Option<String>)>;

/// A list's state apart from its rows — all that [`ListFrame`](super::ListFrame) draws.
#[derive(Clone, Copy)]
pub(crate) struct ListState {
    load: RwSignal<Load>,
    /// The cursor of the next page; `None` once the list's end is shown.
    next: RwSignal<Option<String>>,
    /// A next page is being read.
    more: RwSignal<bool>,
    /// Why the last next page could not be read.
    more_failed: RwSignal<Option<String>>,
    /// How many rows are shown (the page may add rows of its own, as Operations does live).
    shown: Signal<usize>,
    reader: StoredValue<Option<Reader>, LocalStorage>,
    after_page: StoredValue<Option<Rc<dyn Fn()>>, LocalStorage>,
}

impl ListState {
    fn new(shown: Signal<usize>) -> Self {
        Self {
            load: RwSignal::new(Load::Loading),
            next: RwSignal::new(None),
            more: RwSignal::new(false),
            more_failed: RwSignal::new(None),
            shown,
            reader: StoredValue::new_local(None),
            after_page: StoredValue::new_local(None),
        }
    }

    pub(crate) fn load(self) -> Load {
        self.load.get()
    }

    pub(crate) fn is_ready(self) -> bool {
        self.load.with_untracked(|l| *l == Load::Ready)
    }

    /// Read and shown, and nothing in it.
    pub(crate) fn is_empty(self) -> bool {
        self.load.with(|l| *l == Load::Ready) && self.shown.get() == 0
    }

    pub(crate) fn has_more(self) -> bool {
        self.next.with(Option::is_some)
    }

    pub(crate) fn reading_more(self) -> bool {
        self.more.get()
    }

    pub(crate) fn more_failed(self) -> Option<String> {
        self.more_failed.get()
    }

    /// Reads the first page again, replacing the rows (a run that changes the list ended).
    pub(crate) fn reload(self) {
        self.read(None);
    }

    /// Reads the page after the last one shown.
    pub(crate) fn load_more(self) {
        if let Some(cursor) = self.next.get_untracked() {
            self.more.set(true);
            self.read(Some(cursor));
        }
    }

    fn read(self, cursor: Option<String>) {
        if let Some(Some(reader)) = self.reader.try_get_value() {
            reader(cursor);
        }
    }
}

/// The rows of a list read page by page, and its [`ListState`].
pub(crate) struct Paged<T: Send + Sync + 'static> {
    pub(crate) rows: RwSignal<Vec<T>>,
    pub(crate) state: ListState,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Paged<T> {
    /// Starts reading the first page with `fetch(cursor)`, which answers a page's rows and the
    /// next cursor. A row already shown (by `key`) is not added twice when a page is read
    /// again; a reload drops what earlier readings still in flight bring back.
    pub(crate) fn new<K, F, Fut>(key: fn(&T) -> K, fetch: F) -> Self
    where
        K: PartialEq + 'static,
        F: Fn(Option<String>) -> Fut + 'static,
        Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiError>> + 'static,
    {
        let rows = RwSignal::new(Vec::<T>::new());
        let state = ListState::new(Signal::derive(move || rows.with(Vec::len)));
        let reading = StoredValue::new(0_u32);
        let reader: Reader = Rc::new(move |cursor: Option<String>| {
            let first = cursor.is_none();
            if first {
                reading.update_value(|n| *n = n.wrapping_add(1));
                // The old cursor leads nowhere once the first page is read again: no `Load more`
                // until the new first page says where the next one starts.
                state.next.set(None);
                state.more.set(false);
            }
            state.more_failed.set(None);
            let this_reading = reading.get_value();
            let answer = fetch(cursor);
            leptos::task::spawn_local(async move {
                let answer = answer.await;
                // The person left the page, or a reload started since.
                if rows.is_disposed() || reading.try_get_value() != Some(this_reading) {
                    return;
                }
                match answer {
                    Ok((items, next)) => {
                        rows.update(|list| {
                            if first {
                                list.clear();
                            }
                            for item in items {
                                if !list.iter().any(|shown| key(shown) == key(&item)) {
                                    list.push(item);
                                }
                            }
                        });
                        state.next.set(next);
                        state.load.set(Load::Ready);
                        if let Some(Some(after)) = state.after_page.try_get_value() {
                            after();
                        }
                    }
                    // A first page that failed leaves nothing to show; a next page that failed
                    // leaves the rows shown, and live, with the reason beside `Load more`.
                    Err(err) if first => state.load.set(Load::Failed(err.describe())),
                    Err(err) => state.more_failed.set(Some(err.describe())),
                }
                state.more.set(false);
            });
        });
        state.reader.set_value(Some(reader));
        state.reload();
        Self { rows, state }
    }

    pub(crate) fn reload(self) {
        self.state.reload();
    }

    /// Runs `then` each time a page has been added to the rows.
    pub(crate) fn after_each_page(self, then: impl Fn() + 'static) -> Self {
        self.state.after_page.set_value(Some(Rc::new(then)));
        self
    }
}
