//! A bigger broker on request: thousands of listed symbols and a long trade history, so tests can ask for the largest
//! documented lists (`get_symbols` on a broker with thousands of symbols, `get_history_*` with `limit: 10000`).

use metaapi_protocol::ErrorObject;
use metaapi_protocol::methods::{ClosePositionParams, PlaceOrderParams};
use metaapi_protocol::types::Side;

use crate::market::SymbolMarket;
use crate::symbols::catalogue;
use crate::terminal::Terminal;

/// How much bigger than the default broker a terminal is. The default adds nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimScale {
    /// Symbols listed after the catalogue (`SYN00000`, `SYN00001`, ...): not in Market Watch, never quoting, so they
    /// cost no feed time; real brokers list thousands like them.
    pub extra_symbols: usize,
    /// Market orders opened and closed at once at start, so the history holds this many closed positions (MT5:
    /// two orders and two deals each; MT4: one order, two deals).
    pub past_trades: usize,
}

/// Listed symbols a terminal accepts in [`SimScale::extra_symbols`], beyond which the feed loop would slow down.
pub const MAX_EXTRA_SYMBOLS: usize = 50_000;

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
