//! The servers under test and the runtimes they run on: the demo stack, its simulated terminals, and the server and
//! client runtimes, shared by the in-process rows and the external load generator's child processes.

use std::net::SocketAddr;

use metaapi_demo::{Demo, DemoConfig};
use metaapi_protocol::console::CreateTokenRequest;
use metaapi_terminal_sim::{BridgeAbi, Mode, SimConfig, SimHandle, TerminalConfig};

use crate::error::{BenchError, unexpected};
use crate::memory;

pub(crate) fn address_of(url: &str) -> Result<SocketAddr, BenchError> {
    url.trim_start_matches("http://").parse().map_err(|_| unexpected(format!("not a socket address: {url}")))
}

/// Starts one more simulated terminal with its own token and waits until it answers through the gateway.
///
/// Its feed follows the wall clock from a Monday morning (markets open whatever the date): a terminal's ticks come
/// at market pace. The demo's virtual clock instead moves 100 ms of market per EA loop turn, so under load every
/// call would also buy 100 ms of simulated ticks, a flood of events no real terminal sends.
pub(crate) async fn add_terminal(
    demo: &Demo,
    sims: &mut Vec<SimHandle>,
    tokens: &mut Vec<String>,
) -> Result<(), BenchError> {
    let index = tokens.len();
    let request = CreateTokenRequest { name: format!("bench-terminal-{}", index + 1), expires_at: None };
    let token = demo.console.create_token(&demo.user, &request)?.token;
    let config = SimConfig {
        mode: Mode::Mt5Hedging,
        seed: 1 + index as u64,
        realtime: true,
        gateway_url: format!("ws://{}/terminal", address_of(&demo.url)?),
        token: token.clone(),
        start_time: Some(TerminalConfig::new(Mode::Mt5Hedging, 0).start_time),
        scale: Default::default(),
    };
    sims.push(metaapi_terminal_sim::start(BridgeAbi::linked(), config)?);
    memory::wait_online(address_of(&demo.url)?, &token).await?;
    tokens.push(token);
    Ok(())
}

/// The demo stack (console and gateway on 127.0.0.1:0) without simulated terminals; scenarios add their own.
pub(crate) async fn bare_demo() -> Result<Demo, BenchError> {
    let mut config = DemoConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)));
    config.terminals = Vec::new();
    Ok(Demo::start(config).await?)
}

/// The servers' runtime: the gateway binary's own (`metaapi_gateway_core::runtime`) with `workers` workers. The echo, the
/// relay floor and the gateway all run on it, so every comparison is between servers on the same runtime.
pub(crate) fn server_runtime(workers: usize) -> Result<tokio::runtime::Runtime, BenchError> {
    Ok(metaapi_gateway_core::runtime::builder(workers).thread_name("bench-server").build()?)
}

/// The load generator's runtime, the same for every run: two workers, as a client program might have.
pub(crate) fn client_runtime() -> Result<tokio::runtime::Runtime, BenchError> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-client")
        .enable_all()
        .build()?)
}
