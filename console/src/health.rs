//! Readiness for a load balancer: `GET /readyz` answers 200 only while the console can reach its database and is not
//! shutting down (liveness, `GET /healthz`, answers 200 whenever the process serves at all).

use metaapi_protocol::console::ConsoleError as ErrorBody;
use warp::Reply;
use warp::http::StatusCode;
use warp::reply::Response;

use crate::Console;

/// The readiness answer: `{"status":"ready"}`, or 503 with the error body naming why not.
pub(crate) async fn readiness(console: Console, shutting_down: bool) -> Response {
    if shutting_down {
        return unavailable("shutting_down", "the console is shutting down");
    }
    let store = console.inner.store.clone();
    // Any cheap read proves a connection and the schema; the id matches no user.
    match tokio::task::spawn_blocking(move || store.user_by_id("readiness-probe")).await {
        Ok(Ok(_)) => warp::reply::json(&serde_json::json!({"status": "ready"})).into_response(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "not ready: the database failed");
            unavailable("database_unavailable", "the console cannot reach its database")
        }
        Err(error) => {
            tracing::warn!(%error, "not ready: the readiness probe failed");
            unavailable("database_unavailable", "the console cannot reach its database")
        }
    }
}

fn unavailable(error: &str, message: &str) -> Response {
    let body = ErrorBody { error: error.to_owned(), message: message.to_owned(), field: None };
    warp::reply::with_status(warp::reply::json(&body), StatusCode::SERVICE_UNAVAILABLE).into_response()
}
