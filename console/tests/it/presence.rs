//! Gateways report which terminals are linked to them; token listings show each token's terminal and whether it is
//! online. Only an approved device of the token's account counts, and only for active tokens.

use metaapi_protocol::console::{TokenList, TokenSummary};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Calls, TestConsole, assert_allowed, console};

fn identity(login: u64) -> Value {
    json!({
        "platform": "mt5", "build": 4755, "company": "MetaQuotes Ltd.", "server": "MetaQuotes-Demo", "login": login,
        "account_name": "Jane Trader", "currency": "USD", "margin_mode": "hedging",
    })
}

async fn report(t: &TestConsole, body: Value) -> (u16, Value) {
    let response = t.http.post(t.url("/api/v1/presence")).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
}

async fn token(t: &TestConsole, key: &str, id: &str) -> TokenSummary {
    let (status, value) = t.send(Method::GET, "/api/v1/tokens", key, None).await;
    assert_eq!(status, 200);
    let list: TokenList = serde_json::from_value(value).unwrap();
    list.tokens.into_iter().find(|token| token.id == id).expect("listed")
}

#[tokio::test]
async fn a_reported_terminal_is_listed_online_then_offline_when_no_longer_reported() {
    let t = console().await;
    let (_, key) = t.user();
    t.patch_account(&key, json!({"auto_approve_devices": true})).await;
    let linked = t.create_token(&key, "MT5-Live-A", None).await;
    let idle = t.create_token(&key, "MT5-Live-B", None).await;
    assert_allowed(&t.verify(&linked.token, "device-1").await);
    assert_eq!(token(&t, &key, &linked.summary.id).await.terminal, None, "nothing reported yet");

    let body =
        json!({"device_id": "device-1", "terminals": [{"token_id": linked.summary.id, "identity": identity(5100201)}]});
    assert_eq!(report(&t, body).await.0, 204);
    let terminal = token(&t, &key, &linked.summary.id).await.terminal.expect("reported");
    assert!(terminal.online);
    assert_eq!((terminal.identity.login, terminal.identity.server.as_str()), (5100201, "MetaQuotes-Demo"));
    assert_eq!(terminal.device_id, "device-1");
    assert_eq!(token(&t, &key, &idle.summary.id).await.terminal, None);

    // The next report no longer lists it: still the terminal it was linked with, now offline, seen when it was.
    assert_eq!(report(&t, json!({"device_id": "device-1", "terminals": []})).await.0, 204);
    let offline = token(&t, &key, &linked.summary.id).await.terminal.expect("still known");
    assert!(!offline.online);
    assert_eq!((offline.identity.login, offline.seen_at), (5100201, terminal.seen_at));
}

#[tokio::test]
async fn reports_from_a_device_that_is_not_approved_or_for_inactive_tokens_are_ignored() {
    let t = console().await;
    let (_, key) = t.user();
    let created = t.create_token(&key, "MT5-Live-A", None).await;
    let entry = json!([{"token_id": created.summary.id, "identity": identity(1)}]);
    // A device the account never saw, and then one that is registered but pending approval.
    assert_eq!(report(&t, json!({"device_id": "stranger", "terminals": entry})).await.0, 204);
    t.verify(&created.token, "pending-device").await;
    assert_eq!(report(&t, json!({"device_id": "pending-device", "terminals": entry})).await.0, 204);
    assert_eq!(token(&t, &key, &created.summary.id).await.terminal, None);
    // An unknown token id changes nothing either.
    let unknown = json!([{"token_id": "tok_unknown", "identity": identity(1)}]);
    assert_eq!(report(&t, json!({"device_id": "stranger", "terminals": unknown})).await.0, 204);

    // Approved, but the token is deleted: ignored.
    t.patch_account(&key, json!({"auto_approve_devices": true})).await;
    let other = t.create_token(&key, "MT5-Live-B", None).await;
    assert_allowed(&t.verify(&other.token, "approved-device").await);
    let (status, _) = t.send(Method::DELETE, &format!("/api/v1/tokens/{}", other.summary.id), &key, None).await;
    assert_eq!(status, 204);
    let entry = json!([{"token_id": other.summary.id, "identity": identity(2)}]);
    assert_eq!(report(&t, json!({"device_id": "approved-device", "terminals": entry})).await.0, 204);
    assert_eq!(token(&t, &key, &other.summary.id).await.terminal, None);
}

#[tokio::test]
async fn malformed_reports_are_refused_naming_the_problem() {
    let t = console().await;
    let (status, value) = report(&t, json!({"device_id": "", "terminals": []})).await;
    assert_eq!((status, value["field"].as_str()), (400, Some("device_id")), "{value}");
    let (status, value) = report(&t, json!({"device_id": "d", "terminals": [], "extra": 1})).await;
    assert_eq!(status, 400, "{value}");
    let (status, value) = report(&t, json!({"device_id": "d", "terminals": [{"token_id": "t"}]})).await;
    assert_eq!(status, 400, "{value}");
}
