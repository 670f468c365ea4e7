//! The gateway's half of the relink state machine (README "Trading calls across link drops"): a trading call written
//! to a link that drops is `outcome_unknown`, never `not_executed`, and stays so for repeats until the bridge settles
//! it on its next link, by a late reply or by listing it as discarded.

use std::time::Duration;

use metaapi_protocol::link::{BridgeMessage, Discarded};
use serde_json::{Value, json};

use crate::harness::{TestGateway, World, all_capabilities, config, eventually, kind, world};
use crate::terminal::{Mode, TestTerminal};

fn order(client_id: &str) -> Value {
    json!({ "symbol": "EURUSD", "type": "buy", "volume": 0.1, "client_id": client_id })
}

fn done(client_id: &str, order: &str) -> Value {
    json!({ "client_id": client_id, "retcode": 10009, "retcode_name": "TRADE_RETCODE_DONE", "message": "done",
            "order": order, "volume": 0.1, "price": 1.1, "comment": "", "platform": "mt5" })
}

/// A place_order on its own task, as another client of the gateway at `url`.
fn place_in_background(url: String, token: &str, client_id: &str) -> tokio::task::JoinHandle<(u16, Value)> {
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "place_order", "params": order(client_id) });
    let token = token.to_owned();
    tokio::spawn(async move {
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let response = http.post(url).bearer_auth(token).json(&body).send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    })
}

/// Sends a place_order that the terminal receives (in `mode`) and then loses with its link; returns the answer and
/// the request's link id.
async fn lost_in_a_drop(
    world: &World,
    token: &str,
    terminal: &TestTerminal,
    mode: Mode,
    client_id: &str,
) -> (Value, u64) {
    terminal.set_mode(mode);
    let call = place_in_background(world.gateway.url("/rpc"), token, client_id);
    eventually(Duration::from_secs(5), || async { terminal.count("place_order") > 0 }).await;
    let id = terminal.last_id("place_order");
    terminal.drop_link();
    let (status, body) = call.await.unwrap();
    assert_eq!(status, 200);
    (body, id)
}

async fn record(gateway: &TestGateway, token: &str, client_id: &str) -> Value {
    gateway.call(token, "get_trade_result", json!({ "client_id": client_id })).await.1
}

#[tokio::test]
async fn a_written_trade_whose_link_drops_is_unknown_until_the_next_hello_says_it_was_discarded() {
    let world = world().await;
    let (token, terminal) = world.terminal("Discarded", 1).await;
    // Written, never taken: the bridge held it in its queue when the link died.
    let (body, id) = lost_in_a_drop(&world, &token, &terminal, Mode::Ignore, "drop-1").await;
    assert_eq!(kind(&body), "outcome_unknown", "{body}");
    assert_eq!(body["error"]["data"]["client_id"], "drop-1");
    assert_eq!(record(&world.gateway, &token, "drop-1").await["result"]["status"], "unknown");
    // A repeat while the outcome is unknown must not run the call again.
    let (_, repeat) = world.gateway.call(&token, "place_order", order("drop-1")).await;
    assert_eq!(kind(&repeat), "outcome_unknown", "{repeat}");

    // A hello that lists another request settles nothing.
    let url = world.gateway.ws_url("/terminal");
    let decoy = vec![Discarded { id: id + 1_000_000, client_id: Some("drop-1".into()) }];
    let relinked = TestTerminal::relink(&url, &token, 1, all_capabilities(), decoy).await.unwrap();
    assert_eq!(record(&world.gateway, &token, "drop-1").await["result"]["status"], "unknown");
    relinked.drop_link();
    eventually(Duration::from_secs(5), || async { !relinked.linked() }).await;
    let gateway = &world.gateway;
    eventually(Duration::from_secs(5), || async { kind(&gateway.call(&token, "ping", json!({})).await.1) != "<none>" })
        .await;

    // Its own discard is the proof: the record says not_executed, and a repeat runs it once.
    let discarded = vec![Discarded { id, client_id: Some("drop-1".into()) }];
    let relinked = TestTerminal::relink(&url, &token, 1, all_capabilities(), discarded).await.unwrap();
    let settled = record(&world.gateway, &token, "drop-1").await;
    assert_eq!(settled["result"]["status"], "failed", "{settled}");
    assert_eq!(settled["result"]["error"]["data"]["kind"], "not_executed", "{settled}");
    let (_, rerun) = world.gateway.call(&token, "place_order", order("drop-1")).await;
    assert_eq!(rerun["result"]["retcode"], 10009, "{rerun}");
    let (_, again) = world.gateway.call(&token, "place_order", order("drop-1")).await;
    assert_eq!(again["result"]["order"], rerun["result"]["order"]);
    assert_eq!(relinked.count("place_order"), 1);
}

#[tokio::test]
async fn a_reply_after_outcome_unknown_arrives_on_the_next_link_and_settles_the_record() {
    let world = world().await;
    let (token, terminal) = world.terminal("Late", 1).await;
    // Taken, then the link died before the reply.
    let (body, id) = lost_in_a_drop(&world, &token, &terminal, Mode::Silent, "late-2").await;
    assert_eq!(kind(&body), "outcome_unknown", "{body}");

    let url = world.gateway.ws_url("/terminal");
    let relinked = TestTerminal::relink(&url, &token, 1, all_capabilities(), Vec::new()).await.unwrap();
    // The bridge flushes what it kept: the old `taken` (nobody waits for it) and the reply.
    relinked.send(&BridgeMessage::Taken { id });
    relinked.send(&BridgeMessage::Reply {
        id,
        client_id: Some("late-2".into()),
        method: "place_order".into(),
        result: Some(done("late-2", "4242")),
        error: None,
    });
    let gateway = &world.gateway;
    eventually(Duration::from_secs(5), || async {
        record(gateway, &token, "late-2").await["result"]["status"] == "done"
    })
    .await;
    let (_, repeat) = gateway.call(&token, "place_order", order("late-2")).await;
    assert_eq!(repeat["result"]["order"], "4242", "{repeat}");
    assert_eq!(relinked.count("place_order"), 0, "the repeat got the filed outcome, nothing ran again");
}

#[tokio::test]
async fn a_trade_written_but_never_answered_on_a_live_link_is_unknown_not_not_executed() {
    let world = world().await;
    let (token, terminal) = world.terminal("Mute", 1).await;
    // The bridge neither takes nor refuses it: the pickup deadline alone proves nothing for a trade.
    terminal.set_mode(Mode::Ignore);
    let (_, body) = world.gateway.call(&token, "place_order", order("mute-1")).await;
    assert_eq!(kind(&body), "outcome_unknown", "{body}");
    let (_, repeat) = world.gateway.call(&token, "place_order", order("mute-1")).await;
    assert_eq!(kind(&repeat), "outcome_unknown", "{repeat}");
    assert_eq!(terminal.count("place_order"), 1);
    // A read in the same situation has no outcome to be unknown about.
    let (_, read) = world.gateway.call(&token, "get_account_info", json!({})).await;
    assert_eq!(kind(&read), "not_executed", "{read}");
}

#[tokio::test]
async fn a_restarted_gateway_files_the_discards_of_calls_its_predecessor_had_in_flight() {
    let mut world = world().await;
    let (token, terminal) = world.terminal("Restarted", 1).await;
    terminal.set_mode(Mode::Ignore);
    let call = place_in_background(world.gateway.url("/rpc"), &token, "restart-1");
    eventually(Duration::from_secs(5), || async { terminal.count("place_order") > 0 }).await;
    let id = terminal.last_id("place_order");
    world.gateway.stop().await;
    let _ = call.await;
    drop(terminal);

    let gateway = TestGateway::start(config(&world.console, world.dir.path())).await;
    assert_eq!(record(&gateway, &token, "restart-1").await["result"]["status"], "unknown");
    let discarded = vec![Discarded { id, client_id: Some("restart-1".into()) }];
    let url = gateway.ws_url("/terminal");
    let relinked = TestTerminal::relink(&url, &token, 1, all_capabilities(), discarded).await.unwrap();
    let settled = record(&gateway, &token, "restart-1").await;
    assert_eq!(settled["result"]["error"]["data"]["kind"], "not_executed", "{settled}");
    let (_, rerun) = gateway.call(&token, "place_order", order("restart-1")).await;
    assert_eq!(rerun["result"]["retcode"], 10009, "{rerun}");
    assert_eq!(relinked.count("place_order"), 1);
}

#[tokio::test]
async fn a_hello_whose_discards_cannot_be_filed_is_refused_so_the_bridge_keeps_them() {
    let world = world().await;
    let (token, terminal) = world.terminal("Unfiled", 1).await;
    let (body, id) = lost_in_a_drop(&world, &token, &terminal, Mode::Ignore, "unfiled-1").await;
    assert_eq!(kind(&body), "outcome_unknown", "{body}");
    // The store breaks: filing the proof fails, so the link must not be welcomed (the welcome would tell the bridge
    // to forget the discards).
    let db = rusqlite::Connection::open(world.dir.path().join("trades.sqlite3")).unwrap();
    db.execute_batch("ALTER TABLE trades RENAME TO trades_away").unwrap();
    let url = world.gateway.ws_url("/terminal");
    let discarded = vec![Discarded { id, client_id: Some("unfiled-1".into()) }];
    let refused = TestTerminal::relink(&url, &token, 1, all_capabilities(), discarded.clone()).await.err();
    let (_, error) = refused.expect("a hello whose discards cannot be filed is refused");
    assert_eq!(error["data"]["kind"], "internal", "{error}");
    // Once the store works again the same hello is welcomed and the proof filed.
    db.execute_batch("ALTER TABLE trades_away RENAME TO trades").unwrap();
    let relinked = TestTerminal::relink(&url, &token, 1, all_capabilities(), discarded).await.unwrap();
    let settled = record(&world.gateway, &token, "unfiled-1").await;
    assert_eq!(settled["result"]["error"]["data"]["kind"], "not_executed", "{settled}");
    drop(relinked);
}
