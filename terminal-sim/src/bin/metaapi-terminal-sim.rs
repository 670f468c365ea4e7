//! The `metaapi-terminal-sim` binary: one simulated terminal that connects to a gateway with a given auth token,
//! as an EA with that token pasted in would, until SIGINT or SIGTERM.

#![forbid(unsafe_code)]

use anyhow::Context;
use clap::{Parser, ValueEnum};
use metaapi_terminal_sim::{BridgeAbi, Mode, SimConfig};

/// Runs a simulated MetaTrader terminal through the linked bridge.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The gateway's terminal endpoint, for example ws://127.0.0.1:6000/terminal.
    #[arg(long)]
    gateway_url: String,
    /// The auth token, as pasted into the EA's AuthToken input.
    #[arg(long, env = "METAAPI_TOKEN", hide_env_values = true)]
    token: String,
    /// Which terminal to simulate.
    #[arg(long, value_enum, default_value_t = ModeArg::Mt5Hedging)]
    mode: ModeArg,
    /// Seed of the simulated price feed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run the simulated clock from a fixed Monday morning instead of following the wall clock.
    #[arg(long)]
    virtual_clock: bool,
}

/// The CLI names of the modes, as the gateway's demo spells them.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    Mt5Hedging,
    Mt5Netting,
    Mt4,
}

impl From<ModeArg> for Mode {
    fn from(mode: ModeArg) -> Mode {
        match mode {
            ModeArg::Mt5Hedging => Mode::Mt5Hedging,
            ModeArg::Mt5Netting => Mode::Mt5Netting,
            ModeArg::Mt4 => Mode::Mt4,
        }
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.token.trim().is_empty() {
        anyhow::bail!("--token is empty: paste the auth token created in the console");
    }
    if !(args.gateway_url.starts_with("ws://") || args.gateway_url.starts_with("wss://")) {
        anyhow::bail!("--gateway-url must be a ws:// or wss:// URL, got {:?}", args.gateway_url);
    }
    let config = SimConfig {
        mode: args.mode.into(),
        seed: args.seed,
        realtime: !args.virtual_clock,
        gateway_url: args.gateway_url.clone(),
        token: args.token,
        start_time: None,
        scale: Default::default(),
    };
    // The bridge runs its own threads; start it outside any runtime, as a terminal's EA would.
    let sim =
        metaapi_terminal_sim::start(BridgeAbi::linked(), config).context("the simulated terminal could not start")?;
    println!("terminal-sim: session {} connecting to {}; Ctrl-C stops it", sim.session(), args.gateway_url);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("no signal runtime")?;
    runtime.block_on(shutdown_signal())?;
    println!("terminal-sim: stopping");
    sim.stop();
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted.context("cannot watch SIGINT")?,
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await.context("cannot watch Ctrl-C")?;
    Ok(())
}
