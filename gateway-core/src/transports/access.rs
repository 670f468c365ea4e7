//! Access control for every route, in one place: the `Host` and `Origin` checks, the bearer token with its failed-auth
//! limit, what ends an upgraded connection's access (expiry, revocation), and the mapping of every refusal to an HTTP
//! status with a JSON-RPC error body.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use metaapi_protocol::console::DenyReason;
use metaapi_protocol::host::{host_name, is_loopback_name};
use metaapi_protocol::jsonrpc::{Id, Response};
use metaapi_protocol::{ErrorKind, ErrorObject};
use serde::Serialize;
use tokio::sync::broadcast;
use warp::http::StatusCode;
use warp::reply::Reply;
use warp::{Filter, Rejection};

use crate::app::App;
use crate::auth::{AuthEvent, Grant, bearer, deny_reason, now_ms, retry_after_secs};

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
pub(super) struct RequestRefusal {
    pub(super) id: Id,
    pub(super) refusal: Refusal,
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

/// Sleeps until a token's expiry (forever without one).
pub async fn until_expiry(expires_at: Option<i64>) {
    match expires_at {
        Some(expires_at) => {
            let left = u64::try_from(expires_at.saturating_sub(now_ms())).unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(left)).await;
        }
        None => std::future::pending().await,
    }
}

/// Whether an access change ends this connection, and why.
pub async fn lost_access(
    app: &App,
    authorized: &Authorized,
    event: Result<AuthEvent, broadcast::error::RecvError>,
) -> Option<DenyReason> {
    match event {
        Ok(AuthEvent::Denied { token_id, reason }) if token_id == authorized.grant.token_id => Some(reason),
        // One console request per token, however many connections share it.
        Ok(AuthEvent::Recheck) | Err(broadcast::error::RecvError::Lagged(_)) => {
            app.verifier.recheck(&authorized.token).await
        }
        Ok(AuthEvent::Denied { .. }) | Err(broadcast::error::RecvError::Closed) => None,
    }
}

/// A JSON body with an HTTP status.
pub(super) fn json_reply(status: u16, body: &impl Serialize) -> warp::reply::Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    warp::reply::with_status(warp::reply::json(body), status).into_response()
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
