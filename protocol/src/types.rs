//! Enums and small types shared by many methods: platform, sides, order types, timeframes, capabilities.
//!
//! Enums are lowercase strings on the wire. MT4 and MT5 integer constants never appear; where a raw MT code helps
//! (retcodes, reasons) it travels next to the string.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// UTC time in milliseconds since the Unix epoch.
pub type TimeMs = i64;

/// A MetaTrader ticket (order, deal or position id) as a decimal string: MT5 tickets are 64-bit and JavaScript
/// numbers lose precision above 2^53.
pub type Ticket = String;

/// The terminal platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// MetaTrader 4 (32-bit terminal, hedging only, one order pool).
    Mt4,
    /// MetaTrader 5 (64-bit terminal, netting or hedging, orders, deals and positions).
    Mt5,
}

/// Direction of a position, a deal or a calculation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Long.
    Buy,
    /// Short.
    Sell,
}

/// Order type of `place_order`, of pending orders and of orders in history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    /// Market buy.
    Buy,
    /// Market sell.
    Sell,
    /// Buy when the ask falls to `price`.
    BuyLimit,
    /// Sell when the bid rises to `price`.
    SellLimit,
    /// Buy when the ask rises to `price`.
    BuyStop,
    /// Sell when the bid falls to `price`.
    SellStop,
    /// MT5 only: at `price` place a buy limit at `stop_limit_price`.
    BuyStopLimit,
    /// MT5 only: at `price` place a sell limit at `stop_limit_price`.
    SellStopLimit,
    /// The order `close_position_by` makes (in history only; `place_order` does not take it).
    CloseBy,
}

impl OrderType {
    /// The side the order trades.
    pub fn side(self) -> Side {
        match self {
            OrderType::Buy | OrderType::BuyLimit | OrderType::BuyStop | OrderType::BuyStopLimit => Side::Buy,
            _ => Side::Sell,
        }
    }

    /// Whether it executes at once (`buy`, `sell`) rather than resting as a pending order.
    pub fn is_market(self) -> bool {
        matches!(self, OrderType::Buy | OrderType::Sell)
    }

    /// Whether it is a stop-limit type (MT5 only).
    pub fn is_stop_limit(self) -> bool {
        matches!(self, OrderType::BuyStopLimit | OrderType::SellStopLimit)
    }
}

/// Filling policy of an order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Filling {
    /// Pick a mode the symbol allows, preferring FOK over IOC over RETURN.
    #[default]
    Auto,
    /// Fill or kill.
    Fok,
    /// Immediate or cancel.
    Ioc,
    /// Fill what can be filled and keep the rest as an order.
    Return,
    /// Book or cancel (exchange symbols).
    Boc,
}

/// How long a pending order lives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeInForce {
    /// Good till cancelled.
    #[default]
    Gtc,
    /// Until the end of the trading day (MT5 only).
    Day,
    /// Until `expiration`.
    Specified,
    /// Until the end of `expiration`'s day (MT5 only).
    SpecifiedDay,
}

/// Candle timeframe. MT4 has only m1, m5, m15, m30, h1, h4, d1, w1 and mn1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Timeframe {
    M1,
    M2,
    M3,
    M4,
    M5,
    M6,
    M10,
    M12,
    M15,
    M20,
    M30,
    H1,
    H2,
    H3,
    H4,
    H6,
    H8,
    H12,
    D1,
    W1,
    Mn1,
}

impl Timeframe {
    /// Every timeframe, shortest first.
    pub const ALL: &'static [Timeframe] = &[
        Timeframe::M1,
        Timeframe::M2,
        Timeframe::M3,
        Timeframe::M4,
        Timeframe::M5,
        Timeframe::M6,
        Timeframe::M10,
        Timeframe::M12,
        Timeframe::M15,
        Timeframe::M20,
        Timeframe::M30,
        Timeframe::H1,
        Timeframe::H2,
        Timeframe::H3,
        Timeframe::H4,
        Timeframe::H6,
        Timeframe::H8,
        Timeframe::H12,
        Timeframe::D1,
        Timeframe::W1,
        Timeframe::Mn1,
    ];

    /// Length in seconds (a month counts as 30 days, as for bar alignment MT uses calendar months instead).
    pub const fn seconds(self) -> i64 {
        match self {
            Timeframe::M1 => 60,
            Timeframe::M2 => 120,
            Timeframe::M3 => 180,
            Timeframe::M4 => 240,
            Timeframe::M5 => 300,
            Timeframe::M6 => 360,
            Timeframe::M10 => 600,
            Timeframe::M12 => 720,
            Timeframe::M15 => 900,
            Timeframe::M20 => 1200,
            Timeframe::M30 => 1800,
            Timeframe::H1 => 3600,
            Timeframe::H2 => 7200,
            Timeframe::H3 => 10800,
            Timeframe::H4 => 14400,
            Timeframe::H6 => 21600,
            Timeframe::H8 => 28800,
            Timeframe::H12 => 43200,
            Timeframe::D1 => 86400,
            Timeframe::W1 => 604800,
            Timeframe::Mn1 => 2592000,
        }
    }

    /// Whether MT4 has this timeframe.
    pub const fn on_mt4(self) -> bool {
        matches!(
            self,
            Timeframe::M1
                | Timeframe::M5
                | Timeframe::M15
                | Timeframe::M30
                | Timeframe::H1
                | Timeframe::H4
                | Timeframe::D1
                | Timeframe::W1
                | Timeframe::Mn1
        )
    }
}

/// What an attached terminal can do beyond the common core. `get_terminal_info` lists them; a method that needs a
/// missing capability fails with `unsupported`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// `get_ticks` (MT5 CopyTicks).
    TicksHistory,
    /// `get_book` and book streams (MT5 MarketBook).
    MarketDepth,
    /// Stop-limit order types (MT5).
    StopLimit,
    /// `close_position_by` (MT5 hedging, MT4).
    CloseBy,
    /// Native `check_order` (MT5 OrderCheck). Without it the terminal emulates and says so.
    OrderCheck,
    /// Netting position accounting.
    Netting,
    /// Hedging position accounting.
    Hedging,
    /// Day and specified-day time in force (MT5).
    DayOrders,
    /// Trade transaction events as they happen (MT5 OnTradeTransaction); MT4 terminals diff snapshots.
    TradeTransactions,
}

/// Position accounting of the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MarginMode {
    /// Several positions per symbol (MT4 always).
    Hedging,
    /// One position per symbol.
    Netting,
    /// Exchange netting.
    Exchange,
}

/// Kind of trading account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccountTradeMode {
    /// Demo money.
    Demo,
    /// Contest account.
    Contest,
    /// Real money.
    Real,
}

/// How margin call and stop-out levels are expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StopOutMode {
    /// Margin level in percent.
    Percent,
    /// Equity in account currency.
    Money,
}

/// Why an order, deal or position came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Desktop terminal by hand.
    Client,
    /// Mobile app.
    Mobile,
    /// Web terminal.
    Web,
    /// An expert advisor or this API.
    Expert,
    /// Stop loss triggered.
    Sl,
    /// Take profit triggered.
    Tp,
    /// Stop out.
    StopOut,
    /// Rollover or swap charge.
    Rollover,
    /// Variation margin.
    Vmargin,
    /// Symbol split.
    Split,
}

/// Who the terminal is: sent by the bridge in its hello and shown by `get_terminal_info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminalIdentity {
    /// MT4 or MT5.
    pub platform: Platform,
    /// Terminal build number.
    pub build: u32,
    /// Broker company name.
    pub company: String,
    /// Trade server name.
    pub server: String,
    /// Trading account login.
    pub login: u64,
    /// Account holder's name.
    pub account_name: String,
    /// Account currency.
    pub currency: String,
    /// Position accounting.
    pub margin_mode: MarginMode,
}
