//! The cross-check by an external load generator: `wrk` in its own process drives the echo and the demo, each
//! running alone in a child process of this harness, so neither the load generator nor the other server shares the
//! measured server's process or runtime.
//!
//! The in-process generator of [`crate::load`] shares the machine's two cores with the server in one process; on this
//! machine it gave a one-connection ratio of 1.66x where `wrk` gave 2.5-2.8x. Both are reported, side by side.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::error::{BenchError, unexpected};

/// The `get_quote` call both servers get, as the in-process generator sends it.
const CALL: &str = r#"{"jsonrpc":"2.0","id":1,"method":"get_quote","params":{"symbol":"EURUSD"}}"#;

/// One wrk run's numbers, from the script's `done` line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WrkResult {
    /// Latency quantiles in microseconds: p50, p99, p99.9.
    pub latency: (u64, u64, u64),
    /// Completed requests.
    pub requests: u64,
    /// Measured window in microseconds.
    pub duration_us: u64,
    /// Responses that were not HTTP 200 with a JSON-RPC `result`: a run with any is refused, because an error answered
    /// fast would flatter the server.
    pub bad: u64,
}

impl WrkResult {
    /// Requests per second.
    pub fn throughput(&self) -> f64 {
        self.requests as f64 / (self.duration_us.max(1) as f64 / 1e6)
    }
}

/// The Lua script: the call with its headers, a check of every answer, and one machine-readable line at the end.
pub fn script(token: &str) -> String {
    format!(
        r#"wrk.method = "POST"
wrk.body = '{CALL}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"result"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  io.write(string.format("RESULT %d %d %d %d %d %d\n", latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), summary.requests, summary.duration, b))
end
"#
    )
}

/// Reads the script's `RESULT` line out of wrk's output.
pub fn parse(output: &str) -> Result<WrkResult, BenchError> {
    let line = output
        .lines()
        .find_map(|line| line.strip_prefix("RESULT "))
        .ok_or_else(|| unexpected(format!("wrk printed no RESULT line:\n{output}")))?;
    let numbers: Vec<u64> = line
        .split_whitespace()
        .map(|field| field.parse::<f64>().map(|value| value as u64))
        .collect::<Result<_, _>>()
        .map_err(|_| unexpected(format!("wrk's RESULT line is not numbers: {line}")))?;
    match numbers[..] {
        [p50, p99, p999, requests, duration_us, bad] => {
            Ok(WrkResult { latency: (p50, p99, p999), requests, duration_us, bad })
        }
        _ => Err(unexpected(format!("wrk's RESULT line has {} fields, not 6: {line}", numbers.len()))),
    }
}

/// Whether `wrk` can be started here.
pub fn available() -> bool {
    Command::new("wrk").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// One wrk run against `address` with `connections` connections for `seconds` (wrk's smallest unit).
pub fn run(address: SocketAddr, token: &str, connections: usize, seconds: u64) -> Result<WrkResult, BenchError> {
    let dir = tempfile::tempdir()?;
    let script_path = dir.path().join("call.lua");
    std::fs::write(&script_path, script(token))?;
    // One wrk thread per 16 connections (at least one, at most two: the machine has two cores for everything).
    let threads = connections.div_ceil(16).clamp(1, 2);
    let output = Command::new("wrk")
        .args(["-t", &threads.to_string(), "-c", &connections.to_string(), "-d", &format!("{seconds}s")])
        .arg("-s")
        .arg(&script_path)
        .arg(format!("http://{address}/rpc"))
        .output()
        .map_err(|error| unexpected(format!("cannot start wrk: {error}")))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(unexpected(format!(
            "wrk failed ({}): {}{}",
            output.status,
            text,
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let result = parse(&text)?;
    if result.bad > 0 || result.requests == 0 {
        return Err(unexpected(format!(
            "wrk against {address}: {} of {} answers were not JSON-RPC results",
            result.bad, result.requests
        )));
    }
    Ok(result)
}

/// A server in a child process of this harness (`metaapi-bench serve-echo` or `serve-demo`), stopped by closing its
/// stdin, which it watches, so it never outlives the harness.
pub struct ServerChild {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Where it listens.
    pub address: SocketAddr,
    /// The token calls carry (the demo's terminal token; anything for the echo).
    pub token: String,
}

impl ServerChild {
    /// Starts `executable <command>` and reads its `listening <address> <token>` line.
    pub fn start(executable: &Path, command: &str) -> Result<ServerChild, BenchError> {
        let mut child = Command::new(executable)
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or_else(|| unexpected("child has no stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let mut fields = line.split_whitespace();
        let address = match (fields.next(), fields.next()) {
            (Some("listening"), Some(address)) => address.parse().ok(),
            _ => None,
        };
        let Some(address) = address else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(unexpected(format!("{command} child said {line:?} instead of `listening <address> <token>`")));
        };
        let token = fields.next().unwrap_or("unused").to_owned();
        Ok(ServerChild { child, stdin, address, token })
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        drop(self.stdin.take());
        // It exits when its stdin closes; a wedged child is killed rather than waited on forever.
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Prints `listening <address> <token>` and blocks until stdin closes: the child side of [`ServerChild`].
fn announce_and_wait(address: SocketAddr, token: &str) -> Result<(), BenchError> {
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening {address} {token}")?;
    stdout.flush()?;
    let mut sink = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink)?;
    Ok(())
}

/// Child process: the echo baseline alone, on the gateway binary's runtime.
pub fn serve_echo() -> Result<(), BenchError> {
    let server = crate::servers::server_runtime(metaapi_gateway_core::runtime::DEFAULT_WORKERS)?;
    let stop = CancellationToken::new();
    let address = server.block_on(crate::baseline::start(stop.clone()))?;
    let result = announce_and_wait(address, "unused");
    stop.cancel();
    result
}

/// Child process: the demo stack (console, gateway, one simulated terminal whose clock follows the wall clock from a
/// Monday morning) alone, as the in-process rows measure it.
pub fn serve_demo() -> Result<(), BenchError> {
    let server = crate::servers::server_runtime(metaapi_gateway_core::runtime::DEFAULT_WORKERS)?;
    let demo = server.block_on(crate::servers::bare_demo())?;
    let (mut sims, mut tokens) = (Vec::new(), Vec::new());
    server.block_on(crate::servers::add_terminal(&demo, &mut sims, &mut tokens))?;
    let address = crate::servers::address_of(&demo.url)?;
    let result = announce_and_wait(address, &tokens[0]);
    sims.into_iter().for_each(metaapi_terminal_sim::SimHandle::stop);
    server.block_on(demo.stop());
    result
}

/// The external rows' numbers for one connection count: the echo's and the demo's, each the median of alternating
/// rounds.
#[derive(Debug, Clone, Copy)]
pub struct Compared {
    /// The echo.
    pub echo: WrkResult,
    /// The demo.
    pub demo: WrkResult,
}

/// Runs wrk against both children in `rounds` alternating rounds of `seconds` each and keeps each side's median
/// round (by p50), so drift lands on both and one disturbed round does not decide.
pub fn compare(
    echo: &ServerChild,
    demo: &ServerChild,
    connections: usize,
    rounds: u32,
    seconds: u64,
) -> Result<Compared, BenchError> {
    let (mut echo_runs, mut demo_runs) = (Vec::new(), Vec::new());
    for _ in 0..rounds.max(1) {
        echo_runs.push(run(echo.address, &echo.token, connections, seconds)?);
        demo_runs.push(run(demo.address, &demo.token, connections, seconds)?);
    }
    Ok(Compared { echo: median(echo_runs), demo: median(demo_runs) })
}

fn median(mut runs: Vec<WrkResult>) -> WrkResult {
    runs.sort_by_key(|run| run.latency.0);
    runs[runs.len() / 2]
}
