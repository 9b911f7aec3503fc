// R10, R12, R13: toast copy, notification copy and links come from the presenter.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use opsux_core::presenter::{
    self, ALREADY_QUEUED_TOAST_MS, Link, QUEUED_TOAST_MS, TenantPage, ToastKind, VIEW_RUN_LABEL,
};
use opsux_core::{OperationType, ReasonCode, RunOutcome, SummaryCounts, SummaryKey};

use crate::{contoso, run_id};

const RUN_URL: &str = "/t/contoso/operations/0192f1c4-7a1e-7cc3-9a6e-2f4c8d1b5e07";

#[test]
fn canonical_urls() {
    assert_eq!(presenter::view_run_url(&contoso(), run_id()), RUN_URL);
    assert_eq!(
        presenter::operations_url(&contoso()),
        "/t/contoso/operations"
    );
    assert_eq!(presenter::overview_url(&contoso()), "/t/contoso");
}

// R13: the dashboard routes by the inverse of the link builders, so every link it builds
// leads to the page it names, and nothing else parses as a tenant page.
#[test]
fn tenant_pages_are_read_back_from_their_links() {
    let t = contoso();
    let cases = [
        (presenter::overview_url(&t), Some(TenantPage::Overview)),
        (presenter::operations_url(&t), Some(TenantPage::Operations)),
        (
            presenter::view_run_url(&t, run_id()),
            Some(TenantPage::Run(run_id())),
        ),
        (format!("{RUN_URL}/"), Some(TenantPage::Run(run_id()))),
        ("/t/contoso/operations/not-a-run".to_owned(), None),
        (format!("{RUN_URL}/extra"), None),
        (presenter::policies_url(&t), Some(TenantPage::Policies)),
        (
            presenter::policy_url(&t, "01a2-policy_7"),
            Some(TenantPage::Policy("01a2-policy_7".to_owned())),
        ),
        ("/t/contoso/policies/<script>".to_owned(), None),
        ("/t/contoso/policies/a/versions".to_owned(), None),
        (presenter::groups_url(&t), Some(TenantPage::Groups)),
        ("/t/contoso/groups/x".to_owned(), None),
        (presenter::backups_url(&t), Some(TenantPage::Backups)),
        (
            presenter::backup_set_url(&t, "set-1"),
            Some(TenantPage::BackupSet("set-1".to_owned())),
        ),
        ("/t/contoso/backup-sets".to_owned(), None),
        (
            presenter::restore_runs_url(&t),
            Some(TenantPage::RestoreRuns),
        ),
        (presenter::audit_log_url(&t), Some(TenantPage::AuditLog)),
        (presenter::members_url(&t), Some(TenantPage::Members)),
        (presenter::webhooks_url(&t), Some(TenantPage::Webhooks)),
        ("/t/contoso/webhooks/x".to_owned(), None),
        ("/t/contoso/audit-log/1".to_owned(), None),
        ("/t/Not A Slug/operations".to_owned(), None),
        ("/t/".to_owned(), None),
        ("/login".to_owned(), None),
        ("/".to_owned(), None),
    ];
    for (path, expected) in cases {
        let read = presenter::tenant_page(&path);
        assert_eq!(
            read.as_ref().map(|(_, page)| page.clone()),
            expected,
            "{path}"
        );
        if let Some((tenant, _)) = read {
            assert_eq!(tenant, t, "{path}");
        }
    }
}

#[test]
fn queued_and_already_queued_toasts() {
    let queued = presenter::queued_toast("Inventory sync", &contoso(), run_id());
    assert_eq!(queued.kind, ToastKind::Queued);
    assert_eq!(queued.title, "Inventory sync queued");
    assert_eq!(queued.duration_ms, QUEUED_TOAST_MS);
    assert_eq!(
        queued.action,
        Link {
            label: VIEW_RUN_LABEL.to_owned(),
            url: RUN_URL.to_owned()
        }
    );

    let deduped = presenter::already_queued_toast("Policy export", &contoso(), run_id());
    assert_eq!(deduped.kind, ToastKind::AlreadyQueued);
    assert_eq!(deduped.title, "Policy export already queued");
    assert_eq!(deduped.duration_ms, ALREADY_QUEUED_TOAST_MS);
    assert_eq!(deduped.action.url, RUN_URL);
}

#[test]
fn toasts_never_speak_of_completion() {
    let registered: OperationType = "acme.invoice_export".parse().unwrap();
    for op in OperationType::ALL.into_iter().chain([registered]) {
        let label = presenter::run_label(op, Some("Invoice export"));
        for toast in [
            presenter::queued_toast(&label, &contoso(), run_id()),
            presenter::already_queued_toast(&label, &contoso(), run_id()),
        ] {
            let text = format!("{} {}", toast.title, toast.body).to_lowercase();
            for word in ["completed", "succeeded", "failed", "finished", "done"] {
                assert!(
                    !text.contains(word),
                    "{op}: toast {text:?} mentions {word:?}"
                );
            }
        }
    }
}

#[test]
fn notification_title_says_the_outcome_and_body_the_counts() {
    let counts = SummaryCounts::new()
        .with(SummaryKey::Failed, 2)
        .and_then(|c| c.with(SummaryKey::Total, 40))
        .and_then(|c| c.with(SummaryKey::Processed, 40))
        .and_then(|c| c.with(SummaryKey::Succeeded, 38))
        .unwrap();
    let cases = [
        (
            RunOutcome::Succeeded,
            None,
            "Inventory sync completed",
            "40 total, 40 processed, 38 succeeded, 2 failed.",
        ),
        (
            RunOutcome::PartiallySucceeded,
            Some(ReasonCode::ProviderThrottled),
            "Inventory sync completed with failures",
            "40 total, 40 processed, 38 succeeded, 2 failed. The tenant's service kept throttling requests.",
        ),
        (
            RunOutcome::Failed,
            Some(ReasonCode::CircuitBreakerOpen),
            "Inventory sync failed",
            "40 total, 40 processed, 38 succeeded, 2 failed. Stopped after repeated failures.",
        ),
        (
            RunOutcome::Cancelled,
            Some(ReasonCode::CancelledByUser),
            "Inventory sync cancelled",
            "40 total, 40 processed, 38 succeeded, 2 failed.",
        ),
    ];
    for (outcome, reason, title, body) in cases {
        let n = presenter::run_completed_notification(
            "Inventory sync",
            outcome,
            &counts,
            reason,
            &contoso(),
            run_id(),
        );
        assert_eq!(
            (n.title.as_str(), n.body.as_str()),
            (title, body),
            "{outcome}"
        );
        assert_eq!(n.action.url, RUN_URL);
        assert_eq!(n.action.label, VIEW_RUN_LABEL);
    }
}

#[test]
fn notification_without_counts() {
    let n = presenter::run_completed_notification(
        "Backup retention",
        RunOutcome::Succeeded,
        &SummaryCounts::new(),
        None,
        &contoso(),
        run_id(),
    );
    assert_eq!(n.title, "Backup retention completed");
    assert_eq!(n.body, "No items were reported.");
}

#[test]
fn a_runs_label_is_the_builtin_name_else_the_registered_one_else_its_key() {
    use presenter::run_label;
    let registered: OperationType = "acme.invoice_export".parse().unwrap();
    assert_eq!(
        run_label(OperationType::InventorySync, None),
        "Inventory sync"
    );
    assert_eq!(
        run_label(OperationType::InventorySync, Some("Not this")),
        "Inventory sync",
        "a built-in name cannot be replaced"
    );
    assert_eq!(
        run_label(registered, Some("Invoice export")),
        "Invoice export"
    );
    assert_eq!(run_label(registered, None), "acme.invoice_export");
}

#[test]
fn a_start_refused_at_a_cap_says_which_and_what_to_do() {
    use opsux_core::presenter::{ActiveRunCap, active_run_cap_message};
    let contoso = opsux_core::TenantSlug::parse("contoso").unwrap();
    assert_eq!(
        active_run_cap_message(ActiveRunCap::Person(1), &contoso),
        "you already have 1 queued or running operation, the most allowed per person; start \
         this one when some have ended"
    );
    assert_eq!(
        active_run_cap_message(ActiveRunCap::Tenant(100), &contoso),
        "contoso already has 100 queued or running operations, the most allowed per tenant; \
         start this one when some have ended"
    );
}

/// Sign-in and the OpenID Connect callback go on to `next` only when it stays in the panel.
#[test]
fn only_panel_paths_are_followed_after_sign_in() {
    for ok in [
        "/",
        "/t/contoso/operations",
        "/t/contoso/operations?status=running",
        "/invite/abc",
    ] {
        assert_eq!(presenter::safe_next(ok).as_deref(), Some(ok), "{ok}");
    }
    for refused in [
        "",
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "/ /x",
        "/api/logout",
        "/login?next=/t",
        "t/contoso",
    ] {
        assert_eq!(presenter::safe_next(refused), None, "{refused:?}");
    }
}
