use opsux_core::OperationType;
use sha2::{Digest, Sha256};

/// The dedupe key of a start (R4): a stable hash of the operation type and its target
/// parameters. `serde_json::Map` keeps keys sorted, so equal parameters give equal text
/// whatever order the client sent them in.
pub fn identity(
    operation: OperationType,
    params: &serde_json::Map<String, serde_json::Value>,
) -> String {
    let canonical = serde_json::Value::Object(params.clone()).to_string();
    let digest = Sha256::new()
        .chain_update(operation.as_str())
        .chain_update([0])
        .chain_update(canonical)
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
