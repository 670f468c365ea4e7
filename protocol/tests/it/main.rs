//! Integration tests of the protocol crate: JSON-RPC framing against the specification, canonical wire examples,
//! the registry and error model, params errors that name their field, and property tests.

#![forbid(unsafe_code)]

mod client_quirks;
mod jsonrpc_spec;
mod params_errors;
mod props;
mod registry;
mod wire;

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

/// The repository root (the protocol crate lives one level below it).
fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("protocol lives one level below the root").to_path_buf()
}

fn load_json(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

/// `protocol/tests/it/examples.json`: the canonical wire examples.
fn examples() -> &'static Value {
    static EXAMPLES: OnceLock<Value> = OnceLock::new();
    EXAMPLES.get_or_init(|| load_json(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/examples.json")))
}

/// The committed `schemas/protocol.schema.json`.
fn committed_bundle() -> &'static Value {
    static BUNDLE: OnceLock<Value> = OnceLock::new();
    BUNDLE.get_or_init(|| load_json(project_root().join("schemas/protocol.schema.json")))
}

/// The committed `schemas/openrpc.json`.
fn committed_openrpc() -> &'static Value {
    static OPENRPC: OnceLock<Value> = OnceLock::new();
    OPENRPC.get_or_init(|| load_json(project_root().join("schemas/openrpc.json")))
}

/// The `$defs` entry a `{"$ref": "#/$defs/Name"}` schema points at, with its name.
fn resolve_def<'a>(bundle: &'a Value, schema: &Value) -> Option<(&'a str, &'a Value)> {
    let name = schema.get("$ref")?.as_str()?.strip_prefix("#/$defs/")?;
    let (name, definition) = bundle.get("$defs")?.as_object()?.get_key_value(name)?;
    Some((name.as_str(), definition))
}

/// The committed bundle's `x-methods` (or `x-notifications`) entry called `name`.
fn table_entry(table: &str, name: &str) -> Option<&'static Value> {
    committed_bundle()
        .get(table)?
        .as_array()?
        .iter()
        .find(|entry| entry.get("name").and_then(Value::as_str) == Some(name))
}
