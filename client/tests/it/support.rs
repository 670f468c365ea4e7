//! Starting the demo stack and bounded waits for the client tests.

use std::time::Duration;

use metaapi_client::{Client, EventStream, StreamItem};
use metaapi_demo::{Demo, DemoConfig};
use metaapi_terminal_sim::Mode;

/// How long any single awaited event may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// One simulated terminal of `mode` behind a fresh console and gateway, on the virtual clock.
pub async fn demo(mode: Mode) -> Demo {
    let mut config = DemoConfig::new("127.0.0.1:0".parse().expect("an address"));
    config.terminals = vec![mode];
    tokio::time::timeout(Duration::from_secs(60), Demo::start(config))
        .await
        .expect("the demo did not start within 60 s")
        .expect("the demo starts")
}

/// A client for the demo's first terminal.
pub fn client(demo: &Demo) -> Client {
    Client::new(demo.url.clone(), demo.terminals[0].token.clone())
}

/// The next stream item within [`WAIT`], or a failure naming what was awaited.
pub async fn next_item(stream: &mut EventStream, what: &str) -> StreamItem {
    tokio::time::timeout(WAIT, stream.next())
        .await
        .unwrap_or_else(|_| panic!("no stream item within {WAIT:?} while waiting for {what}"))
        .unwrap_or_else(|| panic!("the stream ended while waiting for {what}"))
}
