//! The client's reconnect: the gateway is restarted (same port, same data directory) under an open subscription
//! while the console and the terminal stay up. The stream reports the break, reconnects, reports the gap, hands
//! over a fresh snapshot, and quotes flow again.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use metaapi_client::protocol::console::{CreateTokenRequest, UpdateAccountRequest};
use metaapi_client::protocol::methods::StreamSpec;
use metaapi_client::{Client, Event, StreamItem};
use metaapi_console::{Console, ConsoleConfig};
use metaapi_gateway_core::GatewayConfig;
use metaapi_terminal_sim::{BridgeAbi, Mode, SimConfig};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::support::{WAIT, next_item};

/// Starts the gateway on `address` with the state in `data_dir`; binding is retried briefly, since the port was
/// just released by the previous run.
async fn start_gateway(address: SocketAddr, console_url: &str, data_dir: &Path) -> (CancellationToken, JoinHandle<()>) {
    let deadline = tokio::time::Instant::now() + WAIT;
    let listener = loop {
        match tokio::net::TcpListener::bind(address).await {
            Ok(listener) => break listener,
            // The old socket may linger for a moment after the previous run released the port.
            Err(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("cannot bind {address} again: {error}"),
        }
    };
    let stop = CancellationToken::new();
    let config = GatewayConfig::new(console_url, data_dir);
    let shutdown = stop.clone().cancelled_owned();
    let task = tokio::spawn(async move {
        metaapi_gateway_core::serve(listener, config, shutdown).await.expect("the gateway serves");
    });
    (stop, task)
}

/// A console under `directory/console`, serving on loopback, with one user (devices auto-approved) and one token.
/// Returns its URL, the token, and what stops it. Also makes `directory/gateway` for the gateway's state.
async fn start_console(
    directory: &Path,
    email: &str,
    token_name: &str,
) -> (String, String, CancellationToken, JoinHandle<Result<(), metaapi_console::ConsoleError>>) {
    let console_dir = directory.join("console");
    std::fs::create_dir_all(&console_dir).expect("console dir");
    std::fs::create_dir_all(directory.join("gateway")).expect("gateway dir");
    let console = Console::open(ConsoleConfig::new(&console_dir)).expect("the console opens");
    let user = console.create_user(email, "a long enough password").expect("a user");
    let update = UpdateAccountRequest { auto_approve_devices: Some(true), ..UpdateAccountRequest::default() };
    console.update_account(&user, &update).expect("auto-approve");
    let token = console
        .create_token(&user, &CreateTokenRequest { name: token_name.into(), expires_at: None })
        .expect("a token")
        .token;
    let console_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a console port");
    let console_url = format!("http://{}", console_listener.local_addr().expect("an address"));
    let console_stop = CancellationToken::new();
    let console_task = tokio::spawn(console.serve(console_listener, console_stop.clone().cancelled_owned()));
    (console_url, token, console_stop, console_task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_restart_under_an_open_subscription_resumes_with_a_gap_and_a_snapshot() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let gateway_dir = directory.path().join("gateway");
    // The console stays up for the whole test.
    let (console_url, token, console_stop, console_task) =
        start_console(directory.path(), "reconnect@localhost", "MT5-Live-A").await;

    // The gateway on a port fixed for the test's lifetime: picked free once, then reused by the restart.
    let address = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    let (gateway_stop, gateway_task) = start_gateway(address, &console_url, &gateway_dir).await;

    // The terminal stays up too; its bridge relinks by itself.
    let sim = metaapi_terminal_sim::start(
        BridgeAbi::linked(),
        SimConfig {
            mode: Mode::Mt5Hedging,
            seed: 7,
            realtime: false,
            gateway_url: format!("ws://{address}/terminal"),
            token: token.clone(),
            start_time: None,
            scale: Default::default(),
        },
    )
    .expect("the terminal starts");

    let client = Client::new(format!("http://{address}"), token);
    let deadline = tokio::time::Instant::now() + WAIT;
    while client.get_account_info().await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "the terminal did not come online");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut stream = client
        .subscribe(vec![StreamSpec::Quotes { symbol: "EURUSD".into() }, StreamSpec::Trades])
        .await
        .expect("subscribed");
    assert_eq!(stream.subscriptions().len(), 2);
    wait_for_quote(&mut stream, "a quote before the restart").await;

    // Stop the gateway under the open subscription.
    gateway_stop.cancel();
    tokio::time::timeout(WAIT, gateway_task).await.expect("the gateway stops in time").expect("no panic");
    loop {
        match next_item(&mut stream, "the disconnect").await {
            StreamItem::Disconnected(_) => break,
            StreamItem::Event(_) => continue,
            other => panic!("expected Disconnected, got {other:?}"),
        }
    }

    // Start it again on the same port with the same data directory (same device id).
    let (gateway_stop, gateway_task) = start_gateway(address, &console_url, &gateway_dir).await;
    let resubscribed = loop {
        match next_item(&mut stream, "the reconnect").await {
            StreamItem::Reconnected(subscriptions) => break subscriptions,
            // Attempts made while the gateway was down report themselves.
            StreamItem::Disconnected(_) => continue,
            other => panic!("expected Reconnected, got {other:?}"),
        }
    };
    assert_eq!(resubscribed.len(), 2, "the same streams again: {resubscribed:?}");
    match next_item(&mut stream, "the gap").await {
        StreamItem::Gap { expected: 1, received: None } => {}
        other => panic!("expected a Gap after reconnecting, got {other:?}"),
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    let snapshot = loop {
        assert!(tokio::time::Instant::now() < deadline, "no Resynced within {WAIT:?} of the gap");
        match next_item(&mut stream, "the snapshot").await {
            StreamItem::Resynced(snapshot) => break snapshot,
            StreamItem::Event(_) | StreamItem::Gap { .. } => continue,
            other => panic!("expected Resynced, got {other:?}"),
        }
    };
    assert!(snapshot.account.balance > 0.0, "the snapshot carries the account: {snapshot:?}");
    wait_for_quote(&mut stream, "quotes after the restart").await;

    drop(stream);
    sim.stop();
    gateway_stop.cancel();
    let _ = tokio::time::timeout(WAIT, gateway_task).await;
    console_stop.cancel();
    let _ = tokio::time::timeout(WAIT, console_task).await;
}

async fn wait_for_quote(stream: &mut metaapi_client::EventStream, what: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        assert!(tokio::time::Instant::now() < deadline, "{what}: none within {WAIT:?}");
        match next_item(stream, what).await {
            StreamItem::Event(event) if matches!(*event, Event::Quote(_)) => return,
            StreamItem::Event(_) | StreamItem::Gap { .. } | StreamItem::Resynced(_) => continue,
            other => panic!("{what}: unexpected {other:?}"),
        }
    }
}

/// The terminal is down while the client reconnects, so the snapshot after the gap cannot be taken at once; once the
/// terminal is back, the stream must still deliver the promised [`StreamItem::Resynced`].
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_is_resynced_even_when_the_terminal_returns_after_the_client() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let gateway_dir = directory.path().join("gateway");
    let (console_url, token, console_stop, console_task) =
        start_console(directory.path(), "late@localhost", "MT5-Live-B").await;
    let address = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    let (gateway_stop, gateway_task) = start_gateway(address, &console_url, &gateway_dir).await;
    let sim_config = SimConfig {
        mode: Mode::Mt5Hedging,
        seed: 9,
        realtime: false,
        gateway_url: format!("ws://{address}/terminal"),
        token: token.clone(),
        start_time: None,
        scale: Default::default(),
    };
    let sim = metaapi_terminal_sim::start(BridgeAbi::linked(), sim_config.clone()).expect("the terminal starts");
    let client = Client::new(format!("http://{address}"), token);
    let deadline = tokio::time::Instant::now() + WAIT;
    while client.get_account_info().await.is_err() {
        assert!(tokio::time::Instant::now() < deadline, "the terminal did not come online");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut stream = client.subscribe(vec![StreamSpec::Quotes { symbol: "EURUSD".into() }]).await.expect("subscribed");
    wait_for_quote(&mut stream, "a quote before the restart").await;

    // The terminal goes away, the gateway restarts, and the client reconnects to a gateway without a terminal.
    sim.stop();
    gateway_stop.cancel();
    tokio::time::timeout(WAIT, gateway_task).await.expect("the gateway stops in time").expect("no panic");
    let (gateway_stop, gateway_task) = start_gateway(address, &console_url, &gateway_dir).await;
    loop {
        match next_item(&mut stream, "the reconnect").await {
            StreamItem::Reconnected(_) => break,
            _ => continue,
        }
    }
    match next_item(&mut stream, "the gap").await {
        StreamItem::Gap { .. } => {}
        other => panic!("expected a Gap after reconnecting, got {other:?}"),
    }

    // The terminal comes back: the client must resynchronize.
    let sim = metaapi_terminal_sim::start(BridgeAbi::linked(), sim_config).expect("the terminal restarts");
    // Quotes flow again at once, so the wait needs its own deadline.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        assert!(tokio::time::Instant::now() < deadline, "no Resynced within {WAIT:?} of the terminal's return");
        match next_item(&mut stream, "Resynced once the terminal is back").await {
            StreamItem::Resynced(_) => break,
            StreamItem::Event(_) | StreamItem::Gap { .. } => continue,
            other => panic!("expected Resynced, got {other:?}"),
        }
    }

    drop(stream);
    sim.stop();
    gateway_stop.cancel();
    let _ = tokio::time::timeout(WAIT, gateway_task).await;
    console_stop.cancel();
    let _ = tokio::time::timeout(WAIT, console_task).await;
}
