//! The state every request handler shares.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::{FailLimiter, Verifier};
use crate::config::{GatewayConfig, load_device_id};
use crate::error::GatewayError;
use crate::metrics::Metrics;
use crate::subscriptions::{SubscriptionCaps, SymbolCache};
use crate::terminals::{Deadlines, Terminals};
use crate::trades::TradeStore;

/// Shared gateway state.
pub struct App {
    /// Settings.
    pub config: GatewayConfig,
    /// Token checks.
    pub verifier: Arc<Verifier>,
    /// Failed-authorization limit.
    pub limiter: FailLimiter,
    /// Linked terminals and their followers.
    pub terminals: Terminals,
    /// Trade outcomes.
    pub trades: TradeStore,
    /// Counters.
    pub metrics: Metrics,
    /// Subscription caps per connection and per token.
    pub subscription_caps: SubscriptionCaps,
    /// Each linked terminal's symbol names, for `subscribe`.
    pub symbols: SymbolCache,
    /// Cancelled when the gateway shuts down.
    pub shutdown: CancellationToken,
    /// WebSocket and link tasks, awaited on shutdown.
    pub tasks: TaskTracker,
    next_subscriber: AtomicU64,
}

impl App {
    /// Opens the data directory and builds the state.
    pub fn open(config: GatewayConfig, shutdown: CancellationToken) -> Result<Arc<App>, GatewayError> {
        config.validate()?;
        let device_id = load_device_id(&config.data_dir)?;
        let verifier = Verifier::new(
            &config.console_url,
            device_id,
            config.device_name.clone(),
            config.grace_period,
            config.console_timeout,
        )?;
        let trades = TradeStore::open(&config.data_dir, config.trade_retention)?;
        Ok(Arc::new(App {
            verifier: Arc::new(verifier),
            limiter: FailLimiter::new(config.auth_fail_limit, config.auth_fail_window, config.auth_fail_delay),
            terminals: Terminals::new(config.heartbeat_timeout),
            trades,
            metrics: Metrics::default(),
            subscription_caps: SubscriptionCaps::new(
                config.max_subscriptions_per_connection,
                config.max_subscriptions_per_token,
            ),
            symbols: SymbolCache::default(),
            shutdown,
            tasks: TaskTracker::new(),
            next_subscriber: AtomicU64::new(1),
            config,
        }))
    }

    /// Call deadlines on terminal links.
    pub fn deadlines(&self) -> Deadlines {
        Deadlines {
            pickup: self.config.pickup_timeout,
            slack: self.config.pickup_slack,
            reply: self.config.reply_timeout,
        }
    }

    /// A fresh id for a WebSocket client's [`Subscriber`](crate::streams::Subscriber).
    pub fn next_subscriber(&self) -> u64 {
        self.next_subscriber.fetch_add(1, Ordering::Relaxed)
    }
}
