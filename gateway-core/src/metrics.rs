//! Counters for `/metrics`, written in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use metaapi_protocol::ErrorKind;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

/// The gateway's counters.
#[derive(Default)]
pub struct Metrics {
    requests_rpc: AtomicU64,
    requests_ws: AtomicU64,
    errors: Mutex<BTreeMap<&'static str, u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_us: AtomicU64,
    ws_clients: AtomicU64,
}

/// Which transport a call came over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `POST /rpc`.
    Rpc,
    /// `GET /ws`.
    Ws,
}

impl Metrics {
    /// Counts one call and its latency.
    pub fn call(&self, transport: Transport, elapsed: Duration) {
        match transport {
            Transport::Rpc => &self.requests_rpc,
            Transport::Ws => &self.requests_ws,
        }
        .fetch_add(1, Ordering::Relaxed);
        let seconds = elapsed.as_secs_f64();
        if let Some(index) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.buckets[index].fetch_add(1, Ordering::Relaxed);
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_us.fetch_add(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Counts an error by kind (also for refusals before dispatch).
    pub fn error(&self, kind: ErrorKind) {
        *self.errors.lock().unwrap_or_else(|poison| poison.into_inner()).entry(kind.as_str()).or_insert(0) += 1;
    }

    /// A WebSocket client connected (`true`) or left.
    pub fn ws_client(&self, connected: bool) {
        if connected {
            self.ws_clients.fetch_add(1, Ordering::Relaxed);
        } else {
            self.ws_clients.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// The text exposition; `terminals_online` comes from the registry.
    pub fn render(&self, terminals_online: u64) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP metaapi_gateway_requests_total JSON-RPC calls received.");
        let _ = writeln!(out, "# TYPE metaapi_gateway_requests_total counter");
        let rpc = self.requests_rpc.load(Ordering::Relaxed);
        let ws = self.requests_ws.load(Ordering::Relaxed);
        let _ = writeln!(out, "metaapi_gateway_requests_total{{transport=\"rpc\"}} {rpc}");
        let _ = writeln!(out, "metaapi_gateway_requests_total{{transport=\"ws\"}} {ws}");
        let _ = writeln!(out, "# HELP metaapi_gateway_errors_total Errors returned, by kind.");
        let _ = writeln!(out, "# TYPE metaapi_gateway_errors_total counter");
        for (kind, count) in self.errors.lock().unwrap_or_else(|poison| poison.into_inner()).iter() {
            let _ = writeln!(out, "metaapi_gateway_errors_total{{kind=\"{kind}\"}} {count}");
        }
        let _ = writeln!(out, "# HELP metaapi_gateway_request_duration_seconds Time to answer a call.");
        let _ = writeln!(out, "# TYPE metaapi_gateway_request_duration_seconds histogram");
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.buckets) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(out, "metaapi_gateway_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let total = self.latency_count.load(Ordering::Relaxed);
        let sum = self.latency_sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "metaapi_gateway_request_duration_seconds_bucket{{le=\"+Inf\"}} {total}");
        let _ = writeln!(out, "metaapi_gateway_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "metaapi_gateway_request_duration_seconds_count {total}");
        let _ = writeln!(out, "# HELP metaapi_gateway_terminals_online Terminals linked now.");
        let _ = writeln!(out, "# TYPE metaapi_gateway_terminals_online gauge");
        let _ = writeln!(out, "metaapi_gateway_terminals_online {terminals_online}");
        let _ = writeln!(out, "# HELP metaapi_gateway_ws_clients WebSocket clients connected now.");
        let _ = writeln!(out, "# TYPE metaapi_gateway_ws_clients gauge");
        let _ = writeln!(out, "metaapi_gateway_ws_clients {}", self.ws_clients.load(Ordering::Relaxed));
        // What the runtime really has, not what was asked for: `--workers` is checked by reading this.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let _ = writeln!(out, "# HELP metaapi_gateway_runtime_workers Worker threads of the async runtime.");
            let _ = writeln!(out, "# TYPE metaapi_gateway_runtime_workers gauge");
            let _ = writeln!(out, "metaapi_gateway_runtime_workers {}", runtime.metrics().num_workers());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative() {
        let metrics = Metrics::default();
        metrics.call(Transport::Rpc, Duration::from_micros(100));
        metrics.call(Transport::Ws, Duration::from_millis(30));
        metrics.error(ErrorKind::TokenUnknown);
        let text = metrics.render(2);
        assert!(text.contains("metaapi_gateway_request_duration_seconds_bucket{le=\"0.0005\"} 1"));
        assert!(text.contains("metaapi_gateway_request_duration_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("metaapi_gateway_errors_total{kind=\"token_unknown\"} 1"));
        assert!(text.contains("metaapi_gateway_terminals_online 2"));
    }
}
