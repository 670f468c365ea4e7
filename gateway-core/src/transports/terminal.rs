//! `GET /terminal`: the bridge DLL's link. Hello, welcome or refusal, then requests, replies, events and heartbeats.
//!
//! The token is verified before the upgrade (so every deny reason gets its HTTP status), and a token already held by
//! a live terminal is refused with 409 `terminal_conflict`. A link that stops sending anything for the heartbeat
//! timeout is closed, and a new terminal with the same token may then replace it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{FutureExt, SinkExt, StreamExt};
use metaapi_protocol::console::DenyReason;
use metaapi_protocol::link::{BridgeMessage, GatewayMessage, LINK_VERSION};
use metaapi_protocol::{ErrorKind, ErrorObject};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use warp::{Filter, Rejection};

use super::access::{Authorized, Refusal, authorized, guard, lost_access, until_expiry};
use crate::app::App;
use crate::auth::{close_code, deny_error};
use crate::server::{Socket, Upgrade, close_message, socket_config, websocket};
use crate::streams::classify;
use crate::terminals::{AttachError, Hub, Link};

/// The read buffer of a terminal link. tungstenite zero-fills all of it before every read, so bigger is not
/// better: 16 KiB holds a burst of replies and events and costs little to clear.
const LINK_READ_BUFFER: usize = 16 * 1024;

/// At most this many queued messages are written to a terminal per flush.
const LINK_BATCH: usize = 64;

/// The `/terminal` route.
pub fn route(app: Arc<App>) -> impl Filter<Extract = (warp::reply::Response,), Error = Rejection> + Clone {
    let check_app = app.clone();
    let handler_app = app.clone();
    warp::path("terminal")
        .and(warp::path::end())
        .and(guard(app.clone()))
        .and(authorized(app))
        .and_then(move |authorized: Authorized| {
            let app = check_app.clone();
            async move {
                if app.terminals.is_held(&authorized.grant.token_id) {
                    app.metrics.error(ErrorKind::TerminalConflict);
                    return Err(warp::reject::custom(Refusal::of(conflict())));
                }
                Ok(authorized)
            }
        })
        .and(websocket())
        .map(move |authorized: Authorized, upgrade: Upgrade| {
            let app = handler_app.clone();
            let config = socket_config(app.config.link_max_message_bytes, LINK_READ_BUFFER);
            upgrade.accept(config, move |socket| {
                let tasks = app.tasks.clone();
                tasks.track_future(run(app, authorized, socket))
            })
        })
}

fn conflict() -> ErrorObject {
    ErrorObject::new(ErrorKind::TerminalConflict, "another terminal is already linked with this token")
}

fn text(message: &GatewayMessage) -> Message {
    Message::text(serde_json::to_string(message).unwrap_or_default())
}

/// Refuses a link after the upgrade: a `refused` message, then a close frame.
async fn refuse(socket: &mut Socket, error: ErrorObject, code: u16) {
    let reason = error.kind().as_str();
    let _ = socket.send(text(&GatewayMessage::Refused { error })).await;
    let _ = socket.send(close_message(code, reason)).await;
    let _ = SinkExt::close(socket).await;
}

async fn hello(socket: &mut Socket, wait: Duration) -> Result<BridgeMessage, ErrorObject> {
    let first = tokio::time::timeout(wait, socket.next())
        .await
        .map_err(|_| ErrorObject::new(ErrorKind::InvalidRequest, "no hello before the timeout"))?;
    let Some(Ok(message)) = first else {
        return Err(ErrorObject::new(ErrorKind::InvalidRequest, "the link closed before its hello"));
    };
    let hello: BridgeMessage = serde_json::from_slice(&message.into_data())
        .map_err(|error| ErrorObject::new(ErrorKind::InvalidRequest, format!("unreadable hello: {error}")))?;
    match &hello {
        BridgeMessage::Hello { link_version, .. } if *link_version == LINK_VERSION => Ok(hello),
        BridgeMessage::Hello { link_version, .. } => Err(ErrorObject::new(
            ErrorKind::InvalidRequest,
            format!("link version {link_version} is not supported; this gateway speaks {LINK_VERSION}"),
        )),
        _ => Err(ErrorObject::new(ErrorKind::InvalidRequest, "the first message must be a hello")),
    }
}

/// Whether a queued message may still be written: a request whose call already ended (answered `not_executed`
/// because it never left the gateway) must never reach the terminal.
fn writable(link: &Link, message: &GatewayMessage) -> bool {
    match message {
        GatewayMessage::Request { id, .. } => link.writing(*id),
        _ => true,
    }
}

type CloseNote = Arc<Mutex<Option<(u16, String, Option<GatewayMessage>)>>>;

fn close(link: &Link, note: &CloseNote, code: u16, reason: &str, last: Option<GatewayMessage>) {
    let mut slot = note.lock().unwrap_or_else(|poison| poison.into_inner());
    if slot.is_none() {
        *slot = Some((code, reason.to_owned(), last));
    }
    drop(slot);
    link.closed.cancel();
}

fn revoke(link: &Link, note: &CloseNote, reason: DenyReason) {
    let error = deny_error(reason);
    close(link, note, close_code(reason), reason.error_kind().as_str(), Some(GatewayMessage::Refused { error }));
}

async fn run(app: Arc<App>, authorized: Authorized, mut socket: Socket) {
    let hello = match hello(&mut socket, app.config.heartbeat_timeout).await {
        Ok(hello) => hello,
        Err(error) => return refuse(&mut socket, error, 4400).await,
    };
    let BridgeMessage::Hello { bridge_version, terminal, capabilities, discarded, .. } = hello else { return };
    // Filed before the welcome, which tells the bridge it may forget them.
    if !discarded.is_empty() {
        let filing_app = app.clone();
        let scope = authorized.grant.terminal_id.clone();
        let filed = tokio::task::spawn_blocking(move || filing_app.trades.file_discarded(&scope, &discarded)).await;
        if !matches!(filed, Ok(Ok(()))) {
            tracing::error!("could not file the requests a terminal discarded; refusing its link until it can");
            let error = ErrorObject::new(ErrorKind::Internal, "the trade outcome store failed");
            return refuse(&mut socket, error, 1011).await;
        }
    }
    let (outbound, mut queue) = mpsc::channel(app.config.terminal_queue);
    let grant = &authorized.grant;
    let link = Arc::new(Link::new(
        app.terminals.next_generation(),
        grant.token_id.clone(),
        grant.terminal_id.clone(),
        terminal,
        capabilities,
        bridge_version,
        outbound,
        app.deadlines(),
    ));
    if let Err(AttachError::Conflict) = app.terminals.attach(link.clone()) {
        app.metrics.error(ErrorKind::TerminalConflict);
        return refuse(&mut socket, conflict(), 4409).await;
    }
    tracing::info!(token_id = %grant.token_id, generation = link.generation, "terminal linked");
    let heartbeat_ms = u64::try_from(app.config.heartbeat_interval.as_millis()).unwrap_or(u64::MAX);
    let welcome = GatewayMessage::Welcome {
        gateway_version: env!("CARGO_PKG_VERSION").to_owned(),
        heartbeat_ms,
        max_message_bytes: Some(app.config.link_max_message_bytes as u64),
    };
    let (mut sink, mut stream) = socket.split();
    let note: CloseNote = Arc::new(Mutex::new(None));

    let writer_link = link.clone();
    let writer_note = note.clone();
    let interval = app.config.heartbeat_interval;
    let timeout = app.config.heartbeat_timeout;
    let writer = tokio::spawn(async move {
        if sink.send(text(&welcome)).await.is_err() {
            writer_link.closed.cancel();
        }
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = writer_link.closed.cancelled() => break,
                message = queue.recv() => match message {
                    Some(message) => {
                        // Whatever else is queued goes out in the same write: under load that is one syscall for
                        // many requests instead of one each. One scheduler turn first lets the calls that are
                        // already running queue theirs (with 32 clients the link otherwise sent one per write).
                        tokio::task::yield_now().await;
                        let mut sent = Ok(());
                        if writable(&writer_link, &message) {
                            sent = sink.feed(text(&message)).await;
                        }
                        let mut batch = 1;
                        while sent.is_ok() && batch < LINK_BATCH {
                            let Ok(message) = queue.try_recv() else { break };
                            if writable(&writer_link, &message) {
                                sent = sink.feed(text(&message)).await;
                            }
                            batch += 1;
                        }
                        if sent.is_err() || sink.flush().await.is_err() {
                            writer_link.closed.cancel();
                        }
                    }
                    None => break,
                },
                _ = ticker.tick() => {
                    if writer_link.silence() > timeout {
                        tracing::warn!(token_id = %writer_link.token_id, "terminal stopped answering heartbeats");
                        close(&writer_link, &writer_note, 4408, "heartbeat timeout", None);
                    } else if sink.send(text(&GatewayMessage::Heartbeat { time: crate::auth::now_ms() })).await.is_err() {
                        writer_link.closed.cancel();
                    }
                }
            }
        }
        let last = writer_note.lock().unwrap_or_else(|poison| poison.into_inner()).take();
        let (code, reason, message) = last.unwrap_or((4409, "replaced by a new link".to_owned(), None));
        if let Some(message) = message {
            let _ = sink.send(text(&message)).await;
        }
        let _ = sink.send(close_message(code, reason)).await;
        let _ = sink.close().await;
    });

    let hub = app.terminals.hub(&link.token_id);
    let mut auth_events = app.verifier.subscribe();
    // Fused: after it fires the loop turns until the link closes, and a finished async fn must not be polled again.
    let expiry = until_expiry(grant.expires_at).fuse();
    tokio::pin!(expiry);
    loop {
        tokio::select! {
            _ = link.closed.cancelled() => break,
            _ = app.shutdown.cancelled() => close(&link, &note, 1001, "gateway shutting down", None),
            _ = &mut expiry => revoke(&link, &note, DenyReason::TokenExpired),
            event = auth_events.recv() => {
                if let Some(reason) = lost_access(&app, &authorized, event).await {
                    revoke(&link, &note, reason);
                }
            }
            message = stream.next() => match message {
                Some(Ok(message)) if message.is_text() || message.is_binary() => {
                    link.heard();
                    match serde_json::from_slice::<BridgeMessage>(&message.into_data()) {
                        Ok(message) => receive(&app, &link, &hub, message),
                        Err(error) => tracing::warn!(%error, "unreadable message from a terminal ignored"),
                    }
                }
                Some(Ok(message)) if message.is_close() => break,
                Some(Ok(_)) => link.heard(),
                Some(Err(_)) | None => break,
            },
        }
    }
    link.closed.cancel();
    link.fail_all("the terminal link dropped");
    app.terminals.detach(&link);
    let _ = tokio::time::timeout(Duration::from_secs(1), writer).await;
    tracing::info!(token_id = %link.token_id, generation = link.generation, "terminal unlinked");
}

fn receive(app: &App, link: &Link, hub: &Hub, message: BridgeMessage) {
    match message {
        BridgeMessage::Taken { id } => link.taken(id),
        BridgeMessage::Reply { id, client_id, method, result, error } => {
            let answer = match (result, error) {
                (_, Some(error)) => Err(error),
                (Some(result), None) => Ok(result),
                (None, None) => Err(ErrorObject::new(
                    ErrorKind::InvalidTerminalReply,
                    format!("the terminal's reply to {method} has neither a result nor an error"),
                )),
            };
            if let Some(late) = link.reply(id, client_id, answer) {
                app.trades.file_late(&link.terminal_id, &late.client_id, late.id, &late.answer);
            }
        }
        BridgeMessage::Event { seq, name, data } => {
            hub.check_sequence(seq);
            // Checking an event against its type and serializing it pays off only when a client may receive it:
            // every trade brings several (account, position, order, deal), usually with no WebSocket client around.
            if !hub.has_sessions() {
                return;
            }
            match classify(&name, data) {
                Some(event) => hub.publish(&event),
                None => tracing::debug!(name, "terminal event with an unknown name or bad data dropped"),
            }
        }
        BridgeMessage::Heartbeat { .. } => {}
        BridgeMessage::Hello { .. } => tracing::warn!("a second hello on a terminal link ignored"),
    }
}
