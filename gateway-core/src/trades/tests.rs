//! The trade store's unit tests: claims, outcomes, late answers, discards, settlements and commits.

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
    let Ok(Claim::Run(ticket)) = store.claim("t1", "c1", "place_order", "h1", 1) else { panic!("first claim runs") };
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
fn a_first_call_whose_record_is_not_committed_does_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    store.journal.fail_next_commit.store(true, std::sync::atomic::Ordering::SeqCst);
    let error = store.claim("t1", "c1", "place_order", "h1", 40).err().expect("no permit to run");
    assert_eq!(error.kind(), ErrorKind::Internal);
    assert!(store.record("t1", "c1").unwrap().is_none(), "the record went with the commit");
    drop(store);
    let store = open(&dir);
    assert!(store.record("t1", "c1").unwrap().is_none(), "nor is it on disk");
    let Ok(Claim::Run(permit)) = store.claim("t1", "c1", "place_order", "h1", 41) else { panic!("runs now") };
    store.finish(permit, &done("41"));
    assert_eq!(store.record("t1", "c1").unwrap().unwrap().status, TradeStatus::Done);
}

#[test]
fn concurrent_first_calls_share_commits_and_are_all_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let store = &store;
            scope.spawn(move || {
                for index in 0..10 {
                    let client_id = format!("c{thread}-{index}");
                    let Ok(Claim::Run(permit)) = store.claim("t1", &client_id, "place_order", "h", 1) else {
                        panic!("{client_id} runs")
                    };
                    store.finish(permit, &done(&client_id));
                }
            });
        }
    });
    drop(store);
    let store = open(&dir);
    for thread in 0..8 {
        for index in 0..10 {
            let record = store.record("t1", &format!("c{thread}-{index}")).unwrap().expect("on disk");
            assert_eq!(record.status, TradeStatus::Done);
        }
    }
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
