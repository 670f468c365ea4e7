//! Account: `get_account_info`, exactly as the token doc's example calls it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::method::NoParams;
use crate::types::{AccountTradeMode, MarginMode, Platform, StopOutMode};

method! {
    /// Balance, equity, margin and the settings of the trading account.
    GetAccountInfo = "get_account_info", Account, Terminal, NoParams => AccountInfo
}

/// Result of `get_account_info`, and the `account` part of snapshots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AccountInfo {
    /// MT4 or MT5.
    pub platform: Platform,
    /// Account number.
    pub login: u64,
    /// Account holder.
    pub name: String,
    /// Trade server.
    pub server: String,
    /// Broker company.
    pub company: String,
    /// Deposit currency, for example `USD`.
    pub currency: String,
    /// Decimal places of the deposit currency.
    pub currency_digits: u32,
    /// Leverage, for example `100` for 1:100.
    pub leverage: u32,
    /// Balance.
    pub balance: f64,
    /// Credit.
    pub credit: f64,
    /// Floating profit of open positions.
    pub profit: f64,
    /// Balance + credit + profit.
    pub equity: f64,
    /// Margin in use.
    pub margin: f64,
    /// Equity minus margin.
    pub free_margin: f64,
    /// Equity / margin in percent; absent while no margin is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_level: Option<f64>,
    /// Margin call level, in `stop_out_mode` units.
    pub margin_call_level: f64,
    /// Stop-out level, in `stop_out_mode` units.
    pub stop_out_level: f64,
    /// Units of the two levels above.
    pub stop_out_mode: StopOutMode,
    /// Position accounting.
    pub margin_mode: MarginMode,
    /// Demo, contest or real.
    pub trade_mode: AccountTradeMode,
    /// Trading allowed for the account.
    pub trade_allowed: bool,
    /// Expert advisors allowed to trade.
    pub expert_allowed: bool,
    /// Most pending orders at once (0 = no limit).
    pub limit_orders: u32,
    /// Positions must be closed first in, first out.
    pub fifo_close: bool,
    /// Logged in with the investor (read-only) password.
    pub investor_mode: bool,
}
