//! The HTTP/1.1 accept loop under the warp routes, and WebSocket upgrades with a buffer size we choose.
//!
//! warp's own server and `warp::ws()` work, but `warp::ws()` gives every connection tungstenite's default 128 KiB
//! read buffer, which is zero-filled on the first read and so resident at once: 1,000 idle `/ws` clients cost
//! 130 MiB (found by the bench). warp does not expose that setting, and its route hides hyper's upgrade handle, so
//! this module owns the loop instead: each request gets the peer address and a clonable slot holding hyper's
//! upgrade handle as extensions, and [`websocket`] finishes the handshake itself with a [`WebSocketConfig`] of the
//! caller's choosing.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::{Reply, Response};

/// A WebSocket taken over from an HTTP upgrade.
pub type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// The peer of the connection a request came on.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// hyper's upgrade handle, made clonable so a warp filter can take it out of the request's extensions.
#[derive(Clone, Default)]
struct UpgradeSlot(Arc<Mutex<Option<OnUpgrade>>>);

impl UpgradeSlot {
    fn take(&self) -> Option<OnUpgrade> {
        self.0.lock().unwrap_or_else(|poison| poison.into_inner()).take()
    }
}

/// Serves `filter` on `listener` until `stop` is cancelled, then lets the open requests finish. A connection that
/// does not send a whole request head within `header_read_timeout` is closed.
///
/// Upgraded connections leave this loop's care once the upgrade is done; their handlers watch `stop` themselves.
pub async fn serve_routes<F>(listener: TcpListener, filter: F, header_read_timeout: Duration, stop: CancellationToken)
where
    F: Filter + Clone + Send + Sync + 'static,
    F::Extract: Reply,
{
    let connections = TaskTracker::new();
    loop {
        let (stream, peer) = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Nagle off: a notification or a terminal request written while an earlier one is unacknowledged would
        // otherwise wait for the peer's delayed ACK, up to 40 ms.
        let _ = stream.set_nodelay(true);
        let routes = warp::service(filter.clone());
        let stop = stop.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                let asks_upgrade = request.headers().contains_key(header::UPGRADE);
                let extensions = request.extensions_mut();
                extensions.insert(PeerAddr(peer));
                // Only handshakes get a slot: every other request would pay an allocation for nothing.
                if asks_upgrade && let Some(upgrade) = extensions.remove::<OnUpgrade>() {
                    extensions.insert(UpgradeSlot(Arc::new(Mutex::new(Some(upgrade)))));
                }
                let mut routes = routes.clone();
                tower_service::Service::call(&mut routes, request)
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = stop.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    connections.close();
    connections.wait().await;
}

/// The peer address of the request's connection.
pub fn peer() -> impl Filter<Extract = (Option<SocketAddr>,), Error = Infallible> + Clone {
    warp::ext::optional::<PeerAddr>().map(|peer: Option<PeerAddr>| peer.map(|PeerAddr(address)| address))
}

/// A WebSocket handshake request, checked, waiting to be accepted with [`Upgrade::accept`].
pub struct Upgrade {
    key: HeaderValue,
    slot: UpgradeSlot,
}

/// Matches a WebSocket handshake (RFC 6455 section 4.2.1); other requests are rejected as warp's `ws()` does.
pub fn websocket() -> BoxedFilter<(Upgrade,)> {
    warp::get()
        .and(warp::header::header::<String>("connection"))
        .and(warp::header::exact_ignore_case("upgrade", "websocket"))
        .and(warp::header::exact("sec-websocket-version", "13"))
        .and(warp::header::value("sec-websocket-key"))
        .and(warp::ext::optional::<UpgradeSlot>())
        .and_then(|connection: String, key: HeaderValue, slot: Option<UpgradeSlot>| async move {
            let upgrade_asked = connection.split(',').any(|token| token.trim().eq_ignore_ascii_case("upgrade"));
            match slot {
                Some(slot) if upgrade_asked => Ok(Upgrade { key, slot }),
                _ => Err(warp::reject::not_found()),
            }
        })
        .boxed()
}

impl Upgrade {
    /// Answers 101 and runs `handle` on the WebSocket once hyper hands the connection over.
    pub fn accept<H, Fut>(self, config: WebSocketConfig, handle: H) -> Response
    where
        H: FnOnce(Socket) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let Some(on_upgrade) = self.slot.take() else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        tokio::spawn(async move {
            match on_upgrade.await {
                Ok(upgraded) => {
                    let socket =
                        WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await;
                    handle(socket).await;
                }
                Err(error) => tracing::debug!(%error, "websocket upgrade failed"),
            }
        });
        let mut response = StatusCode::SWITCHING_PROTOCOLS.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(self.key.as_bytes())) {
            headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
        }
        response
    }
}

/// Settings for a gateway WebSocket: messages and frames up to `max_message_bytes`, and a small read buffer
/// (`read_buffer_bytes`), which is what an idle connection costs.
pub fn socket_config(max_message_bytes: usize, read_buffer_bytes: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(read_buffer_bytes)
        // tungstenite flushes on its own once this much is buffered; below that we decide when to flush.
        .write_buffer_size(read_buffer_bytes.max(8 * 1024))
        .max_message_size(Some(max_message_bytes))
        .max_frame_size(Some(max_message_bytes))
}

/// A close frame with `code` and `reason`.
pub fn close_message(code: u16, reason: impl Into<String>) -> Message {
    Message::Close(Some(CloseFrame { code: CloseCode::from(code), reason: reason.into().into() }))
}
