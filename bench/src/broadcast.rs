//! The fan-out floor: a bare WebSocket broadcaster with none of the gateway's logic, to tell what a fan-out costs
//! on this machine from what the gateway's streams cost.
//!
//! Subscribers connect to `/floor`, send anything (the harness sends its `subscribe` call) and get
//! `{"jsonrpc":"2.0","id":1,"result":{}}`; from then on every [`Broadcaster::publish`] reaches them as a `tick`
//! notification. Each client has an unbounded queue and a writer that sends everything queued in one write, on the
//! gateway's accept loop and socket settings: no authorisation, no subscriptions, no sequence numbers, no bridge,
//! no pacing.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use metaapi_gateway_core::server::{Socket, Upgrade, serve_routes, socket_config, websocket};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;
use warp::Filter;

use crate::error::BenchError;

/// The subscribers' queues.
#[derive(Default)]
pub struct Broadcaster {
    clients: Mutex<Vec<mpsc::UnboundedSender<Arc<str>>>>,
}

impl Broadcaster {
    /// Sends a `tick` notification carrying `data` (a JSON object) to every subscriber.
    pub fn publish(&self, data: &str) {
        let text: Arc<str> = format!(r#"{{"jsonrpc":"2.0","method":"tick","params":{{"data":{data}}}}}"#).into();
        let mut clients = self.clients.lock().unwrap_or_else(|poison| poison.into_inner());
        clients.retain(|client| client.send(text.clone()).is_ok());
    }

    async fn serve(self: Arc<Self>, socket: Socket) {
        let (mut sink, mut stream) = socket.split();
        // The first message is the subscription; answering it tells the client it is registered.
        if !matches!(stream.next().await, Some(Ok(_))) {
            return;
        }
        let (queue, mut queued) = mpsc::unbounded_channel::<Arc<str>>();
        self.clients.lock().unwrap_or_else(|poison| poison.into_inner()).push(queue);
        if sink.send(Message::text(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#)).await.is_err() {
            return;
        }
        let writer = async {
            while let Some(text) = queued.recv().await {
                let mut sent = sink.feed(Message::text(&*text)).await;
                while sent.is_ok() {
                    let Ok(text) = queued.try_recv() else { break };
                    sent = sink.feed(Message::text(&*text)).await;
                }
                if sent.is_err() || sink.flush().await.is_err() {
                    return;
                }
            }
        };
        // Reading on only notices the close.
        let reader = async { while let Some(Ok(_)) = stream.next().await {} };
        tokio::select! {
            _ = writer => {}
            _ = reader => {}
        }
    }
}

/// Serves the broadcaster on `127.0.0.1:0` (path `/floor`) until `stop` is cancelled.
pub async fn start(stop: CancellationToken) -> Result<(SocketAddr, Arc<Broadcaster>), BenchError> {
    let broadcaster = Arc::new(Broadcaster::default());
    let serving = broadcaster.clone();
    let route = warp::path("floor").and(warp::path::end()).and(websocket()).map(move |upgrade: Upgrade| {
        let broadcaster = serving.clone();
        // The gateway's client settings: 1 MiB messages, a 4 KiB read buffer.
        upgrade.accept(socket_config(1 << 20, 4 * 1024), move |socket| broadcaster.serve(socket))
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    let timeout = metaapi_gateway_core::config::DEFAULT_HEADER_READ_TIMEOUT;
    tokio::spawn(serve_routes(listener, route, timeout, stop));
    Ok((address, broadcaster))
}
