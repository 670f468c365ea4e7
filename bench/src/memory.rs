//! Memory: the gateway's resident set in its own process, and the bridge's footprint in a terminal-like process.
//!
//! The gateway runs as a child process (this same executable, `serve-gateway`), so `/proc/<pid>/status` shows its
//! own footprint and nothing of the console, the simulated terminals or the clients, which run in the harness.
//! The bridge footprint is measured the same way in another child (`bridge-probe`) that does nothing but start
//! bare bridge sessions, as the terminal process would: the growth of its resident set and thread count.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use metaapi_console::{Console, ConsoleConfig, UserId};
use metaapi_protocol::console::{CreateTokenRequest, UpdateAccountRequest};
use metaapi_terminal_sim::{BridgeAbi, Mode, SimConfig, SimHandle};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::error::{BenchError, unexpected};
use crate::load::RpcConnection;

/// A field of `/proc/<pid>/status` in kB (`VmRSS`, `VmHWM`, ...) or a plain count (`Threads`).
pub fn proc_status(pid: Option<u32>, field: &str) -> Option<u64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_owned(),
    };
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|line| line.strip_prefix(field).is_some_and(|rest| rest.starts_with(':')))?;
    line[field.len() + 1..].split_whitespace().next()?.parse().ok()
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// How much to hold open.
#[derive(Debug, Clone, Copy)]
pub struct MemoryPlan {
    /// Simulated terminals linked to the gateway.
    pub terminals: usize,
    /// Idle WebSocket clients, spread over the terminals' tokens.
    pub clients: usize,
    /// Bridge sessions in the footprint probe.
    pub bridge_sessions: usize,
}

/// Resident sizes in MiB.
#[derive(Debug, Clone)]
pub struct MemoryResult {
    /// Gateway with nothing attached.
    pub idle_mib: f64,
    /// Gateway with the terminals linked.
    pub terminals_mib: f64,
    /// Gateway with the terminals and the idle clients.
    pub clients_mib: f64,
    /// Gateway peak (`VmHWM`) over the whole run.
    pub peak_mib: f64,
    /// Gateway threads at the end.
    pub gateway_threads: u64,
    /// Probe: growth of the process's resident set with the first bridge session, MiB.
    pub bridge_first_mib: f64,
    /// Probe: growth per further session, MiB.
    pub bridge_each_mib: f64,
    /// Probe: threads the first session added (the bridge's I/O thread).
    pub bridge_threads: u64,
}

/// The console the gateway child verifies tokens with, served on this runtime.
struct BenchConsole {
    console: Console,
    user: UserId,
    url: String,
    stop: CancellationToken,
    _directory: tempfile::TempDir,
}

impl BenchConsole {
    async fn start() -> Result<BenchConsole, BenchError> {
        let directory = tempfile::Builder::new().prefix("metaapi-bench-console-").tempdir()?;
        let console = Console::open(ConsoleConfig::new(directory.path()))?;
        let user = console.create_user("bench@localhost", "bench-password-not-secret")?;
        let update = UpdateAccountRequest { auto_approve_devices: Some(true), ..UpdateAccountRequest::default() };
        console.update_account(&user, &update)?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let stop = CancellationToken::new();
        let serving = console.clone();
        let serving_stop = stop.clone();
        tokio::spawn(async move {
            let _ = serving.serve(listener, serving_stop.cancelled_owned()).await;
        });
        Ok(BenchConsole { console, user, url, stop, _directory: directory })
    }

    fn token(&self, name: String) -> Result<String, BenchError> {
        Ok(self.console.create_token(&self.user, &CreateTokenRequest { name, expires_at: None })?.token)
    }
}

/// The gateway child process; closing its stdin stops it.
struct GatewayChild {
    child: Child,
    address: SocketAddr,
    _directory: tempfile::TempDir,
}

impl GatewayChild {
    fn spawn(executable: &Path, console_url: &str) -> Result<GatewayChild, BenchError> {
        let directory = tempfile::Builder::new().prefix("metaapi-bench-gateway-").tempdir()?;
        let mut child = Command::new(executable)
            .arg("serve-gateway")
            .arg("--console-url")
            .arg(console_url)
            .arg("--data-dir")
            .arg(directory.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| unexpected("no stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let address = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|address| address.parse().ok())
            .ok_or_else(|| unexpected(format!("the gateway child said {line:?}")))?;
        Ok(GatewayChild { child, address, _directory: directory })
    }

    fn status(&self, field: &str) -> u64 {
        proc_status(Some(self.child.id()), field).unwrap_or(0)
    }

    fn stop(mut self) {
        drop(self.child.stdin.take());
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `get_account_info` with `token` until the terminal answers (10 s at most).
pub(crate) async fn wait_online(address: SocketAddr, token: &str) -> Result<(), BenchError> {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = match RpcConnection::connect(address, token).await {
            Ok(mut connection) => connection.call("get_account_info", &json!({})).await.map(drop),
            Err(error) => Err(error),
        };
        match answer {
            Ok(()) => return Ok(()),
            Err(error) if Instant::now() > until => return Err(error),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Settles, then reads the gateway's resident set in MiB.
async fn settled_rss(gateway: &GatewayChild, settle: Duration) -> f64 {
    tokio::time::sleep(settle).await;
    mib(gateway.status("VmRSS"))
}

/// Runs the memory scenario with the gateway child started from `executable`.
pub async fn run(executable: &Path, plan: MemoryPlan, settle: Duration) -> Result<MemoryResult, BenchError> {
    let console = BenchConsole::start().await?;
    let gateway = GatewayChild::spawn(executable, &console.url)?;
    let outcome = measure(executable, &console, &gateway, plan, settle).await;
    let peak_mib = mib(gateway.status("VmHWM"));
    let gateway_threads = gateway.status("Threads");
    tokio::task::spawn_blocking(move || gateway.stop()).await.ok();
    console.stop.cancel();
    let (idle_mib, terminals_mib, clients_mib, probe) = outcome?;
    Ok(MemoryResult {
        idle_mib,
        terminals_mib,
        clients_mib,
        peak_mib,
        gateway_threads,
        bridge_first_mib: probe.0,
        bridge_each_mib: probe.1,
        bridge_threads: probe.2,
    })
}

type Measures = (f64, f64, f64, (f64, f64, u64));

async fn measure(
    executable: &Path,
    console: &BenchConsole,
    gateway: &GatewayChild,
    plan: MemoryPlan,
    settle: Duration,
) -> Result<Measures, BenchError> {
    let address = gateway.address;
    let idle = settled_rss(gateway, settle).await;

    let terminal_url = format!("ws://{address}/terminal");
    let mut tokens = Vec::new();
    let mut sims: Vec<SimHandle> = Vec::new();
    for index in 0..plan.terminals {
        let token = console.token(format!("bench-memory-{index}"))?;
        let config = SimConfig {
            mode: Mode::Mt5Hedging,
            seed: 100 + index as u64,
            realtime: false,
            gateway_url: terminal_url.clone(),
            token: token.clone(),
            start_time: None,
            scale: Default::default(),
        };
        sims.push(metaapi_terminal_sim::start(BridgeAbi::linked(), config)?);
        wait_online(address, &token).await?;
        tokens.push(token);
    }
    let with_terminals = settled_rss(gateway, settle).await;

    let mut clients = Vec::with_capacity(plan.clients);
    for index in 0..plan.clients {
        clients.push(crate::fanout::connect(address, &tokens[index % tokens.len().max(1)]).await?);
    }
    let with_clients = settled_rss(gateway, settle).await;
    drop(clients);
    tokio::task::spawn_blocking(move || sims.into_iter().for_each(SimHandle::stop)).await.ok();

    let mut probe_tokens = Vec::new();
    for index in 0..plan.bridge_sessions.max(1) {
        probe_tokens.push(console.token(format!("bench-probe-{index}"))?);
    }
    let probe = probe_bridge(executable, &terminal_url, &probe_tokens).await?;
    Ok((idle, with_terminals, with_clients, probe))
}

async fn probe_bridge(executable: &Path, terminal_url: &str, tokens: &[String]) -> Result<(f64, f64, u64), BenchError> {
    let executable = executable.to_path_buf();
    let mut input = format!("{terminal_url}\n");
    for token in tokens {
        input.push_str(token);
        input.push('\n');
    }
    let output = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(executable)
            .arg("bridge-probe")
            // The bridge runs on MetaTrader's allocator, not the harness's mimalloc.
            .env(crate::allocator::SYSTEM_ALLOCATOR_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        child.stdin.take().ok_or_else(|| unexpected("no stdin"))?.write_all(input.as_bytes())?;
        let mut text = String::new();
        child.stdout.take().ok_or_else(|| unexpected("no stdout"))?.read_to_string(&mut text)?;
        child.wait()?;
        Ok::<_, BenchError>(text)
    })
    .await
    .map_err(|error| unexpected(format!("bridge probe: {error}")))??;
    let report: Value =
        serde_json::from_str(output.trim()).map_err(|_| unexpected(format!("bridge probe said {output:?}")))?;
    let number = |name: &str| report[name].as_f64().unwrap_or(0.0);
    let sessions = number("sessions").max(1.0);
    let first = mib((number("rss_first") - number("rss_before")).max(0.0) as u64);
    let each = if sessions > 1.0 {
        mib((number("rss_all") - number("rss_first")).max(0.0) as u64) / (sessions - 1.0)
    } else {
        0.0
    };
    let threads = (number("threads_first") - number("threads_before")).max(0.0) as u64;
    Ok((first, each, threads))
}
