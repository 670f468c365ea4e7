//! What the harness's child processes run: the gateway alone, and the bridge footprint probe.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

use metaapi_gateway_core::GatewayConfig;
use serde_json::json;

use crate::bridge::BridgeSession;
use crate::error::{BenchError, unexpected};
use crate::memory::proc_status;

/// Runs the real gateway on `127.0.0.1:0` with default settings, prints `listening <address>` and serves until its
/// stdin closes (so it never outlives the harness). The runtime is the one `metaapi-gateway` uses.
pub fn serve_gateway(console_url: String, data_dir: PathBuf) -> Result<(), BenchError> {
    // The runtime the gateway binary runs on, so its footprint is the one users get.
    let runtime = metaapi_gateway_core::runtime::builder(metaapi_gateway_core::runtime::DEFAULT_WORKERS).build()?;
    runtime.block_on(async move {
        let config = GatewayConfig::new(console_url, data_dir);
        config.validate().map_err(|error| unexpected(error.to_string()))?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "listening {address}")?;
        stdout.flush()?;
        let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
            let _ = closed_tx.send(());
        });
        metaapi_gateway_core::serve(listener, config, async move {
            let _ = closed_rx.await;
        })
        .await
        .map_err(|error| unexpected(error.to_string()))
    })
}

/// Reads a `ws://…/terminal` URL and then tokens from stdin, starts one bare bridge session per token and prints
/// this process's resident set (kB) and thread count before, after the first session and after all of them.
pub fn bridge_probe() -> Result<(), BenchError> {
    let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    let (url, tokens) = lines.split_first().ok_or_else(|| unexpected("bridge-probe: no gateway URL on stdin"))?;
    let tokens: Vec<&String> = tokens.iter().filter(|token| !token.is_empty()).collect();
    let read = |field: &str| proc_status(None, field).unwrap_or(0);
    let settle = || std::thread::sleep(Duration::from_millis(300));
    settle();
    let (rss_before, threads_before) = (read("VmRSS"), read("Threads"));
    let mut sessions = Vec::new();
    let (mut rss_first, mut threads_first) = (rss_before, threads_before);
    for (index, token) in tokens.iter().enumerate() {
        let session = BridgeSession::start(url, token)?;
        session.wait_linked(Duration::from_secs(5))?;
        sessions.push(session);
        if index == 0 {
            settle();
            (rss_first, threads_first) = (read("VmRSS"), read("Threads"));
        }
    }
    settle();
    let report = json!({
        "sessions": sessions.len(),
        "rss_before": rss_before,
        "rss_first": rss_first,
        "rss_all": read("VmRSS"),
        "threads_before": threads_before,
        "threads_first": threads_first,
        "threads_all": read("Threads"),
    });
    drop(sessions);
    println!("{report}");
    Ok(())
}
