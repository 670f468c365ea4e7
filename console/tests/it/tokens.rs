//! Token management over HTTP: create, list, delete, replace, bad input, concurrency.

use std::collections::HashSet;

use metaapi_protocol::console::{CreatedToken, TokenList, TokenStatus};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Calls, TestConsole, assert_allowed, console, now_ms};

async fn list(t: &TestConsole, key: &str) -> TokenList {
    let (status, value) = t.send(Method::GET, "/api/v1/tokens", key, None).await;
    assert_eq!(status, 200);
    serde_json::from_value(value).unwrap()
}

#[tokio::test]
async fn create_list_delete_replace() {
    let t = console().await;
    let (_, key) = t.user();
    let expires = now_ms() + 3_600_000;
    let created = t.create_token(&key, "MT5-Live-A", Some(expires)).await;
    assert!(created.token.starts_with("mat_"));
    assert!(created.token.len() >= 4 + 43, "at least 256 bits");
    assert_eq!(created.summary.name, "MT5-Live-A");
    assert_eq!(created.summary.status, TokenStatus::Active);
    assert_eq!(created.summary.expires_at, Some(expires));

    let listed = list(&t, &key).await;
    assert_eq!(listed.tokens, vec![created.summary.clone()]);

    // Replace: same terminal and name, new id; the old one is replaced and links to the new one.
    let (status, value) =
        t.send(Method::POST, &format!("/api/v1/tokens/{}/replace", created.summary.id), &key, None).await;
    assert_eq!(status, 201, "{value}");
    let replacement: CreatedToken = serde_json::from_value(value).unwrap();
    assert_ne!(replacement.token, created.token);
    assert_ne!(replacement.summary.id, created.summary.id);
    assert_eq!(replacement.summary.terminal_id, created.summary.terminal_id);
    assert_eq!(replacement.summary.name, "MT5-Live-A");
    assert_eq!(replacement.summary.expires_at, Some(expires));
    let listed = list(&t, &key).await;
    assert_eq!(listed.tokens.len(), 2);
    assert_eq!(listed.tokens[0].id, replacement.summary.id, "newest first");
    assert_eq!(listed.tokens[1].status, TokenStatus::Replaced);
    assert_eq!(listed.tokens[1].replaced_by.as_deref(), Some(replacement.summary.id.as_str()));

    // A replaced token cannot be replaced again or resurrected.
    let (status, value) =
        t.send(Method::POST, &format!("/api/v1/tokens/{}/replace", created.summary.id), &key, None).await;
    assert_eq!((status, value["error"].as_str()), (409, Some("token_replaced")));

    // Delete: listed as revoked; deleting again changes nothing; replacing it is refused.
    let (status, _) = t.send(Method::DELETE, &format!("/api/v1/tokens/{}", replacement.summary.id), &key, None).await;
    assert_eq!(status, 204);
    let (status, _) = t.send(Method::DELETE, &format!("/api/v1/tokens/{}", replacement.summary.id), &key, None).await;
    assert_eq!(status, 204);
    assert_eq!(list(&t, &key).await.tokens[0].status, TokenStatus::Revoked);
    let (status, value) =
        t.send(Method::POST, &format!("/api/v1/tokens/{}/replace", replacement.summary.id), &key, None).await;
    assert_eq!((status, value["error"].as_str()), (409, Some("token_revoked")));
}

#[tokio::test]
async fn list_responses_never_contain_tokens() {
    let t = console().await;
    let (_, key) = t.user();
    let a = t.create_token(&key, "A", None).await;
    let b = t.create_token(&key, "B", None).await;
    let (_, raw) = t.send(Method::GET, "/api/v1/tokens", &key, None).await;
    let text = raw.to_string();
    assert!(!text.contains(&a.token) && !text.contains(&b.token));
    assert!(!text.contains("mat_"), "no token-like value in the list: {text}");
    assert!(!text.contains(&metaapi_console::secret::hash(&a.token)), "not even the hash");
}

#[tokio::test]
async fn bad_input_gets_a_precise_4xx_and_writes_nothing() {
    let t = console().await;
    let (_, key) = t.user();
    let raw = |body: &'static str| {
        t.http
            .post(t.url("/api/v1/tokens"))
            .bearer_auth(&key)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let response = raw("{\"name\": ").await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let v: Value = response.json().await.unwrap();
    assert_eq!(v["error"], "malformed_json");

    let response = raw("").await.unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let v: Value = response.json().await.unwrap();
    assert_eq!(v["error"], "malformed_json");

    let cases = [
        (json!({"name": ""}), "invalid_name", "name"),
        (json!({"name": "   "}), "invalid_name", "name"),
        (json!({"name": "x".repeat(65)}), "invalid_name", "name"),
        (json!({"name": "a\u{0}b"}), "invalid_name", "name"),
        (json!({"name": "A", "expires_at": now_ms() - 1000}), "invalid_expiry", "expires_at"),
        (json!({"name": 7}), "invalid_body", "name"),
        (json!({"name": "A", "expires_at": "tomorrow"}), "invalid_body", "expires_at"),
        (json!({"name": "A", "colour": "red"}), "invalid_body", ""),
        (json!({}), "invalid_body", ""),
    ];
    for (body, code, field) in cases {
        let (status, v) = t.send(Method::POST, "/api/v1/tokens", &key, Some(body.clone())).await;
        assert_eq!(status, 400, "{body} -> {v}");
        assert_eq!(v["error"], code, "{body} -> {v}");
        if !field.is_empty() {
            assert_eq!(v["field"], field, "{body} -> {v}");
        }
        assert!(!v["message"].as_str().unwrap().is_empty());
    }
    assert!(list(&t, &key).await.tokens.is_empty(), "no rejected request wrote a token");

    // Unknown ids.
    for (method, path) in [
        (Method::DELETE, "/api/v1/tokens/tok_nope"),
        (Method::POST, "/api/v1/tokens/tok_nope/replace"),
        (Method::POST, "/api/v1/devices/nope/approve"),
        (Method::POST, "/api/v1/devices/nope/revoke"),
    ] {
        let (status, v) = t.send(method, path, &key, None).await;
        assert_eq!((status, v["error"].as_str()), (404, Some("not_found")), "{path}");
        assert!(v["message"].as_str().unwrap().contains("nope"));
    }
    // Another user's token is unknown too.
    let created = t.create_token(&key, "mine", None).await;
    let (_, other) = t.user();
    let (status, _) = t.send(Method::DELETE, &format!("/api/v1/tokens/{}", created.summary.id), &other, None).await;
    assert_eq!(status, 404);
    assert_eq!(list(&t, &key).await.tokens[0].status, TokenStatus::Active);

    // Unknown endpoint and wrong method are JSON too.
    let (status, v) = t.send(Method::GET, "/api/v1/nothing", &key, None).await;
    assert_eq!((status, v["error"].as_str()), (404, Some("not_found")));
    let (status, v) = t.send(Method::PUT, "/api/v1/tokens", &key, None).await;
    assert_eq!((status, v["error"].as_str()), (405, Some("method_not_allowed")), "{v}");

    // Oversized body.
    let big = json!({"name": "x".repeat(100 * 1024)});
    let (status, v) = t.send(Method::POST, "/api/v1/tokens", &key, Some(big)).await;
    assert_eq!((status, v["error"].as_str()), (413, Some("body_too_large")));
}

#[tokio::test]
async fn account_updates_are_validated() {
    let t = console().await;
    let (_, key) = t.user();
    let (status, v) = t.send(Method::GET, "/api/v1/account", &key, None).await;
    assert_eq!(status, 200);
    assert_eq!(v["state"], "active");
    assert_eq!(v["auto_approve_devices"], false);
    let (status, v) =
        t.send(Method::PATCH, "/api/v1/account", &key, Some(json!({"expires_at": 5, "clear_expiry": true}))).await;
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_expiry")));
    let (status, v) = t.send(Method::PATCH, "/api/v1/account", &key, Some(json!({"disabled": "yes"}))).await;
    assert_eq!((status, v["field"].as_str()), (400, Some("disabled")));
    let later = now_ms() + 86_400_000;
    let v = t.patch_account(&key, json!({"expires_at": later})).await;
    assert_eq!((v["state"].as_str(), v["expires_at"].as_i64()), (Some("active"), Some(later)));
    let v = t.patch_account(&key, json!({"expires_at": now_ms() - 1})).await;
    assert_eq!(v["state"], "expired");
    let v = t.patch_account(&key, json!({"disabled": true})).await;
    assert_eq!(v["state"], "disabled");
    let v = t.patch_account(&key, json!({"disabled": false, "clear_expiry": true})).await;
    assert_eq!(v["state"], "active");
    assert!(v.get("expires_at").is_none());
}

#[tokio::test]
async fn concurrent_creation_loses_nothing() {
    let t = std::sync::Arc::new(console().await);
    let (_, key) = t.user();
    t.patch_account(&key, json!({"auto_approve_devices": true})).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let t = t.clone();
        let key = key.clone();
        tasks.push(tokio::spawn(async move { t.create_token(&key, &format!("T-{i}"), None).await }));
    }
    let mut created = Vec::new();
    for task in tasks {
        created.push(task.await.unwrap());
    }
    let listed = list(&t, &key).await;
    assert_eq!(listed.tokens.len(), 50);
    let listed_ids: HashSet<_> = listed.tokens.iter().map(|s| s.id.clone()).collect();
    let created_ids: HashSet<_> = created.iter().map(|c| c.summary.id.clone()).collect();
    assert_eq!(listed_ids, created_ids);
    let distinct: HashSet<_> = created.iter().map(|c| c.token.clone()).collect();
    assert_eq!(distinct.len(), 50);
    for c in &created {
        assert_allowed(&t.verify(&c.token, "d1").await);
    }
}

#[tokio::test]
async fn a_name_in_use_is_refused_until_its_token_is_deleted_or_replaced() {
    let t = console().await;
    let (_, key) = t.user();
    let first = t.create_token(&key, "MT5-Live-A", None).await;
    for name in ["MT5-Live-A", "mt5-live-a", "  MT5-Live-A "] {
        let (status, value) = t.send(Method::POST, "/api/v1/tokens", &key, Some(json!({ "name": name }))).await;
        assert_eq!((status, value["error"].as_str()), (409, Some("duplicate_name")), "{name}: {value}");
        assert_eq!(value["message"], "a token named MT5-Live-A already exists; choose another name");
    }
    // Another user may use the name.
    let (_, other_key) = t.user();
    t.create_token(&other_key, "MT5-Live-A", None).await;
    // A replacement keeps the name (the old token is replaced, not in use); a deleted token frees it.
    let (status, value) =
        t.send(Method::POST, &format!("/api/v1/tokens/{}/replace", first.summary.id), &key, None).await;
    assert_eq!(status, 201, "{value}");
    let replacement: CreatedToken = serde_json::from_value(value).unwrap();
    let (status, _) = t.send(Method::DELETE, &format!("/api/v1/tokens/{}", replacement.summary.id), &key, None).await;
    assert_eq!(status, 204);
    let again = t.create_token(&key, "MT5-Live-A", None).await;
    assert_eq!(again.summary.name, "MT5-Live-A");
}

#[tokio::test]
async fn the_listing_filters_by_status() {
    let t = console().await;
    let (_, key) = t.user();
    let kept = t.create_token(&key, "kept", None).await;
    let deleted = t.create_token(&key, "deleted", None).await;
    let (status, _) = t.send(Method::DELETE, &format!("/api/v1/tokens/{}", deleted.summary.id), &key, None).await;
    assert_eq!(status, 204);
    let names = |value: Value| -> Vec<String> {
        let list: TokenList = serde_json::from_value(value).unwrap();
        list.tokens.into_iter().map(|token| token.name).collect()
    };
    let (status, value) = t.send(Method::GET, "/api/v1/tokens?status=active,expired", &key, None).await;
    assert_eq!(status, 200, "{value}");
    assert_eq!(names(value), vec![kept.summary.name.clone()]);
    let (_, value) = t.send(Method::GET, "/api/v1/tokens?status=revoked", &key, None).await;
    assert_eq!(names(value), vec!["deleted".to_owned()]);
    let (_, value) = t.send(Method::GET, "/api/v1/tokens", &key, None).await;
    assert_eq!(names(value), vec!["deleted".to_owned(), "kept".to_owned()], "no filter lists every token");
    let (status, value) = t.send(Method::GET, "/api/v1/tokens?status=gone", &key, None).await;
    assert_eq!(
        (status, value["error"].as_str(), value["field"].as_str()),
        (400, Some("invalid_query"), Some("status"))
    );
    let (status, value) = t.send(Method::GET, "/api/v1/tokens?sort=name", &key, None).await;
    assert_eq!((status, value["field"].as_str()), (400, Some("sort")), "{value}");
}
