//! A gateway stand-in for the link: a real warp WebSocket server on 127.0.0.1 that checks the bearer token,
//! answers the hello, forwards what the bridge sends to the test and sends what the test gives it. It can be
//! stopped and started again on the same port, like a restarted gateway.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use metaapi_protocol::link::{BridgeMessage, GatewayMessage};
use metaapi_protocol::{ErrorKind, ErrorObject};
use serde_json::{Value, json};
use warp::Filter;
use warp::reply::Reply;

/// The largest link message the stand-in says it reads, in its welcome: small, so a test reaches it cheaply.
pub const LINK_LIMIT: u64 = 256 * 1024;

/// What the stand-in saw.
#[derive(Debug)]
pub enum Seen {
    /// A bridge said hello.
    Hello(BridgeMessage),
    /// Any later message (heartbeats are left out).
    Message(BridgeMessage),
}

type Outbox = Arc<Mutex<Option<tokio::sync::mpsc::UnboundedSender<GatewayMessage>>>>;

/// The running stand-in.
pub struct StandIn {
    runtime: tokio::runtime::Runtime,
    /// Its port.
    pub port: u16,
    token: String,
    refuse_in_hello: bool,
    seen_tx: mpsc::Sender<Seen>,
    seen: mpsc::Receiver<Seen>,
    outbox: Outbox,
    /// Hellos still to be answered by hanging up without a welcome.
    unwelcome: Arc<AtomicUsize>,
    shutdown: Option<tokio::sync::watch::Sender<bool>>,
}

impl StandIn {
    /// Starts on a free port, accepting `token`.
    pub fn start(token: &str) -> StandIn {
        StandIn::build(token, false)
    }

    /// Starts a stand-in that upgrades the link but answers the hello with `refused`.
    pub fn start_refusing(token: &str) -> StandIn {
        StandIn::build(token, true)
    }

    fn build(token: &str, refuse_in_hello: bool) -> StandIn {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let (seen_tx, seen) = mpsc::channel();
        let mut stand_in = StandIn {
            runtime,
            port: 0,
            token: token.to_owned(),
            refuse_in_hello,
            seen_tx,
            seen,
            outbox: Arc::new(Mutex::new(None)),
            unwelcome: Arc::new(AtomicUsize::new(0)),
            shutdown: None,
        };
        stand_in.serve();
        stand_in
    }

    fn serve(&mut self) {
        let listener = self.runtime.block_on(async {
            // The port may linger briefly after a stop; retry for a moment like a restarting gateway would.
            let until = Instant::now() + Duration::from_secs(5);
            loop {
                match tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await {
                    Ok(listener) => break listener,
                    Err(error) if Instant::now() < until => {
                        let _ = error;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Err(error) => panic!("bind 127.0.0.1:{}: {error}", self.port),
                }
            }
        });
        self.port = listener.local_addr().unwrap().port();
        let (shutdown, shutdown_rx) = tokio::sync::watch::channel(false);
        let token = self.token.clone();
        let refuse = self.refuse_in_hello;
        let seen = self.seen_tx.clone();
        let outbox = self.outbox.clone();
        let unwelcome = self.unwelcome.clone();
        let connection_shutdown = shutdown_rx.clone();
        let route = warp::path("terminal").and(warp::header::optional::<String>("authorization")).and(warp::ws()).map(
            move |auth: Option<String>, ws: warp::ws::Ws| {
                if auth.as_deref() != Some(&format!("Bearer {token}")) {
                    let body = warp::reply::json(&json!({"message": "unknown token"}));
                    return warp::reply::with_status(body, warp::http::StatusCode::UNAUTHORIZED).into_response();
                }
                let seen = seen.clone();
                let outbox = outbox.clone();
                let shutdown = connection_shutdown.clone();
                let unwelcome = unwelcome.clone();
                ws.on_upgrade(move |socket| connection(socket, refuse, unwelcome, seen, outbox, shutdown))
                    .into_response()
            },
        );
        let mut server_shutdown = shutdown_rx;
        self.runtime.spawn(
            warp::serve(route)
                .incoming(listener)
                .graceful(async move {
                    let _ = server_shutdown.wait_for(|stopped| *stopped).await;
                })
                .run(),
        );
        self.shutdown = Some(shutdown);
    }

    /// Stops serving and drops every link, like a gateway that died.
    pub fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            shutdown.send_replace(true);
        }
        *self.outbox.lock().unwrap() = None;
        // Give the server a moment to close its listener and sockets.
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Serves again on the same port.
    pub fn restart(&mut self) {
        self.serve();
    }

    /// Answers the next `count` hellos by hanging up without a welcome, like a gateway that dies mid-handshake.
    pub fn hang_up_on_hellos(&self, count: usize) {
        self.unwelcome.store(count, Ordering::SeqCst);
    }

    /// Sends a message to the linked bridge; fails if none is linked.
    pub fn send(&self, message: GatewayMessage) {
        let outbox = self.outbox.lock().unwrap();
        outbox.as_ref().expect("a bridge is linked").send(message).expect("link open");
    }

    /// Sends a request with a deadline `deadline_in_ms` from now.
    pub fn request(&self, id: u64, method: &str, params: Value, deadline_in_ms: i64) {
        let deadline = super::harness::now_ms() + deadline_in_ms;
        self.send(GatewayMessage::Request { id, method: method.to_owned(), params, deadline });
    }

    /// The next thing seen, within 10 s.
    pub fn next(&self) -> Seen {
        self.seen.recv_timeout(Duration::from_secs(10)).expect("the bridge sent nothing within 10 s")
    }

    /// Waits for the next hello, skipping other messages.
    pub fn expect_hello(&self) -> BridgeMessage {
        loop {
            if let Seen::Hello(hello) = self.next() {
                return hello;
            }
        }
    }

    /// The next message after the hello.
    pub fn next_message(&self) -> BridgeMessage {
        loop {
            if let Seen::Message(message) = self.next() {
                return message;
            }
        }
    }

    /// Waits until a bridge is linked (the outbox is set).
    pub fn wait_linked(&self) {
        let until = Instant::now() + Duration::from_secs(10);
        while self.outbox.lock().unwrap().is_none() {
            assert!(Instant::now() < until, "no bridge linked");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            shutdown.send_replace(true);
        }
    }
}

async fn stopped(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stopped| *stopped).await;
}

async fn connection(
    socket: warp::ws::WebSocket,
    refuse: bool,
    unwelcome: Arc<AtomicUsize>,
    seen: mpsc::Sender<Seen>,
    outbox: Outbox,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<GatewayMessage>();
    let mut welcomed = false;
    loop {
        tokio::select! {
            _ = stopped(&mut shutdown) => {
                let _ = sink.send(warp::ws::Message::close_with(1001u16, "stand-in stopped")).await;
                return;
            }
            outgoing = rx.recv() => {
                let Some(message) = outgoing else { return };
                let text = serde_json::to_string(&message).unwrap();
                if sink.send(warp::ws::Message::text(text)).await.is_err() {
                    return;
                }
            }
            incoming = stream.next() => {
                let Some(Ok(frame)) = incoming else { return };
                let Ok(text) = frame.to_str() else { continue };
                let message: BridgeMessage = serde_json::from_str(text).expect("the bridge speaks protocol::link");
                match message {
                    BridgeMessage::Hello { .. } if !welcomed => {
                        let hang_up =
                            unwelcome.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1));
                        if hang_up.is_ok() {
                            let _ = seen.send(Seen::Hello(message));
                            return;
                        }
                        let answer = if refuse {
                            GatewayMessage::Refused { error: ErrorObject::new(ErrorKind::TokenRevoked, "token revoked") }
                        } else {
                            GatewayMessage::Welcome {
                                gateway_version: "stand-in".into(),
                                heartbeat_ms: 5000,
                                max_message_bytes: Some(LINK_LIMIT),
                            }
                        };
                        let text = serde_json::to_string(&answer).unwrap();
                        let _ = sink.send(warp::ws::Message::text(text)).await;
                        let _ = seen.send(Seen::Hello(message));
                        if refuse {
                            let _ = sink.send(warp::ws::Message::close()).await;
                            return;
                        }
                        welcomed = true;
                        *outbox.lock().unwrap() = Some(tx.clone());
                    }
                    BridgeMessage::Heartbeat { .. } => {}
                    other => {
                        let _ = seen.send(Seen::Message(other));
                    }
                }
            }
        }
    }
}
