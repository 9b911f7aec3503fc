//! Ids unique within the page, for `aria-labelledby` when several lists share a page.

pub(crate) fn unique_id() -> u32 {
    thread_local!(static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
    NEXT.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    })
}
