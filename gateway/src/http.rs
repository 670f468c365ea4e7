//! The warp routes: Host and Origin checks, bearer authorization, size limits, `/rpc`, `/healthz`, `/metrics`, and
//! the mapping of every refusal to an HTTP status with a JSON-RPC error body.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use bytes::Bytes;
use metaapi_protocol::host::{host_name, is_loopback_name};
use metaapi_protocol::jsonrpc::{Id, Incoming, Outgoing, Response, request_id};
use metaapi_protocol::{ErrorKind, ErrorObject};
use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Reply;
use warp::{Filter, Rejection};

use crate::app::App;
use crate::auth::{Grant, bearer, deny_reason, retry_after_secs};
use crate::metrics::Transport;
use crate::router::Caller;

/// A request refused before dispatch: its HTTP status and the JSON-RPC error the body carries.
#[derive(Debug)]
pub struct Refusal {
    /// HTTP status.
    pub status: u16,
    /// The error, whose `data.kind` names the reason.
    pub error: ErrorObject,
}

impl warp::reject::Reject for Refusal {}

/// A refusal of a `/rpc` request whose body was read: the answer carries the request's id, because generic
/// JSON-RPC clients report an answer with another id as a bad response rather than as the error it is.
#[derive(Debug)]
struct RequestRefusal {
    id: Id,
    refusal: Refusal,
}

impl warp::reject::Reject for RequestRefusal {}

impl Refusal {
    /// A refusal with the status the error's kind implies.
    pub fn of(error: ErrorObject) -> Refusal {
        Refusal { status: error.kind().http_status(), error }
    }
}

/// A token that passed verification, with the token itself for later re-checks (never logged).
#[derive(Clone)]
pub struct Authorized {
    /// The verdict.
    pub grant: Grant,
    /// The bearer token.
    pub token: String,
}

impl std::fmt::Debug for Authorized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorized").field("grant", &self.grant).field("token", &"<redacted>").finish()
    }
}

/// Whether `host` (a `Host` header) names this machine's loopback interface or an explicitly allowed name.
pub fn host_allowed(host: &str, extra: &[String]) -> bool {
    let Some(name) = host_name(host) else {
        return false;
    };
    is_loopback_name(name)
        || extra.iter().any(|allowed| allowed.eq_ignore_ascii_case(name) || allowed.eq_ignore_ascii_case(host))
}

/// Refuses a `Host` that is not a loopback name (DNS rebinding) and any `Origin` not explicitly allowed.
pub fn guard(app: Arc<App>) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::header::optional::<String>("host")
        .and(warp::header::optional::<String>("origin"))
        .and_then(move |host: Option<String>, origin: Option<String>| {
            let app = app.clone();
            async move {
                let refuse = |message: &str| {
                    app.metrics.error(ErrorKind::InvalidRequest);
                    Err(warp::reject::custom(Refusal {
                        status: 403,
                        error: ErrorObject::new(ErrorKind::InvalidRequest, message),
                    }))
                };
                if !host.as_deref().is_some_and(|host| host_allowed(host, &app.config.allowed_hosts)) {
                    return refuse("the Host header must name a loopback address");
                }
                if let Some(origin) = origin
                    && !app.config.allowed_origins.contains(&origin)
                {
                    return refuse("requests from this Origin are not allowed");
                }
                Ok::<(), Rejection>(())
            }
        })
        .untuple_one()
}

/// Checks the rate limit and the bearer token with the console.
///
/// The limit never refuses a token that may be valid: a peer over it gets 429 only for a missing token or one the
/// console already refused for good, and its other failures are answered late (see `auth::limit`).
pub async fn authorize(app: &App, peer: Option<IpAddr>, header: Option<&str>) -> Result<Authorized, Refusal> {
    let token = bearer(header);
    if let Some(retry_after) = app.limiter.over_limit(peer)
        && (token.is_empty() || app.verifier.is_dead(token))
    {
        app.metrics.error(ErrorKind::RateLimited);
        let retry_after_ms = u64::try_from(retry_after.as_millis()).unwrap_or(u64::MAX);
        return Err(Refusal { status: 429, error: ErrorObject::rate_limited(retry_after_ms) });
    }
    match app.verifier.check(token).await {
        Ok(grant) => Ok(Authorized { grant, token: token.to_owned() }),
        Err(error) => {
            let kind = error.kind();
            if (kind == ErrorKind::TokenMissing || deny_reason(kind).is_some())
                && let Some(delay) = app.limiter.fail(peer)
            {
                // Slows a guesser down without refusing anyone: the answer is the console's, only later.
                app.verifier.count_fail_delay();
                tokio::time::sleep(delay).await;
            }
            app.metrics.error(kind);
            Err(Refusal::of(error))
        }
    }
}

/// The bearer token, verified.
pub fn authorized(app: Arc<App>) -> impl Filter<Extract = (Authorized,), Error = Rejection> + Clone {
    crate::server::peer().and(warp::header::optional::<String>("authorization")).and_then(
        move |peer: Option<SocketAddr>, header: Option<String>| {
            let app = app.clone();
            async move {
                authorize(&app, peer.map(|peer| peer.ip()), header.as_deref()).await.map_err(warp::reject::custom)
            }
        },
    )
}

fn json_reply(status: u16, body: &impl Serialize) -> warp::reply::Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    warp::reply::with_status(warp::reply::json(body), status).into_response()
}

/// `POST /rpc`. The body (bounded by the size limit) is read before the token is checked, so that a refusal can
/// answer with the request's id.
pub fn rpc(app: Arc<App>) -> impl Filter<Extract = (warp::reply::Response,), Error = Rejection> + Clone {
    let authorize_app = app.clone();
    let handler_app = app.clone();
    warp::path("rpc")
        .and(warp::path::end())
        .and(warp::post())
        .and(guard(app.clone()))
        .and(crate::server::peer())
        .and(warp::header::optional::<String>("authorization"))
        .and(warp::body::content_length_limit(app.config.max_body_bytes))
        .and(warp::body::bytes())
        .and_then(move |peer: Option<SocketAddr>, header: Option<String>, body: Bytes| {
            let app = authorize_app.clone();
            async move {
                match authorize(&app, peer.map(|peer| peer.ip()), header.as_deref()).await {
                    Ok(authorized) => Ok((authorized, body)),
                    Err(refusal) => Err(warp::reject::custom(RequestRefusal { id: request_id(&body), refusal })),
                }
            }
        })
        .untuple_one()
        .then(move |authorized: Authorized, body: Bytes| {
            let app = handler_app.clone();
            async move { handle_rpc(app, authorized.grant, body).await }
        })
}

/// Frames a body (single or batch) and runs its calls through the router.
async fn handle_rpc(app: Arc<App>, grant: Grant, body: Bytes) -> warp::reply::Response {
    let incoming = Incoming::parse(&body);
    if incoming.len() > app.config.max_batch {
        app.metrics.error(ErrorKind::PayloadTooLarge);
        let error = ErrorObject::new(
            ErrorKind::PayloadTooLarge,
            format!("a batch holds at most {} calls", app.config.max_batch),
        );
        return json_reply(413, &Response::error(Id::Null, error));
    }
    let caller = Arc::new(Caller { grant, transport: Transport::Rpc, session: None });
    match run_calls(&app, &caller, incoming).await {
        Some(outgoing) => json_reply(200, &outgoing),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

/// Runs the calls of a framed message concurrently; `None` when nothing is to be answered.
pub async fn run_calls(app: &Arc<App>, caller: &Arc<Caller>, incoming: Incoming) -> Option<Outgoing> {
    let (batch, calls) = match incoming {
        Incoming::Rejected(response) => {
            if let metaapi_protocol::jsonrpc::Payload::Error(error) = &response.payload {
                app.metrics.error(error.kind());
            }
            return Some(Outgoing::Single(response));
        }
        Incoming::Single(call) => (false, vec![call]),
        Incoming::Batch(calls) => (true, calls),
    };
    let answers = futures_util::future::join_all(calls.into_iter().map(|call| async move {
        match call {
            Ok(request) => app.router.dispatch(app, caller, request).await,
            Err(response) => {
                if let metaapi_protocol::jsonrpc::Payload::Error(error) = &response.payload {
                    app.metrics.error(error.kind());
                }
                Some(response)
            }
        }
    }))
    .await;
    Outgoing::from_answers(batch, answers)
}

/// `GET /healthz` and `GET /metrics`.
pub fn health(app: Arc<App>) -> impl Filter<Extract = (warp::reply::Response,), Error = Rejection> + Clone {
    let healthz_app = app.clone();
    let healthz = warp::path("healthz").and(warp::path::end()).and(warp::get()).map(move || {
        json_reply(200, &serde_json::json!({ "status": "ok", "terminals_online": healthz_app.registry.online() }))
    });
    let metrics_app = app.clone();
    let metrics = warp::path("metrics").and(warp::path::end()).and(warp::get()).map(move || {
        let mut text = metrics_app.metrics.render(metrics_app.registry.online());
        metrics_app.verifier.render_metrics(&mut text);
        warp::reply::with_header(text, "content-type", "text/plain; version=0.0.4").into_response()
    });
    guard(app).and(healthz.or(metrics).unify())
}

/// Maps every rejection to an HTTP status and a JSON-RPC error body, with the request's id where it was read and
/// `id: null` otherwise; a 429 carries `Retry-After`.
pub async fn recover(rejection: Rejection) -> Result<warp::reply::Response, Infallible> {
    let id = rejection.find::<RequestRefusal>().map_or(Id::Null, |refused| refused.id.clone());
    let refusal = rejection.find::<RequestRefusal>().map(|refused| &refused.refusal).or(rejection.find::<Refusal>());
    let (status, error) = if let Some(refusal) = refusal {
        (refusal.status, refusal.error.clone())
    } else if rejection.find::<warp::reject::PayloadTooLarge>().is_some() {
        (413, ErrorObject::new(ErrorKind::PayloadTooLarge, "the body is over the size limit"))
    } else if rejection.find::<warp::reject::LengthRequired>().is_some() {
        (411, ErrorObject::new(ErrorKind::InvalidRequest, "a Content-Length header is required"))
    } else if rejection.is_not_found() {
        (404, ErrorObject::new(ErrorKind::InvalidRequest, "no such endpoint"))
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        (405, ErrorObject::new(ErrorKind::InvalidRequest, "HTTP method not allowed here"))
    } else {
        (400, ErrorObject::new(ErrorKind::InvalidRequest, "bad request"))
    };
    let retry_after = (status == 429)
        .then(|| retry_after_secs(error.data.as_ref().and_then(|data| data.retry_after_ms).unwrap_or(1000)));
    let mut reply = json_reply(status, &Response::error(id, error));
    if let Some(seconds) = retry_after {
        reply.headers_mut().insert(warp::http::header::RETRY_AFTER, warp::http::HeaderValue::from(seconds));
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::host_allowed;

    #[test]
    fn only_loopback_hosts_pass() {
        for host in ["127.0.0.1:6000", "localhost", "LOCALHOST:1", "[::1]:6000", "127.0.0.2", "[0:0::1]"] {
            assert!(host_allowed(host, &[]), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:6000",
            "127.0.0.1.evil.example",
            "10.0.0.1:6000",
            "",
            "[::1]evil.com",
            "[::1]:6000evil.com",
            "localhost:6000:evil.com",
            "[::1]evil.com:6000",
        ] {
            assert!(!host_allowed(host, &[]), "{host}");
        }
        assert!(host_allowed("gateway.lan:6000", &["gateway.lan".into()]));
        assert!(!host_allowed("gateway.lan:6000x", &["gateway.lan".into()]));
    }
}
