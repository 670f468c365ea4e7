//! Every example of section 7 of the JSON-RPC 2.0 specification, run through [`Incoming::parse`] and
//! [`Outgoing::from_answers`] with a tiny dispatcher that implements the specification's example methods.
//!
//! Our error messages and `data` are richer than the specification's, so errors are compared by `code` and `id`
//! exactly (plus a check that `data.kind` agrees with the code); everything else is compared literally.

// The dispatcher returns ErrorObject by value, as the crate's own API does.
#![allow(clippy::result_large_err)]

use metaapi_protocol::ErrorKind;
use metaapi_protocol::jsonrpc::{Call, Incoming, Outgoing, Request, Response};
use metaapi_protocol::{ErrorCode, ErrorObject};
use serde_json::{Value, json};

/// The specification's example methods.
fn call(request: &Request) -> Result<Value, ErrorObject> {
    let params = request.params.clone().unwrap_or(Value::Null);
    let numbers = |value: &Value| -> Result<Vec<i64>, ErrorObject> {
        value
            .as_array()
            .and_then(|items| items.iter().map(Value::as_i64).collect::<Option<Vec<_>>>())
            .ok_or_else(|| ErrorObject::invalid_params(None, "params must be an array of integers"))
    };
    match request.method.as_str() {
        "subtract" => match &params {
            Value::Array(_) => match numbers(&params)?.as_slice() {
                [minuend, subtrahend] => Ok(json!(minuend - subtrahend)),
                _ => Err(ErrorObject::invalid_params(None, "subtract takes two numbers")),
            },
            Value::Object(members) => {
                let member = |name: &str| {
                    members
                        .get(name)
                        .and_then(Value::as_i64)
                        .ok_or_else(|| ErrorObject::invalid_params(Some(name.to_owned()), "must be an integer"))
                };
                Ok(json!(member("minuend")? - member("subtrahend")?))
            }
            _ => Err(ErrorObject::invalid_params(None, "subtract needs params")),
        },
        "sum" => Ok(json!(numbers(&params)?.iter().sum::<i64>())),
        "update" | "notify_hello" | "notify_sum" => Ok(Value::Null),
        "get_data" => Ok(json!(["hello", 5])),
        _ => Err(ErrorObject::of(ErrorKind::MethodNotFound)),
    }
}

fn answer(call_: Call) -> Option<Response> {
    match call_ {
        Err(response) => Some(response),
        Ok(request) => {
            let outcome = call(&request);
            let id = request.id?;
            Some(match outcome {
                Ok(result) => Response::result(id, result),
                Err(error) => Response::error(id, error),
            })
        }
    }
}

/// Frames `body`, dispatches every call, and returns what goes on the wire (`None`: nothing is sent).
fn serve(body: &str) -> Option<Value> {
    let outgoing = match Incoming::parse(body.as_bytes()) {
        Incoming::Rejected(response) => Some(Outgoing::Single(response)),
        Incoming::Single(call_) => Outgoing::from_answers(false, vec![answer(call_)]),
        Incoming::Batch(calls) => Outgoing::from_answers(true, calls.into_iter().map(answer).collect()),
    };
    outgoing.map(|outgoing| serde_json::to_value(outgoing).expect("responses serialize"))
}

/// Drops error messages and data after checking that the data agrees with the code, so that the rest can be
/// compared with the specification's literal output.
fn normalize(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        Value::Object(mut members) => {
            if let Some(Value::Object(error)) = members.get_mut("error") {
                let code = error.get("code").and_then(Value::as_i64).expect("an error has an integer code");
                let message = error.remove("message");
                assert!(
                    message.as_ref().and_then(Value::as_str).is_some_and(|text| !text.is_empty()),
                    "error {code} needs a message"
                );
                if let Some(data) = error.remove("data") {
                    let kind: ErrorKind = serde_json::from_value(data["kind"].clone()).expect("data.kind is a kind");
                    assert_eq!(i64::from(kind.code().code()), code, "data.kind {kind} disagrees with code {code}");
                }
            }
            Value::Object(members)
        }
        other => other,
    }
}

#[track_caller]
fn check(request: &str, expected: Option<Value>) {
    let actual = serve(request).map(normalize);
    let expected = expected.map(normalize);
    assert_eq!(actual, expected, "request: {request}");
}

#[test]
fn rpc_call_with_positional_parameters() {
    check(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#,
        Some(json!({"jsonrpc": "2.0", "result": 19, "id": 1})),
    );
    check(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}"#,
        Some(json!({"jsonrpc": "2.0", "result": -19, "id": 2})),
    );
}

#[test]
fn rpc_call_with_named_parameters() {
    check(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#,
        Some(json!({"jsonrpc": "2.0", "result": 19, "id": 3})),
    );
    check(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}"#,
        Some(json!({"jsonrpc": "2.0", "result": 19, "id": 4})),
    );
}

#[test]
fn notifications_get_no_answer() {
    check(r#"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#, None);
    check(r#"{"jsonrpc": "2.0", "method": "foobar"}"#, None);
}

#[test]
fn rpc_call_of_non_existent_method() {
    check(
        r#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#,
        Some(json!({"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"})),
    );
}

#[test]
fn rpc_call_with_invalid_json() {
    check(
        r#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#,
        Some(json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null})),
    );
}

#[test]
fn rpc_call_with_invalid_request_object() {
    check(
        r#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#,
        Some(json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null})),
    );
}

#[test]
fn rpc_call_batch_with_invalid_json() {
    check(
        r#"[
            {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
            {"jsonrpc": "2.0", "method"
        ]"#,
        Some(json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null})),
    );
}

#[test]
fn rpc_call_with_an_empty_array() {
    check("[]", Some(json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null})));
}

#[test]
fn rpc_call_with_an_invalid_batch_but_not_empty() {
    check(
        "[1]",
        Some(json!([
            {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}
        ])),
    );
}

#[test]
fn rpc_call_with_invalid_batch() {
    check(
        "[1,2,3]",
        Some(json!([
            {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
            {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
            {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}
        ])),
    );
}

#[test]
fn rpc_call_batch() {
    check(
        r#"[
            {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
            {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
            {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
            {"foo": "boo"},
            {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
            {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
        ]"#,
        Some(json!([
            {"jsonrpc": "2.0", "result": 7, "id": "1"},
            {"jsonrpc": "2.0", "result": 19, "id": "2"},
            {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
            {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
            {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
        ])),
    );
}

#[test]
fn rpc_call_batch_of_all_notifications() {
    check(
        r#"[
            {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
            {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
        ]"#,
        None,
    );
}

#[test]
fn a_null_id_is_a_request_and_is_answered_with_a_null_id() {
    check(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": null}"#,
        Some(json!({"jsonrpc": "2.0", "result": 19, "id": null})),
    );
    check(
        r#"{"jsonrpc": "2.0", "method": "foobar", "id": null}"#,
        Some(json!({"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": null})),
    );
    let Incoming::Single(Ok(request)) = Incoming::parse(br#"{"jsonrpc":"2.0","method":"ping","id":null}"#) else {
        panic!("a request with a null id is a readable request");
    };
    assert!(!request.is_notification());
}

#[test]
fn a_malformed_notification_still_gets_an_error() {
    // Without an id this would be a notification, but an invalid request is answered (with id null).
    for body in [
        r#"{"jsonrpc": "2.0", "method": "update", "params": "bar"}"#,
        r#"{"jsonrpc": "1.0", "method": "update"}"#,
        r#"{"method": "update", "params": [1]}"#,
        r#"{"jsonrpc": "2.0", "method": 7}"#,
        r#"{"jsonrpc": "2.0", "method": "update", "extra": true}"#,
    ] {
        check(
            body,
            Some(json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null})),
        );
    }
    // In a batch the malformed notification is answered and the well-formed one is not.
    check(
        r#"[{"jsonrpc": "2.0", "method": "update", "params": 3}, {"jsonrpc": "2.0", "method": "update"}]"#,
        Some(json!([{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}])),
    );
}

#[test]
fn a_malformed_request_keeps_its_id() {
    check(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": 5, "id": 77}"#,
        Some(json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": 77})),
    );
    // An id that is neither string, number nor null cannot be echoed.
    check(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": [1, 2], "id": {"a": 1}}"#,
        Some(json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null})),
    );
}

#[test]
fn invalid_params_use_the_standard_code() {
    check(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": "x", "subtrahend": 1}, "id": 8}"#,
        Some(json!({"jsonrpc": "2.0", "error": {"code": -32602, "message": "Invalid params"}, "id": 8})),
    );
}

#[test]
fn framing_counts_calls() {
    assert_eq!(Incoming::parse(b"[]").len(), 0);
    assert!(Incoming::parse(b"not json").is_empty());
    assert_eq!(Incoming::parse(br#"{"jsonrpc":"2.0","method":"a"}"#).len(), 1);
    assert_eq!(Incoming::parse(b"[1,2,3]").len(), 3);
    assert_eq!(Outgoing::from_answers(true, vec![None, None]), None);
    assert_eq!(Outgoing::from_answers(false, vec![None]), None);
}

#[test]
fn standard_codes_match_the_specification() {
    for (code, number) in [
        (ErrorCode::ParseError, -32700),
        (ErrorCode::InvalidRequest, -32600),
        (ErrorCode::MethodNotFound, -32601),
        (ErrorCode::InvalidParams, -32602),
        (ErrorCode::InternalError, -32603),
    ] {
        assert_eq!(code.code(), number);
    }
}

#[test]
fn ids_are_echoed_exactly_as_written() {
    for id in ["1.4458485475249911e+225", "-0.1", "9007199254740993", "18446744073709551615", "-9223372036854775808"] {
        let body = format!(r#"{{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": {id}}}"#);
        let answer = serve(&body).expect("a request is answered");
        let expected: Value = serde_json::from_str(id).unwrap();
        assert_eq!(answer["id"], expected, "id {id}");
        let text = serde_json::to_string(&answer["id"]).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), expected, "id {id} printed as {text}");
    }
}

#[test]
fn request_envelopes_keep_null_ids_apart_from_absent_ones() {
    let with_null: Request = serde_json::from_str(r#"{"jsonrpc":"2.0","method":"ping","id":null}"#).unwrap();
    assert_eq!(with_null.id, Some(metaapi_protocol::jsonrpc::Id::Null));
    assert!(!with_null.is_notification());
    assert_eq!(serde_json::to_value(&with_null).unwrap(), json!({"jsonrpc":"2.0","method":"ping","id":null}));
    let without: Request = serde_json::from_str(r#"{"jsonrpc":"2.0","method":"ping"}"#).unwrap();
    assert_eq!(without.id, None);
    assert!(without.is_notification());
    assert_eq!(serde_json::to_value(&without).unwrap(), json!({"jsonrpc":"2.0","method":"ping"}));
    for bad in [
        r#"{"jsonrpc":"1.0","method":"ping","id":1}"#,
        r#"{"jsonrpc":"2.0","method":"ping","id":true}"#,
        r#"{"jsonrpc":"2.0","method":"ping","id":1,"extra":0}"#,
        r#"{"jsonrpc":"2.0","id":1}"#,
    ] {
        assert!(serde_json::from_str::<Request>(bad).is_err(), "{bad} was read as a request");
    }
}

#[test]
fn responses_carry_exactly_one_of_result_and_error() {
    let ok: Response = serde_json::from_str(r#"{"jsonrpc":"2.0","id":"a","result":null}"#).unwrap();
    assert_eq!(ok.into_result(), Ok(Value::Null));
    let error: Response =
        serde_json::from_str(r#"{"jsonrpc":"2.0","id":"a","error":{"code":-32601,"message":"Method not found"}}"#)
            .unwrap();
    let error = error.into_result().unwrap_err();
    assert_eq!(error.code, ErrorCode::MethodNotFound);
    assert_eq!(error.kind(), ErrorKind::Unknown, "an error without data has no kind");
    for bad in [
        r#"{"jsonrpc":"2.0","id":1}"#,
        r#"{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":-32603,"message":"Internal error"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"result":1,"extra":true}"#,
        r#"{"jsonrpc":"2.0","result":1}"#,
    ] {
        assert!(serde_json::from_str::<Response>(bad).is_err(), "{bad} was read as a response");
    }
}
