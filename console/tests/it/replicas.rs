//! Several replicas on one PostgreSQL: a change made through one replica reaches push listeners attached to
//! another through LISTEN/NOTIFY, and neither a dropped listening connection nor a replica restart loses one. The
//! feed is pruned, and a replica that resumes from below the pruned horizon resyncs its listeners.
//!
//! These need the real server that console/tests/with-postgres.sh starts; without it they say SKIPPED on
//! stderr and return.

use metaapi_protocol::console::{DenyReason, RevocationEvent};
use reqwest::Method;
use serde_json::json;

use crate::support::{Calls, TestConsole, assert_allowed, assert_denied, console, console_in, pg_admin_url};

fn skipped(test: &str) -> bool {
    let skip = pg_admin_url().is_none();
    if skip {
        eprintln!("SKIPPED {test}: METAAPI_CONSOLE_TEST_PG_URL is not set (run console/tests/with-postgres.sh)");
    }
    skip
}

#[tokio::test]
async fn changes_on_replica_a_reach_listeners_on_replica_b() {
    if skipped("changes_on_replica_a_reach_listeners_on_replica_b") {
        return;
    }
    let a = console().await;
    let b = a.replica().await;
    let (_, key) = a.user();
    a.patch_account(&key, json!({"auto_approve_devices": true})).await;
    let token = a.create_token(&key, "MT5-Live-A", None).await;
    let spare = a.create_token(&key, "MT5-Live-B", None).await;
    // The data is shared: replica B verifies a token replica A issued.
    assert_allowed(&b.verify(&token.token, "box-1").await);
    let mut on_b = b.listen().await;

    a.send(Method::DELETE, &format!("/api/v1/tokens/{}", token.summary.id), &key, None).await;
    assert_eq!(
        on_b.next_guarded().await,
        RevocationEvent::Token { token_id: token.summary.id.clone(), reason: DenyReason::TokenRevoked }
    );
    let (status, _) = a.send(Method::POST, &format!("/api/v1/tokens/{}/replace", spare.summary.id), &key, None).await;
    assert_eq!(status, 201);
    assert_eq!(
        on_b.next_guarded().await,
        RevocationEvent::Token { token_id: spare.summary.id.clone(), reason: DenyReason::TokenReplaced }
    );
    a.send(Method::POST, "/api/v1/devices/box-1/revoke", &key, None).await;
    assert_eq!(
        on_b.next_guarded().await,
        RevocationEvent::Device { device_id: "box-1".into(), reason: DenyReason::DeviceRevoked }
    );
    a.patch_account(&key, json!({"disabled": true})).await;
    assert_eq!(on_b.next_guarded().await, RevocationEvent::Account { reason: DenyReason::AccountDisabled });
    a.patch_account(&key, json!({"disabled": false, "expires_at": 1})).await;
    assert_eq!(on_b.next_guarded().await, RevocationEvent::Account { reason: DenyReason::AccountExpired });

    // Replica A's own listeners hear each change once, not again through the feed.
    let mut on_a = a.listen().await;
    let third = a.create_token(&key, "MT5-Live-C", None).await;
    a.send(Method::DELETE, &format!("/api/v1/tokens/{}", third.summary.id), &key, None).await;
    // Approving publishes nothing; revoking through B does.
    b.send(Method::POST, "/api/v1/devices/box-1/approve", &key, None).await;
    b.send(Method::POST, "/api/v1/devices/box-1/revoke", &key, None).await;
    assert_eq!(
        on_a.next_guarded().await,
        RevocationEvent::Token { token_id: third.summary.id.clone(), reason: DenyReason::TokenRevoked }
    );
    assert_eq!(
        on_a.next_guarded().await,
        RevocationEvent::Device { device_id: "box-1".into(), reason: DenyReason::DeviceRevoked },
        "the next event on A is B's change, not a repeat of A's own"
    );
}

#[tokio::test]
async fn a_dropped_listening_connection_resumes_from_its_sequence_number() {
    if skipped("a_dropped_listening_connection_resumes_from_its_sequence_number") {
        return;
    }
    let a = console().await;
    let b = a.replica().await;
    let (_, key) = a.user();
    let first = a.create_token(&key, "MT5-Live-A", None).await;
    let second = a.create_token(&key, "MT5-Live-B", None).await;
    let mut on_b = b.listen().await;
    a.send(Method::DELETE, &format!("/api/v1/tokens/{}", first.summary.id), &key, None).await;
    assert_eq!(
        on_b.next_guarded().await,
        RevocationEvent::Token { token_id: first.summary.id.clone(), reason: DenyReason::TokenRevoked }
    );
    // Cut every replica's listening connection, then revoke while they reconnect.
    let cut = admin_query(&format!(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{}') t",
        metaapi_console::replicas::LISTENER_APPLICATION_NAME
    ))
    .await;
    assert!(cut >= 2, "both replicas' listening connections were cut ({cut})");
    a.send(Method::DELETE, &format!("/api/v1/tokens/{}", second.summary.id), &key, None).await;
    assert_eq!(
        on_b.next_guarded().await,
        RevocationEvent::Token { token_id: second.summary.id.clone(), reason: DenyReason::TokenRevoked }
    );
}

#[tokio::test]
async fn a_replica_restarted_mid_stream_loses_no_revocation() {
    if skipped("a_replica_restarted_mid_stream_loses_no_revocation") {
        return;
    }
    let a = console().await;
    let b = a.replica().await;
    let (_, key) = a.user();
    a.patch_account(&key, json!({"auto_approve_devices": true})).await;
    let during = a.create_token(&key, "MT5-Live-A", None).await;
    let after = a.create_token(&key, "MT5-Live-B", None).await;
    assert_allowed(&b.verify(&during.token, "box-1").await);
    let mut on_b = b.listen().await;

    // B stops: its listener is told, and a revocation lands on A while B is down.
    let dir = b.stop().await;
    on_b.expect_closed().await;
    a.send(Method::DELETE, &format!("/api/v1/tokens/{}", during.summary.id), &key, None).await;

    // The gateway reconnects to the restarted B: its first frame is a resync, so it drops the verdict it cached for
    // the token revoked meanwhile, and B's answer for it is a denial.
    let b = console_in(dir, |_| {}).await;
    let mut on_b = b.listen().await;
    assert_denied(&b.verify(&during.token, "box-1").await, DenyReason::TokenRevoked);
    // And the stream goes on: the next revocation on A reaches the restarted B.
    a.send(Method::DELETE, &format!("/api/v1/tokens/{}", after.summary.id), &key, None).await;
    assert_eq!(
        on_b.next_guarded().await,
        RevocationEvent::Token { token_id: after.summary.id.clone(), reason: DenyReason::TokenRevoked }
    );
}

#[tokio::test]
async fn pruning_deletes_old_feed_rows_and_a_replica_opened_after_it_starts_at_the_horizon() {
    if skipped("pruning_deletes_old_feed_rows_and_a_replica_opened_after_it_starts_at_the_horizon") {
        return;
    }
    let a = console().await;
    let b = a.replica().await;
    let (_, key) = a.user();
    let first = a.create_token(&key, "MT5-Live-A", None).await;
    let second = a.create_token(&key, "MT5-Live-B", None).await;
    let mut on_b = b.listen().await;
    a.send(Method::DELETE, &format!("/api/v1/tokens/{}", first.summary.id), &key, None).await;
    assert_eq!(
        on_b.next_guarded().await,
        RevocationEvent::Token { token_id: first.summary.id.clone(), reason: DenyReason::TokenRevoked }
    );

    // The serving replicas keep rows for the default hour; a console with no retention prunes the row at once.
    let db = database(&a).await;
    assert_eq!(count(&db, "SELECT count(*) FROM revocations").await, 1);
    let pruner = pruner(&a);
    assert_eq!(pruner.prune_revocations().unwrap(), 1);
    assert_eq!(count(&db, "SELECT count(*) FROM revocations").await, 0);
    assert!(count(&db, "SELECT through_seq FROM revocations_pruned").await >= 1);
    assert_eq!(pruner.prune_revocations().unwrap(), 0, "nothing is left to prune");

    // A replica opened on the emptied feed starts at the horizon: it does not take the pruned rows for missed ones
    // (no resync), and it and B hear the next change.
    let c = a.replica().await;
    let mut on_c = c.listen().await;
    a.send(Method::DELETE, &format!("/api/v1/tokens/{}", second.summary.id), &key, None).await;
    let expected = RevocationEvent::Token { token_id: second.summary.id.clone(), reason: DenyReason::TokenRevoked };
    assert_eq!(on_c.next_guarded().await, expected);
    assert_eq!(on_b.next_guarded().await, expected);
}

#[tokio::test]
async fn a_replica_resuming_from_below_the_pruned_horizon_resyncs_its_listeners() {
    if skipped("a_replica_resuming_from_below_the_pruned_horizon_resyncs_its_listeners") {
        return;
    }
    let a = console().await;
    let b = a.replica().await;
    let (_, key) = a.user();
    let missed = a.create_token(&key, "MT5-Live-A", None).await;
    let next = a.create_token(&key, "MT5-Live-B", None).await;
    let mut on_b = b.listen().await;

    // Hold B's listener off the feed (its read waits for this lock), revoke through A, and prune that row before
    // B can read it, as if B's listening connection had been away longer than the retention.
    let mut db = database(&a).await;
    let tx = db.transaction().await.unwrap();
    tx.batch_execute("LOCK TABLE revocations_pruned IN ACCESS EXCLUSIVE MODE").await.unwrap();
    a.send(Method::DELETE, &format!("/api/v1/tokens/{}", missed.summary.id), &key, None).await;
    tx.batch_execute(
        "UPDATE revocations_pruned SET through_seq = (SELECT MAX(seq) FROM revocations); DELETE FROM revocations",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // B cannot deliver the pruned row, so it tells its listeners to drop every cached verdict instead.
    assert_eq!(on_b.next_guarded().await, RevocationEvent::Resync);
    assert_denied(&b.verify(&missed.token, "box-1").await, DenyReason::TokenRevoked);
    // And it goes on from the horizon: the next change arrives as itself.
    a.send(Method::DELETE, &format!("/api/v1/tokens/{}", next.summary.id), &key, None).await;
    assert_eq!(
        on_b.next_guarded().await,
        RevocationEvent::Token { token_id: next.summary.id.clone(), reason: DenyReason::TokenRevoked }
    );
}

#[tokio::test]
async fn an_offline_cli_change_on_the_shared_database_is_pushed_by_the_running_replicas() {
    if skipped("an_offline_cli_change_on_the_shared_database_is_pushed_by_the_running_replicas") {
        return;
    }
    let a = console().await;
    let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
    let user = a.console.create_user(&email, "correct horse battery").unwrap();
    let key = a.console.create_api_key(&user).unwrap();
    let token = a.create_token(&key, "MT5-Live-A", None).await;
    let mut on_a = a.listen().await;

    // The offline command writes to the database itself, and through the same feed as a replica would.
    let dir = tempfile::tempdir().unwrap();
    let url = a.console.config().database_url.clone().expect("PostgreSQL").0;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_metaapi-console"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--database-url", &url, "token", "delete", "--offline", "--email", &email, &token.summary.id])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        on_a.next_guarded().await,
        RevocationEvent::Token { token_id: token.summary.id.clone(), reason: DenyReason::TokenRevoked }
    );
}

/// A console on `replica`'s database that is not served (so no background task of its own) and keeps no feed row.
fn pruner(replica: &TestConsole) -> metaapi_console::Console {
    let dir = tempfile::tempdir().unwrap();
    let mut config = metaapi_console::ConsoleConfig::new(dir.path());
    config.database_url = replica.console.config().database_url.clone();
    config.revocation_retention = std::time::Duration::ZERO;
    metaapi_console::Console::open(config).unwrap()
}

/// A connection to the test's own database (the one `replica` uses).
async fn database(replica: &TestConsole) -> tokio_postgres::Client {
    let url = replica.console.config().database_url.clone().expect("PostgreSQL").0;
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

async fn count(db: &tokio_postgres::Client, sql: &str) -> i64 {
    db.query_one(sql, &[]).await.unwrap().get(0)
}

/// Runs a query answering one number on the admin database.
async fn admin_query(sql: &str) -> i64 {
    let (client, connection) = tokio_postgres::connect(&pg_admin_url().unwrap(), tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client.query_one(sql, &[]).await.unwrap().get(0)
}
