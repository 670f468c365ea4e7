//! The console at scale (issue 18): simulated gateways verifying tokens and holding push channels against console
//! replicas in child processes, on SQLite (one replica) and on PostgreSQL (two replicas).
//!
//! A simulated gateway is what a real one costs the console, not a gateway process: one keep-alive HTTP connection
//! that posts `/api/v1/verify` for the tokens it serves at a steady pace, and one `GET /api/v1/events` WebSocket.
//! Gateway `i` talks to replica `i % replicas`. Measured: verifications per second and their latency under that
//! steady offered rate, the time from a `DELETE /api/v1/tokens/{id}` sent to replica A until the last gateway (and
//! the last one attached to replica B) hears the revocation, and each replica's resident memory (from `/proc`,
//! which is why replicas are child processes: `metaapi-bench serve-console`).
//!
//! PostgreSQL is used when `METAAPI_CONSOLE_TEST_PG_URL` names a server, as console/tests/with-postgres.sh
//! exports it; without one, that row says SKIPPED. The smoke plan runs SQLite only, with a few gateways, in seconds.
//! As everywhere in the harness, timings are reported, never asserted; only a broken setup fails the run.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hdrhistogram::Histogram;
use metaapi_bench::BenchError;
use metaapi_bench::memory::proc_status;
use metaapi_console::store::DatabaseUrl;
use metaapi_console::{Console, ConsoleConfig};
use metaapi_protocol::console::{CreateTokenRequest, RevocationEvent, UpdateAccountRequest, Verdict, VerifyRequest};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// The environment variable naming a PostgreSQL server (console/tests/with-postgres.sh sets it).
pub const PG_URL_VAR: &str = "METAAPI_CONSOLE_TEST_PG_URL";

mod report;

pub use report::{markdown, section_of, table, with_section};

/// Sizes of one run.
#[derive(Debug, Clone, Copy)]
pub struct ConsolePlan {
    /// Simulated gateways, each with a push channel and a verify connection.
    pub gateways: usize,
    /// Tokens, spread evenly over the gateways.
    pub tokens: usize,
    /// Console users owning them (tokens and gateways spread evenly too).
    pub users: usize,
    /// Pause between one gateway's verifications: the offered rate is `gateways / verify_every`.
    pub verify_every: Duration,
    /// Measured window of the verification load.
    pub duration: Duration,
    /// Revocations timed one after another (each until every gateway heard it).
    pub revocations: usize,
    /// Whether PostgreSQL runs too (when a server is named).
    pub postgres: bool,
}

impl ConsolePlan {
    /// The sizes: 1,000 gateways, 10,000 tokens.
    pub fn full() -> ConsolePlan {
        ConsolePlan {
            gateways: 1000,
            tokens: 10_000,
            users: 100,
            verify_every: Duration::from_millis(1000),
            duration: Duration::from_secs(10),
            revocations: 10,
            postgres: true,
        }
    }

    /// Seconds, on SQLite only: the same steps with numbers that mean nothing.
    pub fn smoke() -> ConsolePlan {
        ConsolePlan {
            gateways: 20,
            tokens: 100,
            users: 4,
            verify_every: Duration::from_millis(100),
            duration: Duration::from_millis(500),
            revocations: 2,
            postgres: false,
        }
    }
}

/// What one backend measured.
#[derive(Debug, Clone)]
pub struct ConsoleResult {
    /// `SQLite` or `PostgreSQL`.
    pub backend: &'static str,
    /// Replica processes.
    pub replicas: usize,
    /// The plan it ran.
    pub plan: ConsolePlan,
    /// Verifications answered `allowed` in the window.
    pub verified: u64,
    /// Verifications that failed (HTTP error, denial, broken connection).
    pub failed: u64,
    /// The window's real length.
    pub elapsed: Duration,
    /// Verification latency, microseconds.
    pub latency: Histogram<u64>,
    /// Per revocation: until the last gateway heard it, and until the last one on replica B did.
    pub fanout: Vec<(Duration, Option<Duration>)>,
    /// Gateways that did not hear a revocation within the cap (summed over revocations).
    pub missed: usize,
    /// Per replica: resident set (kB) with every gateway attached before the load, after it, and the peak.
    pub memory_kb: Vec<(u64, u64, u64)>,
}

impl ConsoleResult {
    fn per_second(&self) -> f64 {
        self.verified as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// A backend's outcome: measured, or skipped with the reason.
pub type Outcome = Result<ConsoleResult, String>;

/// Runs the plan on SQLite, then on PostgreSQL when the plan wants it and a server is named.
pub fn run(executable: &Path, plan: ConsolePlan, progress: &mut dyn FnMut(&str)) -> Result<Vec<Outcome>, BenchError> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let mut outcomes = vec![Ok(runtime.block_on(run_backend(executable, plan, None, progress))?)];
    if plan.postgres {
        match std::env::var(PG_URL_VAR).ok().filter(|url| !url.is_empty()) {
            Some(url) => outcomes.push(Ok(runtime.block_on(run_backend(executable, plan, Some(url), progress))?)),
            None => {
                let why = format!("SKIPPED: no PostgreSQL ({PG_URL_VAR} is not set; run under with-postgres.sh)");
                progress(&why);
                outcomes.push(Err(why));
            }
        }
    }
    Ok(outcomes)
}

/// Everything one backend needs: the data, the replicas, the gateways; then the measurements.
async fn run_backend(
    executable: &Path,
    plan: ConsolePlan,
    database_url: Option<String>,
    progress: &mut dyn FnMut(&str),
) -> Result<ConsoleResult, BenchError> {
    let (backend, replicas) = if database_url.is_some() { ("PostgreSQL", 2) } else { ("SQLite", 1) };
    let dir = tempfile::tempdir()?;
    progress(&format!("console {backend}: {} users, {} tokens", plan.users, plan.tokens));
    let data = {
        let url = database_url.clone();
        let path = dir.path().to_owned();
        tokio::task::spawn_blocking(move || seed(&path, url, plan)).await.map_err(|e| failed(e.to_string()))??
    };
    progress(&format!("console {backend}: {replicas} replica process(es), {} gateways attaching", plan.gateways));
    let mut children = Vec::new();
    for index in 0..replicas {
        // The first replica opens the seeded data directory: on SQLite that is the database.
        let data_dir = if index == 0 { dir.path().join("seed") } else { dir.path().join(format!("replica-{index}")) };
        children.push(ReplicaChild::start(executable, &data_dir, &database_url)?);
    }
    let addresses: Vec<SocketAddr> = children.iter().map(|child| child.address).collect();
    let (heard_tx, mut heard_rx) = mpsc::unbounded_channel::<(usize, String, Instant)>();
    let mut listeners = Vec::new();
    for gateway in 0..plan.gateways {
        listeners.push(attach(addresses[gateway % replicas], gateway, heard_tx.clone()).await?);
    }
    drop(heard_tx);
    let pause = || tokio::time::sleep(Duration::from_millis(500));
    pause().await;
    let before: Vec<u64> = children.iter().map(|child| child.rss_kb("VmRSS")).collect();

    progress(&format!(
        "console {backend}: {} verifications/s offered for {:?}",
        (plan.gateways as f64 / plan.verify_every.as_secs_f64()).round(),
        plan.duration
    ));
    let (verified, failed_count, elapsed, latency) = verify_load(&addresses, &data, plan).await?;
    pause().await;
    let memory_kb = children
        .iter()
        .zip(before)
        .map(|(child, before)| (before, child.rss_kb("VmRSS"), child.rss_kb("VmHWM")))
        .collect();

    progress(&format!("console {backend}: {} revocations through replica A", plan.revocations));
    let mut fanout = Vec::new();
    let mut missed = 0;
    for (token_id, key) in data.revocable.iter().take(plan.revocations) {
        let started = Instant::now();
        let mut http = HttpConnection::connect(addresses[0]).await?;
        let (status, body) = http.request("DELETE", &format!("/api/v1/tokens/{token_id}"), Some(key), None).await?;
        if !matches!(status, 200 | 204) {
            return Err(failed(format!("revocation answered HTTP {status}: {}", String::from_utf8_lossy(&body))));
        }
        let (mut heard, mut last, mut last_b) = (0, Duration::ZERO, None::<Duration>);
        let cap = tokio::time::Instant::now() + Duration::from_secs(10);
        while heard < plan.gateways {
            let Ok(Some((gateway, id, at))) = tokio::time::timeout_at(cap, heard_rx.recv()).await else { break };
            if &id != token_id {
                continue;
            }
            heard += 1;
            let after = at.saturating_duration_since(started);
            last = last.max(after);
            if replicas > 1 && gateway % replicas == 1 {
                last_b = Some(last_b.map_or(after, |b| b.max(after)));
            }
        }
        missed += plan.gateways - heard;
        fanout.push((last, last_b));
    }
    for listener in listeners {
        listener.abort();
    }
    drop(children);
    Ok(ConsoleResult {
        backend,
        replicas,
        plan,
        verified,
        failed: failed_count,
        elapsed,
        latency,
        fanout,
        missed,
        memory_kb,
    })
}

/// The seeded data: each gateway's tokens, and tokens to revoke with their owner's API key.
struct Seeded {
    /// Per gateway: its device id and the tokens it verifies.
    gateways: Vec<(String, Vec<String>)>,
    /// `(token id, owner's API key)` of tokens no gateway verifies, so revoking them fails no verification.
    revocable: Vec<(String, String)>,
}

/// Creates the users (auto-approving devices), their tokens and API keys through the console library, before any
/// replica runs.
fn seed(dir: &Path, database_url: Option<String>, plan: ConsolePlan) -> Result<Seeded, BenchError> {
    let mut config = ConsoleConfig::new(dir.join("seed"));
    config.database_url = database_url.map(DatabaseUrl);
    let console = Console::open(config)?;
    let run = uuid_like();
    let users = plan.users.max(1);
    let mut owners = Vec::new();
    for user in 0..users {
        let id = console.create_user(&format!("load-{run}-{user}@example.com"), "correct horse battery staple")?;
        let request = UpdateAccountRequest { auto_approve_devices: Some(true), ..Default::default() };
        console.update_account(&id, &request)?;
        let key = console.create_api_key(&id)?;
        owners.push((id, key));
    }
    // Gateway g belongs to user g % users and serves that user's tokens round-robin.
    let mut gateways: Vec<(String, Vec<String>)> =
        (0..plan.gateways).map(|g| (format!("load-{run}-device-{g}"), Vec::new())).collect();
    let per_user_gateways: Vec<Vec<usize>> =
        (0..users).map(|user| (0..plan.gateways).filter(|g| g % users == user).collect()).collect();
    for index in 0..plan.tokens {
        let user = index % users;
        let request = CreateTokenRequest { name: format!("load-{index}"), expires_at: None };
        let token = console.create_token(&owners[user].0, &request)?.token;
        let served = &per_user_gateways[user];
        if !served.is_empty() {
            gateways[served[(index / users) % served.len()]].1.push(token);
        }
    }
    let mut revocable = Vec::new();
    for index in 0..plan.revocations {
        let (user, key) = &owners[index % users];
        let request = CreateTokenRequest { name: format!("revoked-{index}"), expires_at: None };
        revocable.push((console.create_token(user, &request)?.summary.id, key.clone()));
    }
    Ok(Seeded { gateways, revocable })
}

/// Something unique per run, so runs against one PostgreSQL database do not collide on emails.
fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{:x}{:x}", nanos, std::process::id())
}

/// Opens gateway `gateway`'s push channel and forwards each token revocation it hears, with the time it arrived.
async fn attach(
    address: SocketAddr,
    gateway: usize,
    heard: mpsc::UnboundedSender<(usize, String, Instant)>,
) -> Result<tokio::task::JoinHandle<()>, BenchError> {
    let url = format!("ws://{address}/api/v1/events");
    let (mut socket, _) =
        tokio_tungstenite::connect_async(url.as_str()).await.map_err(|e| failed(format!("push channel: {e}")))?;
    // The first frame is the resync every listener starts with: once it is in, the listener is registered.
    match socket.next().await {
        Some(Ok(Message::Text(_))) => {}
        other => return Err(failed(format!("push channel opened without its resync: {other:?}"))),
    }
    Ok(tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Text(text) = message {
                let at = Instant::now();
                if let Ok(RevocationEvent::Token { token_id, .. }) = serde_json::from_str(&text)
                    && heard.send((gateway, token_id, at)).is_err()
                {
                    return;
                }
            }
        }
    }))
}

/// Every gateway verifies its tokens in turn, one every `verify_every`, for `duration`.
async fn verify_load(
    addresses: &[SocketAddr],
    data: &Seeded,
    plan: ConsolePlan,
) -> Result<(u64, u64, Duration, Histogram<u64>), BenchError> {
    let verified = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + plan.duration;
    for (gateway, (device_id, tokens)) in data.gateways.iter().enumerate() {
        if tokens.is_empty() {
            continue;
        }
        let mut http = HttpConnection::connect(addresses[gateway % addresses.len()]).await?;
        let bodies: Vec<String> = tokens
            .iter()
            .map(|token| {
                let request = VerifyRequest {
                    token: token.clone(),
                    device_id: device_id.clone(),
                    device_name: device_id.clone(),
                };
                serde_json::to_string(&request).unwrap_or_default()
            })
            .collect();
        let (verified, failures) = (verified.clone(), failures.clone());
        let every = plan.verify_every;
        // Spread the gateways' first calls over one period, as independent machines would be.
        let offset = every.mul_f64(gateway as f64 / plan.gateways.max(1) as f64);
        tasks.push(tokio::spawn(async move {
            let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds");
            let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + offset, every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            for body in bodies.iter().cycle() {
                tokio::select! {
                    _ = tokio::time::sleep_until(deadline) => break,
                    _ = ticker.tick() => {}
                }
                let sent = Instant::now();
                let allowed = match http.request("POST", "/api/v1/verify", None, Some(body)).await {
                    Ok((200, answer)) => matches!(serde_json::from_slice(&answer), Ok(Verdict::Allowed { .. })),
                    _ => false,
                };
                if allowed {
                    let _ = latency.record((sent.elapsed().as_micros() as u64).max(1));
                    verified.fetch_add(1, Ordering::Relaxed);
                } else {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
            latency
        }));
    }
    let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("valid bounds");
    for task in tasks {
        let part = task.await.map_err(|e| failed(e.to_string()))?;
        latency.add(&part).map_err(|e| failed(format!("histogram: {e}")))?;
    }
    let elapsed = started.elapsed().min(plan.duration.max(Duration::from_millis(1)));
    Ok((verified.load(Ordering::Relaxed), failures.load(Ordering::Relaxed), elapsed, latency))
}

/// A keep-alive HTTP/1.1 connection, a few lines over a `TcpStream` so the client costs the console's measurements
/// little (as in `load`).
struct HttpConnection {
    stream: TcpStream,
    address: SocketAddr,
    buffer: Vec<u8>,
}

impl HttpConnection {
    async fn connect(address: SocketAddr) -> Result<HttpConnection, BenchError> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(HttpConnection { stream, address, buffer: Vec::with_capacity(4096) })
    }

    async fn request(
        &mut self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<&str>,
    ) -> Result<(u16, Vec<u8>), BenchError> {
        let body = body.unwrap_or("");
        let auth = bearer.map(|key| format!("Authorization: Bearer {key}\r\n")).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.address,
            body.len()
        );
        self.stream.write_all(request.as_bytes()).await?;
        let header_end = loop {
            if let Some(position) = self.buffer.windows(4).position(|window| window == b"\r\n\r\n") {
                break position + 4;
            }
            self.fill().await?;
        };
        let head = String::from_utf8_lossy(&self.buffer[..header_end]).into_owned();
        let status = head.split(' ').nth(1).and_then(|code| code.parse::<u16>().ok()).unwrap_or(0);
        let length = head
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse::<usize>().ok());
        // Only a 204 may come without a length: the console never streams a body.
        let length = match (length, status) {
            (Some(length), _) => length,
            (None, 204) => 0,
            (None, _) => return Err(failed(format!("{method} {path}: HTTP {status} has no Content-Length"))),
        };
        while self.buffer.len() < header_end + length {
            self.fill().await?;
        }
        let body = self.buffer[header_end..header_end + length].to_vec();
        self.buffer.drain(..header_end + length);
        Ok((status, body))
    }

    async fn fill(&mut self) -> Result<(), BenchError> {
        let mut chunk = [0u8; 8192];
        let read = self.stream.read(&mut chunk).await?;
        if read == 0 {
            return Err(failed("the console closed the connection"));
        }
        self.buffer.extend_from_slice(&chunk[..read]);
        Ok(())
    }
}

/// A console replica in a child process (`metaapi-bench serve-console`), stopped by closing its stdin.
struct ReplicaChild {
    child: Child,
    stdin: Option<ChildStdin>,
    address: SocketAddr,
}

impl ReplicaChild {
    fn start(executable: &Path, data_dir: &Path, database_url: &Option<String>) -> Result<ReplicaChild, BenchError> {
        std::fs::create_dir_all(data_dir)?;
        let mut command = Command::new(executable);
        command.arg("serve-console").arg("--data-dir").arg(data_dir);
        if let Some(url) = database_url {
            command.arg("--database-url").arg(url);
        }
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn()?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or_else(|| failed("console child has no stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let address = line.strip_prefix("listening ").and_then(|rest| rest.trim().parse().ok());
        let Some(address) = address else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(failed(format!("console child said {line:?} instead of `listening <address>`")));
        };
        Ok(ReplicaChild { child, stdin, address })
    }

    fn rss_kb(&self, field: &str) -> u64 {
        proc_status(Some(self.child.id()), field).unwrap_or(0)
    }
}

impl Drop for ReplicaChild {
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

/// Child process: one console replica on `127.0.0.1:0` with default settings (the database `database_url` names, or
/// SQLite in `data_dir`); prints `listening <address>` and serves until its stdin closes.
pub fn serve_console(data_dir: PathBuf, database_url: Option<String>) -> Result<(), BenchError> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let mut config = ConsoleConfig::new(&data_dir);
        config.database_url = database_url.map(DatabaseUrl);
        let console = Console::open(config)?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "listening {}", listener.local_addr()?)?;
        stdout.flush()?;
        let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
            let _ = closed_tx.send(());
        });
        console
            .serve(listener, async move {
                let _ = closed_rx.await;
            })
            .await?;
        Ok(())
    })
}

fn failed(message: impl Into<String>) -> BenchError {
    BenchError::Unexpected(message.into())
}
