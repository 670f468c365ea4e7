//! The method and notification registries, their entries in the committed schemas, and the error model.

use std::collections::{BTreeMap, BTreeSet};

use metaapi_protocol::console::DenyReason;
use metaapi_protocol::error::RETIRED_CODES;
use metaapi_protocol::{
    ErrorCode, ErrorKind, Method, MethodVisitor, Notification, NotificationVisitor, for_each_method,
    for_each_notification, method_info, method_infos,
};
use schemars::JsonSchema;
use serde_json::Value;

use crate::{committed_bundle, committed_openrpc, resolve_def, table_entry};

/// The verbs a method name may start with.
const VERBS: &[&str] = &[
    "get",
    "place",
    "modify",
    "close",
    "cancel",
    "select",
    "calc",
    "check",
    "subscribe",
    "unsubscribe",
    "list",
    "ping",
];

/// One registry entry with the schema names of its types.
#[derive(Debug)]
struct Entry {
    name: &'static str,
    summary: &'static str,
    params: String,
    result: Option<String>,
}

#[derive(Default)]
struct Collect {
    methods: Vec<Entry>,
    notifications: Vec<Entry>,
}

impl MethodVisitor for Collect {
    fn visit<M: Method>(&mut self) {
        self.methods.push(Entry {
            name: M::NAME,
            summary: M::SUMMARY,
            params: M::Params::schema_name().into_owned(),
            result: Some(M::Result::schema_name().into_owned()),
        });
    }
}

impl NotificationVisitor for Collect {
    fn visit<N: Notification>(&mut self) {
        self.notifications.push(Entry {
            name: N::NAME,
            summary: N::SUMMARY,
            params: N::Params::schema_name().into_owned(),
            result: None,
        });
    }
}

fn registry() -> Collect {
    let mut collect = Collect::default();
    for_each_method(&mut collect);
    for_each_notification(&mut collect);
    collect
}

/// `^[a-z]+(_[a-z0-9]+)*$`, without a regex engine.
fn is_snake_case(name: &str) -> bool {
    let mut parts = name.split('_');
    let first = parts.next().unwrap_or_default();
    !first.is_empty()
        && first.bytes().all(|byte| byte.is_ascii_lowercase())
        && parts
            .all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit()))
}

#[test]
fn snake_case_check_rejects_what_the_pattern_rejects() {
    for good in ["ping", "get_account_info", "get_h1_candles", "close_position_by"] {
        assert!(is_snake_case(good), "{good}");
    }
    for bad in ["", "Ping", "get__info", "_get", "get_", "1get", "getInfo", "get-info", "get info"] {
        assert!(!is_snake_case(bad), "{bad:?}");
    }
}

#[test]
fn names_are_unique_snake_case_and_verb_first() {
    let registry = registry();
    assert!(registry.methods.len() >= 30, "the catalogue shrank to {} methods", registry.methods.len());
    let mut seen = BTreeSet::new();
    for entry in registry.methods.iter().chain(&registry.notifications) {
        assert!(seen.insert(entry.name), "{} is registered twice (names share one namespace)", entry.name);
        assert!(is_snake_case(entry.name), "{} is not snake_case", entry.name);
    }
    for entry in &registry.methods {
        let verb = entry.name.split('_').next().unwrap_or_default();
        assert!(VERBS.contains(&verb), "{} does not start with a known verb ({VERBS:?})", entry.name);
    }
}

#[test]
fn summaries_are_sentences() {
    let registry = registry();
    for entry in registry.methods.iter().chain(&registry.notifications) {
        assert!(!entry.summary.trim().is_empty(), "{} has no summary", entry.name);
        assert!(
            entry.summary.ends_with('.'),
            "the summary of {} does not end with '.': {:?}",
            entry.name,
            entry.summary
        );
        assert_eq!(entry.summary, entry.summary.trim(), "the summary of {} has stray whitespace", entry.name);
        assert!(
            entry.summary.starts_with(|first: char| first.is_uppercase()),
            "the summary of {} does not start with a capital: {:?}",
            entry.name,
            entry.summary
        );
    }
}

#[test]
fn method_infos_follow_the_registry() {
    let registry = registry();
    let infos = method_infos();
    let names: Vec<&str> = infos.iter().map(|info| info.name).collect();
    let expected: Vec<&str> = registry.methods.iter().map(|entry| entry.name).collect();
    assert_eq!(names, expected);
    for info in &infos {
        assert_eq!(method_info(info.name), Some(*info));
        // Only trading calls carry client_id and every one of them is routed to the terminal.
        assert_eq!(
            info.trading,
            info.category == metaapi_protocol::Category::Trading && info.name != "get_trade_result"
        );
    }
    assert_eq!(method_info("no_such_method"), None);
}

fn check_table(table: &str, entries: &[Entry]) {
    let bundle = committed_bundle();
    let listed: Vec<&str> = bundle[table]
        .as_array()
        .unwrap_or_else(|| panic!("the bundle has no {table} array"))
        .iter()
        .map(|entry| entry["name"].as_str().expect("every entry is named"))
        .collect();
    let registered: Vec<&str> = entries.iter().map(|entry| entry.name).collect();
    assert_eq!(listed, registered, "{table} in schemas/protocol.schema.json is stale: run `cargo xtask codegen`");
    for entry in entries {
        let row = table_entry(table, entry.name).expect("listed above");
        assert_eq!(row["summary"], entry.summary, "{table}: summary of {}", entry.name);
        let members = [("params", Some(&entry.params)), ("result", entry.result.as_ref())];
        for (member, type_name) in members {
            let Some(type_name) = type_name else { continue };
            let (def_name, definition) = resolve_def(bundle, &row[member]).unwrap_or_else(|| {
                panic!("{table}: {}.{member} does not point at an existing $defs entry", entry.name)
            });
            assert_eq!(def_name, type_name, "{table}: {}.{member} points at the wrong definition", entry.name);
            assert!(definition.is_object(), "{table}: $defs/{def_name} is not a schema");
        }
    }
}

#[test]
fn every_method_is_in_the_bundle_with_its_types() {
    check_table("x-methods", &registry().methods);
}

#[test]
fn every_notification_is_in_the_bundle_with_its_params() {
    check_table("x-notifications", &registry().notifications);
}

/// The OpenRPC document's `methods` (or its `x-notifications`) by name.
fn openrpc_entries(key: &str) -> BTreeMap<&'static str, &'static Value> {
    committed_openrpc()[key]
        .as_array()
        .unwrap_or_else(|| panic!("openrpc.json has no {key} list"))
        .iter()
        .map(|entry| (entry["name"].as_str().expect("every entry is named"), entry))
        .collect()
}

#[test]
fn every_method_and_notification_is_in_the_openrpc_document() {
    let openrpc = committed_openrpc();
    let documented = openrpc_entries("methods");
    let registry = registry();
    for entry in &registry.methods {
        let method =
            documented.get(entry.name).unwrap_or_else(|| panic!("{} is missing from openrpc.json", entry.name));
        assert_eq!(method["summary"], entry.summary);
        assert_eq!(method["paramStructure"], "by-name");
        let result = method["result"]["schema"]["$ref"].as_str().unwrap_or_default();
        assert_eq!(
            result.rsplit('/').next(),
            entry.result.as_deref(),
            "{}: the OpenRPC result points at the wrong schema",
            entry.name
        );
        let schemas = openrpc["components"]["schemas"].as_object().expect("components.schemas");
        assert!(schemas.contains_key(result.rsplit('/').next().unwrap_or_default()));
    }
    assert_eq!(documented.len(), registry.methods.len(), "openrpc.json lists extra methods");
    // Notifications are not OpenRPC methods (generators fail on a method without a result): they have their own list.
    let notifications = openrpc_entries("x-notifications");
    for entry in &registry.notifications {
        let notification = notifications
            .get(entry.name)
            .unwrap_or_else(|| panic!("{} is missing from openrpc.json x-notifications", entry.name));
        assert!(notification.get("result").is_none(), "notification {} must not have a result", entry.name);
    }
    assert_eq!(notifications.len(), registry.notifications.len(), "openrpc.json lists extra notifications");
}

#[test]
fn method_params_in_openrpc_match_the_params_schema() {
    let bundle = committed_bundle();
    let methods = openrpc_entries("methods").into_iter().map(|entry| ("x-methods", entry));
    let notifications = openrpc_entries("x-notifications").into_iter().map(|entry| ("x-notifications", entry));
    for (table, (name, method)) in methods.chain(notifications) {
        let row = table_entry(table, name).unwrap_or_else(|| panic!("{name} is in openrpc.json but not in the bundle"));
        let (_, definition) = resolve_def(bundle, &row["params"]).expect("params resolve");
        let properties: BTreeSet<&str> = definition
            .get("properties")
            .and_then(Value::as_object)
            .map(|properties| properties.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let required: BTreeSet<&str> = definition
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let descriptors = method["params"].as_array().expect("params is a list");
        let described: BTreeSet<&str> =
            descriptors.iter().map(|param| param["name"].as_str().expect("named")).collect();
        assert_eq!(described, properties, "{name}: OpenRPC params differ from the params schema");
        for param in descriptors {
            let param_name = param["name"].as_str().expect("named");
            assert_eq!(param["required"], required.contains(param_name), "{name}.{param_name}: required differs");
        }
    }
}

#[test]
fn openrpc_params_list_required_before_optional() {
    for (name, method) in openrpc_entries("methods").into_iter().chain(openrpc_entries("x-notifications")) {
        let required: Vec<bool> = method["params"]
            .as_array()
            .expect("params is a list")
            .iter()
            .map(|param| param["required"].as_bool().expect("required is a bool"))
            .collect();
        let first_optional = required.iter().position(|is_required| !is_required).unwrap_or(required.len());
        assert!(required[first_optional..].iter().all(|is_required| !is_required), "{name}: {required:?}");
    }
}

/// Every schema object in `value` with no `$ref`, with where it is.
fn inline_schemas<'a>(value: &'a Value, path: String, found: &mut Vec<(String, &'a Value)>) {
    let Value::Object(object) = value else { return };
    if !object.contains_key("$ref") {
        found.push((path.clone(), value));
    }
    if let Some(Value::Object(properties)) = object.get("properties") {
        for (field, property) in properties {
            inline_schemas(property, format!("{path}.{field}"), found);
        }
    }
    if let Some(items) = object.get("items") {
        inline_schemas(items, format!("{path}[]"), found);
    }
    for keyword in ["oneOf", "anyOf", "allOf"] {
        for (index, alternative) in object.get(keyword).and_then(Value::as_array).into_iter().flatten().enumerate() {
            inline_schemas(alternative, format!("{path}.{keyword}[{index}]"), found);
        }
    }
}

#[test]
fn every_openrpc_schema_has_a_unique_title() {
    let schemas = committed_openrpc()["components"]["schemas"].as_object().expect("components.schemas");
    let mut found = Vec::new();
    for (name, schema) in schemas {
        assert_eq!(schema["title"], Value::String(name.clone()), "components.schemas.{name}");
        inline_schemas(schema, name.clone(), &mut found);
    }
    let mut titles = BTreeMap::new();
    for (path, schema) in found {
        let title = schema["title"].as_str().unwrap_or_else(|| panic!("{path} has no title"));
        if let Some(earlier) = titles.insert(title, path.clone()) {
            panic!("{path} and {earlier} share the title {title}");
        }
    }
}

#[test]
fn error_codes_are_unique_and_round_trip() {
    let mut seen = BTreeSet::new();
    for code in ErrorCode::ALL {
        let number = code.code();
        assert!(seen.insert(number), "{code:?} reuses {number}");
        assert_eq!(ErrorCode::from(number), *code, "{number} does not read back as {code:?}");
        assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(number));
        assert_eq!(serde_json::from_value::<ErrorCode>(serde_json::json!(number)).unwrap(), *code);
        assert!(!code.message().is_empty());
        // Standard codes, or the gateway's documented application block.
        assert!(
            (-32700..=-32600).contains(&number) || (-32099..=-32001).contains(&number),
            "{code:?} = {number} is outside the documented ranges"
        );
        assert!(!matches!(code, ErrorCode::Other(_)), "Other is not a named code");
    }
    let other = ErrorCode::from(-32099);
    assert_eq!(other, ErrorCode::Other(-32099));
    assert_eq!(other.code(), -32099);
    assert_eq!(i32::from(other), -32099);
    assert_eq!(serde_json::from_str::<ErrorCode>("-32099").unwrap(), ErrorCode::Other(-32099));
    assert_eq!(serde_json::to_string(&other).unwrap(), "-32099");
    assert_eq!(other.message(), "Server error");
}

#[test]
fn no_retired_code_is_used() {
    for code in ErrorCode::ALL {
        assert!(!RETIRED_CODES.contains(&code.code()), "{code:?} reuses a retired code");
    }
    for kind in ErrorKind::ALL {
        assert!(!RETIRED_CODES.contains(&kind.code().code()), "{kind} is sent with a retired code");
    }
}

/// The serde names of an enum, read from its schema in the committed bundle (every `const` or `enum` value).
fn schema_names(definition: &str) -> BTreeSet<String> {
    let schema = &committed_bundle()["$defs"][definition];
    let mut names = BTreeSet::new();
    for variant in schema.get("oneOf").and_then(Value::as_array).into_iter().flatten() {
        if let Some(name) = variant.get("const").and_then(Value::as_str) {
            names.insert(name.to_owned());
        }
        for name in variant.get("enum").and_then(Value::as_array).into_iter().flatten() {
            names.insert(name.as_str().expect("string enum").to_owned());
        }
    }
    for name in schema.get("enum").and_then(Value::as_array).into_iter().flatten() {
        names.insert(name.as_str().expect("string enum").to_owned());
    }
    assert!(!names.is_empty(), "$defs/{definition} lists no names");
    names
}

#[test]
fn every_error_kind_is_listed_named_and_coded() {
    let mut listed = BTreeSet::new();
    for kind in ErrorKind::ALL {
        assert!(listed.insert(kind.as_str()), "{kind} is listed twice in ErrorKind::ALL");
        assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::json!(kind.as_str()), "as_str of {kind:?}");
        assert_eq!(serde_json::from_value::<ErrorKind>(serde_json::json!(kind.as_str())).unwrap(), *kind);
        assert_eq!(kind.to_string(), kind.as_str());
        assert!(ErrorCode::ALL.contains(&kind.code()), "{kind} maps to an unlisted code {:?}", kind.code());
    }
    // Every kind the type has (read from its schema) is in ALL, except the catch-all for newer peers.
    for name in schema_names("ErrorKind") {
        let kind: ErrorKind = serde_json::from_value(Value::String(name.clone())).unwrap();
        assert_eq!(kind.as_str(), name);
        assert_eq!(ErrorKind::ALL.contains(&kind), kind != ErrorKind::Unknown, "{name} and ErrorKind::ALL disagree");
    }
    assert_eq!(serde_json::from_str::<ErrorKind>("\"from_the_future\"").unwrap(), ErrorKind::Unknown);
    // Every named code is what some kind is sent with.
    for code in ErrorCode::ALL {
        assert!(ErrorKind::ALL.iter().any(|kind| kind.code() == *code), "no kind is sent with {code:?}");
    }
}

#[test]
fn deny_reasons_map_to_unauthorized_kinds() {
    let names = schema_names("DenyReason");
    assert_eq!(names.len(), DenyReason::ALL.len(), "DenyReason::ALL misses a reason");
    for reason in DenyReason::ALL {
        let name = serde_json::to_value(reason).unwrap();
        assert!(names.contains(name.as_str().unwrap()));
        let kind = reason.error_kind();
        assert_eq!(kind.code(), ErrorCode::Unauthorized);
        // The reason and the kind a client sees share their wire name.
        assert_eq!(name, serde_json::json!(kind.as_str()));
        assert!(!kind.retryable());
    }
}
