//! A bigger broker on request: thousands of listed symbols and a long trade history, so tests can ask for the largest
//! documented lists (`get_symbols` on a broker with thousands of symbols, `get_history_*` with `limit: 10000`).
//! This is what one asks for; `Terminal::new` grows the broker to it (terminal.rs).

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
