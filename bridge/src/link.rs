//! The link task: connects to the gateway over WebSocket with the bearer token, says hello, then pumps requests
//! in and replies and events out; relinks with exponential backoff and jitter. Runs on the I/O thread only.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use metaapi_protocol::link::{BridgeMessage, GatewayMessage, LINK_VERSION};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::session::{LinkState, Session, now_ms};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// First backoff step after a dropped link.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
/// Longest backoff between attempts.
const BACKOFF_MAX: Duration = Duration::from_secs(3);
/// Pause after a refusal (bad token, version): the gateway will likely say no again, so ask rarely.
const REFUSED_RETRY: Duration = Duration::from_secs(10);
/// Connect plus welcome must finish within this.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// Time given to the final flush when the session stops.
const FINAL_FLUSH: Duration = Duration::from_millis(60);
/// Messages written per flush batch.
const BATCH: usize = 256;

enum Outcome {
    Dropped(String),
    Refused(String),
    Stopped,
}

/// Runs the link of `session` until it stops.
pub async fn run(session: Arc<Session>) {
    let mut stop = session.stop_tx.subscribe();
    let mut failures: u32 = 0;
    loop {
        if *stop.borrow() {
            return;
        }
        session.set_link(LinkState::Connecting, format!("connecting to {}", session.config.gateway_url));
        let outcome = link_once(&session, &mut stop, &mut failures).await;
        let pause = match outcome {
            Outcome::Stopped => return,
            Outcome::Refused(reason) => {
                session.link_dropped();
                session.set_link(LinkState::Refused, reason);
                jitter(REFUSED_RETRY)
            }
            Outcome::Dropped(reason) => {
                // At once: every moment the requests stay queued, the EA could claim one whose caller has already
                // been answered.
                session.link_dropped();
                session.set_link(LinkState::Down, reason);
                failures = failures.saturating_add(1);
                let step = BACKOFF_MIN.saturating_mul(1u32 << failures.min(6).saturating_sub(1));
                jitter(step.min(BACKOFF_MAX))
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stopped(&mut stop) => return,
        }
    }
}

/// Resolves once the session stops. (The watch guard is dropped here: it must not live across an await.)
async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// A delay between half and all of `full`, so that many terminals do not relink in lockstep.
fn jitter(full: Duration) -> Duration {
    let mut bytes = [0u8; 8];
    let random = if getrandom::fill(&mut bytes).is_ok() { u64::from_le_bytes(bytes) } else { now_ms() as u64 };
    let half = full / 2;
    let extra = if half.is_zero() { 0 } else { random % half.as_micros().max(1) as u64 };
    half + Duration::from_micros(extra)
}

async fn link_once(
    session: &Arc<Session>,
    stop: &mut tokio::sync::watch::Receiver<bool>,
    failures: &mut u32,
) -> Outcome {
    let socket = tokio::select! {
        result = timeout(HANDSHAKE_TIMEOUT, handshake(session)) => match result {
            Ok(Ok(socket)) => socket,
            Ok(Err(outcome)) => return outcome,
            Err(_) => return Outcome::Dropped("the gateway did not welcome the link in time".into()),
        },
        _ = stopped(stop) => return Outcome::Stopped,
    };
    *failures = 0;
    pump(session, socket, stop).await
}

async fn handshake(session: &Arc<Session>) -> Result<Socket, Outcome> {
    let config = &session.config;
    let mut request = config
        .gateway_url
        .as_str()
        .into_client_request()
        .map_err(|error| Outcome::Dropped(format!("bad gateway_url: {error}")))?;
    let bearer = HeaderValue::from_str(&format!("Bearer {}", config.token))
        .map_err(|_| Outcome::Refused("the token cannot be sent in a header".into()))?;
    request.headers_mut().insert("authorization", bearer);
    // Nagle off: a reply written right after its `taken` would otherwise wait for the gateway's delayed ACK (40 ms).
    // A 16 KiB read buffer: tungstenite zero-fills the whole buffer before every read, and its 128 KiB default
    // cost a 128 KiB memset per request read (seen in the bench's profile); requests are small.
    let socket_config = tungstenite::protocol::WebSocketConfig::default().read_buffer_size(16 * 1024);
    let (mut socket, _) = match tokio_tungstenite::connect_async_with_config(request, Some(socket_config), true).await {
        Ok(connected) => connected,
        Err(tungstenite::Error::Http(response)) => {
            let status = response.status();
            let detail = response
                .body()
                .as_deref()
                .and_then(|body| serde_json::from_slice::<serde_json::Value>(body).ok())
                .and_then(|body| body.get("message").or_else(|| body.pointer("/error/message")).cloned())
                .and_then(|message| message.as_str().map(str::to_owned))
                .unwrap_or_default();
            let reason = format!("gateway answered HTTP {status} {detail}").trim_end().to_owned();
            return Err(if status.is_client_error() { Outcome::Refused(reason) } else { Outcome::Dropped(reason) });
        }
        Err(error) => return Err(Outcome::Dropped(format!("cannot reach the gateway: {error}"))),
    };
    let discarded = session.discarded();
    let reported = discarded.len();
    let hello = BridgeMessage::Hello {
        link_version: LINK_VERSION,
        bridge_version: env!("CARGO_PKG_VERSION").to_owned(),
        terminal: config.terminal.clone(),
        capabilities: config.capabilities.clone(),
        discarded,
    };
    send(&mut socket, &hello).await.map_err(Outcome::Dropped)?;
    loop {
        let Some(frame) = socket.next().await else {
            return Err(Outcome::Dropped("the gateway closed the link before welcoming it".into()));
        };
        let text = match frame {
            Ok(Message::Text(text)) => text,
            Ok(Message::Close(_)) => {
                return Err(Outcome::Dropped("the gateway closed the link during the hello".into()));
            }
            Ok(_) => continue,
            Err(error) => return Err(Outcome::Dropped(format!("link error during the hello: {error}"))),
        };
        match serde_json::from_str::<GatewayMessage>(text.as_str()) {
            Ok(GatewayMessage::Welcome { gateway_version, heartbeat_ms, max_message_bytes }) => {
                session.set_max_message_bytes(max_message_bytes);
                // The gateway files a hello's discards before it welcomes the link.
                session.discards_acknowledged(reported);
                session.set_gateway_version(gateway_version);
                session.set_link(LinkState::Linked, format!("linked; heartbeat every {heartbeat_ms} ms"));
                session.set_heartbeat(heartbeat_ms);
                return Ok(socket);
            }
            Ok(GatewayMessage::Refused { error }) => {
                return Err(Outcome::Refused(format!(
                    "gateway refused the link: {} ({})",
                    error.message,
                    error.kind()
                )));
            }
            Ok(other) => {
                if let Some(reason) = handle(session, other) {
                    return Err(Outcome::Refused(reason));
                }
            }
            Err(error) => {
                return Err(Outcome::Dropped(format!("the gateway sent an unreadable hello answer: {error}")));
            }
        }
    }
}

async fn send(socket: &mut Socket, message: &BridgeMessage) -> Result<(), String> {
    let text = serde_json::to_string(message).map_err(|error| error.to_string())?;
    socket.send(Message::text(text)).await.map_err(|error| format!("link write failed: {error}"))
}

/// Applies one gateway message. Returns a refusal reason if the gateway withdrew the link.
fn handle(session: &Arc<Session>, message: GatewayMessage) -> Option<String> {
    match message {
        GatewayMessage::Request { id, method, params, deadline } => {
            session.enqueue_request(id, &method, params, deadline);
        }
        GatewayMessage::Interest { symbols, streams } => session.set_interest(symbols, &streams),
        GatewayMessage::Heartbeat { .. } | GatewayMessage::Welcome { .. } => {}
        GatewayMessage::Refused { error } => {
            return Some(format!("gateway refused the link: {} ({})", error.message, error.kind()));
        }
    }
    None
}

/// Writes everything waiting; on failure the unsent messages go back to the front of the queue.
async fn flush(session: &Arc<Session>, socket: &mut Socket) -> Result<(), String> {
    loop {
        let batch = session.take_outbound(BATCH);
        if batch.is_empty() {
            return Ok(());
        }
        let mut result = Ok(());
        let limit = session.max_message_bytes();
        for message in &batch {
            let text = match encode(session, message, limit) {
                Ok(Some(text)) => text,
                Ok(None) => continue,
                Err(error) => {
                    result = Err(format!("cannot encode a message: {error}"));
                    break;
                }
            };
            if let Err(error) = socket.feed(Message::text(text)).await {
                result = Err(format!("link write failed: {error}"));
                break;
            }
        }
        if result.is_ok() {
            result = socket.flush().await.map_err(|error| format!("link write failed: {error}"));
        }
        match result {
            Ok(()) => session.count_sent(batch.len()),
            Err(error) => {
                // Whether the socket took part of the batch is unknown: send it all again after relinking
                // (the gateway ignores replies to ids it already answered, and events it already has by seq).
                session.requeue(batch);
                return Err(error);
            }
        }
    }
}

/// The text of `message`, checked against the gateway's `limit` here, where the text exists anyway: a message over
/// it would make the gateway close the link, failing every call in flight. An oversized reply is replaced by a
/// `payload_too_large` answer to its request; an oversized event is dropped (`None`).
fn encode(session: &Session, message: &BridgeMessage, limit: usize) -> serde_json::Result<Option<String>> {
    let text = serde_json::to_string(message)?;
    if text.len() <= limit {
        return Ok(Some(text));
    }
    match session.oversized(message, text.len(), limit) {
        Some(replacement) => serde_json::to_string(&replacement).map(Some),
        None => Ok(None),
    }
}

async fn pump(session: &Arc<Session>, mut socket: Socket, stop: &mut tokio::sync::watch::Receiver<bool>) -> Outcome {
    let heartbeat = Duration::from_millis(session.heartbeat_ms().clamp(200, 60_000));
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_received = Instant::now();
    let mut last_sent = Instant::now();
    loop {
        if let Err(error) = flush(session, &mut socket).await {
            return Outcome::Dropped(error);
        }
        tokio::select! {
            _ = stopped(stop) => {
                let _ = timeout(FINAL_FLUSH, async {
                    let _ = flush(session, &mut socket).await;
                    let _ = socket.close(None).await;
                })
                .await;
                return Outcome::Stopped;
            }
            frame = socket.next() => {
                last_received = Instant::now();
                match frame {
                    Some(Ok(Message::Text(text))) => match serde_json::from_str::<GatewayMessage>(text.as_str()) {
                        Ok(message) => {
                            if let Some(reason) = handle(session, message) {
                                return Outcome::Refused(reason);
                            }
                        }
                        // A gateway speaking another dialect: say so and relink rather than guess.
                        Err(error) => return Outcome::Dropped(format!("unreadable message from the gateway: {error}")),
                    },
                    Some(Ok(Message::Close(frame))) => {
                        let reason = frame.map(|frame| frame.reason.to_string()).unwrap_or_default();
                        return Outcome::Dropped(format!("the gateway closed the link {reason}").trim_end().to_owned());
                    }
                    Some(Ok(_)) => {}
                    Some(Err(error)) => return Outcome::Dropped(format!("link error: {error}")),
                    None => return Outcome::Dropped("the gateway closed the link".into()),
                }
            }
            _ = session.outbound.notified() => {}
            _ = tick.tick() => {
                session.sweep_expired();
                if last_received.elapsed() > heartbeat * 3 {
                    return Outcome::Dropped("the gateway went silent (no heartbeat)".into());
                }
                if last_sent.elapsed() >= heartbeat / 2 && !session.has_outbound() {
                    if let Err(error) = send(&mut socket, &BridgeMessage::Heartbeat { time: now_ms() }).await {
                        return Outcome::Dropped(error);
                    }
                    last_sent = Instant::now();
                }
            }
        }
        if session.has_outbound() {
            last_sent = Instant::now();
        }
    }
}
