//! Tells the console which terminals are linked to this gateway, so its page can show each token's terminal and
//! whether it is online now.
//!
//! Every second the task compares the linked terminals with what it last reported, and posts a
//! [`PresenceReport`] to the console's `POST /api/v1/presence` when they differ, and every
//! [`REPORT_EVERY`] besides: the console counts a terminal as offline once its gateway stops reporting it. A
//! failed post is retried on the next turn; presence is informational and never holds up a call.

use std::sync::Arc;
use std::time::Duration;

use metaapi_protocol::console::{LinkedTerminal, PresenceReport};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::app::App;

/// How often a report is sent when nothing changed (the console's offline threshold is three times this).
pub const REPORT_EVERY: Duration = Duration::from_secs(5);
/// How often the linked terminals are compared with the last report.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// The terminals linked now, in a stable order.
fn linked(app: &App) -> Vec<LinkedTerminal> {
    let mut terminals: Vec<LinkedTerminal> = app
        .terminals
        .links()
        .into_iter()
        .filter(|link| !link.closed.is_cancelled())
        .map(|link| LinkedTerminal { token_id: link.token_id.clone(), identity: link.identity.clone() })
        .collect();
    terminals.sort_by(|a, b| a.token_id.cmp(&b.token_id));
    terminals
}

/// Reports presence until `stop` is cancelled.
pub(crate) async fn report(app: Arc<App>, stop: CancellationToken) {
    let http = match reqwest::Client::builder()
        .timeout(app.config.console_timeout)
        .connect_timeout(app.config.console_timeout)
        .no_proxy()
        .build()
    {
        Ok(http) => http,
        Err(error) => {
            tracing::error!(%error, "presence reports are off: no HTTP client");
            return;
        }
    };
    let url = format!("{}/api/v1/presence", app.config.console_url.trim_end_matches('/'));
    let mut reported: Option<Vec<LinkedTerminal>> = None;
    let mut last_sent = Instant::now();
    loop {
        let terminals = linked(&app);
        if reported.as_ref() != Some(&terminals) || last_sent.elapsed() >= REPORT_EVERY {
            let body = PresenceReport { device_id: app.verifier.device_id().to_owned(), terminals: terminals.clone() };
            match http.post(&url).json(&body).send().await {
                Ok(response) if response.status().is_success() => {
                    reported = Some(terminals);
                    last_sent = Instant::now();
                }
                Ok(response) => tracing::debug!(status = %response.status(), "presence report refused"),
                Err(error) => tracing::debug!(%error, "presence report failed"),
            }
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(CHECK_EVERY) => {}
        }
    }
}
