//! Symbols and market data: `get_symbols`, `get_symbol_spec`, `select_symbol`, `get_quote`, `get_quotes`,
//! `get_candles`, `get_ticks`, `get_book`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::method::{ParamsError, Validate};
use crate::methods::checks::{MAX_PAGE_ITEMS, check_limit, check_symbol, max_page};
use crate::types::{Filling, OrderType, TimeInForce, TimeMs, Timeframe};

method! {
    /// Lists symbols, optionally filtered by an MT group pattern or to those in Market Watch.
    GetSymbols = "get_symbols", Market, Terminal, GetSymbolsParams => SymbolList
}

method! {
    /// The full trading specification of one symbol.
    GetSymbolSpec = "get_symbol_spec", Market, Terminal, SymbolParams => SymbolSpec
}

method! {
    /// Adds a symbol to Market Watch (or removes it), which quotes and streams need.
    SelectSymbol = "select_symbol", Market, Terminal, SelectSymbolParams => SymbolSelection
}

method! {
    /// The current bid and ask of one symbol.
    GetQuote = "get_quote", Market, Terminal, SymbolParams => Quote
}

method! {
    /// The current quotes of several symbols in one round trip.
    GetQuotes = "get_quotes", Market, Terminal, GetQuotesParams => QuoteList
}

method! {
    /// Candles (bars) of one symbol and timeframe, oldest first.
    GetCandles = "get_candles", Market, Terminal, GetCandlesParams => CandleList
}

method! {
    /// Tick history of one symbol, oldest first (MT5 only).
    GetTicks = "get_ticks", Market, Terminal, GetTicksParams => TickList, requires TicksHistory
}

method! {
    /// The current depth of market of one symbol (MT5 only).
    GetBook = "get_book", Market, Terminal, SymbolParams => Book, requires MarketDepth
}

/// Params naming one symbol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SymbolParams {
    /// Symbol name as the broker spells it, for example `EURUSD`.
    #[schemars(length(min = 1, max = 64))]
    pub symbol: String,
}

impl Validate for SymbolParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_symbol("symbol", &self.symbol)
    }
}

/// Params of `get_symbols`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetSymbolsParams {
    /// MT group pattern, for example `*USD*` or `*,!*JPY*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Only symbols in Market Watch.
    #[serde(default)]
    pub selected_only: bool,
    /// Matching symbols to skip: 0, or the `next_offset` of the previous page.
    #[serde(default)]
    pub offset: u32,
    /// Most symbols to return, 1 to 10000 (the default).
    #[serde(default = "max_page")]
    #[schemars(range(min = 1, max = 10000))]
    pub limit: u32,
}

impl Default for GetSymbolsParams {
    fn default() -> GetSymbolsParams {
        GetSymbolsParams { group: None, selected_only: false, offset: 0, limit: MAX_PAGE_ITEMS }
    }
}

impl Validate for GetSymbolsParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_limit(self.limit)
    }
}

/// One entry of `get_symbols`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SymbolSummary {
    /// Symbol name.
    pub name: String,
    /// Broker's description.
    pub description: String,
    /// Folder in the symbol tree, for example `Forex\Majors`.
    pub path: String,
    /// Price decimal places.
    pub digits: u32,
    /// In Market Watch.
    pub selected: bool,
}

/// Result of `get_symbols`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SymbolList {
    /// Matching symbols, in the terminal's order.
    pub symbols: Vec<SymbolSummary>,
    /// More symbols match after this page.
    #[serde(default)]
    pub has_more: bool,
    /// With `has_more`: the `offset` that asks for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u32>,
}

/// Which trades a symbol allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SymbolTradeMode {
    /// No trading.
    Disabled,
    /// Buys only.
    LongOnly,
    /// Sells only.
    ShortOnly,
    /// Closing only.
    CloseOnly,
    /// Everything.
    Full,
}

/// How market orders are executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionMode {
    /// Price on request.
    Request,
    /// Instant execution at the given price within the deviation.
    Instant,
    /// Market execution at the broker's price.
    Market,
    /// Exchange execution.
    Exchange,
}

/// How margin and profit are computed for a symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CalcMode {
    /// Forex: lots × contract size / leverage.
    Forex,
    /// Forex without leverage.
    ForexNoLeverage,
    /// CFD: lots × contract size × price.
    Cfd,
    /// CFD with leverage: lots × contract size × price / leverage.
    CfdLeverage,
    /// Index CFD: lots × contract size × price × tick value / tick size.
    CfdIndex,
    /// Futures: lots × initial margin.
    Futures,
    /// Exchange stocks.
    ExchangeStocks,
}

/// Day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Weekday {
    Sunday,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
}

/// One quote or trade session, in broker time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Session {
    /// Day the session starts.
    pub day: Weekday,
    /// Start, minutes after midnight broker time.
    pub from_minute: u32,
    /// End, minutes after midnight broker time (1440 = end of day).
    pub to_minute: u32,
}

/// Result of `get_symbol_spec`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SymbolSpec {
    /// Symbol name.
    pub symbol: String,
    /// Broker's description.
    pub description: String,
    /// Base currency.
    pub base_currency: String,
    /// Profit currency.
    pub profit_currency: String,
    /// Margin currency.
    pub margin_currency: String,
    /// Price decimal places.
    pub digits: u32,
    /// One point, for example 0.00001.
    pub point: f64,
    /// Smallest price change.
    pub tick_size: f64,
    /// Value of one tick for one lot, in deposit currency.
    pub tick_value: f64,
    /// Units per lot.
    pub contract_size: f64,
    /// Smallest volume.
    pub volume_min: f64,
    /// Largest volume per order.
    pub volume_max: f64,
    /// Volume increment.
    pub volume_step: f64,
    /// Largest total volume in one direction (0 = no limit).
    pub volume_limit: f64,
    /// Minimum distance of stops from the price, in points.
    pub stops_level: u32,
    /// Distance from the price within which orders cannot be changed, in points.
    pub freeze_level: u32,
    /// Trades allowed.
    pub trade_mode: SymbolTradeMode,
    /// Execution of market orders.
    pub execution_mode: ExecutionMode,
    /// Margin and profit formula.
    pub calc_mode: CalcMode,
    /// Filling modes the symbol allows (`auto` is never listed).
    pub filling_modes: Vec<Filling>,
    /// Time-in-force values the symbol allows.
    pub expiration_modes: Vec<TimeInForce>,
    /// Order types the symbol allows.
    pub order_types: Vec<OrderType>,
    /// Swap for long positions.
    pub swap_long: f64,
    /// Swap for short positions.
    pub swap_short: f64,
    /// Day on which triple swap is charged.
    pub swap_rollover3days: Weekday,
    /// Initial margin for one lot, when fixed by the broker (0 = computed by `calc_mode`).
    pub margin_initial: f64,
    /// Maintenance margin for one lot (0 = same as initial).
    pub margin_maintenance: f64,
    /// Margin for one lot of a hedged pair.
    pub margin_hedged: f64,
    /// Current spread in points.
    pub spread: u32,
    /// Whether the spread floats.
    pub spread_float: bool,
    /// When quotes arrive.
    pub quote_sessions: Vec<Session>,
    /// When trading is allowed.
    pub trade_sessions: Vec<Session>,
}

/// Params of `select_symbol`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectSymbolParams {
    /// Symbol name.
    pub symbol: String,
    /// `true` adds to Market Watch, `false` removes.
    #[serde(default = "default_true")]
    pub enable: bool,
}

fn default_true() -> bool {
    true
}

impl Validate for SelectSymbolParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_symbol("symbol", &self.symbol)
    }
}

/// Result of `select_symbol`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SymbolSelection {
    /// Symbol name.
    pub symbol: String,
    /// Whether it is in Market Watch now.
    pub selected: bool,
}

/// A quote: result of `get_quote`, and the data of `quote` notifications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Quote {
    /// Symbol name.
    pub symbol: String,
    /// Bid.
    pub bid: f64,
    /// Ask.
    pub ask: f64,
    /// Last deal price (exchange symbols).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<f64>,
    /// Time of the quote, UTC.
    pub time: TimeMs,
    /// Time of the quote on the broker's clock, `YYYY-MM-DD HH:MM:SS.mmm`.
    pub broker_time: String,
}

/// Params of `get_quotes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetQuotesParams {
    /// 1 to 1000 symbol names.
    #[schemars(length(min = 1, max = 1000))]
    pub symbols: Vec<String>,
}

impl Validate for GetQuotesParams {
    fn validate(&self) -> Result<(), ParamsError> {
        if self.symbols.is_empty() || self.symbols.len() > 1000 {
            return Err(ParamsError::field("symbols", "give 1 to 1000 symbols"));
        }
        for (index, symbol) in self.symbols.iter().enumerate() {
            check_symbol(&format!("symbols[{index}]"), symbol)?;
        }
        Ok(())
    }
}

/// Result of `get_quotes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QuoteList {
    /// One quote per requested symbol, in request order.
    pub quotes: Vec<Quote>,
}

/// Params of `get_candles`. Give `count` (the newest candles), or `from` with an optional `to` and an optional `count`
/// (the page size).
///
/// A range never answers more than `count` or 10000 candles: when more exist in it, the result says `has_more` and
/// `next_from`, which given as `from` (with the same `to`) returns the next page, without duplicates or gaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCandlesParams {
    /// Symbol name.
    pub symbol: String,
    /// Timeframe.
    pub timeframe: Timeframe,
    /// Oldest candle open time to include, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<TimeMs>,
    /// Newest candle open time to include, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<TimeMs>,
    /// Most candles to return (1 to 10000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 10000))]
    pub count: Option<u32>,
}

impl Validate for GetCandlesParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_symbol("symbol", &self.symbol)?;
        check_range(self.from, self.to, self.count)
    }
}

fn check_range(from: Option<TimeMs>, to: Option<TimeMs>, count: Option<u32>) -> Result<(), ParamsError> {
    if let Some(count) = count
        && !(1..=MAX_PAGE_ITEMS).contains(&count)
    {
        return Err(ParamsError::field("count", "count must be 1 to 10000"));
    }
    match (from, to, count) {
        (None, None, None) => Err(ParamsError::field("count", "give count, from and count, or from and to")),
        (None, Some(_), _) => Err(ParamsError::field("from", "to needs from")),
        (Some(from), Some(to), None) if to < from => Err(ParamsError::field("to", "to is before from")),
        _ => Ok(()),
    }
}

/// A candle (bar).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Candle {
    /// Open time, UTC.
    pub time: TimeMs,
    /// Open price.
    pub open: f64,
    /// High.
    pub high: f64,
    /// Low.
    pub low: f64,
    /// Close (the current price for the forming candle).
    pub close: f64,
    /// Number of ticks.
    pub tick_volume: u64,
    /// Smallest spread in points.
    pub spread: u32,
    /// Exchange volume (0 for OTC symbols).
    pub real_volume: u64,
}

/// Result of `get_candles`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CandleList {
    /// Symbol name.
    pub symbol: String,
    /// Timeframe.
    pub timeframe: Timeframe,
    /// Candles, oldest first.
    pub candles: Vec<Candle>,
    /// More candles exist in the range than were returned (with `count` alone: older candles exist).
    pub has_more: bool,
    /// With `has_more` in a range (`from` given): the open time of the first candle not returned; ask again with it as
    /// `from` for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_from: Option<TimeMs>,
}

/// Which ticks `get_ticks` returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TickKind {
    /// Every tick.
    #[default]
    All,
    /// Ticks that changed bid or ask.
    Info,
    /// Ticks that changed last or volume.
    Trade,
}

/// Params of `get_ticks`. Give `from` with `count`, `to` or both (`count` is then the page size).
///
/// A call never answers more than `count` or 10000 ticks: when more exist in the range, the result says `has_more`
/// and `next_from`, which given as `from` (with the same `to`) returns the next page, without duplicates or gaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTicksParams {
    /// Symbol name.
    pub symbol: String,
    /// Oldest tick time to include, UTC.
    pub from: TimeMs,
    /// Newest tick time to include, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<TimeMs>,
    /// Most ticks to return (1 to 10000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 10000))]
    pub count: Option<u32>,
    /// Which ticks.
    #[serde(default)]
    pub kind: TickKind,
}

impl Validate for GetTicksParams {
    fn validate(&self) -> Result<(), ParamsError> {
        check_symbol("symbol", &self.symbol)?;
        if self.to.is_none() && self.count.is_none() {
            return Err(ParamsError::field("count", "give to or count with from"));
        }
        check_range(Some(self.from), self.to, self.count)
    }
}

/// A tick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tick {
    /// Time, UTC.
    pub time: TimeMs,
    /// Bid.
    pub bid: f64,
    /// Ask.
    pub ask: f64,
    /// Last deal price (0 for OTC symbols).
    pub last: f64,
    /// Deal volume.
    pub volume: f64,
    /// MT tick flags bit set (2 bid, 4 ask, 8 last, 16 volume, 32 buy, 64 sell).
    pub flags: u32,
}

/// Result of `get_ticks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TickList {
    /// Symbol name.
    pub symbol: String,
    /// Ticks, oldest first.
    pub ticks: Vec<Tick>,
    /// More ticks exist in the range than were returned.
    pub has_more: bool,
    /// With `has_more`: the time of the first tick not returned; ask again with it as `from` for the next page. A
    /// page never ends inside a millisecond, so ticks sharing one are never split between pages: it holds fewer ticks
    /// than `count` for that, or, when the first millisecond alone holds more, all of that millisecond.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_from: Option<TimeMs>,
}

/// Side of a depth-of-market entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookSide {
    /// A bid (someone buys).
    Buy,
    /// An offer (someone sells).
    Sell,
    /// A buy at market.
    BuyMarket,
    /// A sell at market.
    SellMarket,
}

/// One depth-of-market level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BookEntry {
    /// Side.
    pub side: BookSide,
    /// Price.
    pub price: f64,
    /// Volume.
    pub volume: f64,
}

/// Depth of market: result of `get_book`, and the data of `book` notifications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Book {
    /// Symbol name.
    pub symbol: String,
    /// Time of the snapshot, UTC.
    pub time: TimeMs,
    /// Levels, highest price first.
    pub entries: Vec<BookEntry>,
}
