// SPEC §3 and §4: the operation catalogue and the role table.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use opsux_core::{Capability, OperationType, Role};

#[test]
fn all_thirteen_types_with_stable_ids() {
    let ids: Vec<&str> = OperationType::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(
        ids,
        [
            "inventory_sync",
            "entra_group_sync",
            "backup_schedule_run",
            "backup_retention",
            "backup_set_add_policies",
            "backup_set_remove_policies",
            "policy_export",
            "policy_unignore",
            "policy_version_restore",
            "restore_execute",
            "restore_run_unarchive",
            "restore_run_force_delete",
            "operations_prune",
        ]
    );
    for t in OperationType::ALL {
        assert_eq!(t.as_str().parse::<OperationType>(), Ok(t));
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        assert!(!t.label().is_empty());
    }
}

#[test]
fn unknown_type_lists_the_known_ones() {
    let err = "inventory"
        .parse::<OperationType>()
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(r#"unknown operation type "inventory"; known types: inventory_sync, "#)
    );
    assert!(err.ends_with("operations_prune"));
}

#[test]
fn bulk_and_system_types() {
    let bulk: Vec<_> = OperationType::ALL
        .into_iter()
        .filter(|t| t.is_bulk())
        .collect();
    assert_eq!(
        bulk,
        [
            OperationType::PolicyExport,
            OperationType::PolicyUnignore,
            OperationType::RestoreRunUnarchive,
            OperationType::RestoreRunForceDelete,
        ]
    );
    let system_only: Vec<_> = OperationType::ALL
        .into_iter()
        .filter(|t| t.start_capability().is_none())
        .collect();
    assert_eq!(system_only, [OperationType::OperationsPrune]);
}

#[test]
fn roles_grant_capabilities() {
    assert_eq!(Role::Owner.capabilities(), Capability::ALL);
    assert_eq!(Role::Reader.capabilities(), [Capability::RunsView]);
    assert_eq!(
        Role::Operator.capabilities(),
        [
            Capability::RunsView,
            Capability::RunsCancel,
            Capability::InventorySync,
            Capability::GroupsSync,
            Capability::BackupManage,
            Capability::PolicyExport,
        ]
    );
    for role in Role::ALL {
        assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        assert_eq!(Role::parse(role.as_str()), Some(role));
    }
    assert_eq!(Role::parse("admin"), None);
    for c in Capability::ALL {
        assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
    }
}
