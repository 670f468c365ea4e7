//! The console's revocation push channel (`GET /api/v1/events`), kept open with reconnects.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use metaapi_protocol::console::RevocationEvent;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use super::Verifier;

/// A console that accepts connections and never answers must not hold the channel's reconnects forever.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Listens for revocations until `shutdown`, reconnecting with a capped backoff.
///
/// While the channel is down the verdict cache TTL bounds how long a revoked token can keep working; after a
/// reconnect the console's first `resync` marks every cached verdict stale, so each is revalidated.
pub async fn listen_for_revocations(verifier: Arc<Verifier>, console_url: String, shutdown: CancellationToken) {
    let url = events_url(&console_url);
    let mut backoff = Duration::from_millis(100);
    loop {
        let connected = tokio::select! {
            _ = shutdown.cancelled() => return,
            connected = tokio::time::timeout(
                CONNECT_TIMEOUT,
                tokio_tungstenite::connect_async_with_config(url.as_str(), Some(push_config()), false),
            ) => connected,
        };
        match connected {
            Ok(Ok((mut stream, _))) => {
                tracing::info!("revocation channel to the console is open");
                backoff = Duration::from_millis(100);
                loop {
                    let message = tokio::select! {
                        _ = shutdown.cancelled() => return,
                        message = stream.next() => message,
                    };
                    match message {
                        Some(Ok(Message::Text(text))) => match serde_json::from_str::<RevocationEvent>(&text) {
                            Ok(event) => verifier.apply(event),
                            Err(error) => tracing::warn!(%error, "unreadable revocation event ignored"),
                        },
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                        Some(Ok(_)) => {}
                    }
                }
                tracing::warn!("revocation channel to the console closed; reconnecting");
                // Whatever is pushed while the channel is down is lost: ask the console again for every token.
                verifier.expire_all();
            }
            Ok(Err(error)) => tracing::debug!(%error, "revocation channel connect failed"),
            Err(_) => tracing::debug!("revocation channel connect timed out"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

fn events_url(console_url: &str) -> String {
    let base = console_url.trim_end_matches('/');
    let base = base
        .strip_prefix("https://")
        .map(|rest| format!("wss://{rest}"))
        .or_else(|| base.strip_prefix("http://").map(|rest| format!("ws://{rest}")))
        .unwrap_or_else(|| base.to_owned());
    format!("{base}/api/v1/events")
}

/// Access changes are a few small messages; tungstenite's 128 KiB read buffer would be resident for nothing.
fn push_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(4 * 1024)
}

#[cfg(test)]
mod tests {
    #[test]
    fn events_url_uses_the_websocket_scheme() {
        assert_eq!(super::events_url("http://127.0.0.1:7000/"), "ws://127.0.0.1:7000/api/v1/events");
    }
}
