//! The HTTP API on warp: routing, authentication, JSON bodies and error answers.
//!
//! Handlers are thin: they parse, authenticate, and run one [`Console`] method on a blocking thread (the store
//! blocks). Every failure is answered with a `ConsoleError` JSON body and a 4xx/5xx status.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::StreamExt;
use metaapi_protocol::console::{
    CreateTokenRequest, PresenceReport, SignInRequest, TokenStatus, UpdateAccountRequest, VerifyRequest,
};
use metaapi_protocol::host::host_name;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;
use warp::Buf;
use warp::http::StatusCode;
use warp::reply::{Reply, Response};
use warp::{Filter, Rejection};

use crate::{Console, ConsoleError, SESSION_COOKIE, UserId};

/// Largest accepted request body.
const MAX_BODY_BYTES: u64 = 64 * 1024;

#[derive(Debug)]
struct ApiReject(ConsoleError);

impl warp::reject::Reject for ApiReject {}

fn reject(error: ConsoleError) -> Rejection {
    warp::reject::custom(ApiReject(error))
}

/// Runs a store-touching console call on a blocking thread.
async fn blocking<T, Call>(console: &Console, call: Call) -> Result<T, ConsoleError>
where
    T: Send + 'static,
    Call: FnOnce(&Console) -> Result<T, ConsoleError> + Send + 'static,
{
    let console = console.clone();
    tokio::task::spawn_blocking(move || call(&console)).await.map_err(|error| ConsoleError::Task(error.to_string()))?
}

fn error_reply(error: &ConsoleError) -> Response {
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status.is_server_error() {
        tracing::error!(%error, "request failed");
    } else {
        // The message may quote request values; log only the code.
        tracing::debug!(status = status.as_u16(), code = %error.body().error, "request refused");
    }
    let mut response = warp::reply::with_status(warp::reply::json(&error.body()), status).into_response();
    if let ConsoleError::RateLimited { retry_after_secs } = error
        && let Ok(value) = retry_after_secs.to_string().parse()
    {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

fn json_reply<T: Serialize>(status: StatusCode, result: Result<T, ConsoleError>) -> Response {
    match result {
        Ok(value) => warp::reply::with_status(warp::reply::json(&value), status).into_response(),
        Err(error) => error_reply(&error),
    }
}

fn empty_reply(result: Result<(), ConsoleError>) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error_reply(&error),
    }
}

/// Parses a JSON body, naming the offending field when the JSON is well-formed but does not fit.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ConsoleError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(metaapi_protocol::field_path::locate)
        .and_then(|value| deserializer.end().map(|()| value).map_err(|error| (None, error)));
    value.map_err(|(field, inner)| match inner.classify() {
        serde_json::error::Category::Data => {
            ConsoleError::Invalid { code: "invalid_body", message: format!("body does not fit: {inner}"), field }
        }
        _ if bytes.iter().all(u8::is_ascii_whitespace) => ConsoleError::Invalid {
            code: "malformed_json",
            message: "body is empty; a JSON object is expected".into(),
            field: None,
        },
        _ => ConsoleError::Invalid {
            code: "malformed_json",
            message: format!("body is not valid JSON: {inner}"),
            field: None,
        },
    })
}

/// Reads a JSON body of at most [`MAX_BODY_BYTES`], with or without a `Content-Length` (chunked bodies are fine).
fn json_body<T: DeserializeOwned + Send + 'static>() -> impl Filter<Extract = (T,), Error = Rejection> + Clone {
    warp::header::optional::<u64>("content-length")
        .and(warp::body::stream())
        .and_then(|length: Option<u64>, stream| read_json::<T, _, _>(length, stream))
}

async fn read_json<T, Chunks, Chunk>(length: Option<u64>, stream: Chunks) -> Result<T, Rejection>
where
    T: DeserializeOwned,
    Chunks: futures_util::Stream<Item = Result<Chunk, warp::Error>>,
    Chunk: Buf,
{
    let too_large = || reject(ConsoleError::TooLarge { limit: MAX_BODY_BYTES });
    if length.is_some_and(|length| length > MAX_BODY_BYTES) {
        return Err(too_large());
    }
    let mut stream = std::pin::pin!(stream);
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let mut chunk = chunk.map_err(|error| {
            reject(ConsoleError::Invalid {
                code: "body_read_failed",
                message: format!("could not read the body: {error}"),
                field: None,
            })
        })?;
        if (body.len() + chunk.remaining()) as u64 > MAX_BODY_BYTES {
            return Err(too_large());
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            let part_length = part.len();
            body.extend_from_slice(part);
            chunk.advance(part_length);
        }
    }
    parse_json::<T>(&body).map_err(reject)
}

/// Refuses requests whose `Host` is not an allowed name (DNS rebinding) and browser requests from another origin.
fn guard(allowed: Arc<Vec<String>>) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::header::optional::<String>("host")
        .and(warp::header::optional::<String>("origin"))
        .and_then(move |host: Option<String>, origin: Option<String>| {
            let allowed = allowed.clone();
            async move {
                let Some(host) = host else {
                    return Err(reject(ConsoleError::Invalid {
                        code: "missing_host",
                        message: "the Host header is required".into(),
                        field: None,
                    }));
                };
                // Parsed strictly: a lenient cut would read `[::1]evil.com` as `[::1]`.
                let Some(name) = host_name(&host) else {
                    return Err(reject(ConsoleError::Forbidden("the Host header is not host[:port]".into())));
                };
                if !allowed.iter().any(|allowed_name| allowed_name.eq_ignore_ascii_case(name)) {
                    return Err(reject(ConsoleError::Forbidden(format!("host {name} is not served here"))));
                }
                if let Some(origin) = origin
                    && !origin.eq_ignore_ascii_case(&format!("http://{host}"))
                {
                    return Err(reject(ConsoleError::Forbidden("cross-origin requests are refused".into())));
                }
                Ok(())
            }
        })
        .untuple_one()
}

/// Refuses a plain GET of the events endpoint with a clear error before warp's own upgrade checks.
fn websocket_upgrade() -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::header::optional::<String>("upgrade")
        .and_then(|upgrade: Option<String>| async move {
            if upgrade.is_some_and(|value| value.eq_ignore_ascii_case("websocket")) {
                Ok(())
            } else {
                Err(reject(ConsoleError::Invalid {
                    code: "websocket_required",
                    message: "this endpoint is a WebSocket; send an upgrade request".into(),
                    field: None,
                }))
            }
        })
        .untuple_one()
}

/// Authenticates a management call: `Authorization: Bearer mak_...` or the session cookie. Never an auth token.
///
/// A cookie counts only together with the `X-Console-Request` header, which the dashboard page always sends and
/// which another site cannot add without a CORS preflight the console never grants: a second guard against
/// cross-site requests besides `SameSite=Strict` and the `Origin` check.
fn authenticated(console: Console) -> impl Filter<Extract = (UserId,), Error = Rejection> + Clone {
    warp::header::optional::<String>("authorization")
        .and(warp::cookie::optional::<String>(SESSION_COOKIE))
        .and(warp::header::optional::<String>(CONSOLE_REQUEST_HEADER))
        .and_then(move |authorization: Option<String>, session: Option<String>, marker: Option<String>| {
            let console = console.clone();
            async move {
                blocking(&console, move |console| match (authorization, session) {
                    (Some(header), _) => match header.strip_prefix("Bearer ") {
                        Some(key) => console.authenticate_api_key(key.trim()),
                        None => Err(ConsoleError::Unauthorized("Authorization must be \"Bearer <API key>\"".into())),
                    },
                    (None, Some(_)) if marker.is_none() => Err(ConsoleError::Unauthorized(format!(
                        "session requests must carry the {CONSOLE_REQUEST_HEADER} header"
                    ))),
                    (None, Some(session)) => console.authenticate_session(&session),
                    (None, None) => Err(ConsoleError::Unauthorized("sign in or send an API key".into())),
                })
                .await
                .map_err(reject)
            }
        })
}

/// Header that must accompany cookie-authenticated calls.
pub const CONSOLE_REQUEST_HEADER: &str = "x-console-request";

fn with_console(console: Console) -> impl Filter<Extract = (Console,), Error = Infallible> + Clone {
    warp::any().map(move || console.clone())
}

fn session_cookie(value: &str, max_age_seconds: u64) -> String {
    format!("{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_seconds}")
}

/// Marker in `web/index.html` replaced by the configured gateway URL.
const GATEWAY_URL_PLACEHOLDER: &str = "{{gateway_url}}";

/// `web/index.html` with the gateway URL filled in. The URL is validated at startup, and escaped here anyway so
/// that a validation gap cannot become markup.
fn index_page(gateway_url: &str) -> String {
    let url = gateway_url.trim_end_matches('/');
    include_str!("../web/index.html").replace(GATEWAY_URL_PLACEHOLDER, &html_escape(url))
}

fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A static answer with the page's security headers.
fn page<Body>(body: Body, content_type: &'static str) -> impl Fn() -> Response + Clone + Send + Sync + 'static
where
    Body: Reply + Clone + Send + Sync + 'static,
{
    move || {
        let reply = warp::reply::with_header(body.clone(), "content-type", content_type);
        let reply =
            warp::reply::with_header(reply, "content-security-policy", "default-src 'self'; frame-ancestors 'none'");
        warp::reply::with_header(reply, "x-content-type-options", "nosniff").into_response()
    }
}

/// The `status` filter of a token listing's query string: `None` when absent (every token).
fn token_statuses(query: &str) -> Result<Option<Vec<TokenStatus>>, ConsoleError> {
    let mut statuses = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != "status" {
            return Err(ConsoleError::invalid("invalid_query", key, format!("unknown query parameter {key}")));
        }
        let mut wanted = Vec::new();
        for name in value.split(',').filter(|name| !name.is_empty()) {
            let status = serde_json::from_value(serde_json::Value::String(name.to_owned())).map_err(|_| {
                ConsoleError::invalid(
                    "invalid_query",
                    "status",
                    format!("unknown token status {name}; use active, expired, revoked or replaced"),
                )
            })?;
            wanted.push(status);
        }
        statuses = Some(wanted);
    }
    Ok(statuses)
}

/// The page's icon, at the path browsers ask for on their own.
const FAVICON: &str = include_str!("../web/favicon.svg");

/// Every route of the console.
pub(crate) fn routes(
    console: Console,
    shutdown: CancellationToken,
) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone {
    let authenticated_user = authenticated(console.clone());
    let console_filter = with_console(console.clone());

    let healthz = warp::path!("healthz")
        .and(warp::get())
        .map(|| warp::reply::json(&serde_json::json!({"status": "ok"})).into_response());

    let ready_shutdown = shutdown.clone();
    let readyz = warp::path!("readyz")
        .and(warp::get())
        .and(with_console(console.clone()))
        .then(move |console: Console| crate::health::readiness(console, ready_shutdown.is_cancelled()));

    // The dashboard page: static files compiled in, so the binary is self-contained. The gateway's address goes
    // into the page once, here, as a meta tag the script reads (an inline script would need a weaker CSP).
    let index = index_page(&console.config().gateway_url);
    let web = warp::path::end()
        .and(warp::get())
        .map(page(index, "text/html; charset=utf-8"))
        .or(warp::path!("console.js")
            .and(warp::get())
            .map(page(include_str!("../web/console.js"), "text/javascript; charset=utf-8")))
        .unify()
        .or(warp::path!("console.css")
            .and(warp::get())
            .map(page(include_str!("../web/console.css"), "text/css; charset=utf-8")))
        .unify()
        .or(warp::path!("favicon.ico")
            .or(warp::path!("favicon.svg"))
            .unify()
            .and(warp::get())
            .map(page(FAVICON, "image/svg+xml")))
        .unify();

    let sign_in = warp::path!("api" / "v1" / "session")
        .and(warp::post())
        .and(console_filter.clone())
        .and(warp::addr::remote())
        .and(json_body::<SignInRequest>())
        .then(|console: Console, peer: Option<SocketAddr>, request: SignInRequest| async move {
            let session_seconds = console.config().session_ttl.as_secs();
            let signed_in = blocking(&console, move |console| {
                console.sign_in(&request.email, &request.password, peer.map(|address| address.ip()))
            });
            match signed_in.await {
                Ok(session) => {
                    let reply = warp::reply::with_status(warp::reply(), StatusCode::NO_CONTENT);
                    warp::reply::with_header(reply, "set-cookie", session_cookie(&session, session_seconds))
                        .into_response()
                }
                Err(error) => error_reply(&error),
            }
        });

    let sign_out = warp::path!("api" / "v1" / "session")
        .and(warp::delete())
        .and(console_filter.clone())
        .and(warp::cookie::optional::<String>(SESSION_COOKIE))
        .then(|console: Console, session: Option<String>| async move {
            let result = match session {
                Some(session) => blocking(&console, move |console| console.sign_out(&session)).await,
                None => Ok(()),
            };
            match result {
                Ok(()) => {
                    let reply = warp::reply::with_status(warp::reply(), StatusCode::NO_CONTENT);
                    warp::reply::with_header(reply, "set-cookie", session_cookie("", 0)).into_response()
                }
                Err(error) => error_reply(&error),
            }
        });

    let get_account = warp::path!("api" / "v1" / "account")
        .and(warp::get())
        .and(console_filter.clone())
        .and(authenticated_user.clone())
        .then(|console: Console, user: UserId| async move {
            json_reply(StatusCode::OK, blocking(&console, move |console| console.account(&user)).await)
        });

    let patch_account = warp::path!("api" / "v1" / "account")
        .and(warp::patch())
        .and(console_filter.clone())
        .and(authenticated_user.clone())
        .and(json_body::<UpdateAccountRequest>())
        .then(|console: Console, user: UserId, request: UpdateAccountRequest| async move {
            json_reply(StatusCode::OK, blocking(&console, move |console| console.update_account(&user, &request)).await)
        });

    // `?status=active,expired` lists only tokens in those states; the page hides deleted and replaced ones.
    let list_tokens = warp::path!("api" / "v1" / "tokens")
        .and(warp::get())
        .and(console_filter.clone())
        .and(authenticated_user.clone())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .then(|console: Console, user: UserId, query: String| async move {
            let statuses = match token_statuses(&query) {
                Ok(statuses) => statuses,
                Err(error) => return error_reply(&error),
            };
            json_reply(
                StatusCode::OK,
                blocking(&console, move |console| console.list_tokens_in(&user, statuses.as_deref())).await,
            )
        });

    let create_token = warp::path!("api" / "v1" / "tokens")
        .and(warp::post())
        .and(console_filter.clone())
        .and(authenticated_user.clone())
        .and(json_body::<CreateTokenRequest>())
        .then(|console: Console, user: UserId, request: CreateTokenRequest| async move {
            json_reply(
                StatusCode::CREATED,
                blocking(&console, move |console| console.create_token_named_uniquely(&user, &request)).await,
            )
        });

    let delete_token = warp::path!("api" / "v1" / "tokens" / String)
        .and(warp::delete())
        .and(console_filter.clone())
        .and(authenticated_user.clone())
        .then(|id: String, console: Console, user: UserId| async move {
            empty_reply(blocking(&console, move |console| console.delete_token(&user, &id).map(drop)).await)
        });

    let replace_token = warp::path!("api" / "v1" / "tokens" / String / "replace")
        .and(warp::post())
        .and(console_filter.clone())
        .and(authenticated_user.clone())
        .then(|id: String, console: Console, user: UserId| async move {
            json_reply(StatusCode::CREATED, blocking(&console, move |console| console.replace_token(&user, &id)).await)
        });

    let list_devices = warp::path!("api" / "v1" / "devices")
        .and(warp::get())
        .and(console_filter.clone())
        .and(authenticated_user.clone())
        .then(|console: Console, user: UserId| async move {
            json_reply(StatusCode::OK, blocking(&console, move |console| console.list_devices(&user)).await)
        });

    let approve_device = warp::path!("api" / "v1" / "devices" / String / "approve")
        .and(warp::post())
        .and(console_filter.clone())
        .and(authenticated_user.clone())
        .then(|id: String, console: Console, user: UserId| async move {
            json_reply(StatusCode::OK, blocking(&console, move |console| console.approve_device(&user, &id)).await)
        });

    let revoke_device = warp::path!("api" / "v1" / "devices" / String / "revoke")
        .and(warp::post())
        .and(console_filter.clone())
        .and(authenticated_user)
        .then(|id: String, console: Console, user: UserId| async move {
            json_reply(StatusCode::OK, blocking(&console, move |console| console.revoke_device(&user, &id)).await)
        });

    let verify = warp::path!("api" / "v1" / "verify")
        .and(warp::post())
        .and(console_filter.clone())
        .and(json_body::<VerifyRequest>())
        .then(|console: Console, request: VerifyRequest| async move {
            json_reply(StatusCode::OK, blocking(&console, move |console| console.verify(&request)).await)
        });

    // Gateways report which terminals are linked to them; each entry counts only for an approved device of the
    // token's account (see Console::report_presence).
    let presence = warp::path!("api" / "v1" / "presence")
        .and(warp::post())
        .and(console_filter.clone())
        .and(json_body::<PresenceReport>())
        .then(|console: Console, report: PresenceReport| async move {
            empty_reply(blocking(&console, move |console| console.report_presence(&report)).await)
        });

    let events = warp::path!("api" / "v1" / "events")
        .and(warp::get())
        .and(websocket_upgrade())
        .and(warp::ws())
        .and(console_filter)
        .map(move |ws: warp::ws::Ws, console: Console| {
            let shutdown = shutdown.clone();
            ws.max_message_size(64 * 1024)
                .on_upgrade(move |socket| crate::events::serve_listener(console, socket, shutdown))
                .into_response()
        });

    // Boxing each step keeps the combined filter's type small: a long unboxed `.or()` chain made this one
    // function take minutes to compile.
    let api = healthz.boxed();
    let api = api.or(readyz).unify().boxed();
    let api = api.or(web).unify().boxed();
    let api = api.or(sign_in).unify().boxed();
    let api = api.or(sign_out).unify().boxed();
    let api = api.or(get_account).unify().boxed();
    let api = api.or(patch_account).unify().boxed();
    let api = api.or(list_tokens).unify().boxed();
    let api = api.or(create_token).unify().boxed();
    let api = api.or(delete_token).unify().boxed();
    let api = api.or(replace_token).unify().boxed();
    let api = api.or(list_devices).unify().boxed();
    let api = api.or(approve_device).unify().boxed();
    let api = api.or(revoke_device).unify().boxed();
    let api = api.or(verify).unify().boxed();
    let api = api.or(presence).unify().boxed();
    let api = api.or(events).unify().boxed();

    guard(Arc::new(console.config().allowed_hosts.clone())).and(api).recover(recover).unify()
}

async fn recover(rejection: Rejection) -> Result<Response, Infallible> {
    if let Some(ApiReject(error)) = rejection.find::<ApiReject>() {
        return Ok(error_reply(error));
    }
    let (status, code, message) = if rejection.is_not_found() {
        (StatusCode::NOT_FOUND, "not_found", "no such endpoint".to_owned())
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this endpoint does not take that method".to_owned())
    } else if let Some(header) = rejection.find::<warp::reject::InvalidHeader>() {
        (StatusCode::BAD_REQUEST, "invalid_header", format!("header {} is invalid", header.name()))
    } else if rejection.find::<warp::ws::MissingConnectionUpgrade>().is_some() {
        (StatusCode::BAD_REQUEST, "websocket_required", "this endpoint is a WebSocket".to_owned())
    } else {
        (StatusCode::BAD_REQUEST, "bad_request", format!("{rejection:?}"))
    };
    let body = metaapi_protocol::console::ConsoleError { error: code.into(), message, field: None };
    Ok(warp::reply::with_status(warp::reply::json(&body), status).into_response())
}

impl Console {
    /// Serves the HTTP API on `listener` until `shutdown` completes, with the push channel and the expiry timer.
    ///
    /// Open push listeners are closed with code 1001 on shutdown (warp's graceful shutdown does not close upgraded
    /// connections by itself).
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ConsoleError> {
        // A console made with `with_store` has not been validated yet.
        self.config().validate()?;
        let cancel = CancellationToken::new();
        let address = listener.local_addr()?;
        let timer = tokio::spawn(crate::events::run_expiry_timer(self.clone(), cancel.clone()));
        let listening =
            self.inner.feed.clone().map(|feed| tokio::spawn(crate::replicas::run(self.clone(), feed, cancel.clone())));
        let pruning = self.inner.feed.clone().map(|feed| {
            tokio::spawn(crate::replicas::run_pruning(feed, self.config().revocation_retention, cancel.clone()))
        });
        let stop = cancel.clone();
        let signal = async move {
            shutdown.await;
            stop.cancel();
        };
        tracing::info!(addr = %address, "console listening");
        warp::serve(routes(self, cancel.clone())).incoming(listener).graceful(signal).run().await;
        cancel.cancel();
        let _ = timer.await;
        for task in [listening, pruning].into_iter().flatten() {
            let _ = task.await;
        }
        tracing::info!(addr = %address, "console stopped");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_page_carries_the_escaped_gateway_url() {
        let page = index_page("http://127.0.0.1:7000/");
        assert!(page.contains(r#"<meta name="metaapi-gateway-url" content="http://127.0.0.1:7000">"#), "{page}");
        assert!(!page.contains(GATEWAY_URL_PLACEHOLDER));
        assert_eq!(html_escape(r#"a"<b>&'c"#), "a&quot;&lt;b&gt;&amp;&#39;c");
    }

    #[test]
    fn json_errors_name_the_problem() {
        let error = parse_json::<CreateTokenRequest>(b"{\"name\": ").unwrap_err();
        assert!(matches!(error, ConsoleError::Invalid { code: "malformed_json", .. }), "{error:?}");
        let error = parse_json::<CreateTokenRequest>(b"").unwrap_err();
        assert!(matches!(error, ConsoleError::Invalid { code: "malformed_json", .. }), "{error:?}");
        let error = parse_json::<CreateTokenRequest>(br#"{"name": 5}"#).unwrap_err();
        match error {
            ConsoleError::Invalid { code: "invalid_body", field: Some(field), .. } => assert_eq!(field, "name"),
            other => panic!("{other:?}"),
        }
        let error = parse_json::<CreateTokenRequest>(br#"{"name": "a", "colour": 1}"#).unwrap_err();
        assert!(matches!(error, ConsoleError::Invalid { code: "invalid_body", .. }), "{error:?}");
        let error = parse_json::<CreateTokenRequest>(br#"{"name": "a"} trailing"#).unwrap_err();
        assert!(matches!(error, ConsoleError::Invalid { code: "malformed_json", .. }), "{error:?}");
        assert!(parse_json::<CreateTokenRequest>(br#"{"name": "a"}"#).is_ok());
    }
}
