//! The topology floor: the gateway's hops with none of its logic, to tell the cost of the path from the cost of
//! the code.
//!
//! A call goes client → relay (warp on the gateway's own accept loop) → one loopback WebSocket → an I/O thread →
//! an "EA" thread woken on a condvar, which answers with the echo → the I/O thread → the WebSocket → the relay →
//! client. That is the gateway's path (the terminal link, the bridge's I/O thread, the EA thread's wake-up from
//! `mtb_wait`) without authorization, routing, typed checks, the bridge's queues or the simulator. The echo
//! measures one hop; the floor measures what any design with a terminal behind a socket pays; the gateway's
//! distance from the floor is what its own code costs.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use metaapi_gateway_core::server::{Socket, Upgrade, serve_routes, socket_config, websocket};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_util::sync::CancellationToken;
use warp::Filter;

use crate::baseline::echo;
use crate::error::{BenchError, unexpected};

/// The relay's half of the link: calls waiting for their answers, and the way to the writer.
#[derive(Default)]
struct Relay {
    outbound: Mutex<Option<mpsc::UnboundedSender<String>>>,
    pending: Mutex<HashMap<u64, oneshot::Sender<String>>>,
    next_id: AtomicU64,
}

impl Relay {
    async fn call(&self, body: &[u8]) -> Option<String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (answer, answered) = oneshot::channel();
        self.pending.lock().ok()?.insert(id, answer);
        let frame = format!("{id}\n{}", String::from_utf8_lossy(body));
        self.outbound.lock().ok()?.as_ref()?.send(frame).ok()?;
        answered.await.ok()
    }

    fn answer(&self, frame: &str) {
        let Some((id, body)) = frame.split_once('\n') else { return };
        let Ok(id) = id.parse::<u64>() else { return };
        if let Some(waiting) = self.pending.lock().ok().and_then(|mut pending| pending.remove(&id)) {
            let _ = waiting.send(body.to_owned());
        }
    }

    async fn serve_link(self: Arc<Self>, socket: Socket) {
        let (mut sink, mut stream) = socket.split();
        let (outbound, mut queue) = mpsc::unbounded_channel::<String>();
        if let Ok(mut slot) = self.outbound.lock() {
            *slot = Some(outbound);
        }
        // Written as the gateway writes its links: everything queued goes out in one flush.
        let writer = tokio::spawn(async move {
            while let Some(frame) = queue.recv().await {
                let mut sent = sink.feed(Message::text(frame)).await;
                while sent.is_ok() {
                    let Ok(frame) = queue.try_recv() else { break };
                    sent = sink.feed(Message::text(frame)).await;
                }
                if sent.is_err() || sink.flush().await.is_err() {
                    return;
                }
            }
        });
        while let Some(Ok(message)) = stream.next().await {
            if let Ok(text) = message.to_text() {
                self.answer(text);
            }
        }
        writer.abort();
    }
}

/// Serves the relay on `127.0.0.1:0` and links its terminal stand-in; both stop with `stop`.
pub async fn start(stop: CancellationToken) -> Result<SocketAddr, BenchError> {
    let relay = Arc::new(Relay::default());
    let link_relay = relay.clone();
    let link = warp::path("link").and(warp::path::end()).and(websocket()).map(move |upgrade: Upgrade| {
        let relay = link_relay.clone();
        upgrade.accept(socket_config(1 << 20, 16 * 1024), move |socket| relay.serve_link(socket))
    });
    let rpc_relay = relay.clone();
    let rpc =
        warp::post().and(warp::path("rpc")).and(warp::path::end()).and(warp::body::bytes()).then(move |body: Bytes| {
            let relay = rpc_relay.clone();
            async move {
                let (status, text) = match relay.call(&body).await {
                    Some(text) => (warp::http::StatusCode::OK, text),
                    None => (warp::http::StatusCode::BAD_GATEWAY, String::new()),
                };
                warp::reply::with_status(warp::reply::with_header(text, "content-type", "application/json"), status)
            }
        });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    let timeout = metaapi_gateway_core::config::DEFAULT_HEADER_READ_TIMEOUT;
    tokio::spawn(serve_routes(listener, link.or(rpc), timeout, stop.clone()));
    Terminal::start(address, stop)?;
    for _ in 0..500 {
        if relay.outbound.lock().map(|slot| slot.is_some()).unwrap_or(false) {
            return Ok(address);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Err(unexpected("the relay's terminal stand-in did not link within 5 s"))
}

/// The terminal stand-in: an I/O thread that owns the link, and an EA thread that answers.
struct Terminal {
    requests: Mutex<VecDeque<String>>,
    ready: Condvar,
    replies: Mutex<Vec<String>>,
    replied: Notify,
    stopped: AtomicBool,
}

impl Terminal {
    fn start(relay: SocketAddr, stop: CancellationToken) -> Result<(), BenchError> {
        let terminal = Arc::new(Terminal {
            requests: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
            replies: Mutex::new(Vec::new()),
            replied: Notify::new(),
            stopped: AtomicBool::new(false),
        });
        let io = terminal.clone();
        std::thread::Builder::new().name("relay-io".into()).spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(runtime) = runtime {
                runtime.block_on(io.pump(relay, stop));
            }
            io.stopped.store(true, Ordering::Release);
            io.ready.notify_all();
        })?;
        let ea = terminal;
        std::thread::Builder::new().name("relay-ea".into()).spawn(move || ea.answer_loop())?;
        Ok(())
    }

    async fn pump(&self, relay: SocketAddr, stop: CancellationToken) {
        // The bridge's link settings: Nagle off, a 16 KiB read buffer.
        let config = WebSocketConfig::default().read_buffer_size(16 * 1024);
        let url = format!("ws://{relay}/link");
        let Ok((socket, _)) = tokio_tungstenite::connect_async_with_config(url, Some(config), true).await else {
            return;
        };
        let (mut sink, mut stream) = socket.split();
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                frame = stream.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        if let Ok(mut requests) = self.requests.lock() {
                            requests.push_back(text.to_string());
                        }
                        self.ready.notify_one();
                    }
                    Some(Ok(_)) => {}
                    _ => return,
                },
                _ = self.replied.notified() => {
                    let replies = self.replies.lock().map(|mut replies| std::mem::take(&mut *replies)).unwrap_or_default();
                    for reply in replies {
                        if sink.feed(Message::text(reply)).await.is_err() {
                            return;
                        }
                    }
                    if sink.flush().await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    fn answer_loop(&self) {
        while !self.stopped.load(Ordering::Acquire) {
            let Ok(requests) = self.requests.lock() else { return };
            let Ok((mut requests, _)) =
                self.ready.wait_timeout_while(requests, Duration::from_millis(100), |queue| queue.is_empty())
            else {
                return;
            };
            let taken: Vec<String> = requests.drain(..).collect();
            drop(requests);
            if taken.is_empty() {
                continue;
            }
            let answers = taken.iter().filter_map(|frame| {
                let (id, body) = frame.split_once('\n')?;
                Some(format!("{id}\n{}", echo(body.as_bytes()).1))
            });
            if let Ok(mut replies) = self.replies.lock() {
                replies.extend(answers);
            }
            self.replied.notify_one();
        }
    }
}
