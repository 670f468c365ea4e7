//! The store chosen by the database URL: SQLite by default, PostgreSQL for `postgres://`, and the errors of each.
//!
//! The PostgreSQL cases need the real server that console/tests/with-postgres.sh starts; without it they say
//! SKIPPED on stderr and return.

use metaapi_console::store::{DatabaseUrl, PG_MIGRATIONS, PoolLimits, PostgresStore, UserRecord};
use metaapi_console::{Console, ConsoleConfig, ConsoleError, Store};

use crate::support::{Calls, console, database_url, pg_admin_url};

fn user(id: &str, email: &str) -> UserRecord {
    UserRecord {
        id: id.into(),
        email: email.into(),
        password_hash: "x".into(),
        disabled: false,
        expires_at: None,
        auto_approve_devices: false,
        created_at: 1,
    }
}

/// A fresh PostgreSQL database's URL, or `None` (after saying SKIPPED) without a server.
fn fresh_pg(test: &str) -> Option<(tempfile::TempDir, String)> {
    if pg_admin_url().is_none() {
        eprintln!("SKIPPED {test}: METAAPI_CONSOLE_TEST_PG_URL is not set (run console/tests/with-postgres.sh)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path()).unwrap();
    Some((dir, url))
}

#[tokio::test]
async fn the_suite_runs_on_the_backend_it_was_given() {
    let t = console().await;
    let (_, key) = t.user();
    t.create_token(&key, "MT5-Live-A", None).await;
    let sqlite_file = t.dir.path().join("console.db").exists();
    assert_eq!(sqlite_file, pg_admin_url().is_none(), "the SQLite file exists exactly when the suite runs on SQLite");
}

#[test]
fn unknown_schemes_and_an_empty_sqlite_path_are_configuration_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (url, why) in [("mysql://db/console", "\"mysql\" is not supported"), ("sqlite://", "needs a data directory")] {
        let mut config = ConsoleConfig::new(dir.path());
        config.database_url = Some(DatabaseUrl(url.into()));
        let err = Console::open(config).unwrap_err();
        assert!(matches!(err, ConsoleError::Config(_)), "{url}: {err:?}");
        assert!(err.to_string().contains(why), "{url}: {err}");
    }
}

#[test]
fn a_sqlite_url_names_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let mut config = ConsoleConfig::new(dir.path());
    config.database_url = Some(DatabaseUrl(format!("sqlite://{}", elsewhere.path().display())));
    let console = Console::open(config).unwrap();
    console.create_user("a@example.com", "correct horse battery").unwrap();
    assert!(elsewhere.path().join("console.db").exists());
    assert!(!dir.path().join("console.db").exists());
}

#[test]
fn the_database_url_never_shows_its_password() {
    let url = DatabaseUrl("postgres://console:s3cret-pw@db.internal:5432/console".into());
    let shown = format!("{url:?}");
    assert!(!shown.contains("s3cret-pw"), "{shown}");
    let mut config = ConsoleConfig::new("/nonexistent");
    config.database_url = Some(url);
    assert!(!format!("{config:?}").contains("s3cret-pw"));
}

#[test]
fn a_malformed_or_unreachable_postgres_url_is_an_error_not_a_hang() {
    let err = PostgresStore::open("postgres://host:notaport/db", PoolLimits::default()).unwrap_err();
    assert!(matches!(err, ConsoleError::Config(_)), "{err:?}");
    let err = PostgresStore::open("postgres://u@127.0.0.1/db", PoolLimits { max_connections: 0, ..Default::default() })
        .unwrap_err();
    assert!(err.to_string().contains("at least one connection"), "{err}");
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let limits = PoolLimits { max_connections: 1, acquire_timeout: std::time::Duration::from_secs(5) };
    let err =
        PostgresStore::open(&format!("postgres://console:pw-not-logged@127.0.0.1:{port}/db"), limits).unwrap_err();
    assert!(matches!(err, ConsoleError::Database(_)), "{err:?}");
    assert!(!err.to_string().contains("pw-not-logged"), "{err}");
}

#[test]
fn postgres_migrates_once_and_a_newer_schema_is_refused() {
    let Some((_dir, url)) = fresh_pg("postgres_migrates_once_and_a_newer_schema_is_refused") else { return };
    {
        let store = PostgresStore::open(&url, PoolLimits::default()).unwrap();
        store.insert_user(&user("u1", "a@example.com")).unwrap();
    }
    // Two replicas starting at once: the advisory lock lets one migrate, the other finds the schema current.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| PostgresStore::open(&url, PoolLimits::default()));
        let b = s.spawn(|| PostgresStore::open(&url, PoolLimits::default()));
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    assert!(a.user_by_email("A@EXAMPLE.COM").unwrap().is_some(), "emails match ignoring case");
    let err = b.insert_user(&user("u2", "A@Example.com")).unwrap_err();
    assert!(matches!(err, ConsoleError::Conflict { code: "email_taken", .. }), "{err:?}");
    drop((a, b));
    sql(&url, &format!("UPDATE schema_version SET version = {}", PG_MIGRATIONS.len() + 5));
    match PostgresStore::open(&url, PoolLimits::default()) {
        Err(ConsoleError::SchemaTooNew { found, supported }) => {
            assert_eq!((found, supported), (PG_MIGRATIONS.len() as i64 + 5, PG_MIGRATIONS.len() as i64));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

#[test]
fn a_postgres_failure_after_open_is_a_500_without_details() {
    let Some((_dir, url)) = fresh_pg("a_postgres_failure_after_open_is_a_500_without_details") else { return };
    let store = PostgresStore::open(&url, PoolLimits::default()).unwrap();
    sql(&url, "DROP TABLE sessions");
    let err = store.session_by_hash("h", 1).unwrap_err();
    assert!(matches!(err, ConsoleError::Database(_)), "{err:?}");
    assert_eq!(err.http_status(), 500);
    assert_eq!(err.body().error, "internal");
    assert!(!err.body().message.contains("sessions"), "{}", err.body().message);
}

/// Runs one statement on `url` from a thread of its own.
fn sql(url: &str, statement: &str) {
    let (url, statement) = (url.to_owned(), statement.to_owned());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            client.batch_execute(&statement).await.unwrap();
        });
    })
    .join()
    .unwrap();
}

#[tokio::test]
async fn readiness_follows_the_database_and_shutdown() {
    let t = console().await;
    let response = t.http.get(t.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.json::<serde_json::Value>().await.unwrap()["status"], "ready");
    // Break the schema under the running console: it stays alive but is no longer ready.
    match database_url(t.dir.path()) {
        Some(url) => sql(&url, "DROP TABLE users CASCADE"),
        None => {
            let conn = rusqlite::Connection::open(t.dir.path().join("console.db")).unwrap();
            conn.execute_batch("DROP TABLE users").unwrap();
        }
    }
    let response = t.http.get(t.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "database_unavailable", "{body}");
    assert_eq!(t.http.get(t.url("/healthz")).send().await.unwrap().status().as_u16(), 200);
}
