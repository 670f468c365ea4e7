//! The `metaapi-gateway` binary: parses flags, sets up logging, binds, and runs the library's `serve`,
//! or with `demo` the whole stack (console, gateway, simulated terminal) from `metaapi_demo`.

#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use metaapi_console::platform::shutdown_signal;
use metaapi_gateway_core::runtime::DEFAULT_WORKERS;
use metaapi_gateway_core::{GatewayConfig, serve};

#[cfg(windows)]
mod service;

/// mimalloc instead of glibc malloc: allocation was about a tenth of the gateway's CPU under load (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The MetaAPI local gateway.
#[derive(Debug, Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: Args,
    /// Worker threads of the async runtime. One gives the lowest latency; more can help many busy clients on a
    /// machine with idle cores.
    #[arg(long, global = true, env = "GATEWAY_WORKERS", default_value_t = DEFAULT_WORKERS as u16,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: u16,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Runs an embedded console, the gateway and a simulated terminal: everything works without MetaTrader.
    Demo(DemoArgs),
    /// Runs the gateway as a Windows service: `service install [gateway options]`, `service uninstall`.
    #[cfg(windows)]
    #[command(subcommand)]
    Service(service::ServiceCommand),
}

#[derive(Debug, clap::Args)]
struct DemoArgs {
    /// Gateway address (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:6000")]
    listen: SocketAddr,
    /// Console address (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:7000")]
    console_listen: SocketAddr,
    /// Where the console database and gateway state live (a fresh temporary directory by default).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Terminal to simulate: mt5-hedging, mt5-netting or mt4.
    #[arg(long, default_value = "mt5-hedging", value_parser = metaapi_demo::parse_mode)]
    mode: metaapi_terminal_sim::Mode,
    /// How many terminals (the second and later alternate MT4 and MT5 netting), each with its own token.
    #[arg(long, default_value_t = 1)]
    terminals: usize,
    /// Seed of the simulated price feed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run the simulated clock from a fixed Monday morning instead of following the wall clock.
    #[arg(long)]
    virtual_clock: bool,
    /// Once everything is online, write the URLs and tokens to this file as JSON (for test suites).
    #[arg(long)]
    ready_file: Option<PathBuf>,
}

/// Flags of the gateway itself.
#[derive(Debug, clap::Args)]
struct Args {
    /// Address to listen on. Keep it on loopback unless you know why not.
    #[arg(long, env = "GATEWAY_LISTEN", default_value = "127.0.0.1:6000")]
    listen: SocketAddr,
    /// Base URL of the console API.
    #[arg(long, env = "GATEWAY_CONSOLE_URL", default_value = "http://127.0.0.1:7000")]
    console_url: String,
    /// Directory for the device id and trade outcomes (on Windows under %LOCALAPPDATA%\MetaAPI by default).
    #[arg(long, env = "GATEWAY_DATA_DIR",
          default_value_os_t = metaapi_console::platform::default_data_dir("Gateway", "./gateway-data"))]
    data_dir: PathBuf,
    /// Largest /rpc body in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_body_bytes: u64,
    /// Most calls in one batch.
    #[arg(long, default_value_t = 100)]
    max_batch: usize,
    /// Largest message a client may send on /ws, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_ws_message_bytes: usize,
    /// Largest message read from a terminal link, in bytes (replies are far larger than requests: 10,000 history
    /// orders come to about 7 MB). The bridge answers a request whose reply would not fit with payload_too_large.
    #[arg(long, default_value_t = metaapi_protocol::link::DEFAULT_LINK_MAX_MESSAGE_BYTES as usize)]
    link_max_message_bytes: usize,
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
    /// Most subscriptions one WebSocket connection may hold.
    #[arg(long, default_value_t = 1024)]
    max_subscriptions_per_connection: usize,
    /// Most subscriptions all WebSocket connections of one token may hold together.
    #[arg(long, default_value_t = 4096)]
    max_subscriptions_per_token: usize,
    /// Milliseconds one token verification may wait for the console. Tokens confirmed within the grace period never
    /// wait: they are served from the cache while the gateway asks again in the background.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    console_timeout_ms: u64,
    /// Failed authorizations per peer per minute before further failures are answered late (a valid token is never
    /// refused; only tokens the console refused for good are, with 429).
    #[arg(long, default_value_t = 20)]
    auth_fail_limit: u32,
    /// Milliseconds each failed authorization beyond the limit is held back.
    #[arg(long, default_value_t = 1000)]
    auth_fail_delay_ms: u64,
    /// Close a connection that has not sent a whole request head within this many milliseconds.
    #[arg(long, default_value_t = 10_000)]
    header_read_timeout_ms: u64,
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

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    #[cfg(windows)]
    if let Some(Command::Service(command)) = cli.command {
        return service::main(command);
    }
    let runtime = metaapi_gateway_core::runtime::builder(usize::from(cli.workers))
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run(cli, shutdown_signal()))
}

/// Runs the gateway (or the demo) until `shutdown` completes: Ctrl-C and the like, or the Windows service manager.
async fn run(cli: Cli, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let args = cli.serve;
    // warp's request tracing logs every request at info (and every refusal at warn): at thousands of calls a
    // second that is a line and a write per call, and a flood for anyone guessing tokens. It stays available
    // through RUST_LOG (`warp::filters::trace=info`). The demo prints its own banner, so it logs warnings only.
    let default_level =
        if cli.command.is_some() { "warn,warp::filters::trace=off" } else { "info,warp::filters::trace=off" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default_level.into());
    // A subscriber set up before (the Windows service's log file) stays.
    let _ = if args.json_logs {
        tracing_subscriber::fmt().with_env_filter(filter).json().try_init()
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).try_init()
    };
    if let Some(Command::Demo(demo)) = cli.command {
        return run_demo(demo).await;
    }
    let mut config = GatewayConfig::new(args.console_url, args.data_dir);
    config.max_body_bytes = args.max_body_bytes;
    config.max_batch = args.max_batch;
    config.max_ws_message_bytes = args.max_ws_message_bytes;
    config.link_max_message_bytes = args.link_max_message_bytes;
    config.pickup_timeout = Duration::from_millis(args.pickup_timeout_ms);
    config.reply_timeout = Duration::from_millis(args.reply_timeout_ms);
    config.grace_period = Duration::from_secs(args.grace_period_s);
    config.ws_queue = args.ws_queue;
    config.max_subscriptions_per_connection = args.max_subscriptions_per_connection;
    config.max_subscriptions_per_token = args.max_subscriptions_per_token;
    config.console_timeout = Duration::from_millis(args.console_timeout_ms);
    config.auth_fail_limit = args.auth_fail_limit;
    config.auth_fail_delay = Duration::from_millis(args.auth_fail_delay_ms);
    config.header_read_timeout = Duration::from_millis(args.header_read_timeout_ms);
    config.allowed_hosts = args.allowed_hosts;
    config.allowed_origins = args.allowed_origins;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    serve(listener, config, shutdown).await.context("gateway failed")
}

async fn run_demo(args: DemoArgs) -> anyhow::Result<()> {
    use metaapi_demo::{Demo, DemoConfig, mode_name};
    use metaapi_terminal_sim::Mode;

    let mut config = DemoConfig::new(args.listen);
    config.console_listen = args.console_listen;
    config.data_dir = args.data_dir;
    config.seed = args.seed;
    config.realtime = !args.virtual_clock;
    let others = [Mode::Mt4, Mode::Mt5Netting];
    config.terminals =
        (0..args.terminals.max(1)).map(|index| if index == 0 { args.mode } else { others[(index - 1) % 2] }).collect();
    println!("starting the console, the gateway and {} simulated terminal(s)...", config.terminals.len());
    let demo = Demo::start(config).await.context("the demo could not start")?;

    println!();
    println!("gateway   {}   (POST /rpc, GET /ws)", demo.url);
    println!("console   {}   (sign in as {} / {})", demo.console_url, demo.email, demo.password);
    for terminal in &demo.terminals {
        println!("terminal  {:<12} token {}", mode_name(terminal.mode), terminal.token);
    }
    let token = &demo.terminals[0].token;
    println!();
    println!("try it:");
    println!(
        "  curl -s {}/rpc -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \\\n    -d '{{\"jsonrpc\":\"2.0\",\"id\":\"account-1\",\"method\":\"get_account_info\",\"params\":{{}}}}'",
        demo.url
    );
    println!("  METAAPI_URL={} METAAPI_TOKEN={token} cargo run -p metaapi-examples --bin account_info", demo.url);
    println!();
    println!("Ctrl-C stops everything.");
    if let Some(path) = args.ready_file {
        let temporary = path.with_extension("tmp");
        std::fs::write(&temporary, serde_json::to_vec_pretty(&demo.ready_json())?)
            .with_context(|| format!("cannot write {}", temporary.display()))?;
        std::fs::rename(&temporary, &path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    shutdown_signal().await;
    println!("stopping...");
    demo.stop().await;
    Ok(())
}
