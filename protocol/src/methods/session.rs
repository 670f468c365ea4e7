//! Session and health: `ping`, `get_gateway_info`, `get_token_info`, `get_terminal_info`, `get_health`,
//! `get_server_time`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::method::NoParams;
use crate::types::{Capability, TerminalIdentity, TimeMs};

method! {
    /// Checks that the gateway answers for this token; does not ask the terminal.
    Ping = "ping", Session, Gateway, NoParams => Pong
}

method! {
    /// Versions of the gateway and protocol, the linked terminal's identity and its capabilities.
    GetGatewayInfo = "get_gateway_info", Session, Gateway, NoParams => GatewayInfo
}

method! {
    /// What the gateway knows about the calling token: its name, expiry and this machine's device id.
    GetTokenInfo = "get_token_info", Session, Gateway, NoParams => TokenInfo
}

method! {
    /// The terminal's own view of itself: build, connection to the broker, permissions and capabilities.
    GetTerminalInfo = "get_terminal_info", Session, Terminal, NoParams => TerminalInfo
}

method! {
    /// Whether the terminal is connected, synchronized and allowed to trade, and how fresh its quotes are.
    GetHealth = "get_health", Session, Terminal, NoParams => Health
}

method! {
    /// The trade server's time, its offset from UTC, and the time of the last quote.
    GetServerTime = "get_server_time", Session, Terminal, NoParams => ServerTime
}

/// Result of `ping`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Pong {
    /// Always `true`.
    pub pong: bool,
    /// The gateway's clock.
    pub gateway_time: TimeMs,
}

/// Result of `get_gateway_info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GatewayInfo {
    /// The gateway's crate version.
    pub gateway_version: String,
    /// [`PROTOCOL_VERSION`](crate::PROTOCOL_VERSION) of the gateway.
    pub protocol_version: String,
    /// The id of this machine as registered with the console.
    pub device_id: String,
    /// The linked terminal.
    pub terminal: TerminalIdentity,
    /// What that terminal supports.
    pub capabilities: Vec<Capability>,
}

/// Result of `get_token_info`. Never contains the token itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TokenInfo {
    /// The console's id of the token.
    pub token_id: String,
    /// The name given in the console, for example `MT5-Live-A`.
    pub token_name: String,
    /// When the token stops working, if it has an expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<TimeMs>,
    /// This machine's device id.
    pub device_id: String,
    /// When the console last confirmed the token.
    pub verified_at: TimeMs,
}

/// Result of `get_terminal_info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TerminalInfo {
    /// Platform, build, broker and account.
    pub identity: TerminalIdentity,
    /// Terminal program name, for example `MetaTrader 5`.
    pub name: String,
    /// Whether the terminal is connected to the trade server.
    pub connected: bool,
    /// Whether the AutoTrading button is on.
    pub trade_allowed: bool,
    /// Whether DLL imports are allowed (always true while the bridge runs).
    pub dlls_allowed: bool,
    /// Last measured ping to the trade server, in microseconds.
    pub ping_last_us: u64,
    /// "Max bars in chart": the most candles history calls can return.
    pub max_bars: u32,
    /// Terminal language.
    pub language: String,
    /// What this terminal supports.
    pub capabilities: Vec<Capability>,
}

/// Result of `get_health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Health {
    /// Connected to the trade server.
    pub broker_connected: bool,
    /// Trading allowed in the terminal and for the account.
    pub trade_allowed: bool,
    /// Expert advisors allowed to trade.
    pub expert_enabled: bool,
    /// Terminal data synchronized with the server.
    pub synchronized: bool,
    /// Milliseconds since the newest quote of any selected symbol, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_quote_age_ms: Option<u64>,
    /// Last ping to the trade server, in microseconds.
    pub ping_last_us: u64,
    /// `true` when everything above is fine.
    pub healthy: bool,
    /// Why `healthy` is `false`, one entry per cause (empty when healthy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<HealthProblem>,
}

/// One reason `get_health` gives for not being healthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthProblem {
    /// The terminal is not connected to its trade server.
    BrokerDisconnected,
    /// The terminal's "Algo Trading" button is off (MQL4: "AutoTrading"): every order an EA sends is refused.
    AlgoTradingDisabled,
    /// "Allow Algo Trading" is off in the bridge program's own settings: its orders are refused.
    ProgramTradingDisabled,
    /// The broker does not allow trading on this account.
    AccountTradingDisabled,
    /// The broker does not allow expert advisors to trade on this account.
    ExpertTradingDisabled,
    /// The terminal's data is not synchronized with the trade server yet.
    NotSynchronized,
}

/// Result of `get_server_time`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServerTime {
    /// Now, UTC.
    pub time: TimeMs,
    /// Now on the trade server's clock, `YYYY-MM-DD HH:MM:SS.mmm`.
    pub broker_time: String,
    /// Seconds to add to UTC to get broker time.
    pub broker_utc_offset_s: i32,
    /// Time of the newest quote, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_quote_time: Option<TimeMs>,
}
