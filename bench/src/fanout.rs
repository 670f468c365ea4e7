//! `/ws` fan-out: ticks published at a fixed rate through the bridge session of a terminal running the shipped EA;
//! many WebSocket clients subscribe to the symbol's tick stream and measure delivery latency and loss.
//!
//! The tick stream is used because it is never coalesced: every tick published must reach every subscriber, so
//! any shortfall is real loss. The EA links, answers the gateway's requests and follows the clients' demand as it
//! does for users; the bench publishes the ticks on the EA's own session itself, because no terminal feeds one
//! symbol at 10,000 ticks a second and the instant of each publish call must be known. Each tick carries its
//! sequence number in `volume` (above `SEQUENCE_BASE`, so a tick of the EA's own could never be counted); the
//! publisher notes the instant it handed tick `n` to `mtb_publish_json` in a table shared with the subscribers
//! (same process, one monotonic clock), and a subscriber's latency is the time from that call to the moment it
//! read the notification.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use metaapi_terminal_sim::scale::SimScale;
use metaapi_terminal_sim::{BridgeAbi, Mode, SimConfig, SimHandle, TerminalConfig};
use serde_json::json;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::bridge::BridgeSession;
use crate::broadcast::Broadcaster;
use crate::error::{BenchError, unexpected};
use crate::load::histogram;

/// A WebSocket client connection.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens `/ws` with `token`.
pub async fn connect(address: SocketAddr, token: &str) -> Result<Socket, BenchError> {
    connect_path(address, "ws", token).await
}

async fn connect_path(address: SocketAddr, path: &str, token: &str) -> Result<Socket, BenchError> {
    let mut request = format!("ws://{address}/{path}").into_client_request()?;
    let bearer = format!("Bearer {token}").parse().map_err(|_| unexpected("the token is not a valid header value"))?;
    request.headers_mut().insert("authorization", bearer);
    // As the Rust SDK does: a 16 KiB read buffer (tungstenite zero-fills its 128 KiB default before every read, which
    // made the subscribers, not the gateway, the fan-out's bottleneck) and Nagle off.
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(16 * 1024);
    let (socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true).await?;
    Ok(socket)
}

/// How hard to push.
#[derive(Debug, Clone, Copy)]
pub struct Fanout {
    /// WebSocket subscribers.
    pub subscribers: usize,
    /// Ticks per second the terminal publishes.
    pub rate: u64,
    /// How long it publishes.
    pub duration: Duration,
}

/// What the subscribers saw.
#[derive(Debug, Clone)]
pub struct FanoutResult {
    /// Delivery latency in microseconds over every (tick, subscriber) pair received.
    pub latency: Histogram<u64>,
    /// Ticks the publisher handed to the bridge.
    pub published: u64,
    /// Ticks the bridge refused (queue full).
    pub refused: u64,
    /// `published × subscribers`.
    pub expected: u64,
    /// Deliveries counted.
    pub received: u64,
    /// Drops the gateway reported in `stream_gap` notices.
    pub gaps: u64,
    /// Rate the publisher achieved, ticks per second.
    pub achieved_rate: f64,
    /// CPU seconds per thread name over the publishing and draining window: `bench-server` is the gateway's
    /// runtime, `bench-client` the subscribers, `bench-publisher` the terminal, `metaapi-bridge-io` the bridge.
    pub cpu_seconds: Vec<(String, f64)>,
}

impl FanoutResult {
    /// Deliveries that never arrived.
    pub fn lost(&self) -> u64 {
        self.expected.saturating_sub(self.received)
    }
}

/// A symbol the simulated broker lists but that never quotes, so every tick of its stream is the bench's.
const SYMBOL: &str = "SYN00000";

/// Added to a tick's sequence number in its `volume`: far above any real tick volume.
const SEQUENCE_BASE: usize = 1_000_000_000;

/// Who publishes the ticks the subscribers count.
pub enum Source {
    /// A simulated terminal running the shipped EA, linked to the gateway with this token (which no other terminal
    /// may hold); subscribers use `/ws` with the same token.
    Gateway {
        /// The token.
        token: String,
    },
    /// The fan-out floor (`broadcast`); subscribers use `/floor`.
    Floor(Arc<Broadcaster>),
}

/// The publishing side, on the publisher thread.
enum Publisher {
    /// The EA's session, and the terminal it runs in (stopped with the publisher).
    Ea(Box<BridgeSession>, SimHandle),
    Floor(Arc<Broadcaster>),
}

impl Publisher {
    /// Hands one tick over; `false` when it was refused.
    fn publish(&mut self, data: &str) -> bool {
        match self {
            Publisher::Ea(session, _) => session.publish("tick", data) >= 0,
            Publisher::Floor(broadcaster) => {
                broadcaster.publish(data);
                true
            }
        }
    }

    /// Stops the terminal (the EA's OnDeinit stops its session).
    fn stop(self) {
        if let Publisher::Ea(session, sim) = self {
            drop(session);
            sim.stop();
        }
    }
}

/// CPU seconds (user + system) used so far by this process's live threads, summed per thread name.
fn thread_cpu() -> std::collections::BTreeMap<String, f64> {
    let mut totals = std::collections::BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return totals };
    for task in tasks.flatten() {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let name = stat[open + 1..close].to_owned();
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        // After the name: state is field 3, utime field 14 and stime field 15 (1-based, in clock ticks of 10 ms).
        let ticks: u64 = fields.get(11..13).map_or(0, |both| both.iter().filter_map(|f| f.parse::<u64>().ok()).sum());
        *totals.entry(name).or_insert(0.0) += ticks as f64 / 100.0;
    }
    totals
}

/// The sequence number a tick notification carries in `volume`, found without parsing the whole text.
fn sequence_of(text: &str) -> Option<usize> {
    let start = text.find("\"volume\":")? + "\"volume\":".len();
    let digits: &str = &text[start..];
    let end = digits.find(|character: char| !character.is_ascii_digit()).unwrap_or(digits.len());
    digits[..end].parse::<usize>().ok()?.checked_sub(SEQUENCE_BASE)
}

fn dropped_of(text: &str) -> u64 {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|notice| notice["params"]["data"]["dropped"].as_u64())
        .unwrap_or(0)
}

/// Runs the fan-out against the server at `address` with ticks from `source`.
pub async fn run(address: SocketAddr, source: Source, plan: Fanout) -> Result<FanoutResult, BenchError> {
    let (mut publisher, path, token) = match source {
        Source::Gateway { token } => {
            let config = SimConfig {
                mode: Mode::Mt5Hedging,
                seed: 7,
                // As the /rpc scenarios: the wall clock from a Monday morning, markets open.
                realtime: true,
                gateway_url: format!("ws://{address}/terminal"),
                token: token.clone(),
                start_time: Some(TerminalConfig::new(Mode::Mt5Hedging, 0).start_time),
                scale: SimScale { extra_symbols: 1, past_trades: 0 },
            };
            let (session, sim) = tokio::task::spawn_blocking(move || {
                let abi = BridgeAbi::linked();
                let sim = metaapi_terminal_sim::start(abi, config)?;
                let session = BridgeSession::attach(abi, sim.session());
                session.wait_linked(Duration::from_secs(5))?;
                Ok::<_, BenchError>((session, sim))
            })
            .await
            .map_err(|error| unexpected(format!("publisher start: {error}")))??;
            (Publisher::Ea(Box::new(session), sim), "ws", token)
        }
        Source::Floor(broadcaster) => (Publisher::Floor(broadcaster), "floor", String::new()),
    };

    let mut sockets = Vec::with_capacity(plan.subscribers);
    let subscribe =
        json!({ "jsonrpc": "2.0", "id": 1, "method": "subscribe", "params": { "streams": [{ "type": "ticks", "symbol": SYMBOL }] } })
            .to_string();
    for _ in 0..plan.subscribers {
        let mut socket = connect_path(address, path, &token).await?;
        socket.send(Message::text(subscribe.clone())).await?;
        // The subscription is active once its response arrives.
        let answered = tokio::time::timeout(Duration::from_secs(5), async {
            // The gateway checks the symbol against the terminal's symbol list on the first subscribe: the EA
            // answers that request.
            while let Some(message) = socket.next().await {
                if let Message::Text(text) = message? {
                    if text.contains("\"id\":1") && text.contains("\"result\"") {
                        return Ok(());
                    }
                    if text.contains("\"error\"") {
                        return Err(unexpected(format!("subscribe failed: {}", text.as_str())));
                    }
                }
            }
            Err(unexpected("the gateway closed the subscriber"))
        })
        .await
        .map_err(|_| unexpected("no answer to subscribe within 5 s"))?;
        answered?;
        sockets.push(socket);
    }

    let total = (plan.rate as f64 * plan.duration.as_secs_f64()).round().max(1.0) as usize;
    let origin = Instant::now();
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..total).map(|_| AtomicU64::new(0)).collect());
    let publishing_done = Arc::new(AtomicBool::new(false));

    let mut readers = Vec::with_capacity(sockets.len());
    for mut socket in sockets {
        let sent = sent.clone();
        let publishing_done = publishing_done.clone();
        readers.push(tokio::spawn(async move {
            let mut latency = histogram();
            let (mut received, mut gaps) = (0u64, 0u64);
            let mut settling = false;
            // One timer for the whole run, re-armed only when it fires: a timeout per message put a timer-wheel
            // insert and removal on every delivery, a million a second, which made the subscribers (the load
            // generator) compete with the gateway for the CPU.
            let check = tokio::time::sleep(Duration::from_millis(200));
            tokio::pin!(check);
            while received + gaps < total as u64 {
                let message = tokio::select! {
                    message = socket.next() => match message {
                        Some(Ok(message)) => message,
                        _ => break,
                    },
                    _ = &mut check => {
                        if settling {
                            break;
                        }
                        // Once publishing is done, whatever is still on its way has 3 s to arrive.
                        settling = publishing_done.load(Ordering::Acquire);
                        let next = if settling { Duration::from_secs(3) } else { Duration::from_millis(200) };
                        check.as_mut().reset(tokio::time::Instant::now() + next);
                        continue;
                    }
                };
                let Message::Text(text) = message else { continue };
                let now = origin.elapsed().as_nanos() as u64;
                let text = text.as_str();
                if text.contains("\"method\":\"tick\"") {
                    if let Some(index) = sequence_of(text).filter(|index| *index < total) {
                        let at = sent[index].load(Ordering::Acquire);
                        latency.saturating_record((now.saturating_sub(at) / 1000).max(1));
                        received += 1;
                    }
                } else if text.contains("\"method\":\"stream_gap\"") {
                    gaps += dropped_of(text);
                }
            }
            let _ = socket.close(None).await;
            (latency, received, gaps)
        }));
    }

    let rate = plan.rate;
    let publish_sent = sent.clone();
    let publish_done = publishing_done.clone();
    let cpu_before = thread_cpu();
    let publishing = std::thread::Builder::new().name("bench-publisher".into()).spawn(move || {
        let started = Instant::now();
        let (mut published, mut refused) = (0u64, 0u64);
        let mut next = 0usize;
        while next < total {
            let due = ((started.elapsed().as_secs_f64() * rate as f64) as usize + 1).min(total);
            while next < due {
                let sequence = SEQUENCE_BASE + next;
                let time_ms = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |elapsed| elapsed.as_millis() as i64);
                let data = format!(
                    r#"{{"symbol":"{SYMBOL}","tick":{{"time":{time_ms},"bid":1.1,"ask":1.1002,"last":0.0,"volume":{sequence}.0,"flags":6}}}}"#
                );
                publish_sent[next].store(origin.elapsed().as_nanos() as u64, Ordering::Release);
                if publisher.publish(&data) {
                    published += 1;
                } else {
                    refused += 1;
                }
                next += 1;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let achieved = total as f64 / started.elapsed().as_secs_f64().max(1e-9);
        publish_done.store(true, Ordering::Release);
        (publisher, published, refused, achieved)
    })?;
    let (publisher, published, refused, achieved_rate) = tokio::task::spawn_blocking(move || publishing.join())
        .await
        .map_err(|error| unexpected(format!("publisher: {error}")))?
        .map_err(|_| unexpected("the publisher panicked"))?;

    let mut latency = histogram();
    let (mut received, mut gaps) = (0u64, 0u64);
    for reader in readers {
        let (part, count, gap) = reader.await.map_err(|error| unexpected(format!("subscriber: {error}")))?;
        latency.add(&part).map_err(|error| unexpected(format!("histogram: {error}")))?;
        received += count;
        gaps += gap;
    }
    let cpu_after = thread_cpu();
    let cpu_seconds = cpu_after
        .iter()
        .map(|(name, after)| (name.clone(), after - cpu_before.get(name).copied().unwrap_or(0.0)))
        .filter(|(_, seconds)| *seconds > 0.0)
        .collect();
    tokio::task::spawn_blocking(move || publisher.stop()).await.ok();
    Ok(FanoutResult {
        latency,
        published,
        refused,
        expected: total as u64 * plan.subscribers as u64,
        received,
        gaps,
        achieved_rate,
        cpu_seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_are_read_from_volume() {
        let text = r#"{"jsonrpc":"2.0","method":"tick","params":{"data":{"symbol":"SYN00000","tick":{"volume":1000004711.0}}}}"#;
        assert_eq!(sequence_of(text), Some(4711));
        assert_eq!(sequence_of(r#"{"method":"heartbeat"}"#), None);
        // A tick of the terminal's own, with a real volume, is not one of the bench's.
        assert_eq!(sequence_of(r#"{"method":"tick","params":{"data":{"tick":{"volume":3.0}}}}"#), None);
    }
}
