//! The replicas' revocation feed in the PostgreSQL store: reading its last sequence number, appending a row with
//! its notification, and pruning old rows (the listening loops that read it live in `crate::replicas`).

use metaapi_protocol::types::TimeMs;

use super::PostgresStore;
use crate::error::ConsoleError;

impl PostgresStore {
    /// The replicas' feed's last sequence number: its newest row's, or the pruned horizon when pruning emptied it
    /// (0 for a new feed).
    pub(crate) fn last_revocation_sequence(&self) -> Result<i64, ConsoleError> {
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let row = client
                .query_one(
                    "SELECT GREATEST((SELECT COALESCE(MAX(seq), 0) FROM revocations), \
                     (SELECT through_seq FROM revocations_pruned))",
                    &[],
                )
                .await
                .map_err(ConsoleError::database)?;
            Ok(row.get(0))
        })
    }

    /// Deletes the feed's rows written before `before` (epoch ms) and moves the pruned horizon past them, in one
    /// transaction; answers how many rows went. A replica whose listener resumes from below the horizon learns that
    /// it missed rows (see `replicas::deliver_after`).
    pub(crate) fn prune_revocations(&self, before: TimeMs) -> Result<u64, ConsoleError> {
        self.run(move |pool| async move {
            let mut client = pool.get().await.map_err(ConsoleError::database)?;
            let transaction = client.transaction().await.map_err(ConsoleError::database)?;
            // The horizon row is locked first, so replicas pruning at once take turns instead of racing.
            transaction
                .execute("SELECT through_seq FROM revocations_pruned FOR UPDATE", &[])
                .await
                .map_err(ConsoleError::database)?;
            let row = transaction
                .query_one("SELECT MAX(seq) FROM revocations WHERE created_at < $1", &[&before])
                .await
                .map_err(ConsoleError::database)?;
            let Some(through) = row.get::<_, Option<i64>>(0) else {
                return Ok(0);
            };
            let deleted = transaction
                .execute("DELETE FROM revocations WHERE seq <= $1", &[&through])
                .await
                .map_err(ConsoleError::database)?;
            transaction
                .execute("UPDATE revocations_pruned SET through_seq = GREATEST(through_seq, $1)", &[&through])
                .await
                .map_err(ConsoleError::database)?;
            transaction.commit().await.map_err(ConsoleError::database)?;
            Ok(deleted)
        })
    }

    /// Appends a revocation to the replicas' feed and notifies `channel` in the same transaction; answers its
    /// sequence number.
    pub(crate) fn append_revocation(&self, origin: &str, event: &str, channel: &str) -> Result<i64, ConsoleError> {
        let (origin, event, channel) = (origin.to_owned(), event.to_owned(), channel.to_owned());
        let now = crate::secret::now_ms();
        self.run(|pool| async move {
            let mut client = pool.get().await.map_err(ConsoleError::database)?;
            let transaction = client.transaction().await.map_err(ConsoleError::database)?;
            let row = transaction
                .query_one(
                    "INSERT INTO revocations (origin, event, created_at) VALUES ($1, $2, $3) RETURNING seq",
                    &[&origin, &event, &now],
                )
                .await
                .map_err(ConsoleError::database)?;
            let sequence: i64 = row.get(0);
            transaction
                .execute("SELECT pg_notify($1, $2)", &[&channel, &sequence.to_string()])
                .await
                .map_err(ConsoleError::database)?;
            transaction.commit().await.map_err(ConsoleError::database)?;
            Ok(sequence)
        })
    }
}
