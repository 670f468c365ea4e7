//! Management authentication: sign-in sessions, API keys, refusal of auth tokens, rate limiting, host checks.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Calls, TestConsole, console, console_with};

async fn sign_in(t: &TestConsole, email: &str, password: &str) -> reqwest::Response {
    t.http.post(t.url("/api/v1/session")).json(&json!({"email": email, "password": password})).send().await.unwrap()
}

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_that_manages_and_sign_out_ends_it() {
    let t = console().await;
    t.console.create_user("trader@example.com", "correct horse battery").unwrap();
    let response = sign_in(&t, "Trader@Example.com", "correct horse battery").await;
    assert_eq!(response.status().as_u16(), 204);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("console_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    let pair = cookie.split(';').next().unwrap().to_owned();

    // Without the marker header a cookie alone does not authenticate (cross-site request guard).
    let response = t.http.get(t.url("/api/v1/account")).header("cookie", pair.clone()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let with_cookie = |method: Method, path: &str| {
        t.http.request(method, t.url(path)).header("cookie", pair.clone()).header("x-console-request", "1")
    };
    let response = with_cookie(Method::POST, "/api/v1/tokens").json(&json!({"name": "A"})).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let response = with_cookie(Method::GET, "/api/v1/account").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let account: Value = response.json().await.unwrap();
    assert_eq!(account["email"], "trader@example.com");

    let response = with_cookie(Method::DELETE, "/api/v1/session").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert!(response.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let response = with_cookie(Method::GET, "/api/v1/tokens").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401, "the session ended");
}

#[tokio::test]
async fn wrong_credentials_are_401_and_repeated_failures_are_rate_limited() {
    let t = console_with(|c| c.sign_in_max_failures = 3).await;
    t.console.create_user("trader@example.com", "correct horse battery").unwrap();
    for (email, password) in [
        ("trader@example.com", "wrong password"),
        ("nobody@example.com", "correct horse battery"),
        ("trader@example.com", ""),
    ] {
        let response = sign_in(&t, email, password).await;
        assert_eq!(response.status().as_u16(), 401);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "unauthorized");
        assert_eq!(body["message"], "wrong email or password", "no hint which part was wrong");
    }
    // Even the right password is refused while the peer is limited.
    let response = sign_in(&t, "trader@example.com", "correct horse battery").await;
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
}

#[tokio::test]
async fn management_refuses_auth_tokens_and_missing_or_wrong_credentials() {
    let t = console().await;
    let (_, key) = t.user();
    let created = t.create_token(&key, "A", None).await;
    let (status, body) = t.send(Method::GET, "/api/v1/tokens", &created.token, None).await;
    assert_eq!(status, 401);
    assert!(body["message"].as_str().unwrap().contains("only by gateways"), "{body}");
    let (status, _) = t.send(Method::GET, "/api/v1/tokens", "mak_unknown", None).await;
    assert_eq!(status, 401);
    let response = t.http.get(t.url("/api/v1/tokens")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let response =
        t.http.get(t.url("/api/v1/tokens")).header("authorization", format!("Basic {key}")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let response =
        t.http.get(t.url("/api/v1/tokens")).header("cookie", "console_session=mcs_forged").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    // Every management endpoint is guarded.
    for (method, path) in [
        (Method::GET, "/api/v1/account"),
        (Method::PATCH, "/api/v1/account"),
        (Method::POST, "/api/v1/tokens"),
        (Method::DELETE, "/api/v1/tokens/x"),
        (Method::POST, "/api/v1/tokens/x/replace"),
        (Method::GET, "/api/v1/devices"),
        (Method::POST, "/api/v1/devices/x/approve"),
        (Method::POST, "/api/v1/devices/x/revoke"),
    ] {
        let response =
            t.http.request(method, t.url(path)).bearer_auth(&created.token).json(&json!({})).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401, "{path}");
    }
}

#[tokio::test]
async fn foreign_host_and_origin_are_refused() {
    let t = console().await;
    let response = t.http.get(t.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let response = t.http.get(t.url("/healthz")).header("host", "evil.example").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let response =
        t.http.get(t.url("/healthz")).header("host", format!("localhost:{}", t.addr.port())).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let response = t.http.get(t.url("/healthz")).header("origin", "http://evil.example").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "forbidden");
    let response = t.http.get(t.url("/healthz")).header("origin", format!("http://{}", t.addr)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "same origin is fine");
}

#[tokio::test]
async fn hosts_that_only_start_like_an_allowed_name_are_refused() {
    let t = console().await;
    let port = t.addr.port();
    for (host, allowed) in [
        (format!("[::1]:{port}"), true),
        ("[::1]".to_owned(), true),
        (format!("127.0.0.1:{port}"), true),
        ("[::1]evil.com".to_owned(), false),
        (format!("[::1]:{port}evil.com"), false),
        ("[::1]evil.com:80".to_owned(), false),
        (format!("localhost:{port}:1"), false),
        ("localhost:".to_owned(), false),
        ("127.0.0.1:99999".to_owned(), false),
    ] {
        let response = t.http.get(t.url("/healthz")).header("host", &host).send().await.unwrap();
        assert_eq!(response.status().as_u16() == 200, allowed, "{host}: {}", response.status());
        if !allowed {
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"], "forbidden", "{host}");
        }
    }
}

#[tokio::test]
async fn users_and_api_keys_are_validated_in_the_library() {
    let t = console().await;
    assert!(t.console.create_user("not-an-email", "correct horse battery").is_err());
    assert!(t.console.create_user("a@example.com", "short").is_err());
    t.console.create_user("a@example.com", "correct horse battery").unwrap();
    let err = t.console.create_user("A@example.com", "correct horse battery").unwrap_err();
    assert_eq!(err.http_status(), 409);
    let err = t.console.create_api_key(&metaapi_console::UserId("usr_nope".into())).unwrap_err();
    assert_eq!(err.http_status(), 404);
}

#[tokio::test]
async fn the_dashboard_page_is_served() {
    let t = console().await;
    for (path, content_type) in [("/", "text/html"), ("/console.js", "text/javascript"), ("/console.css", "text/css")] {
        let response = t.http.get(t.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with(content_type));
        assert!(response.headers().contains_key("content-security-policy"));
        assert!(!response.text().await.unwrap().is_empty());
    }
}
