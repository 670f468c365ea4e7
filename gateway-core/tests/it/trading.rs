//! Idempotent trading: one execution per client_id, conflicts, records, and persistence across a restart.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::harness::{TestGateway, config, kind, world};
use crate::terminal::{Mode, TestTerminal};

fn order(client_id: &str, volume: f64) -> serde_json::Value {
    json!({ "symbol": "EURUSD", "type": "buy", "volume": volume, "client_id": client_id })
}

#[tokio::test]
async fn the_same_client_id_sent_100_times_concurrently_places_one_order() {
    let world = world().await;
    let (token, terminal) = world.terminal("Idempotent", 1).await;
    terminal.set_mode(Mode::Delay(Duration::from_millis(300)));
    let gateway = Arc::new(world.gateway);
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let gateway = gateway.clone();
            let token = token.clone();
            tokio::spawn(async move { gateway.call(&token, "place_order", order("once-1", 0.1)).await })
        })
        .collect();
    let mut orders = Vec::new();
    for call in calls {
        let (status, body) = call.await.unwrap();
        assert_eq!(status, 200);
        orders.push(body["result"]["order"].as_str().expect("a result").to_owned());
    }
    assert_eq!(terminal.count("place_order"), 1);
    assert!(orders.iter().all(|order| *order == orders[0]));

    let (_, record) = gateway.call(&token, "get_trade_result", json!({ "client_id": "once-1" })).await;
    assert_eq!(record["result"]["status"], "done");
    assert_eq!(record["result"]["method"], "place_order");
    assert_eq!(record["result"]["result"]["order"], orders[0].as_str());
}

#[tokio::test]
async fn a_client_id_reused_with_other_params_is_a_conflict() {
    let world = world().await;
    let (token, terminal) = world.terminal("Conflict", 1).await;
    let (_, first) = world.gateway.call(&token, "place_order", order("dup-1", 0.1)).await;
    assert!(first["result"].is_object());
    let (_, body) = world.gateway.call(&token, "place_order", order("dup-1", 0.2)).await;
    assert_eq!(kind(&body), "client_id_conflict");
    let (_, body) = world.gateway.call(&token, "cancel_order", json!({ "ticket": "5", "client_id": "dup-1" })).await;
    assert_eq!(kind(&body), "client_id_conflict");
    assert_eq!(terminal.count("place_order"), 1);
    assert_eq!(terminal.count("cancel_order"), 0);

    let (_, body) = world.gateway.call(&token, "get_trade_result", json!({ "client_id": "never-sent" })).await;
    assert_eq!(kind(&body), "not_found");
}

#[tokio::test]
async fn outcomes_survive_a_gateway_restart() {
    let mut world = world().await;
    let (token, terminal) = world.terminal("Restart", 1).await;
    let (_, first) = world.gateway.call(&token, "place_order", order("keep-1", 0.1)).await;
    let ticket = first["result"]["order"].clone();
    assert!(ticket.is_string());
    world.gateway.stop().await;
    drop(terminal);

    let gateway = TestGateway::start(config(&world.console, world.dir.path())).await;
    let terminal =
        TestTerminal::link(&gateway.ws_url("/terminal"), &token, 1, crate::harness::all_capabilities()).await.unwrap();
    let (_, record) = gateway.call(&token, "get_trade_result", json!({ "client_id": "keep-1" })).await;
    assert_eq!(record["result"]["status"], "done", "{record}");
    let (_, repeat) = gateway.call(&token, "place_order", order("keep-1", 0.1)).await;
    assert_eq!(repeat["result"]["order"], ticket);
    assert_eq!(terminal.count("place_order"), 0);
}
