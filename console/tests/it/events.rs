//! The push channel: every loss of access reaches a subscribed listener within one second.

use metaapi_protocol::console::{DenyReason, RevocationEvent};
use reqwest::Method;
use serde_json::json;

use crate::support::{Calls, console, now_ms};

#[tokio::test]
async fn token_deletion_and_replacement_are_pushed() {
    let t = console().await;
    let (_, key) = t.user();
    let mut first = t.listen().await;
    let mut second = t.listen().await;
    let a = t.create_token(&key, "A", None).await;
    let b = t.create_token(&key, "B", None).await;

    t.send(Method::DELETE, &format!("/api/v1/tokens/{}", a.summary.id), &key, None).await;
    let expected = RevocationEvent::Token { token_id: a.summary.id.clone(), reason: DenyReason::TokenRevoked };
    assert_eq!(first.next_within_a_second().await, expected);
    assert_eq!(second.next_within_a_second().await, expected, "every listener hears it");

    t.send(Method::POST, &format!("/api/v1/tokens/{}/replace", b.summary.id), &key, None).await;
    let expected = RevocationEvent::Token { token_id: b.summary.id.clone(), reason: DenyReason::TokenReplaced };
    assert_eq!(first.next_within_a_second().await, expected);
}

#[tokio::test]
async fn device_revocation_and_account_changes_are_pushed() {
    let t = console().await;
    let (_, key) = t.user();
    t.patch_account(&key, json!({"auto_approve_devices": true})).await;
    let created = t.create_token(&key, "A", None).await;
    t.verify(&created.token, "box-1").await;
    let mut listener = t.listen().await;

    t.send(Method::POST, "/api/v1/devices/box-1/revoke", &key, None).await;
    assert_eq!(
        listener.next_within_a_second().await,
        RevocationEvent::Device { device_id: "box-1".into(), reason: DenyReason::DeviceRevoked }
    );

    t.patch_account(&key, json!({"disabled": true})).await;
    assert_eq!(listener.next_within_a_second().await, RevocationEvent::Account { reason: DenyReason::AccountDisabled });

    t.patch_account(&key, json!({"disabled": false, "expires_at": now_ms() - 1})).await;
    assert_eq!(listener.next_within_a_second().await, RevocationEvent::Account { reason: DenyReason::AccountExpired });

    // Changes that do not take access away are silent: the next event is the one after them.
    t.patch_account(&key, json!({"clear_expiry": true})).await;
    t.send(Method::POST, "/api/v1/devices/box-1/approve", &key, None).await;
    let other = t.create_token(&key, "B", None).await;
    t.send(Method::DELETE, &format!("/api/v1/tokens/{}", other.summary.id), &key, None).await;
    assert_eq!(
        listener.next_within_a_second().await,
        RevocationEvent::Token { token_id: other.summary.id, reason: DenyReason::TokenRevoked }
    );
}

#[tokio::test]
async fn expiries_are_pushed_when_they_pass() {
    let t = console().await;
    let (_, key) = t.user();
    let mut listener = t.listen().await;
    let created = t.create_token(&key, "short-lived", Some(now_ms() + 300)).await;
    assert_eq!(
        listener.next_within_a_second().await,
        RevocationEvent::Token { token_id: created.summary.id, reason: DenyReason::TokenExpired }
    );
    t.patch_account(&key, json!({"expires_at": now_ms() + 300})).await;
    assert_eq!(listener.next_within_a_second().await, RevocationEvent::Account { reason: DenyReason::AccountExpired });
}

#[tokio::test]
async fn in_process_revocations_reach_http_listeners() {
    // The gateway's tests and the demo drive the console as a library while it serves.
    let t = console().await;
    let (user, key) = t.user();
    let created = t.create_token(&key, "A", None).await;
    let mut listener = t.listen().await;
    let mut receiver = t.console.subscribe();
    t.console.delete_token(&user, &created.summary.id).unwrap();
    let expected = RevocationEvent::Token { token_id: created.summary.id, reason: DenyReason::TokenRevoked };
    assert_eq!(listener.next_within_a_second().await, expected);
    assert_eq!(receiver.recv().await.unwrap(), expected);
}

#[tokio::test]
async fn the_events_endpoint_needs_a_websocket_upgrade() {
    let t = console().await;
    let response = t.http.get(t.url("/api/v1/events")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "websocket_required");
}

#[tokio::test]
async fn shutdown_closes_push_listeners() {
    use futures_util::StreamExt;
    let t = console().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/api/v1/events", t.addr)).await.unwrap();
    ws.next().await.unwrap().unwrap(); // resync
    let _dir = t.stop().await;
    let closing =
        tokio::time::timeout(std::time::Duration::from_secs(1), ws.next()).await.expect("closed within a second");
    match closing {
        Some(Ok(tokio_tungstenite::tungstenite::Message::Close(Some(frame)))) => {
            assert_eq!(u16::from(frame.code), 1001)
        }
        other => panic!("expected a 1001 close, got {other:?}"),
    }
}
