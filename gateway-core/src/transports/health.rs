//! `GET /healthz` and `GET /metrics`: liveness and counters, behind the same `Host` and `Origin` checks.

use std::sync::Arc;

use warp::reply::Reply;
use warp::{Filter, Rejection};

use super::access::{guard, json_reply};
use crate::app::App;

/// `GET /healthz` and `GET /metrics`.
pub fn route(app: Arc<App>) -> impl Filter<Extract = (warp::reply::Response,), Error = Rejection> + Clone {
    let healthz_app = app.clone();
    let healthz = warp::path("healthz").and(warp::path::end()).and(warp::get()).map(move || {
        json_reply(200, &serde_json::json!({ "status": "ok", "terminals_online": healthz_app.terminals.online() }))
    });
    let metrics_app = app.clone();
    let metrics = warp::path("metrics").and(warp::path::end()).and(warp::get()).map(move || {
        let mut text = metrics_app.metrics.render(metrics_app.terminals.online());
        metrics_app.verifier.render_metrics(&mut text);
        warp::reply::with_header(text, "content-type", "text/plain; version=0.0.4").into_response()
    });
    guard(app).and(healthz.or(metrics).unify())
}
