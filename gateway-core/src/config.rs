//! Gateway settings: where the console is, where state lives, and every limit and timeout.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::GatewayError;

/// Everything [`serve`](crate::serve) needs to know. Build it with [`GatewayConfig::new`] and adjust fields.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Base URL of the console API, for example `http://127.0.0.1:7000`.
    pub console_url: String,
    /// Directory for the device id and the trade outcome store.
    pub data_dir: PathBuf,
    /// Largest `/rpc` body, in bytes.
    pub max_body_bytes: u64,
    /// Most calls in one JSON-RPC batch.
    pub max_batch: usize,
    /// Largest message a client may send on `/ws`, in bytes.
    pub max_ws_message_bytes: usize,
    /// Largest message read from a terminal link, in bytes; told to the bridge in the welcome, which answers
    /// `payload_too_large` to a request whose reply would be longer instead of sending it. Separate from the client
    /// limit because replies are far larger than requests.
    pub link_max_message_bytes: usize,
    /// How long a request may wait for the terminal to take it; sent to the terminal as the deadline.
    pub pickup_timeout: Duration,
    /// How long a taken request may stay unanswered before its outcome is reported unknown.
    pub reply_timeout: Duration,
    /// Grace after the pickup deadline for a `taken` message that is already on its way.
    pub pickup_slack: Duration,
    /// How often heartbeats are sent to terminals.
    pub heartbeat_interval: Duration,
    /// A terminal that sends nothing for this long is considered gone.
    pub heartbeat_timeout: Duration,
    /// How long tokens verified earlier keep working while the console cannot be reached.
    pub grace_period: Duration,
    /// Timeout of one verification request to the console. Only a call whose token has no verdict confirmed within
    /// the grace period ever waits for the console, and for at most this long.
    pub console_timeout: Duration,
    /// Bounded outbound queue of events per WebSocket client; beyond it events are dropped and a gap is reported.
    pub ws_queue: usize,
    /// A WebSocket client that was sent nothing for this long gets a `heartbeat` notification.
    pub ws_heartbeat_interval: Duration,
    /// Calls one WebSocket client may have in flight before the gateway stops reading from it.
    pub ws_max_in_flight: usize,
    /// Requests queued towards one terminal before callers get `overloaded`.
    pub terminal_queue: usize,
    /// Failed authorizations one peer may have within `auth_fail_window` before its further failures are answered
    /// late and its missing or permanently refused tokens get `rate_limited` (a valid token never does).
    pub auth_fail_limit: u32,
    /// Window of the failed-authorization limit.
    pub auth_fail_window: Duration,
    /// How long each failed authorization beyond the limit is held back before it is answered.
    pub auth_fail_delay: Duration,
    /// Most subscriptions one WebSocket connection may hold.
    pub max_subscriptions_per_connection: usize,
    /// Most subscriptions all WebSocket connections of one token may hold together.
    pub max_subscriptions_per_token: usize,
    /// Extra `Host` names accepted besides loopback names (`localhost`, `127.0.0.1`, `[::1]`).
    pub allowed_hosts: Vec<String>,
    /// `Origin` values accepted (exact match). Empty: any request carrying an `Origin` is refused.
    pub allowed_origins: Vec<String>,
    /// A connection that has not sent a whole request head within this long is closed, so half-sent requests
    /// cannot hold connections open (slowloris).
    pub header_read_timeout: Duration,
    /// How long trade outcomes are kept; never less than 24 hours.
    pub trade_retention: Duration,
    /// Device name reported to the console; the host name by default.
    pub device_name: String,
}

/// Default of [`GatewayConfig::header_read_timeout`].
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Smallest [`GatewayConfig::link_max_message_bytes`] the gateway accepts.
pub const MIN_LINK_MESSAGE_BYTES: usize = 64 * 1024;

/// Shortest retention of trade outcomes the gateway accepts.
pub const MIN_TRADE_RETENTION: Duration = Duration::from_secs(24 * 3600);

impl GatewayConfig {
    /// Defaults for everything but the console URL and the data directory.
    pub fn new(console_url: impl Into<String>, data_dir: impl Into<PathBuf>) -> GatewayConfig {
        GatewayConfig {
            console_url: console_url.into(),
            data_dir: data_dir.into(),
            max_body_bytes: 1 << 20,
            max_batch: 100,
            max_ws_message_bytes: 1 << 20,
            link_max_message_bytes: metaapi_protocol::link::DEFAULT_LINK_MAX_MESSAGE_BYTES as usize,
            pickup_timeout: Duration::from_secs(5),
            reply_timeout: Duration::from_secs(30),
            pickup_slack: Duration::from_millis(500),
            heartbeat_interval: Duration::from_secs(5),
            heartbeat_timeout: Duration::from_secs(15),
            grace_period: Duration::from_secs(300),
            console_timeout: Duration::from_secs(1),
            ws_queue: 1024,
            ws_heartbeat_interval: Duration::from_secs(15),
            ws_max_in_flight: 64,
            terminal_queue: 1024,
            auth_fail_limit: 20,
            auth_fail_window: Duration::from_secs(60),
            auth_fail_delay: Duration::from_secs(1),
            max_subscriptions_per_connection: 1024,
            max_subscriptions_per_token: 4096,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            trade_retention: MIN_TRADE_RETENTION,
            device_name: host_name(),
        }
    }

    /// Checks the values that would make the gateway misbehave.
    pub fn validate(&self) -> Result<(), GatewayError> {
        let fail = |message: &str| Err(GatewayError::Config(message.to_owned()));
        if !(self.console_url.starts_with("http://") || self.console_url.starts_with("https://")) {
            return fail("console_url must start with http:// or https://");
        }
        if self.max_batch == 0 || self.ws_queue == 0 || self.ws_max_in_flight == 0 || self.terminal_queue == 0 {
            return fail("max_batch, ws_queue, ws_max_in_flight and terminal_queue must be at least 1");
        }
        if self.console_timeout.is_zero() {
            return fail("console_timeout must be more than zero");
        }
        if self.max_subscriptions_per_connection == 0 || self.max_subscriptions_per_token == 0 {
            return fail("max_subscriptions_per_connection and max_subscriptions_per_token must be at least 1");
        }
        if self.header_read_timeout.is_zero() {
            return fail("header_read_timeout must be more than zero");
        }
        if self.max_body_bytes < 64 || self.max_ws_message_bytes < 64 {
            return fail("max_body_bytes and max_ws_message_bytes must be at least 64");
        }
        // Below this even a bridge's error reply to a large request (which echoes nothing but the method and a
        // short message) could fail to fit, and no list method could answer a useful page.
        if self.link_max_message_bytes < MIN_LINK_MESSAGE_BYTES {
            return fail("link_max_message_bytes must be at least 65536");
        }
        if self.heartbeat_timeout <= self.heartbeat_interval {
            return fail("heartbeat_timeout must be longer than heartbeat_interval");
        }
        if self.trade_retention < MIN_TRADE_RETENTION {
            return fail("trade_retention must be at least 24 hours");
        }
        Ok(())
    }
}

/// The host name from `/etc/hostname`, `HOSTNAME` or (on Windows) `COMPUTERNAME`, else `unknown`.
pub fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|name| !name.is_empty()))
        .or_else(|| std::env::var("COMPUTERNAME").ok().filter(|name| !name.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Reads `<data_dir>/device-id`, creating it (a random UUID) on first start.
pub fn load_device_id(data_dir: &Path) -> Result<String, GatewayError> {
    std::fs::create_dir_all(data_dir)?;
    let path = data_dir.join("device-id");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let id = text.trim();
            uuid::Uuid::parse_str(id)
                .map_err(|_| GatewayError::Config(format!("{} does not hold a UUID", path.display())))?;
            Ok(id.to_owned())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let id = uuid::Uuid::new_v4().to_string();
            // Write then rename, so a crash never leaves a half-written id behind.
            let temp = data_dir.join("device-id.tmp");
            std::fs::write(&temp, format!("{id}\n"))?;
            std::fs::rename(&temp, &path)?;
            Ok(id)
        }
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_id_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_device_id(dir.path()).unwrap();
        assert_eq!(load_device_id(dir.path()).unwrap(), first);
        std::fs::write(dir.path().join("device-id"), "garbage").unwrap();
        assert!(matches!(load_device_id(dir.path()), Err(GatewayError::Config(_))));
    }

    #[test]
    fn bad_settings_are_refused() {
        let mut config = GatewayConfig::new("http://127.0.0.1:7000", "/tmp/x");
        assert!(config.validate().is_ok());
        config.trade_retention = Duration::from_secs(60);
        assert!(config.validate().is_err());
        let mut config = GatewayConfig::new("http://127.0.0.1:7000", "/tmp/x");
        config.console_timeout = Duration::ZERO;
        assert!(config.validate().is_err());
        let mut config = GatewayConfig::new("http://127.0.0.1:7000", "/tmp/x");
        config.max_subscriptions_per_token = 0;
        assert!(config.validate().is_err());
        let mut config = GatewayConfig::new("http://127.0.0.1:7000", "/tmp/x");
        config.link_max_message_bytes = MIN_LINK_MESSAGE_BYTES - 1;
        assert!(config.validate().is_err());
        let config = GatewayConfig::new("ftp://x", "/tmp/x");
        assert!(config.validate().is_err());
    }
}
