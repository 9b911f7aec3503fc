//! Operation types registered by other services (`opsux operation-type add|list|remove`): a
//! namespaced key that cannot shadow a built-in operation, the label the presenter shows, the
//! capability a person needs to start one, the counts its runs may report (R5) and, if given,
//! the JSON Schema its start parameters must meet. Their runs are started like the built-in ones
//! and done by the service's own workers over HTTP (`/api/v1/worker/…`).

use std::str::FromStr;

use opsux_core::{Capability, ExternalKey, OperationType, ParamsError, SummaryCounts, SummaryKey};
use serde_json::{Map, Value};

use serde_json::json;

use super::tenants::parse;
use super::{Change, OrgError, workspace_id};
use crate::store::Store;
use crate::store::audit::AuditScope;
use crate::store::operation_types::{self as stored, NewOperationType, OperationTypeRow, Removal};

/// The longest label, in characters: it heads toasts, notifications and widget rows.
pub(crate) const MAX_LABEL_CHARS: usize = 60;
/// The largest parameter schema, in bytes of JSON.
pub(crate) const MAX_SCHEMA_BYTES: usize = 64 * 1024;

/// The most of a schema error's text a 422 repeats.
const MAX_ECHO_CHARS: usize = 300;

/// A registered type, checked.
#[derive(Debug, Clone)]
pub struct RegisteredType {
    pub key: ExternalKey,
    pub label: String,
    pub capability: Capability,
    pub summary_keys: Vec<SummaryKey>,
    pub params_schema: Option<Value>,
    pub created_at_ms: i64,
}

/// What `operation-type add` asks for, unchecked.
#[derive(Debug, Clone)]
pub struct NewRegisteredType<'a> {
    pub key: &'a str,
    pub label: &'a str,
    pub capability: &'a str,
    pub summary_keys: &'a [String],
    pub params_schema: Option<Value>,
}

impl RegisteredType {
    /// Checks a start's parameters against the registered schema (any object without one);
    /// the error names the first place that does not meet it.
    pub fn check_params(&self, params: &Map<String, Value>) -> Result<(), ParamsError> {
        let Some(schema) = &self.params_schema else {
            return Ok(());
        };
        let validator = jsonschema::validator_for(schema).map_err(|err| ParamsError {
            field: "params".to_owned(),
            message: format!("the type's registered schema no longer compiles: {err}"),
        })?;
        let instance = Value::Object(params.clone());
        match validator.iter_errors(&instance).next() {
            None => Ok(()),
            Some(err) => {
                let path = err.instance_path().to_string();
                // The validator's message repeats the value, which may be long.
                let said: String = err.to_string().chars().take(MAX_ECHO_CHARS).collect();
                Err(ParamsError {
                    field: format!("params{}", path.replace('/', ".")),
                    message: format!("does not meet the type's schema: {said}"),
                })
            }
        }
    }

    /// Checks that a run reports only the counts its type allows (R5).
    pub fn check_counts(&self, counts: &SummaryCounts) -> Result<(), String> {
        let outside: Vec<&str> = counts
            .iter()
            .map(|(key, _)| key)
            .filter(|key| !self.summary_keys.contains(key))
            .map(SummaryKey::as_str)
            .collect();
        if outside.is_empty() {
            return Ok(());
        }
        Err(format!(
            "{} may only report {}; not {}",
            self.key,
            self.summary_keys
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            outside.join(", ")
        ))
    }
}

/// Registers a type; 409 if its key is registered already.
pub async fn register_type(
    store: &Store,
    change: &Change,
    new: &NewRegisteredType<'_>,
) -> Result<RegisteredType, OrgError> {
    let now_ms = change.at_ms;
    let key = check_key(new.key)?;
    let label = new.label.trim();
    if label.is_empty()
        || label.chars().count() > MAX_LABEL_CHARS
        || label.chars().any(char::is_control)
    {
        return Err(OrgError::invalid(
            "label",
            format!("give 1–{MAX_LABEL_CHARS} characters, without control characters"),
        ));
    }
    // Looking at runs and cancelling them are every reader's and operator's: a type anyone
    // may start needs one of the capabilities that start something.
    let startable: Vec<Capability> = Capability::ALL
        .into_iter()
        .filter(|c| !matches!(c, Capability::RunsView | Capability::RunsCancel))
        .collect();
    let capability = Capability::parse(new.capability.trim())
        .filter(|c| startable.contains(c))
        .ok_or_else(|| {
            OrgError::invalid(
                "capability",
                format!(
                    "{:?} is not a capability that starts operations; give one of: {}",
                    new.capability.trim(),
                    startable
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
    let summary_keys = check_summary_keys(new.summary_keys)?;
    let schema_text = match &new.params_schema {
        None => None,
        Some(schema) => {
            let text = schema.to_string();
            if text.len() > MAX_SCHEMA_BYTES {
                return Err(OrgError::invalid(
                    "params_schema",
                    format!("is larger than {MAX_SCHEMA_BYTES} bytes"),
                ));
            }
            jsonschema::validator_for(schema).map_err(|err| {
                OrgError::invalid(
                    "params_schema",
                    format!("is not a usable JSON Schema: {err}"),
                )
            })?;
            Some(text)
        }
    };
    let keys_text =
        serde_json::to_string(&summary_keys).map_err(|e| OrgError::Internal(e.into()))?;
    let workspace = parse(&workspace_id(store).await?)?;
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    let new_type = NewOperationType {
        key: key.as_str(),
        label,
        capability: capability.as_str(),
        summary_keys: &keys_text,
        params_schema: schema_text.as_deref(),
        now_ms,
    };
    if !stored::register(&mut conn, &new_type).await? {
        return Err(OrgError::Conflict(format!(
            "{key} is registered already; remove it first to register it anew"
        )));
    }
    let after = json!({
        "key": key.as_str(),
        "label": label,
        "capability": capability.as_str(),
        "summary_keys": summary_keys.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        "params_schema": new.params_schema.is_some(),
    });
    change
        .audit(
            &mut conn,
            AuditScope::Workspace(workspace),
            "operation_type.add",
            None,
            Some(after),
        )
        .await?;
    tx.commit().await?;
    Ok(RegisteredType {
        key,
        label: label.to_owned(),
        capability,
        summary_keys,
        params_schema: new.params_schema.clone(),
        created_at_ms: now_ms,
    })
}

/// Every registered type, by key.
pub async fn registered_types(store: &Store) -> Result<Vec<RegisteredType>, OrgError> {
    store
        .operation_types()
        .await?
        .into_iter()
        .map(decode)
        .collect()
}

/// The registered type `key`, if there is one.
pub async fn registered_type(
    store: &Store,
    key: ExternalKey,
) -> Result<Option<RegisteredType>, OrgError> {
    store
        .operation_type(key.as_str())
        .await?
        .map(decode)
        .transpose()
}

/// Type `key` as it was registered, even if it was removed since: what runs already started
/// are worked by.
pub async fn known_type(
    store: &Store,
    key: ExternalKey,
) -> Result<Option<RegisteredType>, OrgError> {
    store
        .operation_type_ever(key.as_str())
        .await?
        .map(decode)
        .transpose()
}

/// Removes a type; refused (409) while any of its runs is queued or running. Its past runs
/// keep their label.
pub async fn remove_type(store: &Store, change: &Change, key: &str) -> Result<(), OrgError> {
    let key = check_key(key)?;
    let workspace = parse(&workspace_id(store).await?)?;
    let mut tx = store.begin_immediate().await?;
    let mut conn = tx.conn();
    match stored::remove(&mut conn, key.as_str(), change.at_ms).await? {
        Removal::Removed => {
            let before = json!({ "key": key.as_str() });
            change
                .audit(
                    &mut conn,
                    AuditScope::Workspace(workspace),
                    "operation_type.remove",
                    Some(before),
                    None,
                )
                .await?;
            tx.commit().await?;
            Ok(())
        }
        Removal::NotRegistered => Err(OrgError::NotFound(format!("{key} is not registered"))),
        Removal::Active => Err(OrgError::Conflict(format!(
            "{key} has runs that have not ended yet; remove it once they have"
        ))),
    }
}

fn check_key(key: &str) -> Result<ExternalKey, OrgError> {
    let key = key.trim();
    if OperationType::ALL.iter().any(|t| t.as_str() == key) {
        return Err(OrgError::invalid(
            "key",
            format!("{key} is a built-in operation; give a namespaced key such as acme.{key}"),
        ));
    }
    ExternalKey::parse(key).map_err(|err| OrgError::invalid("key", err.to_string()))
}

fn check_summary_keys(keys: &[String]) -> Result<Vec<SummaryKey>, OrgError> {
    let mut checked = Vec::new();
    for key in keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        let key = SummaryKey::from_str(key)
            .map_err(|err| OrgError::invalid("summary_keys", err.to_string()))?;
        if !checked.contains(&key) {
            checked.push(key);
        }
    }
    if checked.is_empty() {
        return Err(OrgError::invalid(
            "summary_keys",
            format!(
                "give the counts its runs report, from: {}",
                SummaryKey::ALL.map(SummaryKey::as_str).join(", ")
            ),
        ));
    }
    checked.sort();
    Ok(checked)
}

fn decode(row: OperationTypeRow) -> Result<RegisteredType, OrgError> {
    let corrupt = |what: &str| {
        OrgError::Internal(anyhow::anyhow!(
            "registered type {:?} has an unreadable {what}",
            row.key
        ))
    };
    Ok(RegisteredType {
        key: ExternalKey::parse(&row.key).map_err(|_| corrupt("key"))?,
        label: row.label,
        capability: Capability::parse(&row.capability).ok_or_else(|| corrupt("capability"))?,
        summary_keys: serde_json::from_str(&row.summary_keys)
            .map_err(|_| corrupt("summary keys"))?,
        params_schema: row
            .params_schema
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|_| corrupt("parameter schema"))?,
        created_at_ms: row.created_at,
    })
}
