//! Canonical wire examples (`examples.json`): every method's params and result, every notification's params, the
//! link messages, the console types and the JSON-RPC envelopes deserialize into their Rust types and serialize back
//! to exactly the same JSON.

use std::collections::BTreeSet;

use metaapi_protocol::jsonrpc::{Incoming, Request, Response, ServerNotification};
use metaapi_protocol::{
    ErrorObject, Method, MethodVisitor, Notification, NotificationVisitor, console, decode_params, for_each_method,
    for_each_notification, link,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::{committed_bundle, examples};

/// Deserializes `literal` as `T`, serializes it back, and says what differs.
fn round_trip<T: Serialize + DeserializeOwned>(literal: &Value) -> Result<T, String> {
    let typed: T = serde_json::from_value(literal.clone()).map_err(|error| format!("does not deserialize: {error}"))?;
    let back = serde_json::to_value(&typed).map_err(|error| format!("does not serialize: {error}"))?;
    if &back != literal {
        return Err(format!(
            "is not canonical.\n  literal:    {literal}\n  serialized: {back}\n(write floats with a decimal point and \
             include defaulted members as they serialize)"
        ));
    }
    Ok(typed)
}

fn section(name: &str) -> &'static Map<String, Value> {
    examples()[name].as_object().unwrap_or_else(|| panic!("examples.json has no {name:?} object"))
}

#[derive(Default)]
struct Walk {
    seen: BTreeSet<&'static str>,
    failures: Vec<String>,
}

impl Walk {
    fn check<T: Serialize + DeserializeOwned>(&mut self, what: String, literal: Option<&Value>) -> Option<T> {
        let Some(literal) = literal else {
            self.failures.push(format!("{what}: no example in examples.json"));
            return None;
        };
        match round_trip::<T>(literal) {
            Ok(typed) => Some(typed),
            Err(error) => {
                self.failures.push(format!("{what} {error}"));
                None
            }
        }
    }

    fn finish(self, section_name: &str) {
        let mut failures = self.failures;
        for name in section(section_name).keys() {
            if !self.seen.contains(name.as_str()) {
                failures.push(format!("examples.json {section_name}.{name}: no such entry in the registry"));
            }
        }
        assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
    }
}

impl MethodVisitor for Walk {
    fn visit<M: Method>(&mut self) {
        self.seen.insert(M::NAME);
        let example = section("methods").get(M::NAME);
        let params = example.and_then(|example| example.get("params"));
        if self.check::<M::Params>(format!("{} params", M::NAME), params).is_some() {
            // The example must also pass framing and the method's own validation, as a real call would.
            let body = json!({"jsonrpc": "2.0", "method": M::NAME, "params": params, "id": 1}).to_string();
            match Incoming::parse(body.as_bytes()) {
                Incoming::Single(Ok(request)) => {
                    if let Err(error) = decode_params::<M>(request.params) {
                        self.failures.push(format!("{} params are rejected: {error}", M::NAME));
                    }
                }
                other => self.failures.push(format!("{} request is not framed as one call: {other:?}", M::NAME)),
            }
        }
        self.check::<M::Result>(format!("{} result", M::NAME), example.and_then(|example| example.get("result")));
        if let Some(extra) = example
            .and_then(Value::as_object)
            .and_then(|members| members.keys().find(|key| !matches!(key.as_str(), "params" | "result")))
        {
            self.failures.push(format!("{}: unexpected member {extra:?} in its example", M::NAME));
        }
    }
}

impl NotificationVisitor for Walk {
    fn visit<N: Notification>(&mut self) {
        self.seen.insert(N::NAME);
        let params = section("notifications").get(N::NAME).and_then(|example| example.get("params"));
        if self.check::<N::Params>(format!("notification {} params", N::NAME), params).is_some() {
            // The whole message as it goes out on /ws.
            let message = json!({"jsonrpc": "2.0", "method": N::NAME, "params": params});
            match round_trip::<ServerNotification<N::Params>>(&message) {
                Ok(notification) if notification.method == N::NAME => {}
                Ok(notification) => self.failures.push(format!("{}: read back as {}", N::NAME, notification.method)),
                Err(error) => self.failures.push(format!("notification {} message {error}", N::NAME)),
            }
        }
    }
}

#[test]
fn every_method_has_canonical_params_and_result_examples() {
    let mut walk = Walk::default();
    for_each_method(&mut walk);
    walk.finish("methods");
}

#[test]
fn every_notification_has_a_canonical_params_example() {
    let mut walk = Walk::default();
    for_each_notification(&mut walk);
    walk.finish("notifications");
}

/// Round-trips every example of a named type; the name is its `$defs` name in the bundle.
fn check_type(name: &str, literal: &Value) -> Result<(), String> {
    fn run<T: Serialize + DeserializeOwned>(literal: &Value) -> Result<(), String> {
        round_trip::<T>(literal).map(drop)
    }
    match name {
        "Request" => run::<Request>(literal),
        "Response" => run::<Response>(literal),
        "ErrorObject" => run::<ErrorObject>(literal),
        "BridgeMessage" => run::<link::BridgeMessage>(literal),
        "GatewayMessage" => run::<link::GatewayMessage>(literal),
        "CreateTokenRequest" => run::<console::CreateTokenRequest>(literal),
        "TokenSummary" => run::<console::TokenSummary>(literal),
        "CreatedToken" => run::<console::CreatedToken>(literal),
        "TokenList" => run::<console::TokenList>(literal),
        "Device" => run::<console::Device>(literal),
        "DeviceList" => run::<console::DeviceList>(literal),
        "AccountStatus" => run::<console::AccountStatus>(literal),
        "UpdateAccountRequest" => run::<console::UpdateAccountRequest>(literal),
        "VerifyRequest" => run::<console::VerifyRequest>(literal),
        "Verdict" => run::<console::Verdict>(literal),
        "RevocationEvent" => run::<console::RevocationEvent>(literal),
        "SignInRequest" => run::<console::SignInRequest>(literal),
        "ConsoleError" => run::<console::ConsoleError>(literal),
        _ => Err("is not a type this test knows; add it to check_type".to_owned()),
    }
}

#[test]
fn link_console_and_envelope_examples_round_trip() {
    let mut failures = Vec::new();
    for (name, literals) in section("types") {
        let literals = literals.as_array().unwrap_or_else(|| panic!("types.{name} is not a list"));
        assert!(!literals.is_empty(), "types.{name} has no example");
        for (index, literal) in literals.iter().enumerate() {
            if let Err(error) = check_type(name, literal) {
                failures.push(format!("types.{name}[{index}] {error}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
}

/// Every variant of a tagged enum (read from the `const` of its tag in the bundle) has an example.
fn check_all_variants(name: &str, tag: &str) {
    let schema = &committed_bundle()["$defs"][name];
    let variants: BTreeSet<&str> = schema["oneOf"]
        .as_array()
        .unwrap_or_else(|| panic!("$defs/{name} is not a oneOf"))
        .iter()
        .map(|variant| variant["properties"][tag]["const"].as_str().expect("tagged variant"))
        .collect();
    let covered: BTreeSet<&str> = section("types")[name]
        .as_array()
        .unwrap_or_else(|| panic!("types.{name} is missing"))
        .iter()
        .map(|literal| literal[tag].as_str().expect("tagged example"))
        .collect();
    assert_eq!(covered, variants, "types.{name} must have an example of every {tag}");
}

#[test]
fn every_link_message_variant_has_an_example() {
    check_all_variants("BridgeMessage", "type");
    check_all_variants("GatewayMessage", "type");
}

#[test]
fn every_verdict_and_revocation_variant_has_an_example() {
    check_all_variants("Verdict", "verdict");
    check_all_variants("RevocationEvent", "scope");
}

#[test]
fn the_full_error_object_example_carries_every_data_member() {
    let data_members: BTreeSet<&str> = committed_bundle()["$defs"]["ErrorData"]["properties"]
        .as_object()
        .expect("ErrorData has properties")
        .keys()
        .map(String::as_str)
        .collect();
    let full = section("types")["ErrorObject"]
        .as_array()
        .expect("ErrorObject examples")
        .iter()
        .filter_map(|literal| literal.get("data").and_then(Value::as_object))
        .any(|data| data.keys().map(String::as_str).collect::<BTreeSet<_>>() == data_members);
    assert!(full, "one ErrorObject example must set every member of ErrorData: {data_members:?}");
}

#[test]
fn every_wire_type_has_an_example() {
    // The wire types the schema generator lists on their own (not reached from a method) need examples too.
    let expected = [
        "Request",
        "Response",
        "ErrorObject",
        "BridgeMessage",
        "GatewayMessage",
        "CreateTokenRequest",
        "CreatedToken",
        "TokenList",
        "TokenSummary",
        "Device",
        "DeviceList",
        "AccountStatus",
        "UpdateAccountRequest",
        "VerifyRequest",
        "Verdict",
        "RevocationEvent",
        "SignInRequest",
        "ConsoleError",
    ];
    let types = section("types");
    for name in expected {
        assert!(types.contains_key(name), "types.{name} is missing from examples.json");
        assert!(committed_bundle()["$defs"].get(name).is_some(), "$defs/{name} is missing from the bundle");
    }
}

#[test]
fn a_non_canonical_literal_is_caught() {
    // Guards the guard: an integer where the type holds a float, and a missing defaulted member, both differ.
    let quote = serde_json::json!({"symbol": "EURUSD", "bid": 1, "ask": 1.08518, "time": 1, "broker_time": ""});
    assert!(round_trip::<metaapi_protocol::methods::Quote>(&quote).is_err());
    let params = serde_json::json!({"symbol": "XAUUSD"});
    assert!(round_trip::<metaapi_protocol::methods::SelectSymbolParams>(&params).is_err());
}
