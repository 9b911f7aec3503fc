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
        assert!(!t.label().unwrap().is_empty());
        assert_eq!(t.builtin_id(), Some(t.as_str()));
        assert!(!t.is_external());
    }
}

#[test]
fn a_registered_types_key_is_namespaced_and_cannot_be_a_builtin_one() {
    let key: OperationType = "acme.invoice_export".parse().unwrap();
    assert!(key.is_external());
    assert_eq!(key.as_str(), "acme.invoice_export");
    assert_eq!(key.label(), None);
    assert_eq!(key.start_capability(), None);
    assert_eq!(serde_json::to_value(key).unwrap(), "acme.invoice_export");
    assert_eq!(
        serde_json::from_value::<OperationType>(serde_json::json!("acme.invoice_export")).unwrap(),
        key
    );
    let longest = format!("a.{}", "b".repeat(62));
    assert_eq!(longest.parse::<OperationType>().unwrap().as_str(), longest);
    for (bad, why) in [
        ("Acme.export", "start with a lowercase letter"),
        ("acme..export", "start with a lowercase letter"),
        ("acme.9export", "start with a lowercase letter"),
        ("acme.export-all", "may only hold"),
        ("acme.ex port", "may only hold"),
        (&format!("a.{}", "b".repeat(63)), "longer than 64"),
    ] {
        let err = bad.parse::<OperationType>().unwrap_err().to_string();
        assert!(err.contains(why), "{bad}: {err}");
    }
    // Ordered and compared as their text, inline and `Copy`.
    let other: OperationType = "acme.invoice_import".parse().unwrap();
    assert!(key < other);
    assert!(OperationType::OperationsPrune < key, "built-in ones first");
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
    assert!(
        err.contains("operations_prune, or a registered type's namespaced key"),
        "{err}"
    );
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
