// The wire shapes that integrators rely on: field names, tags, the error envelope.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use opsux_core::wire::{
    ActiveRunsEvent, Catalog, ErrorCode, ErrorEnvelope, RunSummary, StartResult, StartRunRequest,
};
use opsux_core::{OperationType, RunStatus, SummaryCounts};
use serde_json::json;
use time::macros::datetime;

use crate::{contoso, run_id};

#[test]
fn start_request_parses_and_rejects_unknown_fields() {
    let req: StartRunRequest =
        serde_json::from_value(json!({"type": "inventory_sync", "params": {"scope": "all"}}))
            .unwrap();
    assert_eq!(req.operation, OperationType::InventorySync);
    assert_eq!(req.params["scope"], "all");

    let without_params: StartRunRequest =
        serde_json::from_value(json!({"type": "entra_group_sync"})).unwrap();
    assert!(without_params.params.is_empty());

    let err = serde_json::from_value::<StartRunRequest>(json!({"type": "inventory_sync", "x": 1}))
        .unwrap_err();
    assert!(err.to_string().contains("unknown field `x`"), "{err}");
    let err = serde_json::from_value::<StartRunRequest>(json!({"type": "nope"})).unwrap_err();
    assert!(
        err.to_string().contains("unknown operation type \"nope\""),
        "{err}"
    );
}

#[test]
fn run_summary_round_trips_with_rfc3339_times() {
    let run = RunSummary {
        id: run_id(),
        label: "Inventory sync".to_owned(),
        tenant: contoso(),
        operation: OperationType::BackupRetention,
        status: RunStatus::Queued,
        outcome: None,
        initiator: None,
        created_at: datetime!(2026-11-27 10:00:00.5 UTC),
        started_at: None,
        completed_at: None,
        summary_counts: SummaryCounts::new(),
        cancel_requested: false,
        attempt: 0,
        version: 1,
        reason_code: None,
        message: None,
        view_run_url: "/t/contoso/operations/0192f1c4-7a1e-7cc3-9a6e-2f4c8d1b5e07".to_owned(),
    };
    let value = serde_json::to_value(&run).unwrap();
    assert_eq!(value["type"], "backup_retention");
    assert_eq!(value["status"], "queued");
    assert_eq!(value["created_at"], "2026-11-27T10:00:00.5Z");
    assert_eq!(value["started_at"], serde_json::Value::Null);
    let back: RunSummary = serde_json::from_value(value).unwrap();
    assert_eq!(back, run);

    let event = ActiveRunsEvent::Ended { run };
    let value = serde_json::to_value(&event).unwrap();
    assert_eq!(value["type"], "ended");
    assert_eq!(event.name(), "ended");
}

#[test]
fn error_envelope_shape_and_statuses() {
    let envelope = ErrorEnvelope::new(ErrorCode::NotFound, "no such run");
    assert_eq!(
        serde_json::to_value(&envelope).unwrap(),
        json!({"error": {"code": "not_found", "message": "no such run"}})
    );
    let statuses = [
        (ErrorCode::InvalidJson, 400),
        (ErrorCode::BadRequest, 400),
        (ErrorCode::Unauthenticated, 401),
        (ErrorCode::Forbidden, 403),
        (ErrorCode::NotFound, 404),
        (ErrorCode::MethodNotAllowed, 405),
        (ErrorCode::Conflict, 409),
        (ErrorCode::PayloadTooLarge, 413),
        (ErrorCode::UnsupportedMediaType, 415),
        (ErrorCode::ValidationFailed, 422),
        (ErrorCode::TooManyRequests, 429),
        (ErrorCode::RequestTimeout, 408),
        (ErrorCode::Unavailable, 503),
        (ErrorCode::Internal, 500),
    ];
    for (code, status) in statuses {
        assert_eq!(code.http_status(), status, "{code:?}");
    }
    assert_eq!(
        serde_json::to_value(StartResult::AlreadyQueued).unwrap(),
        "already_queued"
    );
}

#[test]
fn catalog_lists_the_whole_vocabulary() {
    let catalog = Catalog::current();
    assert_eq!(catalog.operation_types.len(), 13);
    assert_eq!(catalog.statuses.len(), 3);
    assert_eq!(catalog.outcomes.len(), 4);
    assert_eq!(catalog.summary_keys.len(), 8);
    assert_eq!(catalog.reason_codes.len(), 13);
    let value = serde_json::to_value(&catalog).unwrap();
    assert_eq!(
        value["outcomes"][1],
        json!({"value": "partially_succeeded", "label": "Partially succeeded", "tone": "warning"})
    );
    assert_eq!(
        value["operation_types"][0],
        json!({"id": "inventory_sync", "label": "Inventory sync", "bulk": false, "start_capability": "inventory.sync"})
    );
    let back: Catalog = serde_json::from_value(value).unwrap();
    assert_eq!(back, catalog);
}
