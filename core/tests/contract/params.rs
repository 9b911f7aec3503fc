// The parameters of each operation: checked before a run exists, every refusal naming its
// field, and one canonical form per meaning (R4's identity cannot be defeated by key order,
// repeats or stray keys).
use opsux_core::params::{MAX_BULK_IDS, MAX_PRUNE_DAYS};
use opsux_core::{OperationParams, OperationType, ParamsError};
use serde_json::{Map, Value, json};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn parse(op: OperationType, params: Value) -> Result<OperationParams, ParamsError> {
    OperationParams::parse(op, &object(params))
}

fn refused_field(op: OperationType, params: Value) -> String {
    parse(op, params).expect_err("refused").field
}

#[test]
fn every_operation_accepts_its_documented_parameters() {
    use OperationType as Op;
    let cases = [
        (Op::InventorySync, json!({})),
        (Op::EntraGroupSync, json!({})),
        (Op::BackupScheduleRun, json!({"schedule_id": "s1"})),
        (Op::BackupRetention, json!({"schedule_id": "s1"})),
        (
            Op::BackupSetAddPolicies,
            json!({"backup_set_id": "b1", "policy_ids": ["p1"]}),
        ),
        (
            Op::BackupSetRemovePolicies,
            json!({"backup_set_id": "b1", "policy_ids": ["p1"]}),
        ),
        (Op::PolicyExport, json!({"policy_ids": ["p1", "p2"]})),
        (Op::PolicyUnignore, json!({"policy_ids": ["p1"]})),
        (Op::PolicyVersionRestore, json!({"policy_version_id": "v1"})),
        (Op::RestoreExecute, json!({"restore_run_id": "r1"})),
        (Op::RestoreRunUnarchive, json!({"restore_run_ids": ["r1"]})),
        (
            Op::RestoreRunForceDelete,
            json!({"restore_run_ids": ["r1"]}),
        ),
        (Op::OperationsPrune, json!({"older_than_days": 90})),
    ];
    assert_eq!(cases.len(), OperationType::ALL.len());
    for (op, params) in cases {
        let parsed = parse(op, params.clone()).unwrap_or_else(|e| panic!("{op}: {e}"));
        assert_eq!(Value::Object(parsed.canonical()), params, "{op}");
        // What a page builds knows its operation, so the start request is made from it alone.
        assert_eq!(parsed.operation(), op);
    }
}

#[test]
fn each_refusal_names_its_field() {
    use OperationType as Op;
    assert_eq!(
        refused_field(Op::InventorySync, json!({"items": 3})),
        "params.items"
    );
    assert_eq!(
        refused_field(Op::BackupScheduleRun, json!({})),
        "params.schedule_id"
    );
    assert_eq!(
        refused_field(Op::BackupScheduleRun, json!({"schedule_id": 7})),
        "params.schedule_id"
    );
    assert_eq!(
        refused_field(Op::BackupScheduleRun, json!({"schedule_id": "a/../b"})),
        "params.schedule_id"
    );
    assert_eq!(
        refused_field(Op::PolicyExport, json!({"policy_ids": "p1"})),
        "params.policy_ids"
    );
    assert_eq!(
        refused_field(Op::PolicyExport, json!({"policy_ids": ["p1", 2]})),
        "params.policy_ids[1]"
    );
    assert_eq!(
        refused_field(Op::PolicyExport, json!({"policy_ids": []})),
        "params.policy_ids"
    );
    let too_many: Vec<String> = (0..=MAX_BULK_IDS).map(|n| format!("p{n}")).collect();
    assert_eq!(
        refused_field(Op::PolicyExport, json!({"policy_ids": too_many})),
        "params.policy_ids"
    );
    assert_eq!(
        refused_field(Op::BackupSetAddPolicies, json!({"policy_ids": ["p1"]})),
        "params.backup_set_id"
    );
    for days in [json!(0), json!(MAX_PRUNE_DAYS + 1), json!(1.5), json!("90")] {
        assert_eq!(
            refused_field(Op::OperationsPrune, json!({"older_than_days": days})),
            "params.older_than_days"
        );
    }
    let error = parse(Op::PolicyExport, json!({"policy_ids": ["p1"], "items": 1})).unwrap_err();
    assert_eq!(
        error.to_string(),
        "params.items: unknown parameter; this operation takes policy_ids"
    );
}

#[test]
fn id_lists_have_one_canonical_form() {
    let a = parse(
        OperationType::PolicyExport,
        json!({"policy_ids": ["p3", "p1", "p2", "p1"]}),
    )
    .unwrap();
    let b = parse(
        OperationType::PolicyExport,
        json!({"policy_ids": ["p1", "p2", "p3"]}),
    )
    .unwrap();
    assert_eq!(a, b);
    assert_eq!(
        Value::Object(a.canonical()),
        json!({"policy_ids": ["p1", "p2", "p3"]})
    );
}
