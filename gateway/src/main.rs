//! The `metaapi-gateway` binary: parses flags, sets up logging, binds, and runs the library's `serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use metaapi_gateway::{GatewayConfig, serve};

/// The MetaAPI local gateway.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on. Keep it on loopback unless you know why not.
    #[arg(long, env = "GATEWAY_LISTEN", default_value = "127.0.0.1:6000")]
    listen: SocketAddr,
    /// Base URL of the console API.
    #[arg(long, env = "GATEWAY_CONSOLE_URL", default_value = "http://127.0.0.1:7000")]
    console_url: String,
    /// Directory for the device id and trade outcomes.
    #[arg(long, env = "GATEWAY_DATA_DIR", default_value = "./gateway-data")]
    data_dir: PathBuf,
    /// Largest /rpc body in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_body_bytes: u64,
    /// Most calls in one batch.
    #[arg(long, default_value_t = 100)]
    max_batch: usize,
    /// Largest WebSocket message in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_ws_message_bytes: usize,
    /// Milliseconds a request may wait for the terminal to take it.
    #[arg(long, default_value_t = 5000)]
    pickup_timeout_ms: u64,
    /// Milliseconds a taken request may stay unanswered.
    #[arg(long, default_value_t = 30000)]
    reply_timeout_ms: u64,
    /// Seconds verified tokens keep working while the console is unreachable.
    #[arg(long, default_value_t = 300)]
    grace_period_s: u64,
    /// Outbound queue per WebSocket client.
    #[arg(long, default_value_t = 1024)]
    ws_queue: usize,
    /// Failed authorizations per peer per minute.
    #[arg(long, default_value_t = 20)]
    auth_fail_limit: u32,
    /// Extra Host names to accept (besides loopback names).
    #[arg(long = "allow-host")]
    allowed_hosts: Vec<String>,
    /// Origins allowed to open WebSockets or call /rpc.
    #[arg(long = "allow-origin")]
    allowed_origins: Vec<String>,
    /// Log as JSON lines.
    #[arg(long)]
    json_logs: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    if args.json_logs {
        tracing_subscriber::fmt().with_env_filter(filter).json().init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let mut config = GatewayConfig::new(args.console_url, args.data_dir);
    config.max_body_bytes = args.max_body_bytes;
    config.max_batch = args.max_batch;
    config.max_ws_message_bytes = args.max_ws_message_bytes;
    config.pickup_timeout = Duration::from_millis(args.pickup_timeout_ms);
    config.reply_timeout = Duration::from_millis(args.reply_timeout_ms);
    config.grace_period = Duration::from_secs(args.grace_period_s);
    config.ws_queue = args.ws_queue;
    config.auth_fail_limit = args.auth_fail_limit;
    config.allowed_hosts = args.allowed_hosts;
    config.allowed_origins = args.allowed_origins;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let shutdown = async {
        let interrupt = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => return drop(interrupt.await),
            };
            tokio::select! {
                _ = interrupt => {}
                _ = terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        drop(interrupt.await);
    };
    serve(listener, config, shutdown).await.context("gateway failed")
}
