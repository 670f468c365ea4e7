//! The JSON Schema bundle and the OpenRPC document, generated from the registries.
//!
//! Both are plain [`Value`]s; `cargo xtask codegen` writes them under `schemas/` and a test fails when the committed
//! files differ. The bundle (draft 2020-12, `$defs`) feeds the Python and TypeScript generators; the OpenRPC document
//! (1.3.2, draft-07 schemas under `components/schemas`, as its meta-schema expects) describes every method, and its
//! `x-notifications` extension every notification.
//!
//! The OpenRPC document is shaped for the tools that read it, not only for its meta-schema: OpenRPC has no place for
//! server-to-client notifications, and `@open-rpc/generator` fails on a method without a result, so notifications
//! sit in `x-notifications`; required params come before optional ones (an OpenRPC MUST); and every schema has a
//! unique `title`, which generators use to name types (without one they name them by hash).

use std::collections::BTreeSet;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::error::{ErrorCode, ErrorData, ErrorObject};
use crate::jsonrpc::{Request, Response};
use crate::method::{Method, MethodInfo, MethodVisitor, Notification, NotificationVisitor};
use crate::{console, link};

/// Schemas of types that no method or notification reaches but that belong to the wire.
fn add_wire_types(generator: &mut SchemaGenerator) {
    generator.subschema_for::<Request>();
    generator.subschema_for::<Response>();
    generator.subschema_for::<ErrorObject>();
    generator.subschema_for::<ErrorData>();
    generator.subschema_for::<ErrorCode>();
    generator.subschema_for::<link::BridgeMessage>();
    generator.subschema_for::<link::GatewayMessage>();
    generator.subschema_for::<console::CreateTokenRequest>();
    generator.subschema_for::<console::CreatedToken>();
    generator.subschema_for::<console::TokenList>();
    generator.subschema_for::<console::DeviceList>();
    generator.subschema_for::<console::AccountStatus>();
    generator.subschema_for::<console::UpdateAccountRequest>();
    generator.subschema_for::<console::VerifyRequest>();
    generator.subschema_for::<console::Verdict>();
    generator.subschema_for::<console::RevocationEvent>();
    generator.subschema_for::<console::PresenceReport>();
    generator.subschema_for::<console::SignInRequest>();
    generator.subschema_for::<console::ConsoleError>();
}

/// One method's entry in either document, with `$ref`s into the generator's definitions.
struct MethodEntry {
    info: MethodInfo,
    params: Value,
    result: Value,
}

struct NotificationEntry {
    name: &'static str,
    summary: &'static str,
    params: Value,
}

struct Collect<'a> {
    generator: &'a mut SchemaGenerator,
    methods: Vec<MethodEntry>,
    notifications: Vec<NotificationEntry>,
}

impl MethodVisitor for Collect<'_> {
    fn visit<M: Method>(&mut self) {
        let params = self.generator.subschema_for::<M::Params>().to_value();
        let result = self.generator.subschema_for::<M::Result>().to_value();
        self.methods.push(MethodEntry { info: MethodInfo::of::<M>(), params, result });
    }
}

impl NotificationVisitor for Collect<'_> {
    fn visit<N: Notification>(&mut self) {
        let params = self.generator.subschema_for::<N::Params>().to_value();
        self.notifications.push(NotificationEntry { name: N::NAME, summary: N::SUMMARY, params });
    }
}

fn collect(settings: SchemaSettings) -> (Vec<MethodEntry>, Vec<NotificationEntry>, Map<String, Value>) {
    let mut generator = settings.into_generator();
    let mut collect = Collect { generator: &mut generator, methods: Vec::new(), notifications: Vec::new() };
    crate::for_each_method(&mut collect);
    crate::for_each_notification(&mut collect);
    let Collect { methods, notifications, .. } = collect;
    add_wire_types(&mut generator);
    (methods, notifications, generator.take_definitions(true))
}

fn facts(info: &MethodInfo) -> Value {
    json!({
        "category": info.category,
        "route": info.route,
        "requires": info.requires,
        "trading": info.trading,
    })
}

/// The JSON Schema bundle: every wire type under `$defs`, plus `x-methods` and `x-notifications` tables that point
/// into it.
pub fn bundle() -> Value {
    let (methods, notifications, definitions) = collect(SchemaSettings::draft2020_12());
    let methods: Vec<Value> = methods
        .into_iter()
        .map(|entry| {
            let mut value = json!({
                "name": entry.info.name,
                "summary": entry.info.summary,
                "params": entry.params,
                "result": entry.result,
            });
            merge(&mut value, facts(&entry.info));
            value
        })
        .collect();
    let notifications: Vec<Value> = notifications
        .into_iter()
        .map(|entry| json!({ "name": entry.name, "summary": entry.summary, "params": entry.params }))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "metaapi-gateway-protocol.schema.json",
        "title": "MetaAPI local gateway protocol",
        "description": format!("Every wire type of protocol version {}.", crate::PROTOCOL_VERSION),
        "$defs": definitions,
        "x-methods": methods,
        "x-notifications": notifications,
    })
}

/// The OpenRPC 1.3.2 document for `/rpc` and `/ws`.
pub fn openrpc() -> Value {
    let settings = SchemaSettings::draft07().with(|settings| settings.definitions_path = "/components/schemas".into());
    let (methods, notifications, mut definitions) = collect(settings);
    let mut titles = Titles::new(&definitions);
    for (name, schema) in definitions.iter_mut() {
        if let Value::Object(object) = schema {
            object.entry("title").or_insert_with(|| Value::String(name.clone()));
        }
        titles.name_inline_parts(schema, name);
    }
    let documented: Vec<Value> = methods
        .iter()
        .map(|entry| {
            let mut method = json!({
                "name": entry.info.name,
                "summary": entry.info.summary,
                "tags": [{ "name": entry.info.category }],
                "paramStructure": "by-name",
                "params": content_descriptors(&entry.params, &definitions),
                "result": { "name": schema_title(&entry.result), "schema": entry.result },
                "x-route": entry.info.route,
                "x-trading": entry.info.trading,
            });
            if let Some(capability) = entry.info.requires {
                merge(&mut method, json!({ "x-requires": capability }));
            }
            method
        })
        .collect();
    let notifications: Vec<Value> = notifications
        .iter()
        .map(|entry| {
            json!({
                "name": entry.name,
                "summary": entry.summary,
                "description": "Server-to-client notification on /ws (no response is sent).",
                "tags": [{ "name": "notification" }],
                "paramStructure": "by-name",
                "params": content_descriptors(&entry.params, &definitions),
            })
        })
        .collect();
    let errors: Map<String, Value> = ErrorCode::ALL
        .iter()
        .map(|code| (format!("{code:?}"), json!({ "code": code.code(), "message": code.message() })))
        .collect();
    json!({
        "openrpc": "1.3.2",
        "info": {
            "title": "MetaAPI local gateway",
            "version": crate::PROTOCOL_VERSION,
            "description": "JSON-RPC 2.0 over POST /rpc and /ws on 127.0.0.1:6000. Every call carries \
                            `Authorization: Bearer <auth_token>`; the token routes it to its terminal. \
                            Server-to-client notifications on /ws are listed in `x-notifications`.",
        },
        "servers": [
            { "name": "rpc", "url": "http://127.0.0.1:6000/rpc" },
            { "name": "ws", "url": "ws://127.0.0.1:6000/ws" },
        ],
        "methods": documented,
        "x-notifications": notifications,
        "components": { "schemas": definitions, "errors": errors },
    })
}

/// Gives inline schemas unique titles derived from where they sit (`Candle` + `close` is `CandleClose`), so
/// generated type names read like the protocol's; a title already taken gets `Value` (then a number) appended.
struct Titles {
    used: BTreeSet<String>,
}

impl Titles {
    fn new(definitions: &Map<String, Value>) -> Titles {
        Titles { used: definitions.keys().cloned().collect() }
    }

    fn unique(&mut self, wanted: String) -> String {
        let mut title = wanted.clone();
        let mut attempt = 1;
        while self.used.contains(&title) {
            title = if attempt == 1 { format!("{wanted}Value") } else { format!("{wanted}Value{attempt}") };
            attempt += 1;
        }
        self.used.insert(title.clone());
        title
    }

    /// Titles `schema` itself when it is inline (no `$ref`) and has none, then its parts.
    fn name(&mut self, schema: &mut Value, wanted: String) {
        let Value::Object(object) = schema else { return };
        if object.contains_key("$ref") {
            return;
        }
        let title = match object.get("title").and_then(Value::as_str) {
            Some(title) => title.to_owned(),
            None => {
                let title = self.unique(wanted);
                object.insert("title".into(), Value::String(title.clone()));
                title
            }
        };
        self.name_inline_parts(schema, &title);
    }

    /// Titles the inline schemas inside `schema`: its properties, array items and alternatives.
    fn name_inline_parts(&mut self, schema: &mut Value, base: &str) {
        let Value::Object(object) = schema else { return };
        if let Some(Value::Object(properties)) = object.get_mut("properties") {
            for (field, property) in properties.iter_mut() {
                self.name(property, format!("{base}{}", pascal_case(field)));
            }
        }
        if let Some(items) = object.get_mut("items") {
            self.name(items, format!("{base}Item"));
        }
        for keyword in ["oneOf", "anyOf", "allOf"] {
            if let Some(Value::Array(alternatives)) = object.get_mut(keyword) {
                for (index, alternative) in alternatives.iter_mut().enumerate() {
                    let label = match alternative.get("const").and_then(Value::as_str) {
                        Some(constant) => pascal_case(constant),
                        None => format!("Variant{}", index + 1),
                    };
                    self.name(alternative, format!("{base}{label}"));
                }
            }
        }
    }
}

/// `get_candles` and `stop_limit_price` as `GetCandles` and `StopLimitPrice`.
fn pascal_case(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// Splits a params schema (a `$ref` into `definitions`) into one OpenRPC content descriptor per named param,
/// required ones first (OpenRPC requires that order; the params are sent by name, so it changes no call).
fn content_descriptors(params: &Value, definitions: &Map<String, Value>) -> Vec<Value> {
    let definition = resolve(params, definitions);
    let required: Vec<&str> = definition
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = definition.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut descriptors: Vec<(bool, Value)> = properties
        .iter()
        .map(|(name, schema)| {
            let is_required = required.contains(&name.as_str());
            // The same schema (and title) as the params type's property, so generators see one type, not two.
            let mut descriptor = json!({ "name": name, "required": is_required, "schema": schema });
            if let Some(description) = schema.get("description") {
                merge(&mut descriptor, json!({ "description": description }));
            }
            (is_required, descriptor)
        })
        .collect();
    descriptors.sort_by_key(|(is_required, _)| !is_required);
    descriptors.into_iter().map(|(_, descriptor)| descriptor).collect()
}

fn resolve<'a>(schema: &'a Value, definitions: &'a Map<String, Value>) -> &'a Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.rsplit('/').next())
        .and_then(|name| definitions.get(name))
        .unwrap_or(schema)
}

fn schema_title(schema: &Value) -> String {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.rsplit('/').next())
        .unwrap_or("result")
        .to_owned()
}

fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(target), Value::Object(extra)) = (target, extra) {
        target.extend(extra);
    }
}

/// The JSON Schema of one type on its own (2020-12), for validating a single value in tests and tools.
pub fn schema_of<T: JsonSchema>() -> Value {
    schemars::schema_for!(T).to_value()
}
