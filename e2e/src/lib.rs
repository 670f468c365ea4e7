//! Helpers for the end-to-end tests: the committed JSON Schema bundle as a validator, and raw JSON-RPC calls.
//!
//! The tests themselves live in `tests/it`. Nothing here is product code: it only reads what the product answers
//! the way an outside client would, with the committed schema as the judge.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::{Value, json};

/// The committed bundle `schemas/protocol.schema.json`, with a compiled validator per `$defs` entry on demand.
pub struct Schemas {
    bundle: Value,
    validators: Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

impl Schemas {
    /// Reads `schemas/protocol.schema.json` of this workspace.
    pub fn load() -> Schemas {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/protocol.schema.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        let bundle: Value =
            serde_json::from_str(&text).unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()));
        assert_eq!(
            bundle["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "the bundle is expected to be draft 2020-12"
        );
        Schemas { bundle, validators: Mutex::new(HashMap::new()) }
    }

    /// The `$ref` (`#/$defs/Name`) of method `name`'s result, from the bundle's `x-methods` table.
    pub fn result_ref(&self, name: &str) -> String {
        self.method_entry(name)["result"]["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("x-methods entry of {name} has no result $ref"))
            .to_owned()
    }

    /// The `$ref` of method `name`'s params.
    pub fn params_ref(&self, name: &str) -> String {
        self.method_entry(name)["params"]["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("x-methods entry of {name} has no params $ref"))
            .to_owned()
    }

    /// The `$ref` of notification `name`'s params, from the bundle's `x-notifications` table.
    pub fn notification_ref(&self, name: &str) -> Option<String> {
        let entries = self.bundle["x-notifications"].as_array()?;
        let entry = entries.iter().find(|entry| entry["name"] == name)?;
        entry["params"]["$ref"].as_str().map(str::to_owned)
    }

    /// Every method name the bundle lists.
    pub fn method_names(&self) -> Vec<String> {
        self.methods().iter().filter_map(|entry| entry["name"].as_str().map(str::to_owned)).collect()
    }

    fn methods(&self) -> &Vec<Value> {
        self.bundle["x-methods"].as_array().expect("the bundle has an x-methods array")
    }

    fn method_entry(&self, name: &str) -> &Value {
        self.methods()
            .iter()
            .find(|entry| entry["name"] == name)
            .unwrap_or_else(|| panic!("the committed schema has no method {name}; run cargo xtask codegen"))
    }

    /// Checks `instance` against `reference` (for example `#/$defs/AccountInfo`), resolved inside the bundle with
    /// draft 2020-12. `Err` lists every violation with its instance path.
    pub fn validate(&self, reference: &str, instance: &Value) -> Result<(), String> {
        let validator = self.validator(reference);
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|error| format!("at {:?}: {error}", error.instance_path().as_str()))
            .collect();
        if errors.is_empty() { Ok(()) } else { Err(errors.join("; ")) }
    }

    fn validator(&self, reference: &str) -> std::sync::Arc<jsonschema::Validator> {
        let mut validators = self.validators.lock().unwrap_or_else(|poison| poison.into_inner());
        if let Some(validator) = validators.get(reference) {
            return validator.clone();
        }
        let name = reference.strip_prefix("#/$defs/").unwrap_or_else(|| panic!("{reference} is not a #/$defs/ ref"));
        assert!(self.bundle["$defs"].get(name).is_some(), "the bundle has no $defs entry {name}");
        // The root is the bundle itself with a `$ref` to the entry, so every nested `$ref` resolves against it.
        let mut root = json!({
            "$schema": self.bundle["$schema"],
            "$defs": self.bundle["$defs"],
            "$ref": reference,
        });
        if let Some(id) = self.bundle.get("$id") {
            root["$id"] = id.clone();
        }
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .unwrap_or_else(|error| panic!("the bundle does not compile for {reference}: {error}"));
        let validator = std::sync::Arc::new(validator);
        validators.insert(reference.to_owned(), validator.clone());
        validator
    }
}

/// One raw answer of `POST /rpc`: the HTTP status and the JSON body.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    /// HTTP status code.
    pub status: u16,
    /// The body as JSON (`Value::Null` when it was not JSON).
    pub body: Value,
}

impl RawAnswer {
    /// `error.data.kind`, when the answer is an error.
    pub fn error_kind(&self) -> Option<&str> {
        self.body["error"]["data"]["kind"].as_str()
    }

    /// `error.code`, when the answer is an error.
    pub fn error_code(&self) -> Option<i64> {
        self.body["error"]["code"].as_i64()
    }
}

/// Posts one JSON-RPC request to `{url}/rpc` with `token`, as any HTTP client would.
pub async fn rpc(url: &str, token: &str, method: &str, params: Value) -> Result<RawAnswer, String> {
    let client = reqwest::Client::builder().no_proxy().build().map_err(|error| error.to_string())?;
    let body = json!({"jsonrpc": "2.0", "id": method, "method": method, "params": params});
    let response = client
        .post(format!("{url}/rpc"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .map_err(|error| format!("{method}: {error}"))?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await.map_err(|error| format!("{method}: {error}"))?;
    Ok(RawAnswer { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_example_passes_and_a_broken_one_names_the_field() {
        let schemas = Schemas::load();
        let reference = schemas.result_ref("ping");
        assert_eq!(reference, "#/$defs/Pong");
        schemas.validate(&reference, &json!({"pong": true, "gateway_time": 1718099535123_i64})).unwrap();
        let error = schemas.validate(&reference, &json!({"pong": "yes", "gateway_time": 1})).unwrap_err();
        assert!(error.contains("pong"), "{error}");
    }

    #[test]
    fn nested_references_resolve_inside_the_bundle() {
        let schemas = Schemas::load();
        // A position list nests Position, Side and Reason through $ref.
        let error = schemas
            .validate("#/$defs/PositionList", &json!({"positions": [{"ticket": "1", "side": "sideways"}]}))
            .unwrap_err();
        assert!(error.contains("/positions/0"), "{error}");
    }
}
