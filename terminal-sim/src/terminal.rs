//! The simulated terminal: market, account and order engine, read and traded through the engine's typed calls
//! (what the MQL host implements the built-ins with), moved forward in time by `advance`.

use metaapi_protocol::methods::{AccountInfo, ClosePositionParams, DealEntry, PlaceOrderParams, SymbolTradeMode};
use metaapi_protocol::types::{Capability, Reason, Side, TerminalIdentity, TimeMs};
use metaapi_protocol::{ErrorKind, ErrorObject};

use crate::engine::broker::BrokerLink;
use crate::engine::records::{ClosedTrade, DealRec, MtDealType, OrderRec, PositionRec};
use crate::engine::transactions::Transaction;
use crate::event::Event;
use crate::market::SymbolMarket;
use crate::mode::Mode;
use crate::scale::{MAX_EXTRA_SYMBOLS, SimScale};
use crate::symbols::catalogue;
use crate::time::utc_ms;

/// How a [`Terminal`] starts.
#[derive(Debug, Clone, PartialEq)]
pub struct TerminalConfig {
    /// Which terminal to play.
    pub mode: Mode,
    /// Seed of the price feed; the same seed gives the same prices.
    pub seed: u64,
    /// Virtual time at start, UTC.
    pub start_time: TimeMs,
    /// Deposit.
    pub balance: f64,
    /// Account leverage.
    pub leverage: u32,
    /// More symbols and history than the default broker.
    pub scale: SimScale,
}

impl TerminalConfig {
    /// A USD 10,000 account at 1:100, starting Monday 2024-01-08 08:00 UTC (all markets open).
    pub fn new(mode: Mode, seed: u64) -> TerminalConfig {
        TerminalConfig {
            mode,
            seed,
            start_time: utc_ms(2024, 1, 8, 8, 0, 0),
            balance: 10_000.0,
            leverage: 100,
            scale: SimScale::default(),
        }
    }
}

/// Account settings and money.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Account {
    pub balance: f64,
    pub credit: f64,
    pub leverage: u32,
    pub trade_allowed: bool,
    pub limit_orders: u32,
    pub margin_call_level: f64,
    pub stop_out_level: f64,
}

/// A simulated MT4 or MT5 terminal with its broker.
#[derive(Debug)]
pub struct Terminal {
    pub(crate) mode: Mode,
    pub(crate) now: TimeMs,
    pub(crate) markets: Vec<SymbolMarket>,
    pub(crate) account: Account,
    pub(crate) positions: Vec<PositionRec>,
    pub(crate) orders: Vec<OrderRec>,
    pub(crate) history_orders: Vec<OrderRec>,
    pub(crate) deals: Vec<DealRec>,
    pub(crate) closed_trades: Vec<ClosedTrade>,
    pub(crate) next_ticket: u64,
    pub(crate) next_deal: u64,
    pub(crate) events: Vec<Event>,
    pub(crate) transactions: Vec<Transaction>,
    pub(crate) broker: BrokerLink,
    last_account: Option<AccountInfo>,
}

/// Most candles a history call can reach ("Max bars in chart").
pub const MAX_BARS: usize = 100_000;

impl Terminal {
    /// A terminal as configured, with the deposit in its history.
    pub fn new(config: TerminalConfig) -> Terminal {
        let markets = catalogue(config.mode)
            .into_iter()
            .map(|instrument| SymbolMarket::new(instrument, config.seed, config.start_time))
            .collect();
        let (next_ticket, next_deal) = match config.mode {
            Mode::Mt4 => (81_000_001, 1),
            _ => (510_000_001, 310_000_001),
        };
        let mut terminal = Terminal {
            mode: config.mode,
            now: config.start_time,
            markets,
            account: Account {
                balance: config.balance,
                credit: 0.0,
                leverage: config.leverage,
                trade_allowed: true,
                limit_orders: 200,
                margin_call_level: 100.0,
                stop_out_level: 50.0,
            },
            positions: Vec::new(),
            orders: Vec::new(),
            history_orders: Vec::new(),
            deals: Vec::new(),
            closed_trades: Vec::new(),
            next_ticket,
            next_deal,
            events: Vec::new(),
            transactions: Vec::new(),
            broker: BrokerLink::default(),
            last_account: None,
        };
        let deposit = DealRec {
            ticket: terminal.take_deal_ticket(),
            order: None,
            position_id: None,
            symbol: String::new(),
            mt_type: MtDealType::Balance,
            entry: DealEntry::In,
            volume: 0.0,
            price: 0.0,
            profit: config.balance,
            magic: 0,
            comment: "Deposit".into(),
            client_id: None,
            reason: Reason::Client,
            time: config.start_time - 7 * 86_400_000,
        };
        terminal.deals.push(deposit);
        if let Err(error) = terminal.apply_scale(config.scale, config.seed) {
            tracing::warn!(message = %error.message, "the simulated broker could not be scaled up");
        }
        terminal.last_account = Some(terminal.account_info());
        terminal
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The identity the bridge announces.
    pub fn identity(&self) -> TerminalIdentity {
        self.mode.identity()
    }

    /// What this terminal supports.
    pub fn capabilities(&self) -> Vec<Capability> {
        self.mode.capabilities()
    }

    /// Virtual now, UTC.
    pub fn now(&self) -> TimeMs {
        self.now
    }

    /// Events produced since the last call (by requests, scripted quotes or `advance`).
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// MT5 trade transactions since the last call, in the terminal's order (MT4 programs get none).
    pub fn take_transactions(&mut self) -> Vec<Transaction> {
        std::mem::take(&mut self.transactions)
    }

    pub(crate) fn transaction(&mut self, transaction: Transaction) {
        if self.mode.platform() == metaapi_protocol::types::Platform::Mt5 {
            self.transactions.push(transaction);
        }
    }

    /// Runs the feed up to `to` (UTC): ticks, pending order triggers, SL/TP, expirations, stop-out. Returns every
    /// event produced since the last take. Without a trade server connection only the clock moves: no quotes come,
    /// and the feed resumes from the time the connection is back.
    pub fn advance(&mut self, to: TimeMs) -> Vec<Event> {
        if !self.broker.connected {
            self.now = self.now.max(to);
            for market in &mut self.markets {
                market.skip_to(self.now);
            }
            return self.take_events();
        }
        loop {
            let next = self
                .markets
                .iter()
                .enumerate()
                .min_by_key(|(_, market)| market.next_tick())
                .map(|(i, m)| (i, m.next_tick()));
            let Some((index, time)) = next.filter(|(_, time)| *time <= to) else {
                break;
            };
            self.now = self.now.max(time);
            self.expire_orders();
            let mut events = Vec::new();
            if self.markets[index].step(&mut events) {
                self.events.extend(events);
                self.on_quote(index);
            }
        }
        self.now = self.now.max(to);
        self.expire_orders();
        self.publish_account_if_changed();
        self.take_events()
    }

    /// Sets a symbol's quote now, as a scripted price path; triggers run as on a feed tick.
    pub fn set_quote(&mut self, symbol: &str, bid: f64, ask: f64) -> Result<Vec<Event>, ErrorObject> {
        let index = self.market_index(symbol)?;
        let mut events = Vec::new();
        self.markets[index].set_quote(self.now, bid, ask, &mut events);
        self.events.extend(events);
        self.on_quote(index);
        self.publish_account_if_changed();
        Ok(self.take_events())
    }

    /// Moves virtual time to `to` without feed ticks (to reach a weekend or an expiration cheaply).
    pub fn jump_to(&mut self, to: TimeMs) -> Vec<Event> {
        self.now = self.now.max(to);
        for market in &mut self.markets {
            market.skip_to(self.now);
        }
        self.expire_orders();
        self.publish_account_if_changed();
        self.take_events()
    }

    /// Changes which trades a symbol allows (the broker's switch), for scenarios.
    pub fn set_symbol_trade_mode(&mut self, symbol: &str, mode: SymbolTradeMode) -> Result<(), ErrorObject> {
        let index = self.market_index(symbol)?;
        self.markets[index].instrument.spec.trade_mode = mode;
        Ok(())
    }

    /// Switches the AutoTrading button.
    pub fn set_trade_allowed(&mut self, allowed: bool) {
        self.account.trade_allowed = allowed;
    }

    pub(crate) fn market_index(&self, symbol: &str) -> Result<usize, ErrorObject> {
        self.markets
            .iter()
            .position(|market| market.name() == symbol)
            .ok_or_else(|| ErrorObject::new(ErrorKind::NotFound, format!("Unknown symbol {symbol}")))
    }

    /// One symbol's market, or `not_found`.
    pub fn market(&self, symbol: &str) -> Result<&SymbolMarket, ErrorObject> {
        Ok(&self.markets[self.market_index(symbol)?])
    }

    pub(crate) fn take_ticket(&mut self) -> u64 {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        ticket
    }

    pub(crate) fn take_deal_ticket(&mut self) -> u64 {
        let ticket = self.next_deal;
        self.next_deal += 1;
        ticket
    }

    pub(crate) fn publish_account_if_changed(&mut self) {
        let info = self.account_info();
        if self.last_account.as_ref() != Some(&info) {
            self.events.push(Event::new("account", &info));
            self.last_account = Some(info);
        }
    }
}

// Growing to a `SimScale` (scale.rs says what one is).
impl Terminal {
    /// Grows the broker as `scale` asks; the events and transactions this produces are dropped (no program runs
    /// yet).
    pub(crate) fn apply_scale(&mut self, scale: SimScale, seed: u64) -> Result<(), ErrorObject> {
        if let Some(template) = catalogue(self.mode).into_iter().next() {
            for index in 0..scale.extra_symbols.min(MAX_EXTRA_SYMBOLS) {
                let mut instrument = template.clone();
                let name = format!("SYN{index:05}");
                instrument.spec.description = format!("Synthetic instrument {index}");
                instrument.path = format!("Synthetic\\Group{:02}\\{name}", index % 50);
                instrument.spec.quote_sessions = Vec::new();
                instrument.spec.trade_sessions = Vec::new();
                instrument.tick_interval_ms = 86_400_000;
                instrument.spec.symbol = name;
                let mut market = SymbolMarket::new(instrument, seed, self.now);
                market.selected = false;
                self.markets.push(market);
            }
        }
        let Some(symbol) = self.markets.first().map(|market| market.name().to_owned()) else {
            return Ok(());
        };
        for index in 0..scale.past_trades {
            let side = if index % 2 == 0 { Side::Buy } else { Side::Sell };
            let mut open = PlaceOrderParams::market(&symbol, side, 0.01);
            open.comment = Some(format!("past {index}"));
            let Some(ticket) = self.place_order(open)?.position_id else {
                continue;
            };
            self.close_position(ClosePositionParams { client_id: None, ticket, volume: None, deviation_points: None })?;
        }
        self.take_transactions();
        self.take_events();
        Ok(())
    }
}
