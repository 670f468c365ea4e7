//! Secrets never reach the logs: a full flow runs with a TRACE subscriber writing to a buffer, which is then
//! searched for every secret the flow handled.

use reqwest::Method;
use serde_json::json;

use crate::support::{Calls, assert_allowed, captured_logs, console};

#[tokio::test]
async fn tokens_keys_passwords_and_sessions_never_appear_in_logs() {
    let t = console().await;
    let password = "a very secret password 42";
    let user = t.console.create_user("logs@example.com", password).unwrap();
    let key = t.console.create_api_key(&user).unwrap();
    let mut secrets = vec![password.to_owned(), key.clone()];

    let response = t
        .http
        .post(t.url("/api/v1/session"))
        .json(&json!({"email": "logs@example.com", "password": password}))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    secrets.push(cookie.trim_start_matches("console_session=").to_owned());
    let wrong =
        t.http.post(t.url("/api/v1/session")).json(&json!({"email": "logs@example.com", "password": "guess-guess"}));
    assert_eq!(wrong.send().await.unwrap().status().as_u16(), 401);

    t.patch_account(&key, json!({"auto_approve_devices": true})).await;
    let mut listener = t.listen().await;
    let created = t.create_token(&key, "MT5-Live-A", None).await;
    secrets.push(created.token.clone());
    assert_allowed(&t.verify(&created.token, "box").await);
    let (_, replaced) =
        t.send(Method::POST, &format!("/api/v1/tokens/{}/replace", created.summary.id), &key, None).await;
    let replacement = replaced["token"].as_str().unwrap().to_owned();
    secrets.push(replacement.clone());
    listener.next_within_a_second().await;
    t.verify(&created.token, "box").await;
    t.send(Method::GET, "/api/v1/tokens", &key, None).await;
    // Secrets in the wrong places: a token as an API key, a malformed body quoting a token.
    t.send(Method::GET, "/api/v1/tokens", &replacement, None).await;
    t.send(
        Method::POST,
        "/api/v1/tokens",
        &key,
        Some(json!({"name": replacement.clone(), "extra": replacement.clone()})),
    )
    .await;
    t.send(Method::DELETE, &format!("/api/v1/tokens/{}", replaced["summary"]["id"].as_str().unwrap()), &key, None)
        .await;
    listener.next_within_a_second().await;

    let logs = captured_logs();
    assert!(logs.contains("auth token created"), "the flow was logged");
    assert!(logs.contains("auth token replaced"));
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "a secret reached the log");
        assert!(!logs.contains(&secret[..secret.len().min(16)]), "a secret's prefix reached the log");
    }
    // And nothing shaped like an auth token or API key was logged by any test in this binary.
    for prefix in ["mat_", "mak_", "mcs_"] {
        for (i, _) in logs.match_indices(prefix) {
            let rest: String =
                logs[i + 4..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
            assert!(rest.len() < 20, "something secret-shaped was logged: {prefix}{}...", &rest[..8]);
        }
    }
}
