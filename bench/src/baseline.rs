//! The baseline: a bare loopback HTTP JSON-RPC echo on warp, served by the gateway's own accept loop.
//!
//! It does the least any JSON-RPC server must do: take the body, parse it, check that it is a call, serialize a
//! response whose `result` is the call's params. Everything the gateway does beyond that (authorization, routing,
//! the terminal link, the bridge, the simulated EA) is what the ratios measure.

use std::net::SocketAddr;

use bytes::Bytes;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use warp::Filter;

use crate::error::BenchError;

/// Answers one echo call body.
pub fn echo(body: &[u8]) -> (u16, String) {
    match serde_json::from_slice::<Value>(body) {
        Ok(call) if call.get("method").is_some_and(Value::is_string) => {
            let response = json!({ "jsonrpc": "2.0", "id": call["id"], "result": call["params"] });
            (200, response.to_string())
        }
        _ => {
            let error = json!({ "jsonrpc": "2.0", "id": null, "error": { "code": -32700, "message": "parse error" } });
            (400, error.to_string())
        }
    }
}

/// Serves the echo on `127.0.0.1:0` until `stop` is cancelled.
pub async fn start(stop: CancellationToken) -> Result<SocketAddr, BenchError> {
    let route =
        warp::post().and(warp::path("rpc")).and(warp::path::end()).and(warp::body::bytes()).map(|body: Bytes| {
            let (status, text) = echo(&body);
            let status = warp::http::StatusCode::from_u16(status).unwrap_or(warp::http::StatusCode::BAD_REQUEST);
            warp::reply::with_status(warp::reply::with_header(text, "content-type", "application/json"), status)
        });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    // The gateway's own accept loop (HTTP/1.1, Nagle off), so only what happens above it differs.
    let timeout = metaapi_gateway_core::config::DEFAULT_HEADER_READ_TIMEOUT;
    tokio::spawn(metaapi_gateway_core::server::serve_routes(listener, route, timeout, stop));
    Ok(address)
}
