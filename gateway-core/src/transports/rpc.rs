//! `POST /rpc`: a JSON-RPC body (single or batch) in, its answers out, through the router.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use metaapi_protocol::jsonrpc::{Id, Incoming, Response, request_id};
use metaapi_protocol::{ErrorKind, ErrorObject};
use warp::http::StatusCode;
use warp::reply::Reply;
use warp::{Filter, Rejection};

use super::access::{Authorized, RequestRefusal, authorize, guard, json_reply};
use crate::app::App;
use crate::auth::Grant;
use crate::methods::{Caller, router};
use crate::metrics::Transport;

/// `POST /rpc`. The body (bounded by the size limit) is read before the token is checked, so that a refusal can
/// answer with the request's id.
pub fn route(app: Arc<App>) -> impl Filter<Extract = (warp::reply::Response,), Error = Rejection> + Clone {
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
    let caller = Arc::new(Caller { grant, transport: Transport::Rpc, subscriber: None });
    match router().run_calls(&app, &caller, incoming).await {
        Some(outgoing) => json_reply(200, &outgoing),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}
