//! Each rejection by the scenario that causes it, with the MT5 retcode and the MT4 error code.

use metaapi_protocol::ErrorKind;
use metaapi_protocol::methods::*;
use metaapi_protocol::types::{Filling, OrderType, Side, TimeInForce};
use metaapi_terminal_sim::time::utc_ms;
use metaapi_terminal_sim::{Mode, Terminal, TerminalConfig};

use crate::support::{assert_rejected, market, pending, place, quote, terminal};

/// Runs `scenario` on MT5 hedging and MT4 and expects the given codes.
fn both(
    mt5: (i32, &str),
    mt4: (i32, &str),
    scenario: impl Fn(&mut Terminal) -> Result<TradeResult, metaapi_protocol::ErrorObject>,
) {
    for (mode, (code, name)) in [(Mode::Mt5Hedging, mt5), (Mode::Mt4, mt4)] {
        let mut terminal = terminal(mode);
        quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
        assert_rejected(scenario(&mut terminal), code, name);
    }
}

#[test]
fn invalid_volume() {
    both((10014, "TRADE_RETCODE_INVALID_VOLUME"), (131, "ERR_INVALID_TRADE_VOLUME"), |t| {
        t.place_order(market("EURUSD", Side::Buy, 0.001))
    });
    // Off the 0.01 step.
    both((10014, "TRADE_RETCODE_INVALID_VOLUME"), (131, "ERR_INVALID_TRADE_VOLUME"), |t| {
        t.place_order(market("EURUSD", Side::Buy, 0.015))
    });
    // Closing more than the position holds.
    both((10014, "TRADE_RETCODE_INVALID_VOLUME"), (131, "ERR_INVALID_TRADE_VOLUME"), |t| {
        let opened = place(t, market("EURUSD", Side::Buy, 0.1));
        let ticket = opened.position_id.expect("ticket");
        t.close_position(ClosePositionParams { client_id: None, ticket, volume: Some(0.2), deviation_points: None })
    });
}

#[test]
fn invalid_stops() {
    // A buy's stop loss above the bid.
    both((10016, "TRADE_RETCODE_INVALID_STOPS"), (130, "ERR_INVALID_STOPS"), |t| {
        let mut buy = market("EURUSD", Side::Buy, 0.1);
        buy.sl = Some(1.10100);
        t.place_order(buy)
    });
    // A take profit inside the 10-point stops level: 1.10000 + 5 points.
    both((10016, "TRADE_RETCODE_INVALID_STOPS"), (130, "ERR_INVALID_STOPS"), |t| {
        let mut buy = market("EURUSD", Side::Buy, 0.1);
        buy.tp = Some(1.10005);
        t.place_order(buy)
    });
}

#[test]
fn no_money() {
    // 100 lots need 100 * 1,000 EUR * 1.10010 = 110,010 USD of margin; equity is 10,000.
    both((10019, "TRADE_RETCODE_NO_MONEY"), (134, "ERR_NOT_ENOUGH_MONEY"), |t| {
        t.place_order(market("EURUSD", Side::Buy, 100.0))
    });
}

#[test]
fn market_closed_on_the_weekend() {
    for (mode, code, name) in
        [(Mode::Mt5Netting, 10018, "TRADE_RETCODE_MARKET_CLOSED"), (Mode::Mt4, 132, "ERR_MARKET_CLOSED")]
    {
        let mut config = TerminalConfig::new(mode, 1);
        config.start_time = utc_ms(2024, 1, 13, 12, 0, 0);
        let mut terminal = Terminal::new(config);
        assert_rejected(terminal.place_order(market("EURUSD", Side::Buy, 0.1)), code, name);
        // Crypto trades every day.
        place(&mut terminal, market("BTCUSD", Side::Buy, 0.1));
    }
}

#[test]
fn invalid_price() {
    // A price with more digits than the symbol has.
    both((10015, "TRADE_RETCODE_INVALID_PRICE"), (129, "ERR_INVALID_PRICE"), |t| {
        t.place_order(pending("EURUSD", OrderType::BuyLimit, 0.1, 1.099905))
    });
    // A buy limit above the ask: MT5 says invalid price, MT4 says invalid stops.
    both((10015, "TRADE_RETCODE_INVALID_PRICE"), (130, "ERR_INVALID_STOPS"), |t| {
        t.place_order(pending("EURUSD", OrderType::BuyLimit, 0.1, 1.10100))
    });
}

#[test]
fn trade_disabled_and_trade_modes() {
    both((10017, "TRADE_RETCODE_TRADE_DISABLED"), (133, "ERR_TRADE_DISABLED"), |t| {
        t.set_symbol_trade_mode("EURUSD", SymbolTradeMode::Disabled).expect("symbol");
        t.place_order(market("EURUSD", Side::Buy, 0.1))
    });
    both((10044, "TRADE_RETCODE_CLOSE_ONLY"), (133, "ERR_TRADE_DISABLED"), |t| {
        t.set_symbol_trade_mode("EURUSD", SymbolTradeMode::CloseOnly).expect("symbol");
        t.place_order(market("EURUSD", Side::Buy, 0.1))
    });
    both((10042, "TRADE_RETCODE_LONG_ONLY"), (4111, "ERR_SHORTS_NOT_ALLOWED"), |t| {
        t.set_symbol_trade_mode("EURUSD", SymbolTradeMode::LongOnly).expect("symbol");
        t.place_order(market("EURUSD", Side::Sell, 0.1))
    });
    both((10027, "TRADE_RETCODE_CLIENT_DISABLES_AT"), (4109, "ERR_TRADE_NOT_ALLOWED"), |t| {
        t.set_trade_allowed(false);
        t.place_order(market("EURUSD", Side::Buy, 0.1))
    });
}

#[test]
fn invalid_fill_on_mt5() {
    let mut terminal = terminal(Mode::Mt5Hedging);
    let mut buy = market("EURUSD", Side::Buy, 0.1);
    buy.filling = Filling::Return;
    assert_rejected(terminal.place_order(buy), 10030, "TRADE_RETCODE_INVALID_FILL");
}

#[test]
fn invalid_expiration() {
    both((10022, "TRADE_RETCODE_INVALID_EXPIRATION"), (147, "ERR_TRADE_EXPIRATION_DENIED"), |t| {
        let mut order = pending("EURUSD", OrderType::SellLimit, 0.1, 1.10500);
        order.time_in_force = TimeInForce::Specified;
        order.expiration = Some(t.now() - 1);
        t.place_order(order)
    });
    // US500 allows GTC and day orders only.
    let mut terminal = terminal(Mode::Mt5Hedging);
    quote(&mut terminal, "US500", 5000.00, 5000.50);
    let mut order = pending("US500", OrderType::BuyLimit, 1.0, 4900.00);
    order.time_in_force = TimeInForce::Specified;
    order.expiration = Some(terminal.now() + 3_600_000);
    assert_rejected(terminal.place_order(order), 10022, "TRADE_RETCODE_INVALID_EXPIRATION");
}

#[test]
fn requote_beyond_the_deviation() {
    both((10004, "TRADE_RETCODE_REQUOTE"), (138, "ERR_REQUOTE"), |t| {
        let mut buy = market("EURUSD", Side::Buy, 0.1);
        // Asked for 1.09900; the ask is 1.10010, 110 points away; 5 accepted.
        (buy.price, buy.deviation_points) = (Some(1.09900), Some(5));
        t.place_order(buy)
    });
}

#[test]
fn frozen_order_cannot_be_cancelled() {
    both((10029, "TRADE_RETCODE_FROZEN"), (145, "ERR_TRADE_MODIFY_DENIED"), |t| {
        // Buy stop 10 points above the ask (the stops level); then the ask comes within the 5-point freeze level.
        let placed = place(t, pending("EURUSD", OrderType::BuyStop, 0.1, 1.10020));
        quote(t, "EURUSD", 1.10007, 1.10017);
        t.cancel_order(CancelOrderParams { client_id: None, ticket: placed.order.expect("ticket") })
    });
}

#[test]
fn volume_limit() {
    for (mode, code, name) in
        [(Mode::Mt5Hedging, 10034, "TRADE_RETCODE_LIMIT_VOLUME"), (Mode::Mt4, 131, "ERR_INVALID_TRADE_VOLUME")]
    {
        let mut terminal = terminal(mode);
        quote(&mut terminal, "BTCUSD", 40_000.00, 40_000.00);
        // BTCUSD allows 20 lots in total: two orders of the 10-lot maximum (margin 2 * 4,000) fill it.
        place(&mut terminal, market("BTCUSD", Side::Buy, 10.0));
        place(&mut terminal, market("BTCUSD", Side::Buy, 10.0));
        assert_rejected(terminal.place_order(market("BTCUSD", Side::Buy, 0.01)), code, name);
    }
}

#[test]
fn unknown_tickets_and_symbols_are_not_found() {
    for mode in Mode::ALL {
        let mut terminal = terminal(mode);
        let close = ClosePositionParams { client_id: None, ticket: "999".into(), volume: None, deviation_points: None };
        assert_eq!(terminal.close_position(close).expect_err("missing").kind(), ErrorKind::NotFound);
        let cancel = CancelOrderParams { client_id: None, ticket: "999".into() };
        assert_eq!(terminal.cancel_order(cancel).expect_err("missing").kind(), ErrorKind::NotFound);
        let order = market("NOPE", Side::Buy, 0.1);
        assert_eq!(terminal.place_order(order).expect_err("missing").kind(), ErrorKind::NotFound);
    }
}

#[test]
fn check_order_reports_the_retcode_without_trading() {
    let mut terminal = terminal(Mode::Mt5Hedging);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    let fine = terminal.check_order(market("EURUSD", Side::Buy, 1.0)).expect("check");
    // Margin after: 1,000 EUR * 1.10010 = 1,100.10; free = 10,000 - 1,100.10.
    assert_eq!((fine.retcode, fine.margin, fine.free_margin, fine.emulated), (0, 1100.10, 8899.90, false));
    let broke = terminal.check_order(market("EURUSD", Side::Buy, 100.0)).expect("check");
    assert_eq!((broke.retcode, broke.retcode_name.as_str()), (10019, "TRADE_RETCODE_NO_MONEY"));
    assert!(terminal.positions().is_empty());
}
