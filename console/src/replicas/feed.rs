//! One replica's link to the revocation feed the replicas share: opening it, appending to it and pruning it, apart
//! from the listening loops that deliver its rows to a console, so the console's state can hold it.

use std::sync::Arc;

use metaapi_protocol::console::RevocationEvent;

use crate::error::ConsoleError;
use crate::store::PostgresStore;

/// The notification channel; its payload is the new row's sequence number (for logs only).
pub const CHANNEL: &str = "console_revocations";

/// `application_name` of the listening connection, so operators (and tests) can find it in `pg_stat_activity`.
pub const LISTENER_APPLICATION_NAME: &str = "metaapi-console-listen";

/// One replica's link to the shared feed.
pub(crate) struct Feed {
    pub(super) store: Arc<PostgresStore>,
    /// This replica's id, written with each row so it does not deliver its own events twice.
    pub(super) origin: String,
    /// The feed's last sequence number when the replica opened: it delivers everything after it, so nothing
    /// published once its gateways can connect is skipped, however late its listening connection comes up.
    pub(super) start_sequence: i64,
}

impl Feed {
    pub(crate) fn open(store: Arc<PostgresStore>) -> Result<Feed, ConsoleError> {
        let start_sequence = store.last_revocation_sequence()?;
        Ok(Feed { store, origin: format!("rep_{}", uuid::Uuid::new_v4().simple()), start_sequence })
    }

    /// Deletes rows written before `before` (epoch ms); answers how many went.
    pub(crate) fn prune(&self, before: i64) -> Result<u64, ConsoleError> {
        self.store.prune_revocations(before)
    }

    /// Appends `event` to the feed and notifies every replica; answers its sequence number.
    pub(crate) fn append(&self, event: &RevocationEvent) -> Result<i64, ConsoleError> {
        let text = serde_json::to_string(event).map_err(|error| ConsoleError::Task(error.to_string()))?;
        self.store.append_revocation(&self.origin, &text, CHANNEL)
    }
}
