//! Symbols and market data built-ins: Market Watch (SymbolsTotal, SymbolName, SymbolSelect), SymbolInfo*,
//! sessions, MQL4's MarketInfo, CopyRates, CopyTicks, CopyTicksRange and the depth of market.

use metaapi_protocol::methods::{BookSide, CalcMode, ExecutionMode, SymbolSpec, SymbolTradeMode, Weekday};
use metaapi_protocol::types::{Filling, OrderType, Platform, TimeInForce, TimeMs, Timeframe};

use super::consts::{mt4 as k4, mt5 as k};
use super::ffi::{MqlHostBookInfo, MqlHostRates, MqlHostTick};
use super::{Host, errors, server_ms, server_seconds, utc_of_server_seconds};
use crate::terminal::MAX_BARS;

/// Ticks CopyTicks returns when asked for none in particular, as MetaTrader's default.
const DEFAULT_TICK_COUNT: usize = 2000;

/// The timeframe of an ENUM_TIMEFRAMES value of `platform` (PERIOD_CURRENT is the chart's).
pub(crate) fn timeframe_of(platform: Platform, value: i64, chart: i64) -> Option<Timeframe> {
    let value = if value == 0 { chart } else { value };
    let seconds = match platform {
        Platform::Mt4 => value * 60,
        Platform::Mt5 => match value {
            k::PERIOD_W1 => return Some(Timeframe::W1),
            k::PERIOD_MN1 => return Some(Timeframe::Mn1),
            hours if hours & 0x4000 != 0 => (hours & 0x3FFF) * 3600,
            minutes => minutes * 60,
        },
    };
    if platform == Platform::Mt4 && value == k4::PERIOD_MN1 {
        return Some(Timeframe::Mn1);
    }
    Timeframe::ALL.iter().copied().find(|timeframe| timeframe.seconds() == seconds && *timeframe != Timeframe::Mn1)
}

fn weekday_index(day: Weekday) -> i64 {
    match day {
        Weekday::Sunday => 0,
        Weekday::Monday => 1,
        Weekday::Tuesday => 2,
        Weekday::Wednesday => 3,
        Weekday::Thursday => 4,
        Weekday::Friday => 5,
        Weekday::Saturday => 6,
    }
}

fn rates(candle: &metaapi_protocol::methods::Candle) -> MqlHostRates {
    MqlHostRates {
        time: server_seconds(candle.time),
        open: candle.open,
        high: candle.high,
        low: candle.low,
        close: candle.close,
        tick_volume: candle.tick_volume as i64,
        spread: candle.spread as i32,
        real_volume: candle.real_volume as i64,
    }
}

fn tick(tick: &metaapi_protocol::methods::Tick) -> MqlHostTick {
    MqlHostTick {
        time: server_seconds(tick.time),
        bid: tick.bid,
        ask: tick.ask,
        last: tick.last,
        volume: tick.volume as u64,
        time_msc: server_ms(tick.time),
        flags: tick.flags,
        volume_real: tick.volume,
    }
}

impl Host {
    fn spec(&mut self, symbol: &str) -> Option<SymbolSpec> {
        let spec = self.terminal().symbol_spec(symbol).ok();
        match spec {
            Some(spec) => Some(spec),
            None => self.unknown_symbol(None),
        }
    }

    fn market_index(&mut self, symbol: &str) -> Option<usize> {
        let index = self.terminal().market_index(symbol).ok();
        if index.is_none() {
            return self.unknown_symbol(None);
        }
        index
    }

    pub(crate) fn symbols_total(&self, selected: bool) -> i32 {
        self.terminal().markets.iter().filter(|market| !selected || market.selected).count() as i32
    }

    pub(crate) fn symbol_name(&mut self, pos: i32, selected: bool) -> Option<String> {
        let name = usize::try_from(pos).ok().and_then(|pos| {
            let terminal = self.terminal();
            terminal.markets.iter().filter(|market| !selected || market.selected).nth(pos).map(|m| m.name().to_owned())
        });
        if name.is_none() {
            return self.fail(errors::INVALID_PARAMETER, None);
        }
        name
    }

    /// SymbolSelect: a symbol with open positions or orders, or the chart's, cannot leave Market Watch.
    pub(crate) fn symbol_select(&mut self, name: &str, select: bool) -> bool {
        let Some(index) = self.market_index(name) else { return false };
        let chart = self.chart_symbol == name;
        let mut terminal = self.terminal();
        let in_use =
            terminal.positions.iter().any(|p| p.symbol == name) || terminal.orders.iter().any(|o| o.symbol == name);
        if !select && (in_use || chart) {
            drop(terminal);
            return self.fail(errors::MARKET_SELECT_ERROR, false);
        }
        terminal.markets[index].selected = select;
        true
    }

    pub(crate) fn symbol_info_integer(&mut self, name: &str, prop: i64) -> Option<i64> {
        if prop == k::SYMBOL_EXIST {
            return Some(i64::from(self.terminal().market_index(name).is_ok()));
        }
        let index = self.market_index(name)?;
        let spec = self.spec(name)?;
        let (selected, time) = {
            let terminal = self.terminal();
            (terminal.markets[index].selected, terminal.markets[index].time)
        };
        let mask = |pairs: &[(bool, i64)]| pairs.iter().filter(|(on, _)| *on).map(|(_, bit)| bit).sum::<i64>();
        Some(match prop {
            k::SYMBOL_SELECT | k::SYMBOL_VISIBLE => i64::from(selected),
            k::SYMBOL_TIME => server_seconds(time),
            k::SYMBOL_DIGITS => i64::from(spec.digits),
            k::SYMBOL_SPREAD => i64::from(spec.spread),
            k::SYMBOL_SPREAD_FLOAT => i64::from(spec.spread_float),
            k::SYMBOL_TICKS_BOOKDEPTH => i64::from(crate::market::BOOK_DEPTH),
            k::SYMBOL_TRADE_STOPS_LEVEL => i64::from(spec.stops_level),
            k::SYMBOL_TRADE_FREEZE_LEVEL => i64::from(spec.freeze_level),
            k::SYMBOL_TRADE_MODE => match spec.trade_mode {
                SymbolTradeMode::Disabled => k::SYMBOL_TRADE_MODE_DISABLED,
                SymbolTradeMode::LongOnly => k::SYMBOL_TRADE_MODE_LONGONLY,
                SymbolTradeMode::ShortOnly => k::SYMBOL_TRADE_MODE_SHORTONLY,
                SymbolTradeMode::CloseOnly => k::SYMBOL_TRADE_MODE_CLOSEONLY,
                SymbolTradeMode::Full => k::SYMBOL_TRADE_MODE_FULL,
            },
            k::SYMBOL_TRADE_EXEMODE => match spec.execution_mode {
                ExecutionMode::Request => k::SYMBOL_TRADE_EXECUTION_REQUEST,
                ExecutionMode::Instant => k::SYMBOL_TRADE_EXECUTION_INSTANT,
                ExecutionMode::Market => k::SYMBOL_TRADE_EXECUTION_MARKET,
                ExecutionMode::Exchange => k::SYMBOL_TRADE_EXECUTION_EXCHANGE,
            },
            k::SYMBOL_TRADE_CALC_MODE => match spec.calc_mode {
                CalcMode::Forex => k::SYMBOL_CALC_MODE_FOREX,
                CalcMode::ForexNoLeverage => k::SYMBOL_CALC_MODE_FOREX_NO_LEVERAGE,
                CalcMode::Cfd => k::SYMBOL_CALC_MODE_CFD,
                CalcMode::CfdIndex => k::SYMBOL_CALC_MODE_CFDINDEX,
                CalcMode::CfdLeverage => k::SYMBOL_CALC_MODE_CFDLEVERAGE,
                CalcMode::Futures => k::SYMBOL_CALC_MODE_FUTURES,
                CalcMode::ExchangeStocks => k::SYMBOL_CALC_MODE_EXCH_STOCKS,
            },
            k::SYMBOL_FILLING_MODE => mask(&[
                (spec.filling_modes.contains(&Filling::Fok), k::SYMBOL_FILLING_FOK),
                (spec.filling_modes.contains(&Filling::Ioc), k::SYMBOL_FILLING_IOC),
            ]),
            k::SYMBOL_EXPIRATION_MODE => mask(&[
                (spec.expiration_modes.contains(&TimeInForce::Gtc), k::SYMBOL_EXPIRATION_GTC),
                (spec.expiration_modes.contains(&TimeInForce::Day), k::SYMBOL_EXPIRATION_DAY),
                (spec.expiration_modes.contains(&TimeInForce::Specified), k::SYMBOL_EXPIRATION_SPECIFIED),
                (spec.expiration_modes.contains(&TimeInForce::SpecifiedDay), k::SYMBOL_EXPIRATION_SPECIFIED_DAY),
            ]),
            k::SYMBOL_ORDER_MODE => mask(&[
                (spec.order_types.contains(&OrderType::Buy), k::SYMBOL_ORDER_MARKET),
                (spec.order_types.contains(&OrderType::BuyLimit), k::SYMBOL_ORDER_LIMIT),
                (spec.order_types.contains(&OrderType::BuyStop), k::SYMBOL_ORDER_STOP),
                (spec.order_types.contains(&OrderType::BuyStopLimit), k::SYMBOL_ORDER_STOP_LIMIT),
            ]),
            k::SYMBOL_SWAP_MODE => 1,
            k::SYMBOL_SWAP_ROLLOVER3DAYS => weekday_index(spec.swap_rollover3days),
            k::SYMBOL_VOLUME | k::SYMBOL_VOLUMEHIGH | k::SYMBOL_VOLUMELOW => 0,
            k::SYMBOL_START_TIME | k::SYMBOL_EXPIRATION_TIME => 0,
            _ => return self.fail(errors::MARKET_WRONG_PROPERTY, None),
        })
    }

    pub(crate) fn symbol_info_double(&mut self, name: &str, prop: i64) -> Option<f64> {
        let index = self.market_index(name)?;
        let spec = self.spec(name)?;
        let (bid, ask) = {
            let terminal = self.terminal();
            (terminal.markets[index].bid, terminal.markets[index].ask)
        };
        Some(match prop {
            k::SYMBOL_BID | k::SYMBOL_BIDHIGH | k::SYMBOL_BIDLOW => bid,
            k::SYMBOL_ASK | k::SYMBOL_ASKHIGH | k::SYMBOL_ASKLOW => ask,
            k::SYMBOL_LAST => 0.0,
            k::SYMBOL_POINT => spec.point,
            k::SYMBOL_TRADE_TICK_VALUE => spec.tick_value,
            k::SYMBOL_TRADE_TICK_SIZE => spec.tick_size,
            k::SYMBOL_TRADE_CONTRACT_SIZE => spec.contract_size,
            k::SYMBOL_VOLUME_MIN => spec.volume_min,
            k::SYMBOL_VOLUME_MAX => spec.volume_max,
            k::SYMBOL_VOLUME_STEP => spec.volume_step,
            k::SYMBOL_VOLUME_LIMIT => spec.volume_limit,
            k::SYMBOL_SWAP_LONG => spec.swap_long,
            k::SYMBOL_SWAP_SHORT => spec.swap_short,
            k::SYMBOL_MARGIN_INITIAL => spec.margin_initial,
            k::SYMBOL_MARGIN_MAINTENANCE => spec.margin_maintenance,
            k::SYMBOL_MARGIN_HEDGED => spec.margin_hedged,
            _ => return self.fail(errors::MARKET_WRONG_PROPERTY, None),
        })
    }

    pub(crate) fn symbol_info_string(&mut self, name: &str, prop: i64) -> Option<String> {
        let index = self.market_index(name)?;
        let spec = self.spec(name)?;
        Some(match prop {
            k::SYMBOL_DESCRIPTION => spec.description,
            k::SYMBOL_PATH => self.terminal().markets[index].instrument.path.clone(),
            k::SYMBOL_CURRENCY_BASE => spec.base_currency,
            k::SYMBOL_CURRENCY_PROFIT => spec.profit_currency,
            k::SYMBOL_CURRENCY_MARGIN => spec.margin_currency,
            k::SYMBOL_BANK => "SimMarkets".into(),
            _ => return self.fail(errors::MARKET_WRONG_PROPERTY, None),
        })
    }

    /// SymbolInfoTick: the last tick of a Market Watch symbol.
    pub(crate) fn symbol_info_tick(&mut self, name: &str) -> Option<MqlHostTick> {
        let index = self.market_index(name)?;
        let terminal = self.terminal();
        let market = &terminal.markets[index];
        if !market.selected {
            drop(terminal);
            return self.fail(errors::MARKET_NOT_SELECTED, None);
        }
        let last = metaapi_protocol::methods::Tick {
            time: market.time,
            bid: market.bid,
            ask: market.ask,
            last: 0.0,
            volume: 0.0,
            flags: 6,
        };
        Some(tick(&last))
    }

    /// SymbolInfoSessionQuote / SymbolInfoSessionTrade: the `index`th session of `day`, seconds from 00:00.
    pub(crate) fn symbol_info_session(&mut self, name: &str, trade: bool, day: i64, index: u32) -> Option<(i64, i64)> {
        let spec = self.spec(name)?;
        let sessions = if trade { &spec.trade_sessions } else { &spec.quote_sessions };
        let session = sessions.iter().filter(|session| weekday_index(session.day) == day).nth(index as usize);
        match session {
            Some(session) => Some((i64::from(session.from_minute) * 60, i64::from(session.to_minute) * 60)),
            None => self.fail(errors::INVALID_PARAMETER, None),
        }
    }

    /// MQL4's MarketInfo(symbol, MODE_*).
    pub(crate) fn market_info(&mut self, name: &str, mode: i64) -> Option<f64> {
        let index = self.market_index(name)?;
        let spec = self.spec(name)?;
        let (bid, ask, time) = {
            let terminal = self.terminal();
            let market = &terminal.markets[index];
            (market.bid, market.ask, market.time)
        };
        Some(match mode {
            k4::MODE_BID | k4::MODE_LOW => bid,
            k4::MODE_ASK | k4::MODE_HIGH => ask,
            k4::MODE_TIME => server_seconds(time) as f64,
            k4::MODE_POINT => spec.point,
            k4::MODE_DIGITS => f64::from(spec.digits),
            k4::MODE_SPREAD => f64::from(spec.spread),
            k4::MODE_STOPLEVEL => f64::from(spec.stops_level),
            k4::MODE_FREEZELEVEL => f64::from(spec.freeze_level),
            k4::MODE_LOTSIZE => spec.contract_size,
            k4::MODE_TICKVALUE => spec.tick_value,
            k4::MODE_TICKSIZE => spec.tick_size,
            k4::MODE_SWAPLONG => spec.swap_long,
            k4::MODE_SWAPSHORT => spec.swap_short,
            k4::MODE_STARTING | k4::MODE_EXPIRATION | k4::MODE_SWAPTYPE => 0.0,
            k4::MODE_TRADEALLOWED => f64::from(u8::from(spec.trade_mode != SymbolTradeMode::Disabled)),
            k4::MODE_MINLOT => spec.volume_min,
            k4::MODE_LOTSTEP => spec.volume_step,
            k4::MODE_MAXLOT => spec.volume_max,
            k4::MODE_PROFITCALCMODE | k4::MODE_MARGINCALCMODE => match spec.calc_mode {
                CalcMode::Forex | CalcMode::ForexNoLeverage => 0.0,
                CalcMode::Futures => 2.0,
                _ => 1.0,
            },
            k4::MODE_MARGININIT => spec.margin_initial,
            k4::MODE_MARGINMAINTENANCE => spec.margin_maintenance,
            k4::MODE_MARGINHEDGED => spec.margin_hedged,
            k4::MODE_MARGINREQUIRED => {
                let terminal = self.terminal();
                terminal.margin_for(&terminal.markets[index].instrument, 1.0, ask).unwrap_or(0.0)
            }
            _ => return self.fail(errors::MT4_INVALID_FUNCTION_PARAMVALUE, None),
        })
    }

    pub(crate) fn series_info_integer(&mut self, name: &str, timeframe: i64, prop: i64) -> Option<i64> {
        self.market_index(name)?;
        let Some(timeframe) = timeframe_of(self.platform, timeframe, i64::from(self.chart_period)) else {
            return self.fail(errors::INVALID_PARAMETER, None);
        };
        let newest = self.rates(name, timeframe, None, 1).last().map_or(0, |bar| bar.time);
        Some(match prop {
            k::SERIES_SYNCHRONIZED => 1,
            k::SERIES_BARS_COUNT => MAX_BARS as i64,
            k::SERIES_LASTBAR_DATE => newest,
            k::SERIES_FIRSTDATE | k::SERIES_SERVER_FIRSTDATE | k::SERIES_TERMINAL_FIRSTDATE => {
                newest - timeframe.seconds() * MAX_BARS as i64
            }
            _ => return self.fail(errors::HISTORY_WRONG_PROPERTY, None),
        })
    }

    /// The `count` newest bars up to `until` (UTC, inclusive; `None`: now), oldest first.
    fn rates(&mut self, name: &str, timeframe: Timeframe, until: Option<TimeMs>, count: usize) -> Vec<MqlHostRates> {
        let Ok(index) = self.terminal().market_index(name) else { return Vec::new() };
        let now = self.now();
        let back = until.map_or(0, |until| ((now - until).max(0) / 1000 / timeframe.seconds()) as usize);
        let wanted = (back + count + 1).min(MAX_BARS) as u32;
        let mut terminal = self.terminal();
        let (candles, ..) = terminal.markets[index].candles(timeframe, None, None, Some(wanted), MAX_BARS);
        let bars: Vec<MqlHostRates> =
            candles.iter().filter(|candle| until.is_none_or(|until| candle.time <= until)).map(rates).collect();
        let start = bars.len().saturating_sub(count);
        bars[start..].to_vec()
    }

    /// CopyRates, all three variants (host.h's MQL_HOST_RATES_* modes); -1 with the error on failure.
    pub(crate) fn copy_rates(
        &mut self,
        name: &str,
        timeframe: i64,
        mode: i32,
        a: i64,
        b: i64,
    ) -> Option<Vec<MqlHostRates>> {
        self.market_index(name)?;
        let Some(timeframe) = timeframe_of(self.platform, timeframe, i64::from(self.chart_period)) else {
            return self.fail(errors::INVALID_PARAMETER, None);
        };
        let bars = match mode {
            // start_pos bars back from the current one, count bars.
            0 if a >= 0 && b > 0 => {
                let mut bars = self.rates(name, timeframe, None, (a + b) as usize);
                bars.truncate(bars.len().saturating_sub(a as usize));
                bars
            }
            1 if b > 0 => self.rates(name, timeframe, Some(utc_of_server_seconds(a)), b as usize),
            2 => {
                let (from, to) = (a.min(b), a.max(b));
                let until = utc_of_server_seconds(to);
                let span = ((to - from) / timeframe.seconds()).max(0) as usize + 1;
                let bars = self.rates(name, timeframe, Some(until), span.min(MAX_BARS));
                bars.into_iter().filter(|bar| bar.time >= from && bar.time <= to).collect()
            }
            _ => return self.fail(errors::INVALID_PARAMETER, None),
        };
        Some(bars)
    }

    fn all_ticks(&mut self, name: &str) -> Option<Vec<MqlHostTick>> {
        let index = self.market_index(name)?;
        // The guard is a temporary: the tick ring is read under the lock, then the lock is released.
        let (ticks, ..) = self.terminal().markets[index].ticks(0, None, Some(u32::MAX));
        Some(ticks.iter().map(tick).collect())
    }

    /// CopyTicks: `count` ticks from `from_msc` (server ms), or the newest `count` when `from_msc` is 0.
    pub(crate) fn copy_ticks(&mut self, name: &str, flags: i64, from_msc: u64, count: u32) -> Option<Vec<MqlHostTick>> {
        if self.platform == Platform::Mt4 {
            return self.fail(errors::INVALID_PARAMETER, None);
        }
        let ticks = self.all_ticks(name)?;
        // This broker's symbols are OTC: no last price, so no trade ticks.
        if flags == k::COPY_TICKS_TRADE {
            return Some(Vec::new());
        }
        let count = if count == 0 { DEFAULT_TICK_COUNT } else { count as usize };
        if from_msc == 0 {
            let start = ticks.len().saturating_sub(count);
            return Some(ticks[start..].to_vec());
        }
        Some(ticks.into_iter().filter(|tick| tick.time_msc >= from_msc as i64).take(count).collect())
    }

    /// CopyTicksRange: ticks with `from_msc <= time_msc <= to_msc` (server ms; `to_msc` 0: up to now).
    pub(crate) fn copy_ticks_range(
        &mut self,
        name: &str,
        flags: i64,
        from_msc: u64,
        to_msc: u64,
    ) -> Option<Vec<MqlHostTick>> {
        if self.platform == Platform::Mt4 {
            return self.fail(errors::INVALID_PARAMETER, None);
        }
        let ticks = self.all_ticks(name)?;
        if flags == k::COPY_TICKS_TRADE {
            return Some(Vec::new());
        }
        let to = if to_msc == 0 { i64::MAX } else { to_msc as i64 };
        Some(ticks.into_iter().filter(|tick| tick.time_msc >= from_msc as i64 && tick.time_msc <= to).collect())
    }

    pub(crate) fn market_book_add(&mut self, name: &str) -> bool {
        if self.platform == Platform::Mt4 {
            return self.fail(errors::BOOKS_CANNOT_ADD, false);
        }
        if self.market_index(name).is_none() {
            return false;
        }
        if self.books.insert(name.to_owned()) {
            self.shared.book_calls.added.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        true
    }

    pub(crate) fn market_book_release(&mut self, name: &str) -> bool {
        if !self.books.remove(name) {
            return self.fail(errors::BOOKS_CANNOT_DELETE, false);
        }
        self.shared.book_calls.released.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        true
    }

    /// MarketBookGet: only for a symbol the program subscribed with MarketBookAdd, as in MetaTrader.
    pub(crate) fn market_book_get(&mut self, name: &str) -> Option<Vec<MqlHostBookInfo>> {
        let index = self.market_index(name)?;
        if !self.books.contains(name) {
            return self.fail(errors::BOOKS_CANNOT_GET, None);
        }
        let book = self.terminal().markets[index].book();
        Some(
            book.iter()
                .map(|entry| MqlHostBookInfo {
                    r#type: match entry.side {
                        BookSide::Sell => k::BOOK_TYPE_SELL,
                        BookSide::Buy => k::BOOK_TYPE_BUY,
                        BookSide::SellMarket => k::BOOK_TYPE_SELL_MARKET,
                        BookSide::BuyMarket => k::BOOK_TYPE_BUY_MARKET,
                    } as i32,
                    price: entry.price,
                    volume: entry.volume.round() as i64,
                    volume_real: entry.volume,
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::test_support::host;
    use crate::mode::Mode;

    #[test]
    fn unknown_symbols_set_4301_and_market_watch_keeps_symbols_in_use() {
        let mut host = host(Mode::Mt5Hedging, "EURUSD");
        assert_eq!(host.symbol_info_double("NOPE", k::SYMBOL_BID), None);
        assert_eq!(host.last_error, errors::MARKET_UNKNOWN_SYMBOL);
        assert!(!host.symbol_select("NOPE", true));
        assert_eq!(host.symbol_info_integer("NOPE", k::SYMBOL_EXIST), Some(0));
        assert!(!host.symbol_select("EURUSD", false), "the chart symbol stays");
        assert_eq!(host.last_error, errors::MARKET_SELECT_ERROR);
        let total = host.symbols_total(true);
        assert!(host.symbol_select("GBPUSD", false));
        assert_eq!(host.symbols_total(true), total - 1);
        assert_eq!(host.symbol_info_tick("GBPUSD"), None);
        assert_eq!(host.last_error, errors::MARKET_NOT_SELECTED);
        assert!(host.symbol_select("GBPUSD", true));
        assert!(host.symbol_info_tick("GBPUSD").is_some_and(|tick| tick.ask > tick.bid));
        assert_eq!(host.symbol_name(total + 5, true), None);
    }

    #[test]
    fn copy_rates_counts_and_order() {
        let mut host = host(Mode::Mt5Hedging, "EURUSD");
        let newest = host.copy_rates("EURUSD", k::PERIOD_M1, 0, 0, 10).expect("rates");
        assert_eq!(newest.len(), 10);
        assert!(newest.windows(2).all(|pair| pair[0].time + 60 <= pair[1].time), "oldest first");
        let shifted = host.copy_rates("EURUSD", k::PERIOD_M1, 0, 2, 5).expect("rates");
        assert_eq!(shifted.as_slice(), &newest[3..8]);
        let by_time = host.copy_rates("EURUSD", k::PERIOD_M1, 1, newest[5].time, 3).expect("rates");
        assert_eq!(by_time.as_slice(), &newest[3..6]);
        let range = host.copy_rates("EURUSD", k::PERIOD_M1, 2, newest[2].time, newest[6].time).expect("rates");
        assert_eq!(range.as_slice(), &newest[2..7]);
        assert_eq!(host.copy_rates("EURUSD", 7777, 0, 0, 10), None);
        assert_eq!(host.last_error, errors::INVALID_PARAMETER);
    }

    #[test]
    fn copy_ticks_from_zero_gives_the_newest_and_book_needs_market_book_add() {
        let mut host = host(Mode::Mt5Hedging, "EURUSD");
        let to = host.now() + 30_000;
        host.terminal().advance(to);
        let all = host.copy_ticks("EURUSD", k::COPY_TICKS_ALL, 0, 1_000_000).expect("ticks");
        assert!(all.len() > 5);
        let newest = host.copy_ticks("EURUSD", k::COPY_TICKS_ALL, 0, 3).expect("ticks");
        assert_eq!(newest.as_slice(), &all[all.len() - 3..]);
        let from = host.copy_ticks("EURUSD", k::COPY_TICKS_INFO, all[1].time_msc as u64, 2).expect("ticks");
        assert_eq!(from.as_slice(), &all[1..3]);
        let range = host.copy_ticks_range("EURUSD", k::COPY_TICKS_ALL, all[1].time_msc as u64, all[3].time_msc as u64);
        assert_eq!(range.expect("ticks").as_slice(), &all[1..4]);
        assert_eq!(host.market_book_get("EURUSD"), None);
        assert_eq!(host.last_error, errors::BOOKS_CANNOT_GET);
        assert!(host.market_book_add("EURUSD"));
        let book = host.market_book_get("EURUSD").expect("book");
        assert_eq!(book.first().map(|level| level.r#type), Some(k::BOOK_TYPE_SELL as i32));
        assert!(host.market_book_release("EURUSD"));
        assert!(!host.market_book_release("EURUSD"));
    }

    #[test]
    fn mql4_timeframes_are_minutes_and_mql5_ones_are_coded() {
        assert_eq!(timeframe_of(Platform::Mt4, k4::PERIOD_H1, 0), Some(Timeframe::H1));
        assert_eq!(timeframe_of(Platform::Mt5, k::PERIOD_H1, 0), Some(Timeframe::H1));
        assert_eq!(timeframe_of(Platform::Mt5, k::PERIOD_MN1, 0), Some(Timeframe::Mn1));
        assert_eq!(timeframe_of(Platform::Mt4, k4::PERIOD_MN1, 0), Some(Timeframe::Mn1));
        assert_eq!(timeframe_of(Platform::Mt5, 0, k::PERIOD_M5), Some(Timeframe::M5));
    }
}
