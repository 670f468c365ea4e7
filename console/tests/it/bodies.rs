//! Request bodies that are well-formed JSON but do not fit: the answer names the offending field by its path.

use serde_json::{Value, json};

use crate::support::{TestConsole, console};

/// A presence report: its body nests (terminals, each with an identity), so paths go below the root.
async fn report(t: &TestConsole, body: &Value) -> (u16, Value) {
    let response = t.http.post(t.url("/api/v1/presence")).json(body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn a_body_that_does_not_fit_names_the_field_even_when_it_is_missing() {
    let t = console().await;
    let identity = json!({
        "platform": "mt5", "build": 4755, "company": "MetaQuotes Ltd.", "server": "MetaQuotes-Demo", "login": 1,
        "account_name": "Jane Trader", "currency": "USD", "margin_mode": "hedging",
    });
    let entry = |terminal: Value| json!({"device_id": "d", "terminals": [terminal]});
    for (body, field) in [
        // serde reports a missing field at its parent's path; the answer names the field itself.
        (json!({"device_id": "d"}), "terminals"),
        (entry(json!({"token_id": "t"})), "terminals[0].identity"),
        (entry(json!({"token_id": "t", "identity": {"platform": "mt5"}})), "terminals[0].identity.build"),
        // Unknown fields and wrong types were named before and still are.
        (json!({"device_id": "d", "terminals": [], "extra": 1}), "extra"),
        (entry(json!({"token_id": 7, "identity": identity})), "terminals[0].token_id"),
    ] {
        let (status, value) = report(&t, &body).await;
        assert_eq!((status, value["error"].as_str()), (400, Some("invalid_body")), "{body} -> {value}");
        assert_eq!(value["field"].as_str(), Some(field), "{body} -> {value}");
    }
}

#[tokio::test]
async fn a_token_request_without_its_name_names_it() {
    let t = console().await;
    let (_, key) = t.user();
    let response = t.http.post(t.url("/api/v1/tokens")).bearer_auth(&key).json(&json!({})).send().await.unwrap();
    let status = response.status().as_u16();
    let value: Value = response.json().await.unwrap();
    assert_eq!((status, value["error"].as_str(), value["field"].as_str()), (400, Some("invalid_body"), Some("name")));
    assert!(value["message"].as_str().unwrap().contains("missing field `name`"), "{value}");
}
