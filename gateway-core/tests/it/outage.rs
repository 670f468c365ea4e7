//! A slow or hung console: what waits for it and what does not, how often it is asked, and what is logged.
//!
//! Nothing here measures time: the gateway's counters say whether a call waited for a console answer, and the
//! only clock check is a generous guard against a call that hangs.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{
    HangingProxy, Read, TestConsole, TestGateway, config, eventually, kind, metric, metrics_of, read, world, ws_call,
};
use crate::terminal::TestTerminal;

const TIMEOUT: Duration = Duration::from_millis(300);

#[tokio::test]
async fn a_hung_console_delays_only_the_first_call_of_a_token() {
    // Verdicts go stale almost at once, so every call below is past the TTL and would have asked the console.
    let console = TestConsole::start_with(|c| c.verdict_ttl = Duration::from_millis(20)).await.with_admin().await;
    let proxy = HangingProxy::start(&console.url).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&console, dir.path());
    config.console_url = proxy.url.clone();
    config.console_timeout = TIMEOUT;
    config.grace_period = Duration::from_secs(120);
    let gateway = TestGateway::start(config).await;
    let base = gateway.url("");
    let token = console.create_token("Hung", None).await.token;
    let first_seen_in_the_outage = console.create_token("Later", None).await.token;
    let _terminal =
        TestTerminal::link(&gateway.ws_url("/terminal"), &token, 5, crate::harness::all_capabilities()).await.unwrap();
    let mut socket = gateway.connect("/ws", Some(&token)).await.unwrap();
    let (status, _) = gateway.call(&token, "ping", json!({})).await;
    assert_eq!(status, 200);

    proxy.hang();
    tokio::time::sleep(Duration::from_millis(60)).await;
    let before = metrics_of(&base).await;
    for _ in 0..20 {
        let (status, body) = gateway.call(&token, "ping", json!({})).await;
        assert_eq!((status, body["result"]["pong"].as_bool()), (200, Some(true)), "{body}");
    }
    for id in 1..=5 {
        let pong = ws_call(&mut socket, id, "ping", json!({})).await;
        assert_eq!(pong["result"]["pong"], true, "{pong}");
    }
    let reconnected = gateway.connect("/ws", Some(&token)).await;
    assert!(reconnected.is_ok(), "a known token opens a WebSocket during the outage");
    let after = metrics_of(&base).await;
    assert_eq!(
        metric(&after, "console_waits_total"),
        metric(&before, "console_waits_total"),
        "a call of a token confirmed within the grace period waited for the console"
    );
    assert!(metric(&after, "auth_stale_served_total") >= metric(&before, "auth_stale_served_total") + 26);
    assert!(
        metric(&after, "console_requests_total") > metric(&before, "console_requests_total"),
        "the stale verdict was not revalidated in the background"
    );

    // A token the gateway never saw cannot be served: its first call waits for the console, at most the timeout.
    let waits = metric(&metrics_of(&base).await, "console_waits_total");
    let started = Instant::now();
    let (status, body) = gateway.call(&first_seen_in_the_outage, "ping", json!({})).await;
    assert_eq!((status, kind(&body)), (503, "auth_unavailable"));
    assert!(started.elapsed() < TIMEOUT * 10, "hang guard: the first call took {:?}", started.elapsed());
    assert_eq!(metric(&metrics_of(&base).await, "console_waits_total"), waits + 1);
    // Its later calls during the same outage do not wait again.
    for _ in 0..5 {
        let (status, body) = gateway.call(&first_seen_in_the_outage, "ping", json!({})).await;
        assert_eq!((status, kind(&body)), (503, "auth_unavailable"));
    }
    let during = metrics_of(&base).await;
    assert_eq!(metric(&during, "console_waits_total"), waits + 1);
    assert_eq!(metric(&during, "console_up"), 0);
    assert_eq!(metric(&during, "console_outages_total"), 1);

    proxy.resume();
    eventually(Duration::from_secs(10), || async {
        gateway.call(&first_seen_in_the_outage, "ping", json!({})).await.0 == 200
    })
    .await;
    let recovered = metrics_of(&base).await;
    assert_eq!(metric(&recovered, "console_up"), 1);
    assert_eq!(metric(&recovered, "console_outages_total"), 1, "one outage, however many calls");
}

#[tokio::test]
async fn a_device_revocation_asks_the_console_once_for_many_websockets_of_a_token() {
    let world = world().await;
    let base = world.gateway.url("");
    let token = world.console.create_token("Many", None).await.token;
    let _terminal =
        TestTerminal::link(&world.gateway.ws_url("/terminal"), &token, 8, crate::harness::all_capabilities())
            .await
            .unwrap();
    let mut sockets = Vec::new();
    for _ in 0..200 {
        sockets.push(world.gateway.connect("/ws", Some(&token)).await.unwrap());
    }
    let before = metric(&metrics_of(&base).await, "console_requests_total");

    world.console.device(&world.gateway.device_id(), "revoke").await;
    for socket in &mut sockets {
        loop {
            match read(socket, Duration::from_secs(10)).await {
                Read::Json(notice) => assert_eq!(notice["params"]["data"]["reason"], "device_revoked"),
                Read::Closed(code) => {
                    assert_eq!(code, 4403);
                    break;
                }
                Read::Ended => panic!("a WebSocket ended without a close frame"),
            }
        }
    }
    let after = metric(&metrics_of(&base).await, "console_requests_total");
    assert_eq!(after - before, 1, "201 connections of one token rechecked with {} console requests", after - before);
}

#[tokio::test]
async fn a_recheck_after_a_token_revocation_does_not_reuse_the_answer_from_before_it() {
    use std::sync::Arc;

    use metaapi_gateway_core::auth::Verifier;
    use metaapi_protocol::console::{DenyReason, RevocationEvent};

    let console = TestConsole::start().await.with_admin().await;
    let verifier =
        Arc::new(Verifier::new(&console.url, uuid_like(), "host".into(), Duration::from_secs(60), TIMEOUT).unwrap());
    let created = console.create_token("Recheck", None).await;
    verifier.check(&created.token).await.unwrap();
    // An access change makes every connection recheck; the answer is settled once for the token.
    verifier.apply(RevocationEvent::Resync);
    assert_eq!(verifier.recheck(&created.token).await, None);
    console.delete_token(&created.summary.id).await;
    // The push that a connection which lagged behind missed; its recheck must ask the console again.
    verifier.apply(RevocationEvent::Token { token_id: created.summary.id.clone(), reason: DenyReason::TokenRevoked });
    assert_eq!(verifier.recheck(&created.token).await, Some(DenyReason::TokenRevoked));
}

fn uuid_like() -> String {
    "00000000-0000-4000-8000-000000000001".to_owned()
}
