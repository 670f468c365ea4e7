//! Idempotent trading: a trading call with a `client_id` is executed at most once per terminal.
//!
//! Records live in a SQLite table in the data directory, so outcomes survive a restart and stay answerable by
//! `get_trade_result` for the retention period (at least 24 hours). A repeat of a call in flight waits for the first
//! call's outcome through a watch channel; a repeat of a finished call gets the stored outcome; the same `client_id`
//! with other params is `client_id_conflict`.
//!
//! Outcomes that prove nothing was executed and that a retry may change (`not_executed`, `terminal_offline`,
//! `overloaded`, ...) are not kept: the record is removed so that a retry with the same `client_id` runs.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use metaapi_protocol::methods::{TradeOutput, TradeRecord, TradeStatus};
use metaapi_protocol::{ErrorKind, ErrorObject};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use tokio::sync::watch;

use crate::auth::now_ms;
use crate::error::GatewayError;
use crate::terminals::Answer;

type Key = (String, String);
type Slot = watch::Sender<Option<Answer>>;

/// The outcome store.
pub struct TradeStore {
    db: Mutex<Connection>,
    in_flight: Mutex<HashMap<Key, Arc<Slot>>>,
    retention: Duration,
}

/// What to do with a trading call.
pub enum Claim {
    /// First time: run it, then [`TradeStore::finish`] the ticket.
    Run(Ticket),
    /// Already finished: this is the first outcome.
    Done(Answer),
    /// In flight: wait for the first outcome.
    Wait(watch::Receiver<Option<Answer>>),
}

/// The right and duty to file the outcome of a first call.
pub struct Ticket {
    key: Key,
    slot: Arc<Slot>,
}

fn status_name(status: TradeStatus) -> &'static str {
    match status {
        TradeStatus::InFlight => "in_flight",
        TradeStatus::Done => "done",
        TradeStatus::Failed => "failed",
        TradeStatus::Unknown => "unknown",
    }
}

fn parse_status(text: &str) -> TradeStatus {
    match text {
        "in_flight" => TradeStatus::InFlight,
        "done" => TradeStatus::Done,
        "failed" => TradeStatus::Failed,
        _ => TradeStatus::Unknown,
    }
}

/// Whether an error proves the call never ran and a retry may succeed.
fn never_ran(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::NotExecuted
            | ErrorKind::TerminalOffline
            | ErrorKind::Overloaded
            | ErrorKind::AuthUnavailable
            | ErrorKind::RateLimited
    )
}

fn classify(answer: &Answer) -> TradeStatus {
    match answer {
        Ok(_) => TradeStatus::Done,
        Err(error) if matches!(error.kind(), ErrorKind::OutcomeUnknown | ErrorKind::InvalidTerminalReply) => {
            TradeStatus::Unknown
        }
        Err(_) => TradeStatus::Failed,
    }
}

impl TradeStore {
    /// Opens (or creates) `<data_dir>/trades.sqlite3`, purges expired records, and marks calls that were in flight
    /// when the gateway stopped as unknown.
    pub fn open(data_dir: &Path, retention: Duration) -> Result<TradeStore, GatewayError> {
        std::fs::create_dir_all(data_dir)?;
        let db = Connection::open(data_dir.join("trades.sqlite3"))?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS trades (
                 scope TEXT NOT NULL,
                 client_id TEXT NOT NULL,
                 method TEXT NOT NULL,
                 params_hash TEXT NOT NULL,
                 status TEXT NOT NULL,
                 result TEXT,
                 error TEXT,
                 received_at INTEGER NOT NULL,
                 completed_at INTEGER,
                 PRIMARY KEY (scope, client_id)
             );",
        )?;
        let restarted = serde_json::to_string(&ErrorObject::new(
            ErrorKind::OutcomeUnknown,
            "the gateway stopped while the call was in flight; it may or may not have been executed",
        ))
        .unwrap_or_default();
        db.execute(
            "UPDATE trades SET status = 'unknown', error = ?1, completed_at = ?2 WHERE status = 'in_flight'",
            params![restarted, now_ms()],
        )?;
        let store = TradeStore { db: Mutex::new(db), in_flight: Mutex::new(HashMap::new()), retention };
        store.purge()?;
        Ok(store)
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// Deletes records older than the retention period.
    pub fn purge(&self) -> Result<usize, GatewayError> {
        let cutoff = now_ms() - i64::try_from(self.retention.as_millis()).unwrap_or(i64::MAX);
        Ok(self.db().execute("DELETE FROM trades WHERE received_at < ?1 AND status != 'in_flight'", [cutoff])?)
    }

    /// Decides whether a trading call runs, repeats an outcome, or waits for one.
    pub fn claim(&self, scope: &str, client_id: &str, method: &str, params_hash: &str) -> Result<Claim, ErrorObject> {
        let key = (scope.to_owned(), client_id.to_owned());
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|poison| poison.into_inner());
        let conflict = || {
            ErrorObject::new(
                ErrorKind::ClientIdConflict,
                format!("client_id {client_id} was used before with a different method or params"),
            )
            .with_client_id(Some(client_id))
        };
        let db = self.db();
        type Row = (String, String, String, Option<String>, Option<String>);
        let row: Option<Row> = db
            .query_row(
                "SELECT method, params_hash, status, result, error FROM trades WHERE scope = ?1 AND client_id = ?2",
                params![scope, client_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
            )
            .optional()
            .map_err(internal)?;
        if let Some((stored_method, stored_hash, status, result, error)) = row {
            if stored_method != method || stored_hash != params_hash {
                return Err(conflict());
            }
            if let Some(slot) = in_flight.get(&key) {
                return Ok(Claim::Wait(slot.subscribe()));
            }
            return Ok(Claim::Done(stored_answer(parse_status(&status), result, error)));
        }
        db.execute(
            "INSERT INTO trades (scope, client_id, method, params_hash, status, received_at)
             VALUES (?1, ?2, ?3, ?4, 'in_flight', ?5)",
            params![scope, client_id, method, params_hash, now_ms()],
        )
        .map_err(internal)?;
        let slot = Arc::new(watch::channel(None).0);
        in_flight.insert(key.clone(), slot.clone());
        Ok(Claim::Run(Ticket { key, slot }))
    }

    /// Files the outcome of a first call and wakes the repeats waiting for it.
    pub fn finish(&self, ticket: Ticket, answer: &Answer) {
        let (scope, client_id) = &ticket.key;
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|poison| poison.into_inner());
        let stored = match answer {
            Err(error) if never_ran(error.kind()) => self
                .db()
                .execute("DELETE FROM trades WHERE scope = ?1 AND client_id = ?2", params![scope, client_id])
                .map(drop),
            _ => self.store(scope, client_id, answer),
        };
        if let Err(error) = stored {
            tracing::error!(%error, "could not store a trade outcome");
        }
        in_flight.remove(&ticket.key);
        ticket.slot.send_replace(Some(answer.clone()));
    }

    fn store(&self, scope: &str, client_id: &str, answer: &Answer) -> rusqlite::Result<()> {
        let status = classify(answer);
        let (result, error) = match answer {
            Ok(value) => (Some(value.to_string()), None),
            Err(error) => (None, serde_json::to_string(error).ok()),
        };
        self.db().execute(
            "UPDATE trades SET status = ?3, result = ?4, error = ?5, completed_at = ?6
             WHERE scope = ?1 AND client_id = ?2",
            params![scope, client_id, status_name(status), result, error, now_ms()],
        )?;
        Ok(())
    }

    /// Files a reply that arrived after its caller gave up (or after a restart), when its outcome was unknown.
    pub fn file_late(&self, scope: &str, client_id: &str, answer: &Answer) {
        let status: Option<String> = self
            .db()
            .query_row(
                "SELECT status FROM trades WHERE scope = ?1 AND client_id = ?2",
                params![scope, client_id],
                |row| row.get(0),
            )
            .optional()
            .unwrap_or(None);
        if status.as_deref() == Some("unknown") {
            match self.store(scope, client_id, answer) {
                Ok(()) => tracing::info!(client_id, "late trade outcome filed"),
                Err(error) => tracing::error!(%error, "could not file a late trade outcome"),
            }
        }
    }

    /// The record of `client_id`, for `get_trade_result`.
    pub fn record(&self, scope: &str, client_id: &str) -> Result<Option<TradeRecord>, ErrorObject> {
        type Row = (String, String, Option<String>, Option<String>, i64, Option<i64>);
        let row: Option<Row> = self
            .db()
            .query_row(
                "SELECT method, status, result, error, received_at, completed_at FROM trades
                 WHERE scope = ?1 AND client_id = ?2",
                params![scope, client_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)),
            )
            .optional()
            .map_err(internal)?;
        let Some((method, status, result, error, received_at, completed_at)) = row else {
            return Ok(None);
        };
        let result = result.as_deref().and_then(|text| serde_json::from_str::<TradeOutput>(text).ok());
        let error = error.as_deref().and_then(|text| serde_json::from_str::<ErrorObject>(text).ok());
        Ok(Some(TradeRecord {
            client_id: client_id.to_owned(),
            method,
            status: parse_status(&status),
            result,
            error,
            received_at,
            completed_at,
        }))
    }
}

fn stored_answer(status: TradeStatus, result: Option<String>, error: Option<String>) -> Answer {
    if status == TradeStatus::Done
        && let Some(value) = result.as_deref().and_then(|text| serde_json::from_str::<Value>(text).ok())
    {
        return Ok(value);
    }
    Err(error.as_deref().and_then(|text| serde_json::from_str::<ErrorObject>(text).ok()).unwrap_or_else(|| {
        ErrorObject::new(ErrorKind::OutcomeUnknown, "the first call with this client_id has no known outcome")
    }))
}

fn internal(error: rusqlite::Error) -> ErrorObject {
    tracing::error!(%error, "trade store failure");
    ErrorObject::new(ErrorKind::Internal, "the trade outcome store failed")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outcomes_survive_a_reopen_and_conflicts_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = TradeStore::open(dir.path(), Duration::from_secs(86400)).unwrap();
        let Ok(Claim::Run(ticket)) = store.claim("t1", "c1", "place_order", "h1") else { panic!("first claim runs") };
        assert!(matches!(store.claim("t1", "c1", "place_order", "h1"), Ok(Claim::Wait(_))));
        store.finish(ticket, &Ok(json!({ "retcode": 10009 })));
        assert_eq!(store.claim("t1", "c1", "place_order", "h2").err().unwrap().kind(), ErrorKind::ClientIdConflict);
        drop(store);
        let store = TradeStore::open(dir.path(), Duration::from_secs(86400)).unwrap();
        let Ok(Claim::Done(Ok(value))) = store.claim("t1", "c1", "place_order", "h1") else { panic!("stored") };
        assert_eq!(value["retcode"], 10009);
        assert!(matches!(store.claim("t2", "c1", "place_order", "h1"), Ok(Claim::Run(_))));
    }

    #[test]
    fn in_flight_calls_become_unknown_after_a_restart_and_late_replies_are_filed() {
        let dir = tempfile::tempdir().unwrap();
        let store = TradeStore::open(dir.path(), Duration::from_secs(86400)).unwrap();
        let Ok(Claim::Run(_ticket)) = store.claim("t1", "c1", "place_order", "h1") else { panic!() };
        drop(store);
        let store = TradeStore::open(dir.path(), Duration::from_secs(86400)).unwrap();
        let record = store.record("t1", "c1").unwrap().unwrap();
        assert_eq!(record.status, TradeStatus::Unknown);
        store.file_late("t1", "c1", &Err(ErrorObject::trade_rejected(10019, "TRADE_RETCODE_NO_MONEY", "no money")));
        assert_eq!(store.record("t1", "c1").unwrap().unwrap().status, TradeStatus::Failed);
    }

    #[test]
    fn not_executed_calls_can_be_retried() {
        let dir = tempfile::tempdir().unwrap();
        let store = TradeStore::open(dir.path(), Duration::from_secs(86400)).unwrap();
        let Ok(Claim::Run(ticket)) = store.claim("t1", "c1", "place_order", "h1") else { panic!() };
        store.finish(ticket, &Err(ErrorObject::of(ErrorKind::NotExecuted)));
        assert!(matches!(store.claim("t1", "c1", "place_order", "h1"), Ok(Claim::Run(_))));
    }
}
