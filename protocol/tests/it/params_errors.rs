//! A wrong params shape for any method fails to decode with a message that names the field.
//!
//! For every method, starting from its example params: an unknown member, each required member removed (the
//! required list is read from the committed bundle), and each member replaced by a value of the wrong JSON type.
//! Then targeted tests of the checks that the types alone cannot express.

use metaapi_protocol::methods::{
    ClosePositionBy, GetCandles, GetHistoryDeals, GetHistoryOrders, GetOrders, GetPositions, GetQuotes, GetSymbols,
    GetTicks, ModifyOrder, ModifyPosition, PlaceOrder, Subscribe,
};
use metaapi_protocol::{
    ErrorCode, ErrorKind, ErrorObject, Method, MethodVisitor, ParamsError, decode_params, for_each_method,
};
use serde_json::{Map, Value, json};

use crate::{committed_bundle, examples, resolve_def, table_entry};

fn example_params(name: &str) -> Map<String, Value> {
    examples()["methods"][name]["params"]
        .as_object()
        .unwrap_or_else(|| panic!("examples.json has no params object for {name}"))
        .clone()
}

fn required_members(name: &str) -> Vec<String> {
    let row = table_entry("x-methods", name).unwrap_or_else(|| panic!("{name} is not in the bundle"));
    let (_, definition) = resolve_def(committed_bundle(), &row["params"]).expect("params resolve");
    definition
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().map(|name| name.as_str().expect("string").to_owned()).collect())
        .unwrap_or_default()
}

/// A value whose JSON type no member accepts where `value` was valid.
fn wrong_type(value: &Value) -> Value {
    // Serde reads a struct from an array, so an object member gets a number; everything else gets an object.
    if value.is_object() { json!(42) } else { json!({ "wrong": "type" }) }
}

#[derive(Default)]
struct Shapes {
    failures: Vec<String>,
    cases: usize,
}

impl Shapes {
    fn expect_field<M: Method>(&mut self, case: &str, params: Map<String, Value>, field: &str) {
        self.cases += 1;
        match decode_params::<M>(Some(Value::Object(params))) {
            Ok(_) => self.failures.push(format!("{} {case}: decoded, expected an error naming {field:?}", M::NAME)),
            Err(error) if error.field.as_deref() != Some(field) => self.failures.push(format!(
                "{} {case}: the error names {:?}, expected {field:?} ({})",
                M::NAME,
                error.field,
                error.message
            )),
            Err(error) if error.message.is_empty() => {
                self.failures.push(format!("{} {case}: the error has no message", M::NAME))
            }
            Err(_) => {}
        }
    }
}

impl MethodVisitor for Shapes {
    fn visit<M: Method>(&mut self) {
        let example = example_params(M::NAME);
        if let Err(error) = decode_params::<M>(Some(Value::Object(example.clone()))) {
            self.failures.push(format!("{}: the example params do not decode: {error}", M::NAME));
            return;
        }

        let mut unknown = example.clone();
        unknown.insert("not_a_member".into(), json!(1));
        self.expect_field::<M>("with an unknown member", unknown, "not_a_member");

        for member in required_members(M::NAME) {
            let mut missing = example.clone();
            if missing.remove(&member).is_none() {
                self.failures.push(format!("{}: the example lacks the required member {member:?}", M::NAME));
                continue;
            }
            self.expect_field::<M>(&format!("without {member:?}"), missing, &member);
        }

        for (member, value) in &example {
            let mut wrong = example.clone();
            wrong.insert(member.clone(), wrong_type(value));
            self.expect_field::<M>(&format!("with {member:?} of the wrong type"), wrong, member);
        }
    }
}

#[test]
fn every_method_names_the_offending_member() {
    let mut shapes = Shapes::default();
    for_each_method(&mut shapes);
    assert!(shapes.cases > 100, "only {} cases ran", shapes.cases);
    assert!(shapes.failures.is_empty(), "{} failure(s):\n{}", shapes.failures.len(), shapes.failures.join("\n"));
}

#[track_caller]
fn field_of<M: Method>(params: Value) -> ParamsError {
    match decode_params::<M>(Some(params.clone())) {
        Ok(_) => panic!("{} accepted {params}", M::NAME),
        Err(error) => error,
    }
}

#[track_caller]
fn assert_field<M: Method>(params: Value, field: &str) {
    let error = field_of::<M>(params.clone());
    assert_eq!(error.field.as_deref(), Some(field), "{} {params}: {error}", M::NAME);
    assert!(error.to_string().starts_with(&format!("{field}: ")), "the message leads with the field: {error}");
}

#[test]
fn a_pending_order_needs_a_price() {
    assert_field::<PlaceOrder>(json!({"symbol": "EURUSD", "type": "buy_limit", "volume": 0.1}), "price");
    decode_params::<PlaceOrder>(Some(json!({"symbol": "EURUSD", "type": "buy_limit", "volume": 0.1, "price": 1.081})))
        .expect("with a price it is fine");
}

/// A close-by order exists only in history: `close_position_by` makes it, `place_order` refuses the type.
#[test]
fn place_order_refuses_the_close_by_type() {
    assert_field::<PlaceOrder>(json!({"symbol": "EURUSD", "type": "close_by", "volume": 0.1}), "type");
}

#[test]
fn a_stop_limit_order_needs_its_limit_price_and_only_it_has_one() {
    assert_field::<PlaceOrder>(
        json!({"symbol": "EURUSD", "type": "buy_stop_limit", "volume": 0.1, "price": 1.0901}),
        "stop_limit_price",
    );
    assert_field::<PlaceOrder>(
        json!({"symbol": "EURUSD", "type": "buy_stop", "volume": 0.1, "price": 1.0901, "stop_limit_price": 1.0895}),
        "stop_limit_price",
    );
    decode_params::<PlaceOrder>(Some(
        json!({"symbol": "EURUSD", "type": "sell_stop_limit", "volume": 0.5, "price": 1.0832, "stop_limit_price": 1.0835}),
    ))
    .expect("a complete stop-limit order");
}

#[test]
fn client_ids_are_bounded_and_plain() {
    let order = |client_id: &str| json!({"client_id": client_id, "symbol": "EURUSD", "type": "buy", "volume": 0.1});
    assert_field::<PlaceOrder>(order(&"a".repeat(65)), "client_id");
    assert_field::<PlaceOrder>(order(""), "client_id");
    assert_field::<PlaceOrder>(order("has space"), "client_id");
    assert_field::<PlaceOrder>(order("ünïcode"), "client_id");
    decode_params::<PlaceOrder>(Some(order(&"a".repeat(64)))).expect("64 characters are allowed");
    decode_params::<PlaceOrder>(Some(order("grid-1_leg.2:retry"))).expect("- _ . : are allowed");
    assert_field::<ModifyPosition>(json!({"client_id": "x y", "ticket": "1409873311", "sl": 1.08}), "client_id");
}

#[test]
fn trade_numbers_must_be_positive_and_times_consistent() {
    assert_field::<PlaceOrder>(json!({"symbol": "EURUSD", "type": "buy", "volume": 0.0}), "volume");
    assert_field::<PlaceOrder>(json!({"symbol": "EURUSD", "type": "buy", "volume": -1.0}), "volume");
    assert_field::<PlaceOrder>(json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1, "sl": -1.0}), "sl");
    assert_field::<PlaceOrder>(json!({"symbol": "", "type": "buy", "volume": 0.1}), "symbol");
    assert_field::<PlaceOrder>(
        json!({"symbol": "EURUSD", "type": "buy_limit", "volume": 0.1, "price": 1.08, "time_in_force": "specified"}),
        "expiration",
    );
    assert_field::<PlaceOrder>(
        json!({"symbol": "EURUSD", "type": "buy_limit", "volume": 0.1, "price": 1.08, "expiration": 1718150400000_i64}),
        "expiration",
    );
    assert_field::<PlaceOrder>(
        json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1, "comment": "x".repeat(32)}),
        "comment",
    );
    assert_field::<PlaceOrder>(json!({"symbol": "EURUSD", "type": "hold", "volume": 0.1}), "type");
    assert_field::<ModifyPosition>(json!({"ticket": "1409873311"}), "sl");
    assert_field::<ModifyOrder>(json!({"ticket": "1409875120"}), "price");
    assert_field::<ClosePositionBy>(
        json!({"ticket": "1409873311", "opposite_ticket": "1409873311"}),
        "opposite_ticket",
    );
}

#[test]
fn tickets_are_decimal_strings() {
    assert_field::<ModifyPosition>(json!({"ticket": 1409873311_u64, "sl": 1.08}), "ticket");
    assert_field::<ModifyPosition>(json!({"ticket": "0x54", "sl": 1.08}), "ticket");
    assert_field::<ModifyPosition>(json!({"ticket": "", "sl": 1.08}), "ticket");
    assert_field::<ClosePositionBy>(json!({"ticket": "1409873311", "opposite_ticket": "abc"}), "opposite_ticket");
}

#[test]
fn candles_need_a_range() {
    assert_field::<GetCandles>(json!({"symbol": "EURUSD", "timeframe": "h1"}), "count");
    assert_field::<GetCandles>(json!({"symbol": "EURUSD", "timeframe": "h1", "to": 1718099535123_i64}), "from");
    assert_field::<GetCandles>(json!({"symbol": "EURUSD", "timeframe": "h1", "count": 0}), "count");
    assert_field::<GetCandles>(json!({"symbol": "EURUSD", "timeframe": "h1", "count": 10001}), "count");
    assert_field::<GetCandles>(
        json!({"symbol": "EURUSD", "timeframe": "h1", "from": 1718099535123_i64, "to": 1718092800000_i64}),
        "to",
    );
    assert_field::<GetCandles>(json!({"symbol": "EURUSD", "timeframe": "h7", "count": 5}), "timeframe");
    assert_field::<GetTicks>(json!({"symbol": "EURUSD", "from": 1718099534000_i64}), "count");
}

#[test]
fn list_pages_hold_1_to_10000_items() {
    for limit in [0, 10_001] {
        assert_field::<GetSymbols>(json!({"limit": limit}), "limit");
        assert_field::<GetPositions>(json!({"limit": limit}), "limit");
        assert_field::<GetOrders>(json!({"symbol": "EURUSD", "limit": limit}), "limit");
        assert_field::<GetHistoryOrders>(json!({"from": 0, "limit": limit}), "limit");
    }
    // A range may take a page size.
    let candles = json!({"symbol": "EURUSD", "timeframe": "h1", "from": 1718092800000_i64, "to": 1718099535123_i64, "count": 100});
    decode_params::<GetCandles>(Some(candles)).expect("from, to and count");
    let ticks = json!({"symbol": "EURUSD", "from": 1718092800000_i64, "to": 1718099535123_i64, "count": 100});
    decode_params::<GetTicks>(Some(ticks)).expect("from, to and count");
}

#[test]
fn history_queries_take_exactly_one_form() {
    assert_field::<GetHistoryOrders>(json!({"from": 1717200000000_i64, "ticket": "1409873311"}), "from");
    assert_field::<GetHistoryDeals>(json!({"ticket": "1409873311", "position_id": "1409873311"}), "from");
    assert_field::<GetHistoryDeals>(json!({}), "from");
    assert_field::<GetHistoryDeals>(json!({"position_id": "1409873311", "to": 1718099535123_i64}), "to");
    assert_field::<GetHistoryDeals>(json!({"from": 1717200000000_i64, "limit": 0}), "limit");
    assert_field::<GetHistoryDeals>(json!({"position_id": "p-1"}), "position_id");
}

#[test]
fn subscriptions_name_the_stream_at_fault() {
    assert_field::<Subscribe>(json!({"streams": []}), "streams");
    assert_field::<Subscribe>(
        json!({"streams": [{"type": "quotes", "symbol": "EURUSD"}, {"type": "ticks", "symbol": ""}]}),
        "streams[1].symbol",
    );
    assert_field::<Subscribe>(json!({"streams": [{"type": "candles", "symbol": "EURUSD"}]}), "streams[0].timeframe");
    assert_field::<Subscribe>(
        json!({"streams": [{"type": "account"}, {"type": "quotes", "symbol": "EURUSD", "depth": 5}]}),
        "streams[1].depth",
    );
    let unknown = field_of::<Subscribe>(json!({"streams": [{"type": "news"}]}));
    assert!(unknown.field.as_deref().is_some_and(|field| field.starts_with("streams[0]")), "{unknown}");
    assert_field::<GetQuotes>(json!({"symbols": ["EURUSD", ""]}), "symbols[1]");
    assert_field::<GetQuotes>(json!({"symbols": []}), "symbols");
}

#[test]
fn params_must_be_named() {
    let error = decode_params::<PlaceOrder>(Some(json!(["EURUSD", "buy", 0.1]))).unwrap_err();
    assert_eq!(error.field, None);
    assert!(error.message.contains("named"), "{error}");
    let error = decode_params::<metaapi_protocol::methods::GetQuote>(Some(json!("EURUSD"))).unwrap_err();
    assert_eq!(error.field, None, "{error}");
}

#[test]
fn absent_and_null_params_mean_no_params() {
    decode_params::<metaapi_protocol::methods::Ping>(None).expect("absent params");
    decode_params::<metaapi_protocol::methods::Ping>(Some(Value::Null)).expect("null params");
    decode_params::<metaapi_protocol::methods::Ping>(Some(json!({}))).expect("empty params");
    assert_field::<metaapi_protocol::methods::Ping>(json!({"verbose": true}), "verbose");
    // A method with required members reports the first one missing when params are absent.
    let error = decode_params::<metaapi_protocol::methods::GetQuote>(None).unwrap_err();
    assert_eq!(error.field.as_deref(), Some("symbol"));
}

#[test]
fn params_errors_become_invalid_params_with_the_field() {
    let error = field_of::<Subscribe>(
        json!({"streams": [{"type": "quotes", "symbol": "EURUSD"}, {"type": "book", "symbol": ""}]}),
    );
    let object = ErrorObject::from(error.clone());
    assert_eq!(object.code, ErrorCode::InvalidParams);
    assert_eq!(object.kind(), ErrorKind::InvalidParams);
    let data = object.data.expect("data");
    assert_eq!(data.field.as_deref(), Some("streams[1].symbol"));
    assert!(!data.retryable);
    assert!(object.message.contains("streams[1].symbol"), "{}", object.message);
}
