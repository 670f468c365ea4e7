//! Margin and profit by calculation mode, checked against hand-computed numbers (leverage 1:100, USD account).

use metaapi_protocol::methods::{CalcMarginParams, CalcProfitParams};
use metaapi_protocol::types::Side;
use metaapi_terminal_sim::Mode;

use crate::support::{market, place, quote, terminal};

fn margin(mode: Mode, symbol: &str, volume: f64, price: f64) -> f64 {
    let terminal = terminal(mode);
    let params = CalcMarginParams { symbol: symbol.into(), side: Side::Buy, volume, price: Some(price) };
    terminal.calc_margin(params).expect("margin").margin
}

fn profit(symbol: &str, side: Side, volume: f64, open: f64, close: f64) -> f64 {
    let terminal = terminal(Mode::Mt5Hedging);
    let params = CalcProfitParams { symbol: symbol.into(), side, volume, price_open: open, price_close: close };
    terminal.calc_profit(params).expect("profit").profit
}

#[test]
fn forex_margin_converts_the_margin_currency() {
    for mode in Mode::ALL {
        // EURUSD, Forex: 1 lot * 100,000 / 100 = 1,000 EUR; * 1.10000 USD/EUR = 1,100.00 USD.
        assert_eq!(margin(mode, "EURUSD", 1.0, 1.10000), 1100.00);
        // GBPUSD: 0.5 * 100,000 / 100 = 500 GBP * 1.25000 = 625.00 USD.
        assert_eq!(margin(mode, "GBPUSD", 0.5, 1.25000), 625.00);
        // USDJPY: the margin currency is the deposit currency: 1 * 100,000 / 100 = 1,000.00 USD at any price.
        assert_eq!(margin(mode, "USDJPY", 1.0, 150.000), 1000.00);
    }
}

#[test]
fn metal_cfd_and_crypto_margin() {
    // XAUUSD, Forex mode with margin currency XAU: 0.5 * 100 oz / 100 = 0.5 XAU * 2,000.00 = 1,000.00 USD.
    assert_eq!(margin(Mode::Mt5Hedging, "XAUUSD", 0.5, 2000.00), 1000.00);
    // US500, CFD (no leverage): 2 lots * 1 * 5,000.00 = 10,000.00 USD.
    assert_eq!(margin(Mode::Mt5Hedging, "US500", 2.0, 5000.00), 10_000.00);
    // BTCUSD, CFD with leverage: 0.5 * 1 * 40,000.00 / 100 = 200.00 USD.
    assert_eq!(margin(Mode::Mt5Netting, "BTCUSD", 0.5, 40_000.00), 200.00);
}

#[test]
fn profit_per_calc_mode() {
    // EURUSD buy 1 lot 1.10000 -> 1.10250: 0.00250 * 100,000 = 250.00 USD.
    assert_eq!(profit("EURUSD", Side::Buy, 1.0, 1.10000, 1.10250), 250.00);
    // EURUSD sell 0.3 lots 1.10000 -> 1.10250: -0.00250 * 30,000 = -75.00 USD.
    assert_eq!(profit("EURUSD", Side::Sell, 0.3, 1.10000, 1.10250), -75.00);
    // USDJPY buy 0.5 lots 150.000 -> 151.000: 1.000 * 50,000 = 50,000 JPY / 151.000 = 331.125... -> 331.13 USD.
    assert_eq!(profit("USDJPY", Side::Buy, 0.5, 150.000, 151.000), 331.13);
    // XAUUSD buy 0.5 lots 2,000.00 -> 2,010.00: 10.00 * 0.5 * 100 = 500.00 USD.
    assert_eq!(profit("XAUUSD", Side::Buy, 0.5, 2000.00, 2010.00), 500.00);
    // US500 sell 2 lots 5,000.00 -> 4,990.00: 10.00 * 2 * 1 = 20.00 USD.
    assert_eq!(profit("US500", Side::Sell, 2.0, 5000.00, 4990.00), 20.00);
    // BTCUSD buy 0.1 lots 40,000.00 -> 41,000.00: 1,000.00 * 0.1 * 1 = 100.00 USD.
    assert_eq!(profit("BTCUSD", Side::Buy, 0.1, 40_000.00, 41_000.00), 100.00);
}

#[test]
fn account_figures_follow_an_open_position() {
    let mut terminal = terminal(Mode::Mt5Hedging);
    quote(&mut terminal, "EURUSD", 1.09990, 1.10000);
    place(&mut terminal, market("EURUSD", Side::Buy, 1.0));
    let account = terminal.account_info();
    // Bought at the ask 1.10000; valued at the bid 1.09990: -0.00010 * 100,000 = -10.00.
    assert_eq!(account.profit, -10.00);
    assert_eq!(account.equity, 9990.00);
    // Margin at the open price: 1,000 EUR * 1.10000 = 1,100.00; free = 9,990 - 1,100 = 8,890.00.
    assert_eq!(account.margin, 1100.00);
    assert_eq!(account.free_margin, 8890.00);
    // Level = 9,990 / 1,100 * 100 = 908.1818... -> 908.18 %.
    assert_eq!(account.margin_level, Some(908.18));
}

#[test]
fn tick_value_of_a_yen_pair_follows_the_rate() {
    let mut terminal = terminal(Mode::Mt5Hedging);
    quote(&mut terminal, "USDJPY", 125.000, 125.010);
    let spec = terminal.symbol_spec("USDJPY").expect("spec");
    // One tick (0.001 JPY) on 100,000 USD = 100 JPY = 100 / 125.000 = 0.8 USD.
    assert_eq!(spec.tick_value, 0.8);
    assert_eq!(spec.spread, 10);
}
