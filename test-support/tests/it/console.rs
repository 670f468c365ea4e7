//! The shared `TestConsole`: restart, replicas, the admin, log capture, and the failures that name their cause.

use metaapi_protocol::console::{DenyReason, Verdict};
use metaapi_test_support::{TestConsole, capture_logs, captured_logs, database_args, pg_admin_url};

#[tokio::test]
async fn a_stopped_console_starts_again_on_the_same_data() {
    let first = TestConsole::start().await;
    let (user, key) = first.user();
    let email = "restart@example.com";
    let named = first.console.create_user(email, "correct horse battery staple").unwrap();
    let dir = first.stop().await;

    let again = TestConsole::start_in(dir, |_| {}).await;
    assert_eq!(again.console.user_by_email(email).unwrap(), named);
    assert_eq!(again.console.authenticate_api_key(&key).unwrap(), user, "a fresh user's API key survives too");
    let health = again.http.get(again.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200, "the restarted console serves");
}

#[tokio::test]
async fn the_data_directory_picks_the_backend() {
    let console = TestConsole::start().await;
    let args = database_args(console.dir.path());
    match pg_admin_url() {
        None => {
            assert!(args.is_empty(), "{args:?}");
            assert!(console.console.config().database_url.is_none(), "SQLite in the data directory");
            assert!(console.dir.path().join("console.db").exists());
        }
        Some(_) => {
            assert_eq!(args[0], "--database-url");
            let url = console.console.config().database_url.clone().expect("PostgreSQL").0;
            assert_eq!(args[1], url, "a child console gets the database this directory is paired with");
        }
    }
}

#[tokio::test]
async fn a_replica_shares_the_database_or_fails_naming_the_backend_it_needs() {
    let console = TestConsole::start().await;
    let (user, key) = console.user();
    let replica = async move {
        let replica = console.replica().await;
        (console, replica)
    };
    match pg_admin_url() {
        Some(_) => {
            let (console, replica) = replica.await;
            let email = "replica@example.com";
            let created = replica.console.create_user(email, "correct horse battery staple").unwrap();
            assert_eq!(console.console.user_by_email(email).unwrap(), created, "one database");
            assert_eq!(replica.console.authenticate_api_key(&key).unwrap(), user);
        }
        None => {
            let Err(failed) = tokio::spawn(replica).await else { panic!("a replica started on SQLite") };
            let message = failed.into_panic();
            let message = message.downcast_ref::<String>().cloned().unwrap_or_default();
            assert!(message.contains("replicas need the PostgreSQL backend"), "{message}");
        }
    }
}

#[tokio::test]
async fn the_admin_manages_over_http_and_its_actions_are_captured_in_the_logs() {
    capture_logs();
    let console = TestConsole::start().await.with_admin().await;
    let created = console.create_token("Harness-Admin", None).await;
    let listed = console.devices().await;
    assert!(listed.devices.is_empty(), "{listed:?}");
    console.delete_token(&created.summary.id).await;
    assert!(captured_logs().contains("auth token created"), "the console's logs are captured");
    assert!(!captured_logs().contains(&created.token), "the harness does not log secrets either");
}

#[tokio::test]
#[should_panic(expected = "managing as the admin needs a console started with TestConsole::with_admin")]
async fn managing_without_an_admin_fails_naming_the_constructor() {
    let console = TestConsole::start().await;
    console.create_token("Nobody", None).await;
}

#[tokio::test]
#[should_panic(expected = "console answered 404")]
async fn a_management_call_the_console_refuses_fails_with_its_answer() {
    let console = TestConsole::start().await.with_admin().await;
    console.delete_token("tok_unknown").await;
}

#[tokio::test]
async fn a_manager_that_does_not_approve_leaves_devices_pending() {
    let console = TestConsole::start().await;
    let manager = console.manager("pending@example.com", false).await;
    let created = manager.create_token("Pending", None).await;
    let verdict: Verdict = console
        .http
        .post(console.url("/api/v1/verify"))
        .json(&serde_json::json!({"token": created.token, "device_id": "box", "device_name": "test-host"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(matches!(verdict, Verdict::Denied { reason: DenyReason::DevicePending, .. }), "{verdict:?}");
}
