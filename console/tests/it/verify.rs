//! Verification: each deny reason comes from its own scenario, and only from it.

use std::collections::HashMap;
use std::time::Duration;

use metaapi_protocol::console::{DenyReason, Verdict};
use reqwest::Method;
use serde_json::json;

use crate::support::{Calls, TestConsole, assert_allowed, assert_denied, console, console_with, now_ms};

/// Runs one scenario per situation on a fresh account and answers the verdict it ends with.
async fn scenario(t: &TestConsole, name: &str) -> Verdict {
    let (_, key) = t.user();
    let device = format!("dev-{name}");
    match name {
        "allowed" => {
            t.patch_account(&key, json!({"auto_approve_devices": true})).await;
            let created = t.create_token(&key, "MT5-Live-A", None).await;
            t.verify(&created.token, &device).await
        }
        "token_unknown" => {
            // Well-formed but never issued.
            let token = metaapi_console::secret::generate("mat_").unwrap();
            t.verify(&token, &device).await
        }
        "token_revoked" => {
            t.patch_account(&key, json!({"auto_approve_devices": true})).await;
            let created = t.create_token(&key, "A", None).await;
            assert_allowed(&t.verify(&created.token, &device).await);
            let (status, _) =
                t.send(Method::DELETE, &format!("/api/v1/tokens/{}", created.summary.id), &key, None).await;
            assert_eq!(status, 204);
            t.verify(&created.token, &device).await
        }
        "token_replaced" => {
            t.patch_account(&key, json!({"auto_approve_devices": true})).await;
            let created = t.create_token(&key, "A", None).await;
            let path = format!("/api/v1/tokens/{}/replace", created.summary.id);
            let (status, new) = t.send(Method::POST, &path, &key, None).await;
            assert_eq!(status, 201);
            assert_allowed(&t.verify(new["token"].as_str().unwrap(), &device).await);
            t.verify(&created.token, &device).await
        }
        "token_expired" => {
            t.patch_account(&key, json!({"auto_approve_devices": true})).await;
            let expires_at = now_ms() + 400;
            let created = t.create_token(&key, "A", Some(expires_at)).await;
            while now_ms() <= expires_at {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            t.verify(&created.token, &device).await
        }
        "account_disabled" => {
            t.patch_account(&key, json!({"auto_approve_devices": true})).await;
            let created = t.create_token(&key, "A", None).await;
            assert_allowed(&t.verify(&created.token, &device).await);
            t.patch_account(&key, json!({"disabled": true})).await;
            t.verify(&created.token, &device).await
        }
        "account_expired" => {
            t.patch_account(&key, json!({"auto_approve_devices": true})).await;
            let created = t.create_token(&key, "A", None).await;
            assert_allowed(&t.verify(&created.token, &device).await);
            t.patch_account(&key, json!({"expires_at": now_ms() - 1})).await;
            t.verify(&created.token, &device).await
        }
        "device_revoked" => {
            t.patch_account(&key, json!({"auto_approve_devices": true})).await;
            let created = t.create_token(&key, "A", None).await;
            assert_allowed(&t.verify(&created.token, &device).await);
            let (status, _) = t.send(Method::POST, &format!("/api/v1/devices/{device}/revoke"), &key, None).await;
            assert_eq!(status, 200);
            t.verify(&created.token, &device).await
        }
        "device_pending" => {
            let created = t.create_token(&key, "A", None).await;
            t.verify(&created.token, &device).await
        }
        other => panic!("no scenario {other}"),
    }
}

#[tokio::test]
async fn each_deny_reason_comes_from_its_own_scenario_only() {
    let t = console().await;
    let expected = [
        ("token_unknown", DenyReason::TokenUnknown),
        ("token_revoked", DenyReason::TokenRevoked),
        ("token_replaced", DenyReason::TokenReplaced),
        ("token_expired", DenyReason::TokenExpired),
        ("account_disabled", DenyReason::AccountDisabled),
        ("account_expired", DenyReason::AccountExpired),
        ("device_revoked", DenyReason::DeviceRevoked),
        ("device_pending", DenyReason::DevicePending),
    ];
    assert_allowed(&scenario(&t, "allowed").await);
    let mut produced: HashMap<DenyReason, Vec<&str>> = HashMap::new();
    for (name, reason) in expected {
        let verdict = scenario(&t, name).await;
        assert_denied(&verdict, reason);
        if let Verdict::Denied { reason, .. } = verdict {
            produced.entry(reason).or_default().push(name);
        }
    }
    // Every reason appears, each from exactly one scenario.
    assert_eq!(produced.len(), DenyReason::ALL.len());
    assert!(produced.values().all(|scenarios| scenarios.len() == 1), "{produced:?}");
}

#[tokio::test]
async fn denial_precedence_follows_the_contract() {
    let t = console().await;
    let (_, key) = t.user();
    // Pending device on a disabled account: the account speaks first.
    let created = t.create_token(&key, "A", None).await;
    t.patch_account(&key, json!({"disabled": true})).await;
    assert_denied(&t.verify(&created.token, "d1").await, DenyReason::AccountDisabled);
    // Disabled outranks expired.
    t.patch_account(&key, json!({"expires_at": now_ms() - 1})).await;
    assert_denied(&t.verify(&created.token, "d1").await, DenyReason::AccountDisabled);
    t.patch_account(&key, json!({"disabled": false})).await;
    assert_denied(&t.verify(&created.token, "d1").await, DenyReason::AccountExpired);
    // A deleted token on an expired account: the token speaks first.
    t.send(Method::DELETE, &format!("/api/v1/tokens/{}", created.summary.id), &key, None).await;
    assert_denied(&t.verify(&created.token, "d1").await, DenyReason::TokenRevoked);
}

#[tokio::test]
async fn allowed_verdict_names_the_terminal_and_caps_its_ttl() {
    let t = console_with(|c| c.verdict_ttl = Duration::from_secs(30)).await;
    let (_, key) = t.user();
    t.patch_account(&key, json!({"auto_approve_devices": true})).await;
    let created = t.create_token(&key, "MT5-Live-A", None).await;
    match t.verify(&created.token, "d1").await {
        Verdict::Allowed { token_id, token_name, terminal_id, expires_at, cache_ttl_ms } => {
            assert_eq!(token_id, created.summary.id);
            assert_eq!(token_name, "MT5-Live-A");
            assert_eq!(terminal_id, created.summary.terminal_id);
            assert_eq!(expires_at, None);
            assert_eq!(cache_ttl_ms, 30_000);
        }
        other => panic!("{other:?}"),
    }
    let soon = now_ms() + 5_000;
    let short = t.create_token(&key, "short", Some(soon)).await;
    match t.verify(&short.token, "d1").await {
        Verdict::Allowed { cache_ttl_ms, expires_at, .. } => {
            assert_eq!(expires_at, Some(soon));
            assert!(cache_ttl_ms <= 5_000, "the verdict must not outlive the token: {cache_ttl_ms}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn devices_register_as_pending_and_work_once_approved() {
    let t = console().await;
    let (_, key) = t.user();
    let created = t.create_token(&key, "A", None).await;
    assert_denied(&t.verify(&created.token, "box-1").await, DenyReason::DevicePending);
    let (status, list) = t.send(Method::GET, "/api/v1/devices", &key, None).await;
    assert_eq!(status, 200);
    assert_eq!(list["devices"][0]["id"], "box-1");
    assert_eq!(list["devices"][0]["name"], "test-host");
    assert_eq!(list["devices"][0]["status"], "pending");
    let (status, device) = t.send(Method::POST, "/api/v1/devices/box-1/approve", &key, None).await;
    assert_eq!(status, 200);
    assert_eq!(device["status"], "approved");
    assert_allowed(&t.verify(&created.token, "box-1").await);
    // Revoked devices can be approved again.
    t.send(Method::POST, "/api/v1/devices/box-1/revoke", &key, None).await;
    assert_denied(&t.verify(&created.token, "box-1").await, DenyReason::DeviceRevoked);
    t.send(Method::POST, "/api/v1/devices/box-1/approve", &key, None).await;
    assert_allowed(&t.verify(&created.token, "box-1").await);
    // Devices belong to the account: another user's token registers its own pending device.
    let (_, other_key) = t.user();
    let other = t.create_token(&other_key, "B", None).await;
    assert_denied(&t.verify(&other.token, "box-1").await, DenyReason::DevicePending);
    let (status, _) = t.send(Method::POST, "/api/v1/devices/box-1/revoke", &other_key, None).await;
    assert_eq!(status, 200);
    assert_allowed(&t.verify(&created.token, "box-1").await);
}

#[tokio::test]
async fn verify_records_last_use_and_rejects_malformed_requests() {
    let t = console().await;
    let (_, key) = t.user();
    t.patch_account(&key, json!({"auto_approve_devices": true})).await;
    let created = t.create_token(&key, "A", None).await;
    assert_eq!(created.summary.last_used_at, None);
    let before = now_ms();
    assert_allowed(&t.verify(&created.token, "d1").await);
    let (_, list) = t.send(Method::GET, "/api/v1/tokens", &key, None).await;
    assert!(list["tokens"][0]["last_used_at"].as_i64().unwrap() >= before);

    for (body, field) in [
        (json!({"token": created.token, "device_id": "", "device_name": "x"}), "device_id"),
        (json!({"token": created.token, "device_id": "a b", "device_name": "x"}), "device_id"),
        (json!({"token": created.token, "device_id": "d".repeat(129), "device_name": "x"}), "device_id"),
        (json!({"token": created.token, "device_id": "d1", "device_name": "x\u{7}"}), "device_name"),
        (json!({"token": created.token, "device_id": "d1"}), "device_name"),
    ] {
        let response = t.http.post(t.url("/api/v1/verify")).json(&body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 400);
        let error: serde_json::Value = response.json().await.unwrap();
        assert!(error["message"].as_str().unwrap().contains(field) || error["field"] == field, "{error}");
    }
    // A garbage token is simply unknown.
    assert_denied(&t.verify("not-a-token", "d1").await, DenyReason::TokenUnknown);
    assert_denied(&t.verify("", "d1").await, DenyReason::TokenUnknown);
}
