//! The three simulated terminals: who they are and what they can do.

use metaapi_protocol::types::{Capability, MarginMode, Platform, TerminalIdentity};

/// Which terminal the simulator plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// MetaTrader 5 with a hedging account: several positions per symbol.
    Mt5Hedging,
    /// MetaTrader 5 with a netting account: one position per symbol.
    Mt5Netting,
    /// MetaTrader 4: one pool of orders, hedging, no deals.
    Mt4,
}

impl Mode {
    /// Every mode.
    pub const ALL: [Mode; 3] = [Mode::Mt5Hedging, Mode::Mt5Netting, Mode::Mt4];

    /// The platform.
    pub fn platform(self) -> Platform {
        match self {
            Mode::Mt4 => Platform::Mt4,
            _ => Platform::Mt5,
        }
    }

    /// Position accounting.
    pub fn margin_mode(self) -> MarginMode {
        match self {
            Mode::Mt5Netting => MarginMode::Netting,
            _ => MarginMode::Hedging,
        }
    }

    /// Whether positions net per symbol.
    pub fn is_netting(self) -> bool {
        self == Mode::Mt5Netting
    }

    /// The terminal identity the bridge announces.
    pub fn identity(self) -> TerminalIdentity {
        let (build, login) = match self {
            Mode::Mt5Hedging => (4755, 5_100_201),
            Mode::Mt5Netting => (4755, 5_100_202),
            Mode::Mt4 => (1440, 2_100_203),
        };
        TerminalIdentity {
            platform: self.platform(),
            build,
            company: "Simulated Markets Ltd.".into(),
            server: "SimMarkets-Demo".into(),
            login,
            account_name: "Sim Trader".into(),
            currency: "USD".into(),
            margin_mode: self.margin_mode(),
        }
    }

    /// What the terminal supports.
    pub fn capabilities(self) -> Vec<Capability> {
        match self {
            Mode::Mt5Hedging => vec![
                Capability::TicksHistory,
                Capability::MarketDepth,
                Capability::StopLimit,
                Capability::CloseBy,
                Capability::OrderCheck,
                Capability::Hedging,
                Capability::DayOrders,
                Capability::TradeTransactions,
            ],
            Mode::Mt5Netting => vec![
                Capability::TicksHistory,
                Capability::MarketDepth,
                Capability::StopLimit,
                Capability::OrderCheck,
                Capability::Netting,
                Capability::DayOrders,
                Capability::TradeTransactions,
            ],
            Mode::Mt4 => vec![Capability::CloseBy, Capability::Hedging],
        }
    }

    /// Whether `capability` is supported.
    pub fn has(self, capability: Capability) -> bool {
        self.capabilities().contains(&capability)
    }
}
