//! The command line: the gateway's flags, the `demo` subcommand's and, on Windows, the `service` subcommand's.
//! Both `main` and the Windows service parse it, so it lives apart from each.

#[cfg(windows)]
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use metaapi_gateway_core::runtime::DEFAULT_WORKERS;

/// The MetaAPI local gateway.
#[derive(Debug, Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    #[command(flatten)]
    pub(crate) serve: Args,
    /// Worker threads of the async runtime. One gives the lowest latency; more can help many busy clients on a
    /// machine with idle cores.
    #[arg(long, global = true, env = "GATEWAY_WORKERS", default_value_t = DEFAULT_WORKERS as u16,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) workers: u16,
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Runs an embedded console, the gateway and a simulated terminal: everything works without MetaTrader.
    Demo(DemoArgs),
    /// Runs the gateway as a Windows service: `service install [gateway options]`, `service uninstall`.
    #[cfg(windows)]
    #[command(subcommand)]
    Service(ServiceCommand),
}

#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// Gateway address (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:6000")]
    pub(crate) listen: SocketAddr,
    /// Console address (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:7000")]
    pub(crate) console_listen: SocketAddr,
    /// Where the console database and gateway state live (a fresh temporary directory by default).
    #[arg(long)]
    pub(crate) data_dir: Option<PathBuf>,
    /// Terminal to simulate: mt5-hedging, mt5-netting or mt4.
    #[arg(long, default_value = "mt5-hedging", value_parser = metaapi_demo::parse_mode)]
    pub(crate) mode: metaapi_terminal_sim::Mode,
    /// How many terminals (the second and later alternate MT4 and MT5 netting), each with its own token.
    #[arg(long, default_value_t = 1)]
    pub(crate) terminals: usize,
    /// Seed of the simulated price feed.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Run the simulated clock from a fixed Monday morning instead of following the wall clock.
    #[arg(long)]
    pub(crate) virtual_clock: bool,
    /// Once everything is online, write the URLs and tokens to this file as JSON (for test suites).
    #[arg(long)]
    pub(crate) ready_file: Option<PathBuf>,
}

/// Flags of the gateway itself.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Address to listen on. Keep it on loopback unless you know why not.
    #[arg(long, env = "GATEWAY_LISTEN", default_value = "127.0.0.1:6000")]
    pub(crate) listen: SocketAddr,
    /// Base URL of the console API.
    #[arg(long, env = "GATEWAY_CONSOLE_URL", default_value = "http://127.0.0.1:7000")]
    pub(crate) console_url: String,
    /// Directory for the device id and trade outcomes (on Windows under %LOCALAPPDATA%\MetaAPI by default).
    #[arg(long, env = "GATEWAY_DATA_DIR",
          default_value_os_t = metaapi_console::platform::default_data_dir("Gateway", "./gateway-data"))]
    pub(crate) data_dir: PathBuf,
    /// Largest /rpc body in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    pub(crate) max_body_bytes: u64,
    /// Most calls in one batch.
    #[arg(long, default_value_t = 100)]
    pub(crate) max_batch: usize,
    /// Largest message a client may send on /ws, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    pub(crate) max_ws_message_bytes: usize,
    /// Largest message read from a terminal link, in bytes (replies are far larger than requests: 10,000 history
    /// orders come to about 7 MB). The bridge answers a request whose reply would not fit with payload_too_large.
    #[arg(long, default_value_t = metaapi_protocol::link::DEFAULT_LINK_MAX_MESSAGE_BYTES as usize)]
    pub(crate) link_max_message_bytes: usize,
    /// Milliseconds a request may wait for the terminal to take it.
    #[arg(long, default_value_t = 5000)]
    pub(crate) pickup_timeout_ms: u64,
    /// Milliseconds a taken request may stay unanswered.
    #[arg(long, default_value_t = 30000)]
    pub(crate) reply_timeout_ms: u64,
    /// Seconds verified tokens keep working while the console is unreachable.
    #[arg(long, default_value_t = 300)]
    pub(crate) grace_period_s: u64,
    /// Outbound queue per WebSocket client.
    #[arg(long, default_value_t = 1024)]
    pub(crate) ws_queue: usize,
    /// Most subscriptions one WebSocket connection may hold.
    #[arg(long, default_value_t = 1024)]
    pub(crate) max_subscriptions_per_connection: usize,
    /// Most subscriptions all WebSocket connections of one token may hold together.
    #[arg(long, default_value_t = 4096)]
    pub(crate) max_subscriptions_per_token: usize,
    /// Milliseconds one token verification may wait for the console. Tokens confirmed within the grace period never
    /// wait: they are served from the cache while the gateway asks again in the background.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) console_timeout_ms: u64,
    /// Failed authorizations per peer per minute before further failures are answered late (a valid token is never
    /// refused; only tokens the console refused for good are, with 429).
    #[arg(long, default_value_t = 20)]
    pub(crate) auth_fail_limit: u32,
    /// Milliseconds each failed authorization beyond the limit is held back.
    #[arg(long, default_value_t = 1000)]
    pub(crate) auth_fail_delay_ms: u64,
    /// Close a connection that has not sent a whole request head within this many milliseconds.
    #[arg(long, default_value_t = 10_000)]
    pub(crate) header_read_timeout_ms: u64,
    /// Extra Host names to accept (besides loopback names).
    #[arg(long = "allow-host")]
    pub(crate) allowed_hosts: Vec<String>,
    /// Origins allowed to open WebSockets or call /rpc.
    #[arg(long = "allow-origin")]
    pub(crate) allowed_origins: Vec<String>,
    /// Log as JSON lines.
    #[arg(long)]
    pub(crate) json_logs: bool,
}

#[cfg(windows)]
/// What `metaapi-gateway service` does.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ServiceCommand {
    /// Registers the gateway as a service that starts with Windows; the options after `install` are the gateway's
    /// own (`--console-url`, `--listen`, ...). Needs an administrator Command Prompt.
    Install {
        /// The gateway's options, stored with the service.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        options: Vec<OsString>,
    },
    /// Stops the service if it runs and removes it. Needs an administrator Command Prompt.
    Uninstall,
    /// What the service manager starts; not for typing.
    #[command(hide = true)]
    Run {
        /// The gateway's options.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        options: Vec<OsString>,
    },
}
