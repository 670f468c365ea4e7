//! The link against a gateway stand-in: requests through Queued -> Taken -> Done, params getters, checked
//! replies, deadlines, events, refusal, and relinking after a gateway restart.

use std::time::{Duration, Instant};

use metaapi_bridge::*;
use metaapi_protocol::link::{BridgeMessage, Discarded, GatewayMessage};
use metaapi_protocol::{ErrorCode, ErrorKind};
use serde_json::{Value, json};

use crate::gateway::StandIn;
use crate::harness::{Session, abi, closed_port, copy_text, last_error};

const TOKEN: &str = "mat_test_token";

fn linked() -> (StandIn, Session) {
    let gateway = StandIn::start(TOKEN);
    let session = Session::start(gateway.port, TOKEN);
    let hello = gateway.expect_hello();
    let BridgeMessage::Hello { terminal, capabilities, link_version, .. } = hello else { unreachable!() };
    assert_eq!(link_version, metaapi_protocol::link::LINK_VERSION);
    assert_eq!(terminal.login, 5001);
    assert_eq!(capabilities.len(), 2);
    gateway.wait_linked();
    session.wait_link("linked");
    (gateway, session)
}

fn reply_of(message: BridgeMessage) -> (u64, Option<String>, Option<Value>, Option<metaapi_protocol::ErrorObject>) {
    match message {
        BridgeMessage::Reply { id, client_id, result, error, .. } => (id, client_id, result, error),
        other => panic!("expected a reply, got {other:?}"),
    }
}

fn account() -> Value {
    json!({"platform": "mt5", "login": 5001, "name": "Tester", "server": "Test-Demo", "company": "Test Broker",
           "currency": "USD", "currency_digits": 2, "leverage": 100, "balance": 10000.0, "credit": 0.0,
           "profit": 0.0, "equity": 10000.0, "margin": 0.0, "free_margin": 10000.0, "margin_call_level": 100.0,
           "stop_out_level": 50.0, "stop_out_mode": "percent", "margin_mode": "hedging", "trade_mode": "demo",
           "trade_allowed": true, "expert_allowed": true, "limit_orders": 0, "fifo_close": false,
           "investor_mode": false})
}

fn quote(symbol: &str, bid: f64) -> Value {
    json!({"symbol": symbol, "bid": bid, "ask": bid + 0.0002, "time": 1_700_000_000_000i64,
           "broker_time": "2023-11-14 22:13:20.000"})
}

fn deal(ticket: &str) -> Value {
    json!({"ticket": ticket, "symbol": "EURUSD", "type": "buy", "entry": "in", "volume": 0.1, "price": 1.1,
           "commission": 0.0, "swap": 0.0, "fee": 0.0, "profit": 0.0, "magic": 0, "comment": "",
           "reason": "expert", "time": 1, "broker_time": "1970-01-01 00:00:00.001", "platform": "mt5"})
}

#[test]
fn a_request_is_taken_built_with_typed_setters_checked_and_answered() {
    let (gateway, session) = linked();
    gateway.request(7, "get_account_info", json!({}), 30_000);
    // The wait returns within the timeout once the request is queued (the link bit may come first).
    let until = Instant::now() + Duration::from_secs(10);
    while (abi().wait)(session.0, 1000) & MTB_READY_REQUEST == 0 {
        assert!(Instant::now() < until, "the wait never reported the request");
    }
    // A short method buffer leaves the request queued and reports the size.
    let (mut id, mut needed) = (0i64, 0i32);
    let mut short = [0u8; 3];
    assert_eq!((abi().next_request)(session.0, short.as_mut_ptr(), 3, &mut id, &mut needed), MTB_E_BUFFER_TOO_SMALL);
    assert_eq!(needed as usize, "get_account_info".len());
    assert_eq!(session.status()["queues"]["requests_queued"], 1);
    let (method, id) = session.claim();
    assert_eq!(method, "get_account_info");
    assert_eq!(gateway.next_message(), BridgeMessage::Taken { id: 7 });

    let expected = account();
    for (key, value) in expected.as_object().unwrap() {
        let code = match value {
            Value::String(text) => session.set_string(id, key, text),
            Value::Bool(flag) => session.set_bool(id, key, *flag),
            Value::Number(number) if number.is_f64() => session.set_double(id, key, number.as_f64().unwrap()),
            Value::Number(number) => session.set_long(id, key, number.as_i64().unwrap()),
            other => panic!("unexpected {other}"),
        };
        assert_eq!(code, 0, "{key}: {}", last_error());
    }
    assert_eq!(session.set_double(id, "margin_level", f64::NAN), MTB_E_INVALID_ARG);
    assert_eq!(session.set_bool(id, "fifo_close", false), 0);
    assert_eq!((abi().set_bool)(session.0, id, "x".as_ptr(), 1, 2), MTB_E_INVALID_ARG);
    assert_eq!((abi().reply_send)(session.0, id), 0, "{}", last_error());
    let (reply_id, client_id, result, error) = reply_of(gateway.next_message());
    assert_eq!((reply_id, client_id, error), (7, None, None));
    assert_eq!(result.unwrap(), expected);
    // Done: the id is no longer claimed.
    assert_eq!((abi().reply_send)(session.0, id), MTB_E_NOT_FOUND);
}

#[test]
fn typed_getters_read_normalized_params() {
    let (gateway, session) = linked();
    gateway.request(1, "get_quotes", json!({"symbols": ["EURUSD", "GBPUSD"]}), 30_000);
    let (_, quotes_id) = session.claim();
    gateway.request(2, "get_history_deals", json!({"from": 1_700_000_000_000i64}), 30_000);
    let (_, history_id) = session.claim();

    let path = |text: &'static str| (text.as_ptr(), text.len() as i32);
    let mut count = 0;
    let (p, n) = path("symbols");
    assert_eq!((abi().param_count)(session.0, quotes_id, p, n, &mut count), 0);
    assert_eq!(count, 2);
    let (p, n) = path("symbols[1]");
    let text = copy_text(|buf, cap, needed| (abi().param_string)(session.0, quotes_id, p, n, buf, cap, needed));
    assert_eq!(text.unwrap(), "GBPUSD");
    let mut long = 0i64;
    assert_eq!((abi().param_long)(session.0, quotes_id, p, n, &mut long), MTB_E_WRONG_TYPE);
    assert!(last_error().contains("a string"), "{}", last_error());
    let (p, n) = path("symbols[2]");
    let mut double = 0.0;
    assert_eq!((abi().param_double)(session.0, quotes_id, p, n, &mut double), MTB_E_NOT_FOUND);
    let (p, n) = path("symbols[");
    assert_eq!((abi().param_double)(session.0, quotes_id, p, n, &mut double), MTB_E_INVALID_ARG);
    let bad = b"sym\xffbols";
    assert_eq!((abi().param_count)(session.0, quotes_id, bad.as_ptr(), 8, &mut count), MTB_E_INVALID_UTF8);

    // Defaults the client left out are filled in by the DLL from the params type.
    let (p, n) = path("limit");
    assert_eq!((abi().param_long)(session.0, history_id, p, n, &mut long), 0);
    assert_eq!(long, 1000);
    let (p, n) = path("from");
    assert_eq!((abi().param_double)(session.0, history_id, p, n, &mut double), 0);
    assert_eq!(double, 1_700_000_000_000.0);
    let mut flag = -1;
    let (p, n) = path("offset");
    assert_eq!((abi().param_bool)(session.0, history_id, p, n, &mut flag), MTB_E_WRONG_TYPE);
    let params = copy_text(|buf, cap, needed| (abi().request_params)(session.0, history_id, buf, cap, needed));
    let params: Value = serde_json::from_str(&params.unwrap()).unwrap();
    assert_eq!(params["offset"], 0);
    // Params of a request that is not claimed are not readable.
    let (p, n) = path("limit");
    assert_eq!((abi().param_long)(session.0, 999, p, n, &mut long), MTB_E_NOT_FOUND);
}

#[test]
fn a_bad_reply_becomes_invalid_terminal_reply_naming_the_field() {
    let (gateway, session) = linked();
    gateway.request(3, "get_positions", json!({}), 30_000);
    let (_, id) = session.claim();
    let _taken = gateway.next_message();
    assert_eq!(session.set_long(id, "positions[0].ticket", 123), 0);
    assert_eq!(session.set_string(id, "positions[2].ticket", "x"), MTB_E_INVALID_ARG, "rows are filled in order");
    assert_eq!((abi().reply_send)(session.0, id), MTB_E_INVALID_REPLY);
    let message = last_error();
    assert!(message.contains("positions[0].ticket") && message.contains("get_positions"), "{message}");
    let (reply_id, _, result, error) = reply_of(gateway.next_message());
    let error = error.expect("an error reply");
    assert_eq!((reply_id, result, error.code), (3, None, ErrorCode::InvalidTerminalReply));
    assert_eq!(error.data.unwrap().field.as_deref(), Some("positions[0].ticket"));
    assert_eq!(session.status()["counters"]["replies_invalid"], 1);

    // Empty lists through set_empty_array pass the check.
    gateway.request(4, "get_positions", json!({"symbol": "EURUSD"}), 30_000);
    let (_, id) = session.claim();
    let _taken = gateway.next_message();
    let path = "positions";
    assert_eq!((abi().set_empty_array)(session.0, id, path.as_ptr(), path.len() as i32), 0);
    assert_eq!((abi().reply_send)(session.0, id), 0, "{}", last_error());
    assert_eq!(reply_of(gateway.next_message()).2, Some(json!({"positions": [], "has_more": false})));

    // Raw JSON that does not parse leaves the request claimed.
    gateway.request(5, "get_positions", json!({}), 30_000);
    let (_, id) = session.claim();
    let _taken = gateway.next_message();
    let broken = "{\"positions\": [";
    assert_eq!((abi().reply_json)(session.0, id, broken.as_ptr(), broken.len() as i32), MTB_E_INVALID_JSON);
    assert_eq!(session.reply_json(id, &json!({"positions": []})), 0);
    assert_eq!(reply_of(gateway.next_message()).0, 5);

    // Raw JSON that parses but is not the result type is answered like a bad built reply, naming the field.
    gateway.request(6, "get_positions", json!({}), 30_000);
    let (_, id) = session.claim();
    let _taken = gateway.next_message();
    assert_eq!(session.reply_json(id, &json!({"positions": [{"ticket": 5}]})), MTB_E_INVALID_REPLY);
    assert!(last_error().contains("positions[0].ticket"), "{}", last_error());
    let (reply_id, _, result, error) = reply_of(gateway.next_message());
    let error = error.expect("an error reply");
    assert_eq!((reply_id, result, error.code), (6, None, ErrorCode::InvalidTerminalReply));
    assert_eq!(error.data.unwrap().field.as_deref(), Some("positions[0].ticket"));
}

#[test]
fn trading_replies_carry_the_client_id() {
    let (gateway, session) = linked();
    let params = json!({"client_id": "order-1", "symbol": "EURUSD", "type": "buy", "volume": 0.1});
    gateway.request(10, "place_order", params.clone(), 30_000);
    let (_, id) = session.claim();
    let _taken = gateway.next_message();
    let result = json!({"retcode": 10009, "retcode_name": "TRADE_RETCODE_DONE", "message": "done", "order": "55",
                        "volume": 0.1, "price": 1.1, "comment": "", "platform": "mt5", "client_id": "order-1"});
    assert_eq!(session.reply_json(id, &result), 0, "{}", last_error());
    let (_, client_id, reply, _) = reply_of(gateway.next_message());
    assert_eq!(client_id.as_deref(), Some("order-1"));
    assert_eq!(reply.unwrap(), result);

    let mut params = params;
    params["client_id"] = json!("order-2");
    gateway.request(11, "place_order", params, 30_000);
    let (_, id) = session.claim();
    let _taken = gateway.next_message();
    let text = "not enough money";
    assert_eq!((abi().reply_error)(session.0, id, -32005, 10019, text.as_ptr(), text.len() as i32), 0);
    let (_, client_id, _, error) = reply_of(gateway.next_message());
    let error = error.unwrap();
    let data = error.data.unwrap();
    assert_eq!((client_id.as_deref(), data.kind), (Some("order-2"), ErrorKind::TradeRejected));
    assert_eq!((data.retcode, data.retcode_name.as_deref()), (Some(10019), Some("TRADE_RETCODE_NO_MONEY")));
    assert_eq!(data.client_id.as_deref(), Some("order-2"));

    gateway.request(12, "get_ticks", json!({"symbol": "EURUSD", "from": 1, "count": 5}), 30_000);
    let (_, id) = session.claim();
    let _taken = gateway.next_message();
    assert_eq!((abi().reply_error)(session.0, id, -32700, 0, std::ptr::null(), 0), MTB_E_INVALID_ARG);
    assert_eq!((abi().reply_error)(session.0, id, -32006, 0, std::ptr::null(), 0), 0);
    let error = reply_of(gateway.next_message()).3.unwrap();
    assert_eq!(error.kind(), ErrorKind::Unsupported);
    assert_eq!(error.message, "Unsupported on this platform");
}

#[test]
fn requests_past_their_deadline_are_answered_not_executed_and_never_handed_out() {
    let (gateway, session) = linked();
    gateway.request(20, "get_account_info", json!({}), -1);
    let (id, _, _, error) = reply_of(gateway.next_message());
    assert_eq!((id, error.unwrap().kind()), (20, ErrorKind::NotExecuted));

    gateway.request(21, "get_account_info", json!({}), 300);
    // Wait until it is queued, then let its deadline pass without claiming it.
    let until = Instant::now() + Duration::from_secs(10);
    while session.status()["queues"]["requests_queued"] != 1 {
        assert!(Instant::now() < until, "request never queued");
        std::thread::sleep(Duration::from_millis(5));
    }
    let (id, _, _, error) = reply_of(gateway.next_message());
    assert_eq!((id, error.unwrap().kind()), (21, ErrorKind::NotExecuted));
    let (mut request, mut needed) = (0i64, 0i32);
    let mut buf = [0u8; 64];
    assert_eq!((abi().next_request)(session.0, buf.as_mut_ptr(), 64, &mut request, &mut needed), 0);
    assert_eq!(request, 0);
    let counters = &session.status()["counters"];
    assert_eq!((counters["requests_expired"].as_u64(), counters["requests_rejected"].as_u64()), (Some(1), Some(1)));
}

#[test]
fn the_dll_answers_what_the_ea_cannot() {
    let (gateway, session) = linked();
    gateway.request(30, "no_such_method", json!({}), 30_000);
    assert_eq!(reply_of(gateway.next_message()).3.unwrap().kind(), ErrorKind::MethodNotFound);
    gateway.request(31, "ping", json!({}), 30_000);
    assert_eq!(reply_of(gateway.next_message()).3.unwrap().kind(), ErrorKind::MethodNotFound);
    gateway.request(32, "get_quote", json!({"symbol": 5}), 30_000);
    let error = reply_of(gateway.next_message()).3.unwrap();
    assert_eq!(error.kind(), ErrorKind::InvalidParams);
    assert_eq!(error.data.unwrap().field.as_deref(), Some("symbol"));
    assert_eq!(session.status()["counters"]["requests_rejected"], 3);
}

#[test]
fn events_coalesce_quotes_keep_trade_order_and_count_drops() {
    // Publish while no gateway runs, so everything waits in the DLL.
    let mut gateway = StandIn::start(TOKEN);
    let port = gateway.port;
    gateway.stop();
    let session = Session::start(port, TOKEN);
    for bid in [1.1, 1.2, 1.3] {
        assert_eq!(session.publish("quote", &quote("EURUSD", bid)), 0, "{}", last_error());
    }
    assert_eq!(session.publish("quote", &quote("GBPUSD", 1.25)), 0);
    for ticket in ["1", "2", "3"] {
        assert_eq!(session.publish("deal_added", &deal(ticket)), 0, "{}", last_error());
    }
    // The builder path for events.
    let name = "position_removed";
    let mut event = 0;
    assert_eq!((abi().event_begin)(session.0, name.as_ptr(), name.len() as i32, &mut event), 0);
    assert_eq!(session.set_string(event, "ticket", "9"), 0);
    assert_eq!((abi().event_send)(session.0, event), MTB_E_INVALID_REPLY);
    assert!(last_error().contains("position_id"), "{}", last_error());
    let mut event = 0;
    assert_eq!((abi().event_begin)(session.0, name.as_ptr(), name.len() as i32, &mut event), 0);
    assert_eq!(session.set_string(event, "ticket", "9"), 0);
    assert_eq!(session.set_string(event, "position_id", "9"), 0);
    assert_eq!(session.set_long(event, "time", 5), 0);
    assert_eq!((abi().event_send)(session.0, event), 0, "{}", last_error());
    // Bad events are refused with a reason.
    assert_eq!(session.publish("quote", &json!({"symbol": "EURUSD"})), MTB_E_INVALID_REPLY);
    assert!(last_error().contains("bid"), "{}", last_error());
    let broken = "{";
    assert_eq!((abi().publish_json)(session.0, "tick".as_ptr(), 4, broken.as_ptr(), 1), MTB_E_INVALID_JSON);

    gateway.restart();
    gateway.expect_hello();
    let mut events = Vec::new();
    while events.len() < 6 {
        if let BridgeMessage::Event { seq, name, data } = gateway.next_message() {
            events.push((seq, name, data));
        }
    }
    let names: Vec<&str> = events.iter().map(|(_, name, _)| name.as_str()).collect();
    assert_eq!(names, ["deal_added", "deal_added", "deal_added", "position_removed", "quote", "quote"]);
    let seqs: Vec<u64> = events.iter().map(|(seq, _, _)| *seq).collect();
    assert!(seqs.windows(2).all(|pair| pair[1] == pair[0] + 1), "no gaps without drops: {seqs:?}");
    let eurusd = events.iter().find(|(_, name, data)| name == "quote" && data["symbol"] == "EURUSD").unwrap();
    assert_eq!(eurusd.2["bid"], 1.3, "the newest quote wins");
    let status = session.status();
    assert_eq!(status["counters"]["events_coalesced"], 2, "{status}");
    assert_eq!(status["counters"]["events_invalid"], 2, "{status}");
}

#[test]
fn overflow_is_counted_and_shows_as_a_sequence_gap() {
    let session = Session::start(closed_port(), TOKEN);
    let data = deal("1");
    let mut dropped = 0;
    for _ in 0..=8192 {
        match session.publish("deal_added", &data) {
            0 => {}
            MTB_E_QUEUE_FULL => dropped += 1,
            other => panic!("publish: {other} {}", last_error()),
        }
    }
    assert_eq!(dropped, 1);
    assert!(last_error().contains("dropped"), "{}", last_error());
    let status = session.status();
    assert_eq!(status["counters"]["events_dropped"], 1);
    assert_eq!(status["queues"]["outbox_events"], 8192);
}

#[test]
fn a_refused_token_shows_in_status_and_last_error() {
    let gateway = StandIn::start(TOKEN);
    let session = Session::start(gateway.port, "mat_wrong");
    session.wait_link("refused");
    let status = session.status();
    assert!(status["link"]["reason"].as_str().unwrap().contains("401"), "{status}");
    // The wait reports the change once and puts the reason into the last error.
    let _ = (abi().wait)(session.0, 0);
    let refusing = StandIn::start_refusing(TOKEN);
    let other = Session::start(refusing.port, TOKEN);
    refusing.expect_hello();
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let bits = (abi().wait)(other.0, 100);
        if bits & MTB_READY_LINK != 0 && last_error().contains("token revoked") {
            break;
        }
        assert!(Instant::now() < until, "the wait never reported the refusal: {}", last_error());
    }
    assert!(other.status()["link"]["reason"].as_str().unwrap().contains("token_revoked"));
}

#[test]
fn the_wait_names_a_successful_link_in_the_last_error() {
    let gateway = StandIn::start(TOKEN);
    let session = Session::start(gateway.port, TOKEN);
    gateway.expect_hello();
    let until = Instant::now() + Duration::from_secs(10);
    // What the EA prints on each link change; the last one before the link is up names it.
    loop {
        let bits = (abi().wait)(session.0, 100);
        if bits & MTB_READY_LINK != 0 {
            let text = last_error();
            assert!(text.starts_with("link: "), "{text}");
            if text.starts_with("link: linked; heartbeat every ") {
                break;
            }
        }
        assert!(Instant::now() < until, "the wait never reported the link: {}", last_error());
    }
}

fn discarded_of(hello: BridgeMessage) -> Vec<Discarded> {
    match hello {
        BridgeMessage::Hello { discarded, .. } => discarded,
        other => panic!("expected a hello, got {other:?}"),
    }
}

fn wait_queued(session: &Session, count: u64) {
    let until = Instant::now() + Duration::from_secs(10);
    while session.status()["queues"]["requests_queued"] != count {
        assert!(Instant::now() < until, "requests never queued: {}", session.status());
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The relink rule, bridge side: a claimed request is answered on the next link; an unclaimed one of the dead link
/// is removed at once, never handed to the EA, and listed as discarded in the next hello.
#[test]
fn after_a_gateway_restart_claimed_requests_are_answered_and_unclaimed_ones_reported_discarded() {
    let (mut gateway, session) = linked();
    let order = json!({"client_id": "relink-1", "symbol": "EURUSD", "type": "buy", "volume": 0.1});
    gateway.request(40, "get_account_info", json!({}), 60_000);
    gateway.request(41, "place_order", order, 60_000);
    gateway.request(42, "get_account_info", json!({}), 60_000);
    let (_, first) = session.claim();
    assert_eq!(gateway.next_message(), BridgeMessage::Taken { id: 40 });
    wait_queued(&session, 2);

    gateway.stop();
    session.wait_link("down");
    // Queued -> Discarded when the link drops: nothing is left for the EA to claim.
    assert_eq!(session.status()["queues"]["requests_queued"], 0);
    let (mut id, mut needed) = (0i64, 0i32);
    let mut buf = [0u8; 64];
    assert_eq!((abi().next_request)(session.0, buf.as_mut_ptr(), 64, &mut id, &mut needed), 0);
    assert_eq!(id, 0);
    let status = session.status();
    assert_eq!(status["counters"]["requests_discarded"], 2, "{status}");
    assert_eq!(status["queues"]["discards_unreported"], 2, "{status}");
    // Taken -> Done while the link is down: kept and flushed after the relink.
    assert_eq!(session.reply_json(first, &account()), 0, "{}", last_error());

    gateway.restart();
    let discarded = discarded_of(gateway.expect_hello());
    assert_eq!(
        discarded,
        [Discarded { id: 41, client_id: Some("relink-1".into()) }, Discarded { id: 42, client_id: None }]
    );
    session.wait_link("linked");
    let (id, _, result, _) = reply_of(gateway.next_message());
    assert_eq!((id, result.is_some()), (40, true));
    // The welcome acknowledged the list.
    assert_eq!(session.status()["queues"]["discards_unreported"], 0);
    assert!(session.status()["link"]["links"].as_u64().unwrap() >= 2);
    // And new requests flow on the new link.
    gateway.send(GatewayMessage::Interest { symbols: vec!["EURUSD".into()], streams: Vec::new() });
    gateway.request(43, "get_account_info", json!({}), 60_000);
    assert_eq!(session.claim().0, "get_account_info");
    assert_eq!(gateway.next_message(), BridgeMessage::Taken { id: 43 });
}

/// A hello without a welcome acknowledges nothing: the discards are reported again until one is welcomed, and not
/// after that.
#[test]
fn discards_are_repeated_in_every_hello_until_a_welcome_follows() {
    let (mut gateway, session) = linked();
    let order = json!({"client_id": "again-1", "symbol": "EURUSD", "type": "buy", "volume": 0.1});
    gateway.request(60, "place_order", order, 60_000);
    wait_queued(&session, 1);
    gateway.hang_up_on_hellos(2);
    gateway.stop();
    session.wait_link("down");
    gateway.restart();
    let expected = [Discarded { id: 60, client_id: Some("again-1".into()) }];
    for _ in 0..3 {
        assert_eq!(discarded_of(gateway.expect_hello()), expected);
    }
    session.wait_link("linked");
    assert_eq!(session.status()["queues"]["discards_unreported"], 0);

    gateway.stop();
    session.wait_link("down");
    gateway.restart();
    assert_eq!(discarded_of(gateway.expect_hello()), [], "reported once welcomed, never again");
}

fn demand_of(session: &Session) -> String {
    copy_text(|buf, cap, needed| (abi().demand)(session.0, buf, cap, needed))
        .unwrap_or_else(|code| panic!("mtb_demand {code}: {}", last_error()))
}

/// Waits for `mtb_wait` to report the demand bit, or fails after 10 s.
fn wait_demand_bit(session: &Session) {
    let until = Instant::now() + Duration::from_secs(10);
    while (abi().wait)(session.0, 100) & MTB_READY_DEMAND == 0 {
        assert!(Instant::now() < until, "mtb_wait never reported MTB_READY_DEMAND");
    }
}

#[test]
fn the_clients_demand_reaches_the_ea_as_lines_with_a_wait_bit() {
    use metaapi_protocol::methods::StreamSpec;
    use metaapi_protocol::types::Timeframe;

    let (mut gateway, session) = linked();
    assert_eq!(demand_of(&session), "", "nothing is demanded before the gateway says so");
    let streams = vec![
        StreamSpec::Ticks { symbol: "GBPUSD".into() },
        StreamSpec::Candles { symbol: "EURUSD".into(), timeframe: Timeframe::H1 },
        StreamSpec::Account,
        StreamSpec::Book { symbol: "EURUSD".into() },
        StreamSpec::Quotes { symbol: "bad\tname".into() },
    ];
    gateway.send(GatewayMessage::Interest { symbols: vec!["EURUSD".into(), "GBPUSD".into()], streams });
    wait_demand_bit(&session);
    assert_eq!(
        demand_of(&session),
        "account\t\t\nbook\tEURUSD\t\ncandles\tEURUSD\th1\nticks\tGBPUSD\t\n",
        "one sorted line per stream; a symbol that would break the lines is left out"
    );
    // A too-small buffer consumes nothing and says the size.
    let mut needed = 0;
    let mut small = [0u8; 4];
    assert_eq!((abi().demand)(session.0, small.as_mut_ptr(), 4, &mut needed), MTB_E_BUFFER_TOO_SMALL);
    assert_eq!(needed as usize, demand_of(&session).len());

    // The same demand again wakes nothing; a smaller one does.
    let account_only = vec![StreamSpec::Account];
    gateway.send(GatewayMessage::Interest { symbols: Vec::new(), streams: account_only.clone() });
    wait_demand_bit(&session);
    assert_eq!(demand_of(&session), "account\t\t\n");
    gateway.send(GatewayMessage::Interest { symbols: Vec::new(), streams: account_only });
    gateway.request(70, "get_account_info", json!({}), 60_000);
    wait_queued(&session, 1);
    assert_eq!((abi().wait)(session.0, 0) & MTB_READY_DEMAND, 0, "an unchanged demand sets no bit");

    // A new link starts with no demand until its gateway states one.
    gateway.stop();
    session.wait_link("down");
    gateway.restart();
    gateway.expect_hello();
    session.wait_link("linked");
    assert_eq!(demand_of(&session), "");
}

#[test]
fn demand_needs_a_live_session_and_a_real_buffer() {
    let mut needed = 0;
    let mut buf = [0u8; 16];
    assert_eq!((abi().demand)(987_654, buf.as_mut_ptr(), 16, &mut needed), MTB_E_NO_SESSION);
    let (_gateway, session) = linked();
    assert_eq!((abi().demand)(session.0, std::ptr::null_mut(), 16, &mut needed), MTB_E_INVALID_ARG);
    assert_eq!((abi().demand)(session.0, buf.as_mut_ptr(), 16, std::ptr::null_mut()), MTB_E_INVALID_ARG);
}

#[test]
fn stop_answers_queued_requests_and_wakes_a_waiting_thread() {
    let (gateway, session) = linked();
    gateway.request(50, "get_account_info", json!({}), 60_000);
    let until = Instant::now() + Duration::from_secs(10);
    while session.status()["queues"]["requests_queued"] != 1 {
        assert!(Instant::now() < until);
        std::thread::sleep(Duration::from_millis(5));
    }
    let handle = session.0;
    // A thread blocked in mtb_wait wakes with the stopping bit (or finds the session gone).
    let idle = Session::start(gateway.port, TOKEN);
    let idle_handle = idle.0;
    let _ = (abi().wait)(idle_handle, 0);
    let waiter = std::thread::spawn(move || {
        loop {
            let bits = (abi().wait)(idle_handle, 1000);
            if bits == MTB_E_NO_SESSION || bits & MTB_READY_STOPPING != 0 {
                return bits;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(50));
    drop(idle);
    let bits = waiter.join().unwrap();
    assert!(bits == MTB_E_NO_SESSION || bits & MTB_READY_STOPPING != 0);

    assert_eq!((abi().stop)(handle), 0);
    std::mem::forget(session);
    loop {
        if let BridgeMessage::Reply { id, error, .. } = gateway.next_message() {
            assert_eq!((id, error.unwrap().kind()), (50, ErrorKind::NotExecuted));
            break;
        }
    }
}
