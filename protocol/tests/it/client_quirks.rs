//! Details generic JSON-RPC clients depend on: ids come back exactly as sent, `params: []` means no params,
//! client-chosen names are not echoed whole, and calculation params are bounded before a terminal sees them.

use metaapi_protocol::jsonrpc::{ECHOED_NAME_MAX_CHARS, Id, Incoming, Outgoing, quoted_name, request_id};
use metaapi_protocol::methods::{CalcMargin, CalcProfit, GetPositions, Ping, PlaceOrder};
use metaapi_protocol::{ErrorKind, ErrorObject, decode_params};
use serde_json::{Value, json};

/// The serialized answer of each call of `body`, answered with `result: true` or the framing error.
fn echo(body: &str) -> String {
    let (batch, calls) = match Incoming::parse(body.as_bytes()) {
        Incoming::Single(call) => (false, vec![call]),
        Incoming::Batch(calls) => (true, calls),
        Incoming::Rejected(response) => return serde_json::to_string(&response).unwrap(),
    };
    let answers = calls
        .into_iter()
        .map(|call| match call {
            Ok(request) => request.id.map(|id| metaapi_protocol::jsonrpc::Response::result(id, json!(true))),
            Err(response) => Some(response),
        })
        .collect();
    serde_json::to_string(&Outgoing::from_answers(batch, answers).unwrap()).unwrap()
}

#[test]
fn ids_beyond_64_bits_and_fractions_come_back_as_written() {
    for id in ["12345678901234567890123", "-98765432109876543210", "1.50", "1e3", "18446744073709551616"] {
        let answer = echo(&format!(r#"{{"jsonrpc": "2.0", "id": {id}, "method": "ping"}}"#));
        assert!(answer.contains(&format!(r#""id":{id}"#)), "{id}: {answer}");
    }
    // Integers that fit stay plain numbers; strings are untouched.
    assert!(
        echo(r#"{"jsonrpc": "2.0", "id": 18446744073709551615, "method": "ping"}"#)
            .contains(r#""id":18446744073709551615"#)
    );
    assert!(
        echo(r#"{"jsonrpc": "2.0", "id": "12345678901234567890123", "method": "ping"}"#)
            .contains(r#""id":"12345678901234567890123""#)
    );
}

#[test]
fn a_batch_keeps_each_big_id_and_a_malformed_request_keeps_its_id() {
    let answer = echo(
        r#"[{"jsonrpc": "2.0", "id": 7, "method": "ping"},
            {"jsonrpc": "2.0", "id": 12345678901234567890123, "method": "ping"},
            {"jsonrpc": "1.0", "id": 99999999999999999999999, "method": "ping"},
            5]"#,
    );
    let parsed: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(parsed.as_array().map(Vec::len), Some(4), "{answer}");
    assert!(answer.starts_with(r#"[{"jsonrpc":"2.0","id":7,"#), "{answer}");
    assert!(answer.contains(r#""id":12345678901234567890123,"result":true"#), "{answer}");
    assert!(answer.contains(r#""id":99999999999999999999999,"error""#), "{answer}");
    assert!(answer.contains(r#""id":null,"error""#), "{answer}");
}

#[test]
fn the_id_of_a_body_is_read_for_early_refusals() {
    assert_eq!(
        request_id(br#"{"jsonrpc": "2.0", "id": "a-1", "method": "ping", "params": {"x": [1, 2]}}"#),
        Id::from("a-1")
    );
    assert_eq!(request_id(br#"{"method": "ping", "id": 42}"#), Id::from(42));
    let big = request_id(br#"{"jsonrpc": "2.0", "id": 12345678901234567890123, "method": "ping"}"#);
    assert_eq!(serde_json::to_string(&big).unwrap(), "12345678901234567890123");
    // A batch gets one answer with a null id; so does anything unreadable or an id that cannot be one.
    for body in [
        &br#"[{"jsonrpc": "2.0", "id": 1, "method": "ping"}]"#[..],
        b"{not json",
        b"",
        br#"{"id": [1]}"#,
        br#"{"id": null}"#,
        br#"{"jsonrpc": "2.0", "method": "ping"}"#,
    ] {
        assert_eq!(request_id(body), Id::Null, "{}", String::from_utf8_lossy(body));
    }
}

#[test]
fn long_names_are_cut_in_error_messages() {
    let name = "m".repeat(900_000);
    let quoted = quoted_name(&name);
    assert!(quoted.len() < 200, "{} bytes", quoted.len());
    assert!(quoted.starts_with(&format!("{:?}", &name[..ECHOED_NAME_MAX_CHARS])[..ECHOED_NAME_MAX_CHARS]), "{quoted}");
    assert!(quoted.ends_with("(900000 bytes in all)"), "{quoted}");
    assert_eq!(quoted_name("get_account_info"), r#""get_account_info""#);
    // A multi-byte name is cut on a character boundary.
    assert!(quoted_name(&"é".repeat(100)).contains(&"é".repeat(ECHOED_NAME_MAX_CHARS)));

    let body = format!(r#"{{"jsonrpc": "2.0", "id": 1, "method": "ping", "{name}": 1}}"#);
    let answer = echo(&body);
    assert!(answer.len() < 500, "the unknown member came back whole ({} bytes)", answer.len());
    assert!(answer.contains("unknown member"), "{answer}");
}

#[test]
fn an_empty_params_array_means_no_params() {
    assert!(decode_params::<Ping>(Some(json!([]))).is_ok());
    let error = ErrorObject::from(decode_params::<Ping>(Some(json!([1]))).unwrap_err());
    assert_eq!(error.kind(), ErrorKind::InvalidParams);
    assert!(error.message.contains("ping takes no params"), "{}", error.message);
}

#[test]
fn params_by_position_are_refused_with_a_clear_message_where_a_method_has_params() {
    for params in [json!([]), json!(["EURUSD"])] {
        let error = ErrorObject::from(decode_params::<GetPositions>(Some(params.clone())).unwrap_err());
        assert_eq!(error.kind(), ErrorKind::InvalidParams, "{params}");
        assert!(error.message.contains("get_positions takes named params"), "{}", error.message);
        let error = ErrorObject::from(decode_params::<PlaceOrder>(Some(params)).unwrap_err());
        assert!(error.message.contains("not an array (by position)"), "{}", error.message);
    }
}

#[test]
fn calculations_refuse_numbers_a_terminal_cannot_answer() {
    let margin = |volume: f64, price: Option<f64>| {
        let mut params = json!({ "symbol": "EURUSD", "side": "buy", "volume": volume });
        if let Some(price) = price {
            params["price"] = json!(price);
        }
        decode_params::<CalcMargin>(Some(params)).map_err(|error| error.field)
    };
    assert!(margin(1e6, Some(1e12)).is_ok());
    assert_eq!(margin(1e6 + 1.0, None).unwrap_err().as_deref(), Some("volume"));
    assert_eq!(margin(1e300, None).unwrap_err().as_deref(), Some("volume"));
    assert_eq!(margin(1.0, Some(1e308)).unwrap_err().as_deref(), Some("price"));

    let profit = |volume: f64, open: f64, close: f64| {
        let params =
            json!({ "symbol": "EURUSD", "side": "sell", "volume": volume, "price_open": open, "price_close": close });
        decode_params::<CalcProfit>(Some(params)).map_err(|error| error.field)
    };
    assert!(profit(1.0, 1.1, 1.2).is_ok());
    assert_eq!(profit(1e10, 1.1, 1.2).unwrap_err().as_deref(), Some("volume"));
    assert_eq!(profit(1.0, 1e300, 1.0).unwrap_err().as_deref(), Some("price_open"));
    assert_eq!(profit(1.0, 1.0, 1e13).unwrap_err().as_deref(), Some("price_close"));
}
