//! `GET /ws`: the same methods as `/rpc` over a WebSocket, plus subscriptions pushed as notifications.
//!
//! The connection closes with 4401 (token reasons) or 4403 (device and account reasons) right after a
//! `token_revoked` notice when access is lost, and with 1001 when the gateway shuts down.

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::SplitSink;
use futures_util::{FutureExt, SinkExt, StreamExt};
use metaapi_protocol::console::DenyReason;
use metaapi_protocol::jsonrpc::{Id, Incoming, Outgoing, Response, request_id};
use metaapi_protocol::{ErrorKind, ErrorObject};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;
use warp::{Filter, Rejection};

use super::access::{Authorized, authorized, guard, lost_access, until_expiry};
use crate::app::App;
use crate::auth::{close_code, deny_reason, now_ms};
use crate::methods::{Caller, router};
use crate::metrics::Transport;
use crate::server::{Socket, Upgrade, close_message, socket_config, websocket};
use crate::streams::{CloseReason, Next, Outbox, Subscriber, revoked_frame, to_payload};

/// The read buffer of a client connection. Calls are small, and an idle client costs about this much, so 1,000
/// idle clients fit in a few MiB (tungstenite's default, 128 KiB, made them 130 MiB).
const CLIENT_READ_BUFFER: usize = 4 * 1024;

/// The `/ws` route.
pub fn route(app: Arc<App>) -> impl Filter<Extract = (warp::reply::Response,), Error = Rejection> + Clone {
    let handler_app = app.clone();
    warp::path("ws").and(warp::path::end()).and(guard(app.clone())).and(authorized(app)).and(websocket()).map(
        move |authorized: Authorized, upgrade: Upgrade| {
            let app = handler_app.clone();
            let config = socket_config(app.config.max_ws_message_bytes, CLIENT_READ_BUFFER);
            upgrade.accept(config, move |socket| {
                let tasks = app.tasks.clone();
                tasks.track_future(run(app, authorized, socket))
            })
        },
    )
}

/// Writes what the outbox hands out until it closes or the client goes away, then cancels `done` and hands the
/// sink back.
///
/// Everything queued by the time the writer runs goes out in one write, so a client on a busy stream costs one send
/// per writer turn, not one per event (about ten ticks per send in the bench's fan-out).
async fn write(
    outbox: Arc<Outbox>,
    mut sink: SplitSink<Socket, Message>,
    idle: Duration,
    done: CancellationToken,
) -> SplitSink<Socket, Message> {
    // One timer, re-armed only when it fires: arming a fresh one per write cost a timer-wheel update per batch,
    // which adds up at thousands of batches per second across clients.
    let mut last_write = Instant::now();
    let heartbeat = tokio::time::sleep(idle);
    tokio::pin!(heartbeat);
    loop {
        let mut next = tokio::select! {
            next = outbox.next() => next,
            _ = &mut heartbeat => {
                if last_write.elapsed() >= idle {
                    // Nothing was sent for a while: tell the client the connection is alive.
                    let beat = serde_json::json!({ "time": now_ms() });
                    outbox.notify("heartbeat", None, to_payload(&beat));
                    last_write = Instant::now();
                }
                heartbeat.as_mut().reset(last_write + idle);
                continue;
            }
        };
        loop {
            match next {
                Next::Write(texts) => {
                    for text in texts {
                        if sink.feed(Message::text(text)).await.is_err() {
                            return finish(sink, &done);
                        }
                    }
                }
                Next::Close(reason) => {
                    let _ = sink.send(close_message(reason.code, reason.text)).await;
                    let _ = sink.close().await;
                    return finish(sink, &done);
                }
            }
            match outbox.try_next() {
                Some(more) => next = more,
                None => break,
            }
        }
        if sink.flush().await.is_err() {
            return finish(sink, &done);
        }
        last_write = Instant::now();
    }
}

fn finish(sink: SplitSink<Socket, Message>, done: &CancellationToken) -> SplitSink<Socket, Message> {
    done.cancel();
    sink
}

/// Reads and drops what a client still sends after its connection was closed for an oversized message (1 s and
/// 16 MiB at most), so that closing does not reset the connection before the client reads the 1009 close frame:
/// a TCP close with unread input sends a reset, and the client's system may drop the close frame with it.
async fn drain(socket: &mut Socket) {
    use tokio::io::AsyncReadExt;
    let mut buffer = [0u8; 4096];
    let mut left: usize = 16 << 20;
    let deadline = Instant::now() + Duration::from_secs(1);
    while left > 0 {
        match tokio::time::timeout_at(deadline, socket.get_mut().read(&mut buffer)).await {
            Ok(Ok(read)) if read > 0 => left = left.saturating_sub(read),
            _ => break,
        }
    }
}

fn revoke(outbox: &Outbox, reason: DenyReason) {
    let text = reason.error_kind().as_str().to_owned();
    outbox.close(CloseReason { code: close_code(reason), text }, Some(revoked_frame(reason)));
}

async fn run(app: Arc<App>, authorized: Authorized, socket: Socket) {
    let (sink, mut stream) = socket.split();
    let outbox = Arc::new(Outbox::new(app.config.ws_queue));
    let token_id = authorized.grant.token_id.clone();
    let budget = app.subscription_caps.budget(&token_id);
    let session = Arc::new(Subscriber::new(app.next_subscriber(), outbox.clone(), budget));
    app.terminals.join(&token_id, session.clone());
    app.metrics.ws_client(true);
    let caller = Arc::new(Caller {
        grant: authorized.grant.clone(),
        transport: Transport::Ws,
        subscriber: Some(session.clone()),
    });
    let done = CancellationToken::new();

    let writer = tokio::spawn(write(outbox.clone(), sink, app.config.ws_heartbeat_interval, done.clone()));

    let mut auth_events = app.verifier.subscribe();
    let in_flight = Arc::new(Semaphore::new(app.config.ws_max_in_flight));
    // A message is read only while a permit is held, so a client with too many calls open is not read from, and
    // revocations and shutdown are still handled meanwhile.
    let mut permit: Option<OwnedSemaphorePermit> = None;
    let mut too_big = false;
    // Fused: once it fired, the loop may turn again before the close lands, and a finished async fn must not be
    // polled again.
    let expiry = until_expiry(authorized.grant.expires_at).fuse();
    tokio::pin!(expiry);
    loop {
        let closing = outbox.closing();
        tokio::select! {
            _ = done.cancelled() => break,
            _ = app.shutdown.cancelled(), if !closing => {
                outbox.close(CloseReason { code: 1001, text: "gateway shutting down".into() }, None);
            }
            _ = &mut expiry, if !closing => revoke(&outbox, DenyReason::TokenExpired),
            event = auth_events.recv(), if !closing => {
                if let Some(reason) = lost_access(&app, &authorized, event).await {
                    revoke(&outbox, reason);
                }
            }
            acquired = in_flight.clone().acquire_owned(), if !closing && permit.is_none() => {
                let Ok(acquired) = acquired else { break };
                permit = Some(acquired);
            }
            message = stream.next(), if !closing && permit.is_some() => match message {
                Some(Ok(message)) if message.is_text() || message.is_binary() => {
                    let Some(permit) = permit.take() else { continue };
                    let app = app.clone();
                    let caller = caller.clone();
                    let authorized = authorized.clone();
                    let outbox = outbox.clone();
                    tokio::spawn(async move {
                        handle(&app, &caller, &authorized, &outbox, &message.into_data(), permit).await;
                    });
                }
                Some(Ok(message)) if message.is_close() => {
                    outbox.close(CloseReason { code: 1000, text: String::new() }, None);
                }
                Some(Ok(_)) => {}
                Some(Err(WsError::Capacity(CapacityError::MessageTooLong { .. }))) => {
                    // RFC 6455 section 7.4.1: 1009 tells the client its message was too big, not that all is well.
                    let text = format!("a message holds at most {} bytes", app.config.max_ws_message_bytes);
                    outbox.close(CloseReason { code: 1009, text }, None);
                    too_big = true;
                }
                Some(Err(_)) | None => break,
            },
        }
    }
    outbox.close(CloseReason { code: 1000, text: String::new() }, None);
    let sink = tokio::time::timeout(Duration::from_secs(1), writer).await;
    if too_big
        && let Ok(Ok(sink)) = sink
        && let Ok(mut socket) = stream.reunite(sink)
    {
        drain(&mut socket).await;
    }
    app.terminals.leave(&token_id, session.id);
    app.metrics.ws_client(false);
}

async fn handle(
    app: &Arc<App>,
    caller: &Arc<Caller>,
    authorized: &Authorized,
    outbox: &Outbox,
    bytes: &[u8],
    permit: OwnedSemaphorePermit,
) {
    // Every message is checked again: a cache hit costs a hash, and expiry or a lost grace period takes effect.
    if let Err(error) = app.verifier.check(&authorized.token).await {
        app.metrics.error(error.kind());
        match deny_reason(error.kind()) {
            Some(reason) => revoke(outbox, reason),
            None => respond(outbox, &Outgoing::Single(Response::error(request_id(bytes), error)), permit),
        }
        return;
    }
    let incoming = Incoming::parse(bytes);
    if incoming.len() > app.config.max_batch {
        app.metrics.error(ErrorKind::PayloadTooLarge);
        let error = ErrorObject::new(
            ErrorKind::PayloadTooLarge,
            format!("a batch holds at most {} calls", app.config.max_batch),
        );
        respond(outbox, &Outgoing::Single(Response::error(Id::Null, error)), permit);
        return;
    }
    if let Some(outgoing) = router().run_calls(app, caller, incoming).await {
        respond(outbox, &outgoing, permit);
    }
}

fn respond(outbox: &Outbox, outgoing: &Outgoing, permit: OwnedSemaphorePermit) {
    match serde_json::to_string(outgoing) {
        Ok(text) => outbox.respond(text, Some(permit)),
        Err(error) => tracing::error!(%error, "could not serialize a response"),
    }
}
