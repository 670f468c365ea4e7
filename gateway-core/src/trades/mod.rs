//! Idempotent trading: a trading call with a `client_id` is executed at most once per terminal.
//!
//! Records live in a SQLite table in the data directory, so outcomes survive a restart and stay answerable by
//! `get_trade_result` for the retention period (at least 24 hours). A repeat of a call in flight waits for the first
//! call's outcome through a watch channel; a repeat of a finished call gets the stored outcome; the same `client_id`
//! with other params is `client_id_conflict`.
//!
//! A record is final once it holds a result or a refusal from the terminal. It is not final while `in_flight` or
//! `unknown`: then a repeat gets `outcome_unknown` and never runs the call again, and the outcome is settled later by
//! the bridge, matched by the request id the record keeps (a late reply, or a hello that lists the request as
//! discarded), or by the terminal itself: when `get_trade_result` is asked about an `unknown` record, the gateway
//! looks in the terminal for a deal, position or order carrying its `client_id` (`methods/settle.rs`), and one found
//! settles it `done` ([`TradeStore::settle`]). Nothing found settles nothing. A terminal answers `outcome_unknown`
//! itself when its trade server timed out or lost the connection with the request out and it found nothing to prove
//! the request ran; that is filed `unknown` like a silent terminal. Outcomes that prove nothing ran (`not_executed`,
//! `terminal_offline`, `overloaded`, ...) are kept as `failed` with that error, and a repeat with the same
//! `client_id` runs the call afresh.
//!
//! Nothing is acted on before it is on disk: a first call's record before the call goes to the terminal, its
//! outcome before the caller hears it. Concurrent calls share those commits (`journal.rs`).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use metaapi_protocol::link::Discarded;
use metaapi_protocol::methods::{TradeOutput, TradeRecord, TradeStatus};
use metaapi_protocol::{ErrorKind, ErrorObject};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use tokio::sync::watch;

use crate::auth::now_ms;
use crate::error::GatewayError;
use crate::terminals::Answer;

mod journal;

use journal::Journal;

type Key = (String, String);
type Slot = watch::Sender<Option<Answer>>;

/// The outcome store.
pub struct TradeStore {
    journal: Journal,
    in_flight: Mutex<HashMap<Key, Arc<Slot>>>,
    /// Unknown records whose outcome is being looked for in their terminal (`methods/settle.rs`), so that a client
    /// asking again and again starts one look at a time.
    looking: Mutex<HashSet<Key>>,
    retention: Duration,
}

/// A look for an unknown record's outcome under way; dropping it ends the look.
pub struct Look<'a> {
    store: &'a TradeStore,
    key: Key,
}

impl Drop for Look<'_> {
    fn drop(&mut self) {
        self.store.looking.lock().unwrap_or_else(|poison| poison.into_inner()).remove(&self.key);
    }
}

/// What to do with a trading call.
pub enum Claim {
    /// First time: run it, then [`TradeStore::finish`] with the permit.
    Run(RunPermit),
    /// Already finished: this is the first outcome.
    Done(Answer),
    /// In flight: wait for the first outcome.
    Wait(watch::Receiver<Option<Answer>>),
}

/// The right to run a first call and the duty to file its outcome. (Not a MetaTrader ticket, which names an order,
/// deal or position.)
pub struct RunPermit {
    key: Key,
    slot: Arc<Slot>,
    request_id: u64,
}

/// Whether a stored record proves its call never ran, so that a repeat may run it.
fn rerunnable(status: &str, error: Option<&str>) -> bool {
    status == "failed"
        && error
            .and_then(|text| serde_json::from_str::<ErrorObject>(text).ok())
            .is_some_and(|error| never_ran(error.kind()))
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
                 request_id INTEGER,
                 PRIMARY KEY (scope, client_id)
             );",
        )?;
        // Stores made before request ids were kept get the column; their records match no late reply.
        let columns: Vec<String> = db
            .prepare("SELECT name FROM pragma_table_info('trades')")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if !columns.iter().any(|name| name == "request_id") {
            db.execute_batch("ALTER TABLE trades ADD COLUMN request_id INTEGER")?;
        }
        let restarted = serde_json::to_string(&ErrorObject::new(
            ErrorKind::OutcomeUnknown,
            "the gateway stopped while the call was in flight; it may or may not have been executed",
        ))
        .unwrap_or_default();
        db.execute(
            "UPDATE trades SET status = 'unknown', error = ?1, completed_at = ?2 WHERE status = 'in_flight'",
            params![restarted, now_ms()],
        )?;
        let store = TradeStore {
            journal: Journal::new(db),
            in_flight: Mutex::new(HashMap::new()),
            looking: Mutex::new(HashSet::new()),
            retention,
        };
        store.purge()?;
        Ok(store)
    }

    /// Deletes records older than the retention period.
    pub fn purge(&self) -> Result<usize, GatewayError> {
        let cutoff = now_ms() - i64::try_from(self.retention.as_millis()).unwrap_or(i64::MAX);
        let (deleted, written) = self.journal.write(|connection| {
            connection.execute("DELETE FROM trades WHERE received_at < ?1 AND status != 'in_flight'", [cutoff])
        })?;
        self.journal.durable(written)?;
        Ok(deleted)
    }

    /// Decides whether a trading call runs, repeats an outcome, or waits for one. `request_id` is the link request
    /// id the call will be sent with if it runs; late answers are matched by it.
    pub fn claim(
        &self,
        scope: &str,
        client_id: &str,
        method: &str,
        params_hash: &str,
        request_id: u64,
    ) -> Result<Claim, ErrorObject> {
        let key = (scope.to_owned(), client_id.to_owned());
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|poison| poison.into_inner());
        let conflict = || {
            ErrorObject::new(
                ErrorKind::ClientIdConflict,
                format!("client_id {client_id} was used before with a different method or params"),
            )
            .with_client_id(Some(client_id))
        };
        type Row = (String, String, String, Option<String>, Option<String>);
        let permit_request = request_id;
        // SQLite keeps integers signed; request ids are below 2^63 (microseconds since 1970, counting up).
        let request_id = i64::try_from(request_id).unwrap_or(i64::MAX);
        // Read and, for a first call, write as one step: another claim of the same record waits for `in_flight`.
        let (stored, written) = self
            .journal
            .write(|connection| {
                let row: Option<Row> = connection
                    .query_row(
                        "SELECT method, params_hash, status, result, error FROM trades
                         WHERE scope = ?1 AND client_id = ?2",
                        params![scope, client_id],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
                    )
                    .optional()?;
                match row {
                    Some((_, _, status, _, error)) if rerunnable(&status, error.as_deref()) => {
                        // Proven never run: this call is the first that runs, with whatever params it brings.
                        connection.execute(
                            "UPDATE trades SET method = ?3, params_hash = ?4, status = 'in_flight', result = NULL,
                             error = NULL, received_at = ?5, completed_at = NULL, request_id = ?6
                             WHERE scope = ?1 AND client_id = ?2",
                            params![scope, client_id, method, params_hash, now_ms(), request_id],
                        )?;
                        Ok(None)
                    }
                    Some(row) => Ok(Some(row)),
                    None => {
                        connection.execute(
                            "INSERT INTO trades (scope, client_id, method, params_hash, status, received_at,
                             request_id) VALUES (?1, ?2, ?3, ?4, 'in_flight', ?5, ?6)",
                            params![scope, client_id, method, params_hash, now_ms(), request_id],
                        )?;
                        Ok(None)
                    }
                }
            })
            .map_err(internal)?;
        // Nothing is answered on before what it rests on is on disk: a first call's record (or it could run twice
        // after a crash), or the record a repeat read, which another call may have written moments ago. The wait
        // is outside `in_flight`, so other calls write meanwhile and share the commit.
        let claim = match stored {
            Some((stored_method, stored_hash, status, result, error)) => {
                if stored_method != method || stored_hash != params_hash {
                    Err(conflict())
                } else if let Some(slot) = in_flight.get(&key) {
                    Ok(Claim::Wait(slot.subscribe()))
                } else {
                    Ok(Claim::Done(stored_answer(parse_status(&status), result, error)))
                }
            }
            None => {
                let slot = Arc::new(watch::channel(None).0);
                in_flight.insert(key.clone(), slot.clone());
                Ok(Claim::Run(RunPermit { key: key.clone(), slot, request_id: permit_request }))
            }
        };
        drop(in_flight);
        if let Err(failed) = self.journal.durable(written) {
            if let Ok(Claim::Run(permit)) = &claim {
                // The record is gone with the commit: the call must not run, and repeats that waited on it learn so.
                let failure = internal(&failed);
                self.in_flight.lock().unwrap_or_else(|poison| poison.into_inner()).remove(&key);
                permit.slot.send_replace(Some(Err(failure.clone())));
                return Err(failure);
            }
            return Err(internal(&failed));
        }
        claim
    }

    /// Files the outcome of a first call and wakes the repeats waiting for it. A record the bridge settled
    /// meanwhile (a late reply or a discard that overtook the call's own ending) is left as it is.
    pub fn finish(&self, permit: RunPermit, answer: &Answer) {
        let (scope, client_id) = &permit.key;
        // Filed and on disk before the repeats (and, through them, the caller) hear it. A repeat that comes
        // meanwhile finds the slot still in `in_flight` and waits on it.
        if let Err(error) = self.store(scope, client_id, permit.request_id, answer) {
            tracing::error!(%error, "could not store a trade outcome");
        }
        self.in_flight.lock().unwrap_or_else(|poison| poison.into_inner()).remove(&permit.key);
        permit.slot.send_replace(Some(answer.clone()));
    }

    /// Stores `answer` over the record of request `request_id` if it is not final. Returns whether it changed.
    fn store(&self, scope: &str, client_id: &str, request_id: u64, answer: &Answer) -> Result<bool, GatewayError> {
        let status = classify(answer);
        let (result, error) = match answer {
            Ok(value) => (Some(value.to_string()), None),
            Err(error) => (None, serde_json::to_string(error).ok()),
        };
        let request_id = i64::try_from(request_id).unwrap_or(i64::MAX);
        let (changed, written) = self.journal.write(|connection| {
            connection.execute(
                "UPDATE trades SET status = ?3, result = ?4, error = ?5, completed_at = ?6
                 WHERE scope = ?1 AND client_id = ?2 AND status IN ('in_flight', 'unknown') AND request_id = ?7",
                params![scope, client_id, status_name(status), result, error, now_ms(), request_id],
            )
        })?;
        self.journal.durable(written)?;
        Ok(changed > 0)
    }

    /// Files an answer from the bridge that no call waited for (its caller gave up, its link dropped, or the
    /// gateway restarted) over the record of request `request_id`, if that record is not final. An answer that
    /// settles nothing (`outcome_unknown`, an invalid reply) leaves the record as it is.
    pub fn file_late(&self, scope: &str, client_id: &str, request_id: u64, answer: &Answer) {
        if classify(answer) == TradeStatus::Unknown {
            return;
        }
        match self.store(scope, client_id, request_id, answer) {
            Ok(true) => tracing::info!(client_id, "late trade outcome filed"),
            Ok(false) => {}
            Err(error) => tracing::error!(%error, "could not file a late trade outcome"),
        }
    }

    /// Files the proof, from a bridge's hello, that these requests were discarded unexecuted: each trading call's
    /// record becomes `failed` with `not_executed`, so a repeat runs it.
    pub fn file_discarded(&self, scope: &str, discarded: &[Discarded]) -> Result<(), GatewayError> {
        let error = ErrorObject::new(
            ErrorKind::NotExecuted,
            "the terminal's bridge discarded the request unexecuted: the link it came on dropped before the \
             terminal took it",
        );
        for request in discarded {
            let Some(client_id) = request.client_id.as_deref() else { continue };
            let answer = Err(error.clone().with_client_id(Some(client_id)));
            if self.store(scope, client_id, request.id, &answer)? {
                tracing::info!(client_id, "trading call discarded by the bridge filed as not executed");
            }
        }
        Ok(())
    }

    /// Starts a look for the outcome of `client_id`'s record in its terminal; `None` while another one is under way.
    pub fn look(&self, scope: &str, client_id: &str) -> Option<Look<'_>> {
        let key = (scope.to_owned(), client_id.to_owned());
        let fresh = self.looking.lock().unwrap_or_else(|poison| poison.into_inner()).insert(key.clone());
        fresh.then_some(Look { store: self, key })
    }

    /// Settles an `unknown` record as `done` with `result`, read off what the terminal shows of the call (see
    /// `methods/settle.rs`). Returns whether it changed; a record that is anything but `unknown` (a call still in
    /// flight, an outcome already filed) is left as it is.
    pub fn settle(&self, scope: &str, client_id: &str, result: &Value) -> Result<bool, ErrorObject> {
        let (changed, written) = self
            .journal
            .write(|connection| {
                connection.execute(
                    "UPDATE trades SET status = 'done', result = ?3, error = NULL, completed_at = ?4
                     WHERE scope = ?1 AND client_id = ?2 AND status = 'unknown'",
                    params![scope, client_id, result.to_string(), now_ms()],
                )
            })
            .map_err(internal)?;
        self.journal.durable(written).map_err(|failed| internal(&failed))?;
        Ok(changed > 0)
    }

    /// The record of `client_id`, for `get_trade_result`.
    pub fn record(&self, scope: &str, client_id: &str) -> Result<Option<TradeRecord>, ErrorObject> {
        type Row = (String, String, Option<String>, Option<String>, i64, Option<i64>);
        let (row, seen): (Option<Row>, _) = self
            .journal
            .read(|connection| {
                connection
                    .query_row(
                        "SELECT method, status, result, error, received_at, completed_at FROM trades
                         WHERE scope = ?1 AND client_id = ?2",
                        params![scope, client_id],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?)),
                    )
                    .optional()
            })
            .map_err(internal)?;
        // What is reported is on disk: a record written moments ago is not reported before it is.
        self.journal.durable(seen).map_err(|failed| internal(&failed))?;
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

fn internal(error: impl std::fmt::Display) -> ErrorObject {
    tracing::error!(%error, "trade store failure");
    ErrorObject::new(ErrorKind::Internal, "the trade outcome store failed")
}

#[cfg(test)]
mod tests;
