//! The local gateway: `POST /rpc`, `GET /ws` and `GET /terminal` on 127.0.0.1:6000.
//!
//! This is the product as a library; the `metaapi-gateway` binary (CLI, Windows service, `demo`) runs [`serve`].
//!
//! Clients present `Authorization: Bearer <auth_token>`; the token is verified with the console and routes every
//! call to the one terminal linked with the same token. Transports only frame bytes; method logic lives in
//! [`methods`], whose router is built from the protocol's method registry.
//!
//! Modules: [`transports`] (the routes by role, `/rpc`, `/ws`, `/terminal`, `/healthz` and `/metrics`, and the
//! access control they share) over [`server`] (the accept loop); [`methods`] (the typed router, the gateway's own
//! methods and the forwarder to terminals); [`config`] (settings and the device id), [`auth`] (verification, grace
//! period, revocations, failed-auth limit), [`terminals`] (linked terminals and their links, deadlines),
//! [`trades`] (idempotent trading and persisted outcomes), [`streams`] (subscriptions and the slow-consumer policy),
//! [`subscriptions`] (subscription caps and the symbol check), [`metrics`], [`runtime`] (the tokio runtime the
//! binary runs on).

#![forbid(unsafe_code)]
// `ErrorObject` is the wire error every path returns; boxing it would add an allocation per error for no gain.
#![allow(clippy::result_large_err)]

mod app;
pub mod auth;
#[cfg(test)]
mod completeness;
pub mod config;
mod error;
pub mod methods;
pub mod metrics;
mod presence;
pub mod runtime;
pub mod server;
pub mod streams;
pub mod subscriptions;
pub mod terminals;
pub mod trades;
pub mod transports;

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use warp::Filter;

pub use app::App;
pub use config::GatewayConfig;
pub use error::GatewayError;

/// How often expired trade outcomes are purged.
const PURGE_EVERY: Duration = Duration::from_secs(3600);
/// How long shutdown waits for WebSockets and terminal links to say goodbye.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Serves the gateway on `listener` until `shutdown` completes, then closes every WebSocket with 1001.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: GatewayConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), GatewayError> {
    let stop = CancellationToken::new();
    let app = App::open(config, stop.clone())?;
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, device_id = app.verifier.device_id(), "gateway listening");
    }
    let trigger = stop.clone();
    tokio::spawn(async move {
        shutdown.await;
        trigger.cancel();
    });
    tokio::spawn(auth::listen_for_revocations(app.verifier.clone(), app.config.console_url.clone(), stop.clone()));
    tokio::spawn(presence::report(app.clone(), stop.clone()));
    let purge_app = app.clone();
    let purge_stop = stop.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = purge_stop.cancelled() => return,
                _ = tokio::time::sleep(PURGE_EVERY) => {
                    if let Err(error) = purge_app.trades.purge() {
                        tracing::error!(%error, "purging old trade outcomes failed");
                    }
                }
            }
        }
    });
    let routes = transports::routes(app.clone()).recover(transports::access::recover).with(warp::trace::request());
    server::serve_routes(listener, routes, app.config.header_read_timeout, stop.clone()).await;
    // Upgraded connections are not the accept loop's to wait for; they watch `stop` and close with 1001.
    app.tasks.close();
    if tokio::time::timeout(CLOSE_WAIT, app.tasks.wait()).await.is_err() {
        tracing::warn!("some connections did not close in time");
    }
    tracing::info!("gateway stopped");
    Ok(())
}
