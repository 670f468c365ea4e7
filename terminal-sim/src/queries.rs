//! The calls that read: terminal, account, symbols, market data, positions, orders, history and calculations.

use metaapi_protocol::methods::{
    AccountInfo, Book, CalcMarginParams, CalcProfitParams, CandleList, DealPage, GetCandlesParams, GetQuotesParams,
    GetSymbolsParams, GetTicksParams, Health, HistoryOrderPage, HistoryQuery, MarginEstimate, Order, OrderCheck,
    OrderList, PlaceOrderParams, Position, PositionFilter, PositionList, ProfitEstimate, Quote, QuoteList,
    SelectSymbolParams, ServerTime, SymbolList, SymbolParams, SymbolSelection, SymbolSpec, SymbolSummary, TerminalInfo,
    TickKind, TickList, TicketParams,
};
use metaapi_protocol::types::{Platform, Side, TimeMs};
use metaapi_protocol::{ErrorKind, ErrorObject, NoParams};

use crate::engine::calc::money;
use crate::engine::checks::Refusal;
use crate::retcode::code_name;
use crate::terminal::{MAX_BARS, Terminal};
use crate::time::{broker_time_string, broker_utc_offset_s};

/// Whether `name` matches an MT group pattern list such as `*USD*,!*JPY*`.
pub fn matches_group(name: &str, group: &str) -> bool {
    let mut included = false;
    let mut any_positive = false;
    for pattern in group.split(',').map(str::trim).filter(|pattern| !pattern.is_empty()) {
        if let Some(negative) = pattern.strip_prefix('!') {
            if glob(name, negative) {
                return false;
            }
        } else {
            any_positive = true;
            included |= glob(name, pattern);
        }
    }
    included || !any_positive
}

fn glob(name: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return name.eq_ignore_ascii_case(pattern);
    }
    let (name, mut rest) = (name.to_ascii_uppercase(), 0usize);
    let parts: Vec<String> = parts.iter().map(|part| part.to_ascii_uppercase()).collect();
    if !name.starts_with(parts[0].as_str()) {
        return false;
    }
    rest += parts[0].len();
    for part in &parts[1..parts.len() - 1] {
        match name[rest..].find(part.as_str()) {
            Some(found) => rest += found + part.len(),
            None => return false,
        }
    }
    let last = &parts[parts.len() - 1];
    name.len() >= rest + last.len() && name.ends_with(last.as_str())
}

/// The page of `items` from `offset`, at most `limit` long, and with more after it the offset of the next page.
fn page<T>(items: Vec<T>, offset: u32, limit: u32) -> (Vec<T>, Option<u32>) {
    let total = items.len();
    let start = (offset as usize).min(total);
    let end = (start + limit as usize).min(total);
    let next_offset = (end < total).then(|| u32::try_from(end).unwrap_or(u32::MAX));
    (items.into_iter().skip(start).take(end - start).collect(), next_offset)
}

fn history_match(
    query: &HistoryQuery,
    now: TimeMs,
    time: TimeMs,
    ticket: &str,
    position: Option<&str>,
    symbol: &str,
) -> bool {
    if query.symbol.as_ref().is_some_and(|wanted| wanted != symbol) {
        return false;
    }
    if let Some(from) = query.from {
        return time >= from && time <= query.to.unwrap_or(now);
    }
    if let Some(wanted) = &query.ticket {
        return wanted == ticket;
    }
    query.position_id.as_deref().is_some_and(|wanted| Some(wanted) == position)
}

impl Terminal {
    fn unsupported(&self, what: &str) -> ErrorObject {
        ErrorObject::unsupported(self.mode.platform(), format!("{what} does not exist on MT4"))
    }

    pub(crate) fn get_terminal_info(&mut self, _: NoParams) -> Result<TerminalInfo, ErrorObject> {
        let name = match self.mode.platform() {
            Platform::Mt4 => "MetaTrader 4",
            Platform::Mt5 => "MetaTrader 5",
        };
        Ok(TerminalInfo {
            identity: self.identity(),
            name: name.into(),
            connected: true,
            trade_allowed: self.account.trade_allowed,
            dlls_allowed: true,
            ping_last_us: 18_250,
            max_bars: MAX_BARS as u32,
            language: "English".into(),
            capabilities: self.capabilities(),
        })
    }

    fn last_quote_time(&self) -> Option<TimeMs> {
        self.markets.iter().filter(|market| market.selected).map(|market| market.time).max()
    }

    pub(crate) fn get_health(&mut self, _: NoParams) -> Result<Health, ErrorObject> {
        let allowed = self.account.trade_allowed;
        Ok(Health {
            broker_connected: true,
            trade_allowed: allowed,
            expert_enabled: allowed,
            synchronized: true,
            last_quote_age_ms: self.last_quote_time().map(|time| (self.now - time).max(0) as u64),
            ping_last_us: 18_250,
            healthy: allowed,
        })
    }

    pub(crate) fn get_server_time(&mut self, _: NoParams) -> Result<ServerTime, ErrorObject> {
        Ok(ServerTime {
            time: self.now,
            broker_time: broker_time_string(self.now),
            broker_utc_offset_s: broker_utc_offset_s(self.now),
            last_quote_time: self.last_quote_time(),
        })
    }

    pub(crate) fn get_account_info(&mut self, _: NoParams) -> Result<AccountInfo, ErrorObject> {
        Ok(self.account_info())
    }

    pub(crate) fn get_symbols(&mut self, params: GetSymbolsParams) -> Result<SymbolList, ErrorObject> {
        let matching: Vec<_> = self
            .markets
            .iter()
            .filter(|market| !params.selected_only || market.selected)
            .filter(|market| params.group.as_deref().is_none_or(|group| matches_group(market.name(), group)))
            .collect();
        let (shown, next_offset) = page(matching, params.offset, params.limit);
        let symbols = shown
            .into_iter()
            .map(|market| SymbolSummary {
                name: market.name().to_owned(),
                description: market.instrument.spec.description.clone(),
                path: market.instrument.path.clone(),
                digits: market.instrument.spec.digits,
                selected: market.selected,
            })
            .collect();
        Ok(SymbolList { symbols, has_more: next_offset.is_some(), next_offset })
    }

    pub(crate) fn get_symbol_spec(&mut self, params: SymbolParams) -> Result<SymbolSpec, ErrorObject> {
        let market = self.market(&params.symbol)?;
        let mut spec = market.instrument.spec.clone();
        let rate = self.rate_to_deposit(&spec.profit_currency, Some((&market.instrument, market.bid)))?;
        spec.tick_value = (spec.tick_size * spec.contract_size * rate * 1e8).round() / 1e8;
        spec.spread = market.spread_points();
        Ok(spec)
    }

    pub(crate) fn select_symbol(&mut self, params: SelectSymbolParams) -> Result<SymbolSelection, ErrorObject> {
        let index = self.market_index(&params.symbol)?;
        let in_use = self.positions.iter().any(|p| p.symbol == params.symbol)
            || self.orders.iter().any(|o| o.symbol == params.symbol);
        // MT keeps a symbol with open positions or orders in Market Watch.
        self.markets[index].selected = params.enable || in_use;
        Ok(SymbolSelection { symbol: params.symbol, selected: self.markets[index].selected })
    }

    pub(crate) fn get_quote(&mut self, params: SymbolParams) -> Result<Quote, ErrorObject> {
        Ok(self.market(&params.symbol)?.quote())
    }

    pub(crate) fn get_quotes(&mut self, params: GetQuotesParams) -> Result<QuoteList, ErrorObject> {
        let quotes =
            params.symbols.iter().map(|symbol| Ok(self.market(symbol)?.quote())).collect::<Result<_, ErrorObject>>()?;
        Ok(QuoteList { quotes })
    }

    pub(crate) fn get_candles(&mut self, params: GetCandlesParams) -> Result<CandleList, ErrorObject> {
        if self.mode.platform() == Platform::Mt4 && !params.timeframe.on_mt4() {
            return Err(self.unsupported("This timeframe"));
        }
        let index = self.market_index(&params.symbol)?;
        let (candles, has_more, next_from) =
            self.markets[index].candles(params.timeframe, params.from, params.to, params.count, MAX_BARS);
        Ok(CandleList { symbol: params.symbol, timeframe: params.timeframe, candles, has_more, next_from })
    }

    pub(crate) fn get_ticks(&mut self, params: GetTicksParams) -> Result<TickList, ErrorObject> {
        if self.mode.platform() == Platform::Mt4 {
            return Err(self.unsupported("Tick history"));
        }
        let index = self.market_index(&params.symbol)?;
        let (ticks, next_from) = match params.kind {
            // OTC symbols have no last price or volume: no trade ticks.
            TickKind::Trade => (Vec::new(), None),
            TickKind::All | TickKind::Info => self.markets[index].ticks(params.from, params.to, params.count),
        };
        Ok(TickList { symbol: params.symbol, ticks, has_more: next_from.is_some(), next_from })
    }

    pub(crate) fn get_book(&mut self, params: SymbolParams) -> Result<Book, ErrorObject> {
        if self.mode.platform() == Platform::Mt4 {
            return Err(self.unsupported("Depth of market"));
        }
        let market = self.market(&params.symbol)?;
        let entries = market.book();
        Ok(Book { symbol: params.symbol, time: market.time, entries })
    }

    fn position_wire(&self, index: usize) -> Position {
        let position = &self.positions[index];
        position.to_wire(
            self.close_price(&position.symbol, position.side),
            self.position_profit(position),
            self.mode.platform(),
        )
    }

    fn order_wire(&self, index: usize) -> Order {
        let order = &self.orders[index];
        let side = if order.order_type.side() == Side::Buy { Side::Sell } else { Side::Buy };
        order.to_wire(self.close_price(&order.symbol, side), self.mode.platform())
    }

    pub(crate) fn get_positions(&mut self, params: PositionFilter) -> Result<PositionList, ErrorObject> {
        let matching: Vec<usize> = (0..self.positions.len())
            .filter(|index| {
                let position = &self.positions[*index];
                params.symbol.as_ref().is_none_or(|symbol| &position.symbol == symbol)
                    && params.magic.is_none_or(|magic| position.magic == magic)
            })
            .collect();
        let (matching, next_offset) = page(matching, params.offset, params.limit);
        let positions = matching.into_iter().map(|index| self.position_wire(index)).collect();
        Ok(PositionList { positions, has_more: next_offset.is_some(), next_offset })
    }

    pub(crate) fn get_position(&mut self, params: TicketParams) -> Result<Position, ErrorObject> {
        let index =
            self.positions.iter().position(|position| position.ticket.to_string() == params.ticket).ok_or_else(
                || ErrorObject::new(ErrorKind::NotFound, format!("No position with ticket {}", params.ticket)),
            )?;
        Ok(self.position_wire(index))
    }

    pub(crate) fn get_orders(&mut self, params: PositionFilter) -> Result<OrderList, ErrorObject> {
        let matching: Vec<usize> = (0..self.orders.len())
            .filter(|index| {
                let order = &self.orders[*index];
                params.symbol.as_ref().is_none_or(|symbol| &order.symbol == symbol)
                    && params.magic.is_none_or(|magic| order.magic == magic)
            })
            .collect();
        let (matching, next_offset) = page(matching, params.offset, params.limit);
        let orders = matching.into_iter().map(|index| self.order_wire(index)).collect();
        Ok(OrderList { orders, has_more: next_offset.is_some(), next_offset })
    }

    pub(crate) fn get_order(&mut self, params: TicketParams) -> Result<Order, ErrorObject> {
        let index =
            self.orders.iter().position(|order| order.ticket.to_string() == params.ticket).ok_or_else(|| {
                ErrorObject::new(ErrorKind::NotFound, format!("No pending order with ticket {}", params.ticket))
            })?;
        Ok(self.order_wire(index))
    }

    pub(crate) fn get_history_orders(&mut self, query: HistoryQuery) -> Result<HistoryOrderPage, ErrorObject> {
        let platform = self.mode.platform();
        let mut orders: Vec<Order> = self
            .history_orders
            .iter()
            .map(|order| order.to_wire(order.price_open, platform))
            .chain(self.closed_trades.iter().map(|trade| trade.to_order()))
            .filter(|order| {
                let time = order.time_done.unwrap_or(order.time_setup);
                history_match(&query, self.now, time, &order.ticket, order.position_id.as_deref(), &order.symbol)
            })
            .collect();
        orders.sort_by_key(|order| {
            (order.time_done.unwrap_or(order.time_setup), order.ticket.parse::<u64>().unwrap_or(0))
        });
        let (orders, next_offset) = page(orders, query.offset, query.limit);
        Ok(HistoryOrderPage { orders, has_more: next_offset.is_some(), next_offset })
    }

    pub(crate) fn get_history_deals(&mut self, query: HistoryQuery) -> Result<DealPage, ErrorObject> {
        let platform = self.mode.platform();
        let deals = match platform {
            Platform::Mt5 => self.deals.iter().map(|deal| deal.to_wire(platform)).collect::<Vec<_>>(),
            // MT4 keeps no deals: its history is the deposit plus an in and an out per closed order.
            Platform::Mt4 => self
                .deals
                .iter()
                .filter(|deal| deal.symbol.is_empty())
                .map(|deal| deal.to_wire(platform))
                .chain(self.closed_trades.iter().flat_map(|trade| trade.to_deals()))
                .collect(),
        };
        let mut deals: Vec<_> = deals
            .into_iter()
            .filter(|deal| {
                history_match(&query, self.now, deal.time, &deal.ticket, deal.position_id.as_deref(), &deal.symbol)
            })
            .collect();
        deals.sort_by_key(|deal| deal.time);
        let (deals, next_offset) = page(deals, query.offset, query.limit);
        Ok(DealPage { deals, has_more: next_offset.is_some(), next_offset })
    }

    pub(crate) fn calc_margin(&mut self, params: CalcMarginParams) -> Result<MarginEstimate, ErrorObject> {
        let market = self.market(&params.symbol)?;
        let price = params.price.unwrap_or(if params.side == Side::Buy { market.ask } else { market.bid });
        let margin = self.margin_for(&market.instrument, params.volume, price)?;
        Ok(MarginEstimate { margin, currency: self.identity().currency })
    }

    pub(crate) fn calc_profit(&mut self, params: CalcProfitParams) -> Result<ProfitEstimate, ErrorObject> {
        let market = self.market(&params.symbol)?;
        let profit =
            self.profit_for(&market.instrument, params.side, params.volume, params.price_open, params.price_close)?;
        Ok(ProfitEstimate { profit, currency: self.identity().currency })
    }

    pub(crate) fn check_order(&mut self, params: PlaceOrderParams) -> Result<OrderCheck, ErrorObject> {
        let platform = self.mode.platform();
        let info = self.account_info();
        let (retcode, comment, margin) = match self.check_place(&params) {
            Ok(checked) => (0, "Done".to_owned(), money(checked.margin_after)),
            Err(Refusal::Reject(reject)) => (reject.code(platform), reject.message().to_owned(), info.margin),
            Err(Refusal::Error(error)) => return Err(error),
        };
        let retcode_name = match (retcode, platform) {
            (0, Platform::Mt5) => "TRADE_RETCODE_OK".to_owned(),
            _ => code_name(platform, retcode).to_owned(),
        };
        Ok(OrderCheck {
            retcode,
            retcode_name,
            balance: info.balance,
            equity: info.equity,
            profit: info.profit,
            margin,
            free_margin: money(info.equity - margin),
            margin_level: (margin > 0.0).then(|| money(info.equity / margin * 100.0)),
            comment,
            emulated: platform == Platform::Mt4,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_patterns() {
        assert!(matches_group("EURUSD", "*USD*"));
        assert!(!matches_group("USDJPY", "*USD*,!*JPY*"));
        assert!(matches_group("XAUUSD", "XAU*"));
        assert!(!matches_group("EURUSD", "XAU*"));
        assert!(matches_group("BTCUSD", "!*JPY*"));
    }
}
