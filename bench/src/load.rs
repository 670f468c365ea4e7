//! The load generator: closed-loop JSON-RPC callers over raw HTTP/1.1 keep-alive connections.
//!
//! The client is a few lines over a `TcpStream` rather than a full HTTP client library, so that its own cost stays
//! small next to the servers it measures; a heavy client would add the same constant to both sides and make every
//! ratio look better than it is. The baseline and the gateway get exactly the same requests through exactly the
//! same code.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::error::{BenchError, unexpected};

/// One keep-alive HTTP/1.1 connection that posts JSON-RPC calls to `/rpc`.
pub struct RpcConnection {
    stream: TcpStream,
    head: String,
    buffer: Vec<u8>,
    next_id: u64,
}

impl RpcConnection {
    /// A `client_id` no other call of this process used: the process id and a process-wide count (well within the
    /// 27 characters that still fit an order's comment).
    fn next_client_id(&self) -> String {
        static ISSUED: AtomicU64 = AtomicU64::new(0);
        format!("bench-{}-{}", std::process::id(), ISSUED.fetch_add(1, Ordering::Relaxed))
    }

    /// Connects to `address`, presenting `token` as the bearer on every call.
    pub async fn connect(address: SocketAddr, token: &str) -> Result<RpcConnection, BenchError> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        let head = format!(
            "POST /rpc HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        );
        Ok(RpcConnection { stream, head, buffer: Vec::with_capacity(8192), next_id: 1 })
    }

    /// Calls `method` and returns the parsed response; a JSON-RPC error becomes [`BenchError::Unexpected`].
    pub async fn call(&mut self, method: &str, params: &Value) -> Result<Value, BenchError> {
        let id = self.next_id;
        self.next_id += 1;
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string();
        let mut request = Vec::with_capacity(self.head.len() + body.len() + 32);
        request.extend_from_slice(self.head.as_bytes());
        request.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        request.extend_from_slice(body.as_bytes());
        self.stream.write_all(&request).await?;
        let (status, body) = self.read_response().await?;
        let value: Value = serde_json::from_slice(&body)
            .map_err(|error| unexpected(format!("{method}: response is not JSON: {error}")))?;
        if status != 200 || value.get("result").is_none() {
            return Err(unexpected(format!("{method}: HTTP {status}: {value}")));
        }
        Ok(value)
    }

    async fn fill(&mut self) -> Result<(), BenchError> {
        let mut chunk = [0u8; 16384];
        let read = self.stream.read(&mut chunk).await?;
        if read == 0 {
            return Err(unexpected("the server closed the connection"));
        }
        self.buffer.extend_from_slice(&chunk[..read]);
        Ok(())
    }

    async fn read_response(&mut self) -> Result<(u16, Vec<u8>), BenchError> {
        let header_end = loop {
            if let Some(position) = find(&self.buffer, b"\r\n\r\n") {
                break position + 4;
            }
            self.fill().await?;
        };
        let head = String::from_utf8_lossy(&self.buffer[..header_end]).into_owned();
        let status = head.split(' ').nth(1).and_then(|code| code.parse::<u16>().ok()).unwrap_or(0);
        let mut length = None;
        let mut chunked = false;
        for line in head.lines().skip(1) {
            if let Some((name, value)) = line.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse::<usize>().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked") {
                    chunked = true;
                }
            }
        }
        self.buffer.drain(..header_end);
        let body = match (length, chunked) {
            (Some(length), false) => {
                while self.buffer.len() < length {
                    self.fill().await?;
                }
                self.buffer.drain(..length).collect()
            }
            (_, true) => self.read_chunked().await?,
            (None, false) => return Err(unexpected("a response without Content-Length on a keep-alive connection")),
        };
        Ok((status, body))
    }

    async fn read_chunked(&mut self) -> Result<Vec<u8>, BenchError> {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(position) = find(&self.buffer, b"\r\n") {
                    break position;
                }
                self.fill().await?;
            };
            let size_text = String::from_utf8_lossy(&self.buffer[..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| unexpected(format!("bad chunk size {size_text:?}")))?;
            self.buffer.drain(..line_end + 2);
            while self.buffer.len() < size + 2 {
                self.fill().await?;
            }
            body.extend(self.buffer.drain(..size));
            self.buffer.drain(..2);
            if size == 0 {
                return Ok(body);
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// What one operation of a load run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// One `get_quote` call.
    Quote,
    /// `place_order` (market buy, 0.01 lot) then `close_position` of the position it opened: two round trips.
    OrderAndClose,
    /// As [`Operation::OrderAndClose`], each call with a fresh `client_id` as the clients send them: the gateway
    /// records both in its trade store, committed to disk before the call goes to the terminal and again with its
    /// outcome.
    OrderAndCloseWithClientIds,
}

impl Operation {
    /// Round trips per operation.
    pub fn calls(self) -> u64 {
        match self {
            Operation::Quote => 1,
            Operation::OrderAndClose | Operation::OrderAndCloseWithClientIds => 2,
        }
    }
}

/// Where a load run goes.
#[derive(Debug, Clone)]
pub struct Target {
    /// Server address.
    pub address: SocketAddr,
    /// Bearer tokens; connection `i` uses `tokens[i % len]`.
    pub tokens: Vec<String>,
    /// `true` for the echo baseline: it answers with the params, so the close call uses a made-up ticket.
    pub echo: bool,
}

/// How long and how hard.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Concurrent connections, each with one call in flight.
    pub connections: usize,
    /// Unmeasured warm-up.
    pub warmup: Duration,
    /// Measured window.
    pub duration: Duration,
    /// Most measured operations over all connections (a bound for slow machines and debug builds).
    pub max_operations: u64,
}

/// The outcome of a load run.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Operation latency in microseconds.
    pub latency: Histogram<u64>,
    /// Operations measured.
    pub operations: u64,
    /// Length of the measured window.
    pub elapsed: Duration,
}

impl Measured {
    /// Operations per second.
    pub fn throughput(&self) -> f64 {
        self.operations as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Latency at quantile `q`, in microseconds.
    pub fn quantile_us(&self, q: f64) -> u64 {
        self.latency.value_at_quantile(q)
    }
}

/// A histogram of microseconds from 1 µs to 60 s at 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("static histogram bounds are valid")
}

async fn operation(connection: &mut RpcConnection, operation: Operation, echo: bool) -> Result<(), BenchError> {
    let quote = json!({ "symbol": "EURUSD" });
    let with_ids = operation == Operation::OrderAndCloseWithClientIds;
    match operation {
        Operation::Quote => connection.call("get_quote", &quote).await.map(drop),
        Operation::OrderAndClose | Operation::OrderAndCloseWithClientIds => {
            let mut order = json!({ "symbol": "EURUSD", "type": "buy", "volume": 0.01 });
            if with_ids {
                order["client_id"] = Value::String(connection.next_client_id());
            }
            let placed = connection.call("place_order", &order).await?;
            let ticket = if echo { Value::String("1".into()) } else { placed["result"]["position_id"].clone() };
            if !ticket.is_string() {
                return Err(unexpected(format!("place_order opened no position: {placed}")));
            }
            let mut close = json!({ "ticket": ticket });
            if with_ids {
                close["client_id"] = Value::String(connection.next_client_id());
            }
            connection.call("close_position", &close).await.map(drop)
        }
    }
}

/// Runs `operation` from `load.connections` closed-loop callers and measures the window after the warm-up.
pub async fn run(target: &Target, load: Load, kind: Operation) -> Result<Measured, BenchError> {
    let start = Instant::now();
    let measure_from = start + load.warmup;
    let stop_at = measure_from + load.duration;
    let budget = Arc::new(AtomicU64::new(load.max_operations));
    let mut connections = Vec::with_capacity(load.connections);
    for index in 0..load.connections {
        let token = &target.tokens[index % target.tokens.len()];
        connections.push(RpcConnection::connect(target.address, token).await?);
    }
    let mut tasks = Vec::with_capacity(load.connections);
    for mut connection in connections {
        let budget = budget.clone();
        let echo = target.echo;
        tasks.push(tokio::spawn(async move {
            let mut latency = histogram();
            let mut last = Instant::now();
            loop {
                let began = Instant::now();
                if began >= stop_at {
                    break;
                }
                operation(&mut connection, kind, echo).await?;
                let done = Instant::now();
                if began >= measure_from {
                    // Taking from the budget after the call keeps every connection's last call complete.
                    if budget.fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| left.checked_sub(1)).is_err() {
                        break;
                    }
                    latency.saturating_record((done - began).as_micros().max(1) as u64);
                    last = done;
                }
            }
            Ok::<_, BenchError>((latency, last))
        }));
    }
    let mut latency = histogram();
    let mut end = measure_from;
    for task in tasks {
        let (part, last) = task.await.map_err(|error| unexpected(format!("a load task failed: {error}")))??;
        latency.add(&part).map_err(|error| unexpected(format!("histogram: {error}")))?;
        end = end.max(last);
    }
    let operations = latency.len();
    Ok(Measured { latency, operations, elapsed: end.saturating_duration_since(measure_from) })
}
