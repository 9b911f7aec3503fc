//! The demo tenants' data: generated from a seed, so every start of the simulator serves the
//! same policies and groups.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// A tenant the simulator serves, and how much data it has.
#[derive(Debug, Clone)]
pub struct DemoTenant {
    /// The tenant's directory id (what the token URL names).
    pub directory_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// Shown in generated names, e.g. "Contoso".
    pub name: String,
    pub policies: usize,
    pub groups: usize,
    pub seed: u64,
}

/// The demo: Contoso and Fabrikam, matching the server's demo tenants.
pub fn demo_tenants() -> Vec<DemoTenant> {
    vec![
        DemoTenant {
            directory_id: "11111111-1111-4111-8111-111111111111".to_owned(),
            client_id: "opsux-demo-contoso".to_owned(),
            client_secret: "contoso-demo-secret".to_owned(),
            name: "Contoso".to_owned(),
            policies: 240,
            groups: 60,
            seed: 1,
        },
        DemoTenant {
            directory_id: "22222222-2222-4222-8222-222222222222".to_owned(),
            client_id: "opsux-demo-fabrikam".to_owned(),
            client_secret: "fabrikam-demo-secret".to_owned(),
            name: "Fabrikam".to_owned(),
            policies: 120,
            groups: 30,
            seed: 2,
        },
    ]
}

const KINDS: [(&str, &str); 5] = [
    ("windows10GeneralConfiguration", "Windows baseline"),
    (
        "windows10EndpointProtectionConfiguration",
        "Windows endpoint protection",
    ),
    ("iosGeneralDeviceConfiguration", "iOS restrictions"),
    (
        "androidWorkProfileGeneralDeviceConfiguration",
        "Android work profile",
    ),
    ("macOSGeneralDeviceConfiguration", "macOS baseline"),
];

#[derive(Debug)]
pub(super) struct TenantData {
    pub tenant: DemoTenant,
    /// Graph objects by id, in id order (the listing order).
    pub policies: BTreeMap<String, Value>,
    pub groups: Vec<Value>,
}

impl TenantData {
    pub(super) fn generate(tenant: DemoTenant) -> Self {
        let mut rng = fastrand::Rng::with_seed(tenant.seed);
        let mut id = || {
            let hex: String = (0..32)
                .map(|_| char::from_digit(rng.u32(0..16), 16).unwrap_or('0'))
                .collect();
            format!(
                "{}-{}-4{}-a{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[13..16],
                &hex[17..20],
                &hex[20..32]
            )
        };
        let mut policies = BTreeMap::new();
        for n in 0..tenant.policies {
            let (kind, label) = KINDS[n % KINDS.len()];
            let policy_id = id();
            let object = json!({
                "@odata.type": format!("#microsoft.graph.{kind}"),
                "id": policy_id,
                "displayName": format!("{} – {label} {:03}", tenant.name, n + 1),
                "description": format!("Managed by the {} device team", tenant.name),
                "createdDateTime": "2026-01-05T09:00:00Z",
                "lastModifiedDateTime": format!("2026-{:02}-{:02}T10:{:02}:00Z", 1 + n % 11, 1 + n % 27, n % 60),
                "version": 1 + (n % 4),
                "passwordRequired": n % 3 != 0,
                "passwordMinimumLength": 6 + (n % 9),
                "storageRequireEncryption": n % 2 == 0,
            });
            policies.insert(policy_id, object);
        }
        let groups = (0..tenant.groups)
            .map(|n| {
                json!({
                    "id": id(),
                    "displayName": format!("{} – {} {:02}", tenant.name, ["Devices", "Admins", "Pilot ring", "Sales"][n % 4], n + 1),
                    "description": if n % 5 == 0 { Value::Null } else { json!(format!("Group {} of {}", n + 1, tenant.name)) },
                    "securityEnabled": true,
                    "mailEnabled": false,
                })
            })
            .collect();
        Self {
            tenant,
            policies,
            groups,
        }
    }
}
