//! The gateway's routes, one module per role over the one accept loop (`server.rs`): `/rpc` ([`rpc`]), `/ws`
//! ([`ws`]), the bridge's `/terminal` link ([`terminal`]) and `/healthz` with `/metrics` ([`health`]). Every route
//! passes the same access control ([`access`]); transports frame bytes only, and calls run through the router.

pub mod access;
pub mod health;
pub mod rpc;
pub mod terminal;
pub mod ws;

use std::sync::Arc;

use warp::{Filter, Rejection};

use crate::app::App;

/// Every route of the gateway, with refusals mapped to HTTP statuses and JSON-RPC error bodies.
pub fn routes(app: Arc<App>) -> impl Filter<Extract = (warp::reply::Response,), Error = Rejection> + Clone {
    rpc::route(app.clone())
        .or(ws::route(app.clone()))
        .unify()
        .or(terminal::route(app.clone()))
        .unify()
        .or(health::route(app))
        .unify()
}
