//! The terminal's state through the shipped MT5 and MT4 EAs (issue 15, Part 2): `terminal_status` when the broker
//! connection or the trade permission changes, and `get_health` unhealthy, with the reason, while Algo Trading is
//! off or the broker is gone.

use metaapi_terminal_sim::Mode;
use serde_json::{Value, json};

use crate::ea_time::{call, start_sim};
use crate::support::{WAIT, WsPeer, eventually, own_terminal_config, schemas, start_demo};

/// Reads `/ws` (through harmless calls) until a `terminal_status` with this connection and permission arrives after
/// the first `seen` notifications, and returns how many notifications there are then; fails after [`WAIT`].
async fn until_status(peer: &mut WsPeer, seen: usize, broker_connected: bool, trade_allowed: bool) -> usize {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let found = peer.notifications.iter().enumerate().skip(seen).find(|(_, (name, params))| {
            name == "terminal_status"
                && params["data"]["broker_connected"] == json!(broker_connected)
                && params["data"]["trade_allowed"] == json!(trade_allowed)
        });
        if let Some((index, (name, params))) = found {
            let reference = schemas().notification_ref(name).expect("terminal_status is in the schema");
            schemas().validate(&reference, params).unwrap_or_else(|error| panic!("{name}: {error}"));
            assert_eq!(params["data"]["online"], json!(true), "{params}");
            return index + 1;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no terminal_status broker_connected={broker_connected} trade_allowed={trade_allowed} within {WAIT:?}: \
             {:?}",
            &peer.notifications[seen.min(peer.notifications.len())..]
        );
        peer.call("get_server_time", json!({})).await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// `get_health` once it reports `healthy`; the problems are returned.
async fn until_health(demo: &metaapi_demo::Demo, token: &str, healthy: bool) -> Value {
    eventually("get_health changes", || async {
        let health = call(demo, token, "get_health", json!({})).await;
        if health["healthy"] == json!(healthy) { Ok(health) } else { Err(health.to_string()) }
    })
    .await
}

fn problems(health: &Value) -> Vec<String> {
    let list = health.get("problems").and_then(Value::as_array).cloned().unwrap_or_default();
    list.iter().map(|problem| problem.as_str().expect("a problem name").to_owned()).collect()
}

async fn terminal_status_and_health_follow_the_broker_and_algo_trading(mode: Mode) {
    let demo = start_demo(Vec::new()).await;
    let (sim, token) = start_sim(&demo, mode, None).await;
    let token = token.as_str();
    let mut peer = WsPeer::connect(&demo.url, token).await;
    let subscribed = peer.call("subscribe", json!({"streams": [{"type": "terminal"}]})).await;
    assert!(subscribed.get("result").is_some(), "{subscribed}");
    let health = until_health(&demo, token, true).await;
    assert!(problems(&health).is_empty(), "{health}");

    // Algo Trading off: every order is refused, health says so and why, subscribers hear it.
    sim.set_algo_trading(false);
    let seen = until_status(&mut peer, 0, true, false).await;
    let health = until_health(&demo, token, false).await;
    assert_eq!(health["trade_allowed"], json!(false), "{health}");
    assert!(problems(&health).contains(&"algo_trading_disabled".to_owned()), "{health}");
    assert!(!problems(&health).contains(&"broker_disconnected".to_owned()), "{health}");
    let refused = peer.call("place_order", json!({"symbol": "EURUSD", "type": "buy", "volume": 0.1})).await;
    assert!(refused.get("error").is_some(), "an order with Algo Trading off: {refused}");
    let info = call(&demo, token, "get_terminal_info", json!({})).await;
    assert_eq!(info["trade_allowed"], json!(false), "{info}");

    // Algo Trading back on.
    sim.set_algo_trading(true);
    let seen = until_status(&mut peer, seen, true, true).await;
    let health = until_health(&demo, token, true).await;
    assert!(problems(&health).is_empty(), "{health}");

    // The broker connection drops and comes back.
    sim.set_broker_connected(false);
    let seen = until_status(&mut peer, seen, false, true).await;
    let health = until_health(&demo, token, false).await;
    assert_eq!(health["broker_connected"], json!(false), "{health}");
    assert!(problems(&health).contains(&"broker_disconnected".to_owned()), "{health}");
    let info = call(&demo, token, "get_terminal_info", json!({})).await;
    assert_eq!(info["connected"], json!(false), "{info}");
    sim.set_broker_connected(true);
    until_status(&mut peer, seen, true, true).await;
    until_health(&demo, token, true).await;
    let info = call(&demo, token, "get_terminal_info", json!({})).await;
    assert_eq!(info["connected"], json!(true), "{info}");
    peer.close().await;
    sim.stop();
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt5_terminal_status_and_health_follow_the_broker_and_algo_trading() {
    terminal_status_and_health_follow_the_broker_and_algo_trading(Mode::Mt5Hedging).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mt4_terminal_status_and_health_follow_the_broker_and_algo_trading() {
    terminal_status_and_health_follow_the_broker_and_algo_trading(Mode::Mt4).await;
}

/// The MT5 Service reports the same: `terminal_status` when Algo Trading is switched off, and an unhealthy
/// `get_health` that says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mt5_service_reports_algo_trading_off_in_status_and_health() {
    use metaapi_e2e::rpc;
    use metaapi_terminal_sim::programs::{ProgramCode, Shipped};
    use metaapi_terminal_sim::{BridgeAbi, start_program};

    let demo = start_demo(Vec::new()).await;
    let (config, token) = own_terminal_config(&demo, Mode::Mt5Hedging, "MT5-Service-status");
    let sim = start_program(BridgeAbi::linked(), config, ProgramCode::shipped(Shipped::Mt5Service))
        .expect("the service starts");
    let token = token.as_str();
    eventually("the service links", || async {
        let answer = rpc(&demo.url, token, "get_health", json!({})).await?;
        answer.body.get("result").cloned().ok_or_else(|| answer.body.to_string())
    })
    .await;
    let mut peer = WsPeer::connect(&demo.url, token).await;
    let subscribed = peer.call("subscribe", json!({"streams": [{"type": "terminal"}]})).await;
    assert!(subscribed.get("result").is_some(), "{subscribed}");
    until_health(&demo, token, true).await;
    sim.set_algo_trading(false);
    until_status(&mut peer, 0, true, false).await;
    let health = until_health(&demo, token, false).await;
    assert!(problems(&health).contains(&"algo_trading_disabled".to_owned()), "{health}");
    peer.close().await;
    sim.stop();
    demo.stop().await;
}
