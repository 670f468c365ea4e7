//! The push channel: revocation events to gateways over WebSocket, and the timer that announces expiries.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use metaapi_protocol::console::{DenyReason, RevocationEvent};
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use warp::ws::{Message, WebSocket};

use crate::Console;
use crate::secret::now_ms;
use crate::store::Expiry;

/// The longest the expiry timer sleeps without looking again; bounds the delay for expiries written by another
/// process (the offline CLI), which cannot wake it.
const MAX_TIMER_SLEEP: Duration = Duration::from_secs(10);

/// Serves one `GET /api/v1/events` listener until it leaves or the server shuts down.
pub(crate) async fn serve_listener(console: Console, mut socket: WebSocket, shutdown: CancellationToken) {
    // Subscribe before the resync so nothing published after it is missed.
    let mut events = console.subscribe();
    if send(&mut socket, &RevocationEvent::Resync).await.is_err() {
        return;
    }
    tracing::debug!("push listener connected");
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => {
                let _ = socket.send(Message::close_with(1001u16, "server shutdown")).await;
                let _ = socket.close().await;
                break;
            }
            event = events.recv() => {
                let event = match event {
                    Ok(event) => event,
                    // A slow listener missed events: it must drop every cached verdict.
                    Err(RecvError::Lagged(_)) => RevocationEvent::Resync,
                    Err(RecvError::Closed) => break,
                };
                if send(&mut socket, &event).await.is_err() {
                    break;
                }
            }
            incoming = socket.next() => match incoming {
                // Listeners have nothing to say; reading keeps pings answered and notices a close.
                Some(Ok(message)) if message.is_close() => break,
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            }
        }
    }
    tracing::debug!("push listener left");
}

async fn send(socket: &mut WebSocket, event: &RevocationEvent) -> Result<(), warp::Error> {
    let text = serde_json::to_string(event).unwrap_or_else(|_| r#"{"scope":"resync"}"#.to_owned());
    socket.send(Message::text(text)).await
}

/// Publishes a revocation when a usable token's or an enabled account's expiry passes, so that gateways drop it
/// at that moment rather than when their cached verdict runs out.
pub(crate) async fn run_expiry_timer(console: Console, shutdown: CancellationToken) {
    let mut checked_until = now_ms();
    loop {
        let store = console.inner.store.clone();
        let next = tokio::task::spawn_blocking(move || store.next_expiry_after(checked_until)).await;
        let next = match next {
            Ok(Ok(next)) => next,
            Ok(Err(error)) => {
                tracing::error!(%error, "expiry timer could not read the store");
                None
            }
            Err(error) => {
                tracing::error!(%error, "expiry timer task failed");
                None
            }
        };
        let now = now_ms();
        let sleep = next.map_or(MAX_TIMER_SLEEP, |at| Duration::from_millis(at.saturating_sub(now).max(0) as u64));
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = console.inner.expiry_changed.notified() => {}
            _ = tokio::time::sleep(sleep.min(MAX_TIMER_SLEEP)) => {}
        }
        let until = now_ms();
        let store = console.inner.store.clone();
        let after = checked_until;
        match tokio::task::spawn_blocking(move || store.expiries_between(after, until)).await {
            Ok(Ok(expired)) => {
                for expiry in expired {
                    let event = match expiry {
                        Expiry::Token { id } => {
                            RevocationEvent::Token { token_id: id, reason: DenyReason::TokenExpired }
                        }
                        Expiry::Account { user_id, at } => {
                            if console.take_announced_expiry(&user_id, at) {
                                continue;
                            }
                            RevocationEvent::Account { reason: DenyReason::AccountExpired }
                        }
                    };
                    // Every replica's timer sees the expiry, so it is not shared through the feed.
                    console.publish_local(event);
                }
                checked_until = until;
            }
            Ok(Err(error)) => tracing::error!(%error, "expiry timer could not read the store"),
            Err(error) => tracing::error!(%error, "expiry timer task failed"),
        }
    }
}
