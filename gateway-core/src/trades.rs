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
//! the request ran; that is filed `unknown` like a silent terminal. Outcomes that prove nothing ran (`not_executed`, `terminal_offline`, `overloaded`, ...) are kept as
//! `failed` with that error, and a repeat with the same `client_id` runs the call afresh.

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

type Key = (String, String);
type Slot = watch::Sender<Option<Answer>>;

/// The outcome store.
pub struct TradeStore {
    db: Mutex<Connection>,
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
            db: Mutex::new(db),
            in_flight: Mutex::new(HashMap::new()),
            looking: Mutex::new(HashSet::new()),
            retention,
        };
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
        let permit_request = request_id;
        // SQLite keeps integers signed; request ids are below 2^63 (microseconds since 1970, counting up).
        let request_id = i64::try_from(request_id).unwrap_or(i64::MAX);
        match row {
            Some((_, _, status, _, error)) if rerunnable(&status, error.as_deref()) => {
                // Proven never run: this call is the first that runs, with whatever params it brings.
                db.execute(
                    "UPDATE trades SET method = ?3, params_hash = ?4, status = 'in_flight', result = NULL,
                     error = NULL, received_at = ?5, completed_at = NULL, request_id = ?6
                     WHERE scope = ?1 AND client_id = ?2",
                    params![scope, client_id, method, params_hash, now_ms(), request_id],
                )
                .map_err(internal)?;
            }
            Some((stored_method, stored_hash, status, result, error)) => {
                if stored_method != method || stored_hash != params_hash {
                    return Err(conflict());
                }
                if let Some(slot) = in_flight.get(&key) {
                    return Ok(Claim::Wait(slot.subscribe()));
                }
                return Ok(Claim::Done(stored_answer(parse_status(&status), result, error)));
            }
            None => {
                db.execute(
                    "INSERT INTO trades (scope, client_id, method, params_hash, status, received_at, request_id)
                     VALUES (?1, ?2, ?3, ?4, 'in_flight', ?5, ?6)",
                    params![scope, client_id, method, params_hash, now_ms(), request_id],
                )
                .map_err(internal)?;
            }
        }
        let slot = Arc::new(watch::channel(None).0);
        in_flight.insert(key.clone(), slot.clone());
        Ok(Claim::Run(RunPermit { key, slot, request_id: permit_request }))
    }

    /// Files the outcome of a first call and wakes the repeats waiting for it. A record the bridge settled
    /// meanwhile (a late reply or a discard that overtook the call's own ending) is left as it is.
    pub fn finish(&self, permit: RunPermit, answer: &Answer) {
        let (scope, client_id) = &permit.key;
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|poison| poison.into_inner());
        if let Err(error) = self.store(scope, client_id, permit.request_id, answer) {
            tracing::error!(%error, "could not store a trade outcome");
        }
        in_flight.remove(&permit.key);
        permit.slot.send_replace(Some(answer.clone()));
    }

    /// Stores `answer` over the record of request `request_id` if it is not final. Returns whether it changed.
    fn store(&self, scope: &str, client_id: &str, request_id: u64, answer: &Answer) -> rusqlite::Result<bool> {
        let status = classify(answer);
        let (result, error) = match answer {
            Ok(value) => (Some(value.to_string()), None),
            Err(error) => (None, serde_json::to_string(error).ok()),
        };
        let request_id = i64::try_from(request_id).unwrap_or(i64::MAX);
        let changed = self.db().execute(
            "UPDATE trades SET status = ?3, result = ?4, error = ?5, completed_at = ?6
             WHERE scope = ?1 AND client_id = ?2 AND status IN ('in_flight', 'unknown') AND request_id = ?7",
            params![scope, client_id, status_name(status), result, error, now_ms(), request_id],
        )?;
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
        let changed = self
            .db()
            .execute(
                "UPDATE trades SET status = 'done', result = ?3, error = NULL, completed_at = ?4
                 WHERE scope = ?1 AND client_id = ?2 AND status = 'unknown'",
                params![scope, client_id, result.to_string(), now_ms()],
            )
            .map_err(internal)?;
        Ok(changed > 0)
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

    fn open(dir: &tempfile::TempDir) -> TradeStore {
        TradeStore::open(dir.path(), Duration::from_secs(86400)).unwrap()
    }

    fn done(order: &str) -> Answer {
        Ok(json!({ "retcode": 10009, "order": order }))
    }

    #[test]
    fn outcomes_survive_a_reopen_and_conflicts_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let Ok(Claim::Run(ticket)) = store.claim("t1", "c1", "place_order", "h1", 1) else {
            panic!("first claim runs")
        };
        assert!(matches!(store.claim("t1", "c1", "place_order", "h1", 2), Ok(Claim::Wait(_))));
        store.finish(ticket, &Ok(json!({ "retcode": 10009 })));
        assert_eq!(store.claim("t1", "c1", "place_order", "h2", 3).err().unwrap().kind(), ErrorKind::ClientIdConflict);
        drop(store);
        let store = open(&dir);
        let Ok(Claim::Done(Ok(value))) = store.claim("t1", "c1", "place_order", "h1", 4) else { panic!("stored") };
        assert_eq!(value["retcode"], 10009);
        assert!(matches!(store.claim("t2", "c1", "place_order", "h1", 5), Ok(Claim::Run(_))));
    }

    #[test]
    fn in_flight_calls_become_unknown_after_a_restart_and_late_replies_are_filed() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let Ok(Claim::Run(_ticket)) = store.claim("t1", "c1", "place_order", "h1", 7) else { panic!() };
        drop(store);
        let store = open(&dir);
        let record = store.record("t1", "c1").unwrap().unwrap();
        assert_eq!(record.status, TradeStatus::Unknown);
        // Unknown is not an outcome a repeat may replace by running the call again.
        let Ok(Claim::Done(Err(error))) = store.claim("t1", "c1", "place_order", "h1", 8) else { panic!() };
        assert_eq!(error.kind(), ErrorKind::OutcomeUnknown);
        // A reply to another request with the same client_id settles nothing.
        store.file_late("t1", "c1", 8, &done("1"));
        assert_eq!(store.record("t1", "c1").unwrap().unwrap().status, TradeStatus::Unknown);
        store.file_late("t1", "c1", 7, &Err(ErrorObject::trade_rejected(10019, "TRADE_RETCODE_NO_MONEY", "no money")));
        assert_eq!(store.record("t1", "c1").unwrap().unwrap().status, TradeStatus::Failed);
        // Final: a second late answer does not overwrite it.
        store.file_late("t1", "c1", 7, &done("2"));
        assert_eq!(store.record("t1", "c1").unwrap().unwrap().status, TradeStatus::Failed);
    }

    #[test]
    fn not_executed_calls_are_kept_and_can_be_retried() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let Ok(Claim::Run(ticket)) = store.claim("t1", "c1", "place_order", "h1", 1) else { panic!() };
        store.finish(ticket, &Err(ErrorObject::of(ErrorKind::NotExecuted)));
        let record = store.record("t1", "c1").unwrap().unwrap();
        assert_eq!((record.status, record.error.unwrap().kind()), (TradeStatus::Failed, ErrorKind::NotExecuted));
        // Nothing ran, so even other params are the first call now.
        assert!(matches!(store.claim("t1", "c1", "place_order", "h2", 2), Ok(Claim::Run(_))));
    }

    #[test]
    fn an_unknown_outcome_stays_unknown_until_the_bridge_settles_that_request() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let Ok(Claim::Run(ticket)) = store.claim("t1", "c1", "place_order", "h1", 10) else { panic!() };
        store.finish(ticket, &Err(ErrorObject::of(ErrorKind::OutcomeUnknown)));
        assert_eq!(store.record("t1", "c1").unwrap().unwrap().status, TradeStatus::Unknown);
        // An answer that settles nothing is not filed.
        store.file_late("t1", "c1", 10, &Err(ErrorObject::of(ErrorKind::InvalidTerminalReply)));
        assert_eq!(store.record("t1", "c1").unwrap().unwrap().status, TradeStatus::Unknown);
        // A discard of another request is no proof for this one.
        let other = [Discarded { id: 11, client_id: Some("c1".into()) }];
        store.file_discarded("t1", &other).unwrap();
        assert!(matches!(store.claim("t1", "c1", "place_order", "h1", 12), Ok(Claim::Done(Err(_)))));
        // The bridge's proof for request 10: a repeat runs it, as request 13.
        store.file_discarded("t1", &[Discarded { id: 10, client_id: Some("c1".into()) }]).unwrap();
        let Ok(Claim::Run(ticket)) = store.claim("t1", "c1", "place_order", "h1", 13) else { panic!("rerun") };
        // The same discard reported again (its welcome was lost) must not touch the new attempt.
        store.file_discarded("t1", &[Discarded { id: 10, client_id: Some("c1".into()) }]).unwrap();
        assert_eq!(store.record("t1", "c1").unwrap().unwrap().status, TradeStatus::InFlight);
        store.finish(ticket, &Err(ErrorObject::of(ErrorKind::OutcomeUnknown)));
        store.file_discarded("t1", &[Discarded { id: 10, client_id: Some("c1".into()) }]).unwrap();
        assert!(matches!(store.claim("t1", "c1", "place_order", "h1", 14), Ok(Claim::Done(Err(_)))));
        store.file_late("t1", "c1", 13, &done("55"));
        let Ok(Claim::Done(Ok(value))) = store.claim("t1", "c1", "place_order", "h1", 15) else { panic!("done") };
        assert_eq!(value["order"], "55");
    }

    #[test]
    fn only_an_unknown_record_is_settled_by_what_the_terminal_shows() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let shown = json!({ "retcode": 10009, "order": "31" });
        let Ok(Claim::Run(ticket)) = store.claim("t1", "c1", "place_order", "h1", 30) else { panic!() };
        assert!(!store.settle("t1", "c1", &shown).unwrap(), "a call in flight is not settled under it");
        store.finish(ticket, &Err(ErrorObject::of(ErrorKind::OutcomeUnknown)));
        assert!(!store.settle("t1", "other", &shown).unwrap(), "no record, nothing settled");
        assert!(!store.settle("t2", "c1", &shown).unwrap(), "another terminal's record is another record");
        assert!(store.settle("t1", "c1", &shown).unwrap());
        let record = store.record("t1", "c1").unwrap().unwrap();
        assert_eq!(record.status, TradeStatus::Done);
        assert!(record.error.is_none() && record.completed_at.is_some(), "{record:?}");
        let Ok(Claim::Done(Ok(value))) = store.claim("t1", "c1", "place_order", "h1", 31) else { panic!("done") };
        assert_eq!(value["order"], "31", "a repeat gets the settled outcome and runs nothing");
        // Final: neither a second settlement nor a late reply replaces it.
        assert!(!store.settle("t1", "c1", &json!({ "retcode": 10009, "order": "32" })).unwrap());
        store.file_late("t1", "c1", 30, &done("33"));
        let Ok(Claim::Done(Ok(value))) = store.claim("t1", "c1", "place_order", "h1", 32) else { panic!("done") };
        assert_eq!(value["order"], "31");
        let Ok(Claim::Run(ticket)) = store.claim("t1", "c2", "place_order", "h1", 33) else { panic!() };
        store.finish(ticket, &Err(ErrorObject::trade_rejected(10019, "TRADE_RETCODE_NO_MONEY", "no money")));
        assert!(!store.settle("t1", "c2", &shown).unwrap(), "a rejection is final");
    }

    #[test]
    fn one_look_at_a_time_per_record() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let look = store.look("t1", "c1").expect("the first look");
        assert!(store.look("t1", "c1").is_none(), "a second look waits for the first to end");
        assert!(store.look("t1", "c2").is_some() && store.look("t2", "c1").is_some(), "other records look freely");
        drop(look);
        assert!(store.look("t1", "c1").is_some(), "ended, a new look may start");
    }

    #[test]
    fn a_late_outcome_that_overtakes_the_call_is_not_overwritten_by_its_ending() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let Ok(Claim::Run(ticket)) = store.claim("t1", "c1", "place_order", "h1", 20) else { panic!() };
        store.file_late("t1", "c1", 20, &done("9"));
        store.finish(ticket, &Err(ErrorObject::of(ErrorKind::OutcomeUnknown)));
        assert_eq!(store.record("t1", "c1").unwrap().unwrap().status, TradeStatus::Done);
        let Ok(Claim::Done(Ok(value))) = store.claim("t1", "c1", "place_order", "h1", 21) else { panic!("done") };
        assert_eq!(value["order"], "9");
    }

    #[test]
    fn a_store_without_request_ids_gains_the_column() {
        let dir = tempfile::tempdir().unwrap();
        let db = Connection::open(dir.path().join("trades.sqlite3")).unwrap();
        db.execute_batch(
            "CREATE TABLE trades (scope TEXT NOT NULL, client_id TEXT NOT NULL, method TEXT NOT NULL,
             params_hash TEXT NOT NULL, status TEXT NOT NULL, result TEXT, error TEXT, received_at INTEGER NOT NULL,
             completed_at INTEGER, PRIMARY KEY (scope, client_id));
             INSERT INTO trades VALUES ('t1', 'old', 'place_order', 'h1', 'in_flight', NULL, NULL, 1, NULL);",
        )
        .unwrap();
        drop(db);
        let store = TradeStore::open(dir.path(), Duration::from_secs(u64::MAX / 4000)).unwrap();
        store.file_late("t1", "old", 1, &done("1"));
        assert_eq!(store.record("t1", "old").unwrap().unwrap().status, TradeStatus::Unknown);
        assert!(matches!(store.claim("t1", "new", "place_order", "h1", 2), Ok(Claim::Run(_))));
    }
}
