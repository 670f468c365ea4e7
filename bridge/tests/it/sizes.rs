//! The link's size limit: a reply longer than the gateway's `max_message_bytes` is answered `payload_too_large`
//! to its request instead of being sent, and the link carries on.

use metaapi_protocol::ErrorKind;
use metaapi_protocol::link::BridgeMessage;
use serde_json::{Value, json};

use crate::gateway::{LINK_LIMIT, StandIn};
use crate::harness::{Session, last_error};

const TOKEN: &str = "mat_size_token";

/// A `get_symbols` result of `count` symbols, about 200 bytes each.
fn symbols(count: usize) -> Value {
    let symbols: Vec<Value> = (0..count)
        .map(|index| {
            json!({"name": format!("SYM{index:05}"), "description": format!("Synthetic instrument number {index} for size tests"),
                   "path": format!("Synthetic\\Group{}\\SYM{index:05}", index % 50), "digits": 5, "selected": false})
        })
        .collect();
    json!({"symbols": symbols, "has_more": false})
}

fn answer(gateway: &StandIn, session: &Session, request_id: u64, result: &Value) -> BridgeMessage {
    gateway.request(request_id, "get_symbols", json!({}), 30_000);
    let (method, id) = session.claim();
    assert_eq!(method, "get_symbols");
    assert_eq!(gateway.next_message(), BridgeMessage::Taken { id: request_id });
    assert_eq!(session.reply_json(id, result), 0, "{}", last_error());
    gateway.next_message()
}

#[test]
fn a_reply_over_the_link_limit_is_answered_payload_too_large_and_the_link_stays_up() {
    let gateway = StandIn::start(TOKEN);
    let session = Session::start(gateway.port, TOKEN);
    gateway.expect_hello();
    gateway.wait_linked();
    session.wait_link("linked");

    let large = symbols(2000);
    assert!(large.to_string().len() > LINK_LIMIT as usize, "the test reply must exceed the stand-in's limit");
    let BridgeMessage::Reply { id, result, error, method, .. } = answer(&gateway, &session, 1, &large) else {
        panic!("expected a reply");
    };
    assert_eq!((id, method.as_str(), result), (1, "get_symbols", None));
    let error = error.expect("an error answer");
    assert_eq!(error.kind(), ErrorKind::PayloadTooLarge, "{error:?}");
    assert!(error.message.contains(&LINK_LIMIT.to_string()), "the message names the limit: {}", error.message);

    // The same link answers the next call in full.
    let small = symbols(10);
    let BridgeMessage::Reply { id, result, error, .. } = answer(&gateway, &session, 2, &small) else {
        panic!("expected a reply");
    };
    assert_eq!((id, error), (2, None));
    assert_eq!(result.expect("a result")["symbols"].as_array().map(Vec::len), Some(10));
    let status = session.status();
    assert_eq!(status["link"]["links"], 1, "never relinked: {status}");
    assert_eq!(status["link"]["state"], "linked");
    assert_eq!(status["counters"]["replies_too_large"], 1, "{status}");
}
