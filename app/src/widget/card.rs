//! The widget's card, drawn straight with web-sys: the same markup and classes as the panel's
//! `ActiveOpsList` (shared stylesheet, same roles and names), updated in place — a run's row
//! keeps its link, so focus stays where a person put it while progress moves.

use std::collections::BTreeMap;

use opsux_core::badge::run_badge;
use opsux_core::live::ActiveRunSet;
use opsux_core::presenter::view_run_url;
use opsux_core::wire::RunSummary;
use opsux_core::{Progress, RunId};
use time::OffsetDateTime;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

use crate::ids::unique_id;
use crate::live::{StreamState, empty_text, notice_text};

pub(super) struct Card {
    document: Document,
    /// Prefixed to Run Detail links: the opsux server's origin.
    link_base: String,
    count: Element,
    notice: Element,
    empty: Element,
    list: Element,
    rows: BTreeMap<RunId, Row>,
}

/// One run's row: the parts that change.
struct Row {
    item: Element,
    badge: Element,
    progress: Option<Element>,
    note: Option<Element>,
}

fn element(document: &Document, tag: &str, class: &str) -> Element {
    // Creating an element by a fixed, valid tag name does not fail.
    let element = document.create_element(tag).expect("a valid tag name");
    element.set_class_name(class);
    element
}

fn set(element: &Element, name: &str, value: &str) {
    let _ = element.set_attribute(name, value);
}

impl Card {
    /// Draws the empty card into `container`.
    pub(super) fn new(container: &Element, tenant: &str, link_base: String) -> Self {
        let document = container
            .owner_document()
            .expect("an element in a document");
        let card = element(&document, "div", "opsux-card");
        set(&card, "data-tenant", tenant);
        let section = element(&document, "section", "opsux-ops");
        let heading_id = format!("opsux-active-{}", unique_id());
        set(&section, "role", "region");
        set(&section, "aria-labelledby", &heading_id);
        set(&section, "data-test", "active-ops");
        let head = element(&document, "header", "opsux-ops-head");
        let title = element(&document, "h2", "opsux-ops-title");
        title.set_id(&heading_id);
        title.set_text_content(Some("Active operations"));
        let count = element(&document, "span", "opsux-ops-count");
        set(&count, "data-test", "active-ops-count");
        let notice = element(&document, "p", "opsux-ops-notice");
        set(&notice, "role", "status");
        set(&notice, "data-test", "active-ops-notice");
        let empty = element(&document, "p", "opsux-ops-empty");
        set(&empty, "data-test", "active-ops-empty");
        let list = element(&document, "ul", "opsux-ops-list");
        let _ = head.append_child(&title);
        let _ = head.append_child(&count);
        for part in [&head, &notice, &empty, &list] {
            let _ = section.append_child(part);
        }
        let _ = card.append_child(&section);
        let _ = container.append_child(&card);
        let mut card = Self {
            document,
            link_base,
            count,
            notice,
            empty,
            list,
            rows: BTreeMap::new(),
        };
        card.show(
            &ActiveRunSet::new(),
            &StreamState::Connecting,
            OffsetDateTime::UNIX_EPOCH,
        );
        card
    }

    /// Shows `runs` as the stream in `state` vouches for them, progress told at `now`.
    pub(super) fn show(&mut self, runs: &ActiveRunSet, state: &StreamState, now: OffsetDateTime) {
        let runs = runs.runs();
        self.count.set_text_content(Some(&runs.len().to_string()));
        set(&self.count, "aria-label", &format!("{} active", runs.len()));
        let notice = notice_text(state);
        self.notice.set_text_content(notice.as_deref());
        set_hidden(&self.notice, notice.is_none());
        let empty = runs.is_empty().then(|| empty_text(state)).flatten();
        self.empty.set_text_content(empty);
        set_hidden(&self.empty, empty.is_none());
        set_hidden(&self.list, runs.is_empty());

        self.rows.retain(|id, row| {
            let kept = runs.iter().any(|run| run.id == *id);
            if !kept {
                row.item.remove();
            }
            kept
        });
        for run in &runs {
            if !self.rows.contains_key(&run.id) {
                let row = self.new_row(run);
                let _ = self.list.append_child(&row.item);
                self.rows.insert(run.id, row);
            }
            if let Some(row) = self.rows.get_mut(&run.id) {
                update_row(&self.document, row, run, now);
            }
        }
    }

    fn new_row(&self, run: &RunSummary) -> Row {
        let document = &self.document;
        let item = element(document, "li", "opsux-ops-item");
        set(&item, "data-test", "active-run");
        set(&item, "data-run-id", &run.id.to_string());
        let row = element(document, "div", "opsux-ops-row");
        let link = element(document, "a", "opsux-ops-link");
        set(
            &link,
            "href",
            &format!("{}{}", self.link_base, view_run_url(&run.tenant, run.id)),
        );
        link.set_text_content(Some(&run.label));
        let badge = element(document, "span", "badge");
        set(&badge, "data-test", "run-badge");
        let _ = row.append_child(&link);
        let _ = row.append_child(&badge);
        let _ = item.append_child(&row);
        Row {
            item,
            badge,
            progress: None,
            note: None,
        }
    }
}

fn set_hidden(element: &Element, hidden: bool) {
    if hidden {
        set(element, "hidden", "");
    } else {
        let _ = element.remove_attribute("hidden");
    }
}

/// The badge, the progress bar (R7: determinate only with a total and what was processed; the
/// contract's label beside it, never a percentage) and the cancel note of one run.
fn update_row(document: &Document, row: &mut Row, run: &RunSummary, now: OffsetDateTime) {
    let badge = run_badge(run.status, run.outcome);
    let live = if run.status.is_active() {
        " badge-live"
    } else {
        ""
    };
    row.badge
        .set_class_name(&format!("badge {}{live}", badge.tone.css_class()));
    set(&row.badge, "data-tone", badge.tone.as_str());
    set(&row.badge, "data-status", run.status.as_str());
    row.badge.set_text_content(Some(badge.label));

    if let Some(old) = row.progress.take() {
        old.remove();
    }
    if let Some(progress) = Progress::of(run, now) {
        let bar = element(document, "div", "progress");
        set(&bar, "data-test", "progress");
        let track = element(document, "div", "progress-track");
        set(&track, "role", "progressbar");
        set(&track, "aria-label", &format!("{} progress", run.label));
        let label = progress.label();
        set(&track, "aria-valuetext", &label);
        let fill = element(document, "div", "progress-fill");
        match progress {
            Progress::Determinate { percent, .. } => {
                set(&track, "aria-valuemin", "0");
                set(&track, "aria-valuemax", "100");
                set(&track, "aria-valuenow", &percent.to_string());
                // Through the CSSOM, not a `style` attribute: a host's strict CSP allows it.
                if let Some(fill) = fill.dyn_ref::<HtmlElement>() {
                    let _ = fill.style().set_property("width", &format!("{percent}%"));
                }
            }
            Progress::Indeterminate { .. } => track.set_class_name("progress-track indeterminate"),
        }
        let text = element(document, "span", "progress-label");
        set(&text, "data-test", "progress-label");
        text.set_text_content(Some(&label));
        let _ = track.append_child(&fill);
        let _ = bar.append_child(&track);
        let _ = bar.append_child(&text);
        let _ = row.item.append_child(&bar);
        row.progress = Some(bar);
    }

    if let Some(old) = row.note.take() {
        old.remove();
    }
    if run.cancel_requested {
        let note = element(document, "p", "opsux-ops-note");
        note.set_text_content(Some("Cancel requested"));
        let _ = row.item.append_child(&note);
        row.note = Some(note);
    }
}
