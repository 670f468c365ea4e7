//! Revocations shared by console replicas on one PostgreSQL: a numbered feed in the database and `LISTEN/NOTIFY`.
//!
//! A replica publishes a revocation to its own push listeners at once, then appends it to the `revocations` table
//! and notifies the `console_revocations` channel in the same transaction (a notification is delivered only when its
//! transaction commits, so nobody hears of a row it cannot read yet). Every replica runs `run`: it holds a
//! dedicated connection that LISTENs, and on each notification reads the rows after the last sequence number it
//! handled and forwards those another replica wrote to its push listeners. When that connection drops (database
//! restart, network cut) it reconnects and resumes from the same sequence number, so a revocation made meanwhile is
//! delivered late rather than lost. Gateways that reconnect to a restarted replica start with a resync, which drops
//! every cached verdict, so they lose nothing either.
//!
//! The feed does not grow forever: every replica runs `run_pruning`, which deletes rows older than the
//! configured retention ([`crate::ConsoleConfig::revocation_retention`], the longest a listening connection may be
//! away and still resume) and records the highest sequence number it deleted. A listener that resumes from below
//! that horizon missed rows it can no longer read, so it publishes a resync to its push listeners instead: every
//! gateway then asks again about every token it serves, and no revocation is silently lost.

mod feed;

pub(crate) use feed::Feed;
pub use feed::{CHANNEL, LISTENER_APPLICATION_NAME};

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use metaapi_protocol::console::RevocationEvent;
use tokio_postgres::AsyncMessage;
use tokio_util::sync::CancellationToken;

use crate::Console;
use crate::error::ConsoleError;

/// How long to wait before connecting again after the listening connection failed.
const RECONNECT_DELAY: Duration = Duration::from_millis(200);

/// Forwards other replicas' revocations to this replica's push listeners until `shutdown`.
pub(crate) async fn run(console: Console, feed: Arc<Feed>, shutdown: CancellationToken) {
    let mut last_sequence = feed.start_sequence;
    loop {
        let result = tokio::select! {
            _ = shutdown.cancelled() => return,
            result = listen_once(&console, &feed, &mut last_sequence) => result,
        };
        if let Err(error) = result {
            tracing::warn!(%error, last_seq = last_sequence, "revocation feed connection lost; reconnecting");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(RECONNECT_DELAY) => {}
        }
    }
}

/// One listening connection: LISTEN, catch up from `last_sequence`, then deliver on every notification. Returns when the
/// connection fails.
async fn listen_once(console: &Console, feed: &Feed, last_sequence: &mut i64) -> Result<(), ConsoleError> {
    let mut config = feed.store.config().clone();
    config.application_name(LISTENER_APPLICATION_NAME);
    config.connect_timeout(Duration::from_secs(5));
    let (client, mut connection) = config.connect(tokio_postgres::NoTls).await.map_err(ConsoleError::database)?;
    let (wake_sender, mut wake_receiver) = tokio::sync::mpsc::unbounded_channel::<()>();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |context| connection.poll_message(context));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    if wake_sender.send(()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "revocation feed connection failed");
                    break;
                }
            }
        }
    });
    // LISTEN before reading, so a row committed in between is announced rather than missed.
    let result = async {
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await.map_err(ConsoleError::database)?;
        tracing::info!(last_seq = *last_sequence, "listening for other replicas' revocations");
        loop {
            deliver_after(console, feed, &client, last_sequence).await?;
            if wake_receiver.recv().await.is_none() {
                return Err(ConsoleError::database("the listening connection closed"));
            }
        }
    }
    .await;
    driver.abort();
    result
}

async fn deliver_after(
    console: &Console,
    feed: &Feed,
    client: &tokio_postgres::Client,
    last_sequence: &mut i64,
) -> Result<(), ConsoleError> {
    let after = *last_sequence;
    // One statement, so the horizon and the rows come from one snapshot: a prune between two reads could
    // otherwise delete rows this replica never saw without it noticing.
    let rows = client
        .query(
            "SELECT pruned.through_seq, revocation.seq, revocation.origin, revocation.event \
             FROM revocations_pruned pruned \
             LEFT JOIN revocations revocation ON revocation.seq > $1 ORDER BY revocation.seq",
            &[&after],
        )
        .await
        .map_err(ConsoleError::database)?;
    let horizon: i64 = rows.first().map_or(0, |row| row.get(0));
    if horizon > after {
        tracing::warn!(
            last_seq = after,
            pruned_through = horizon,
            "revocations this replica had not read were pruned; resyncing listeners"
        );
        console.publish_local(RevocationEvent::Resync);
        *last_sequence = horizon;
    }
    for row in rows {
        let Some(sequence) = row.get::<_, Option<i64>>(1) else { continue };
        let (origin, text): (String, String) = (row.get(2), row.get(3));
        *last_sequence = sequence;
        if origin == feed.origin {
            continue;
        }
        match serde_json::from_str::<RevocationEvent>(&text) {
            Ok(event) => {
                tracing::info!(seq = sequence, event = ?event, "revocation from another replica");
                console.publish_local(event);
            }
            // Written by a newer console: gateways must drop every cached verdict to be safe.
            Err(error) => {
                tracing::warn!(seq = sequence, %error, "unreadable revocation in the feed; resyncing listeners");
                console.publish_local(RevocationEvent::Resync);
            }
        }
    }
    Ok(())
}

/// Prunes the feed every so often until `shutdown`: rows older than `retention` go.
pub(crate) async fn run_pruning(feed: Arc<Feed>, retention: Duration, shutdown: CancellationToken) {
    // Often enough that the table stays near its retention, rarely enough to cost nothing.
    let every = (retention / 4).clamp(Duration::from_secs(1), Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
        let before = crate::secret::now_ms().saturating_sub(i64::try_from(retention.as_millis()).unwrap_or(i64::MAX));
        let feed = feed.clone();
        match tokio::task::spawn_blocking(move || feed.prune(before)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(deleted)) => tracing::debug!(deleted, "pruned the revocation feed"),
            Ok(Err(error)) => tracing::warn!(%error, "could not prune the revocation feed"),
            Err(error) => tracing::warn!(%error, "revocation feed pruning task failed"),
        }
    }
}
