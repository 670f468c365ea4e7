//! MT4 semantics: re-ticketing partial closes, the closed trade the history shows, and typed `unsupported` refusals
//! of what MT4 lacks. (That the MT4 EA answers `get_ticks`, `get_book` and MT5-only timeframes with `unsupported`
//! is checked through the EA by e2e's every_method.)

use metaapi_protocol::methods::*;
use metaapi_protocol::types::{OrderType, Side, TimeInForce};
use metaapi_terminal_sim::Mode;

use crate::support::{assert_rejected, assert_unsupported, market, pending, place, quote, terminal};

#[test]
fn partial_close_re_tickets_the_remainder() {
    let mut terminal = terminal(Mode::Mt4);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    let opened = place(&mut terminal, market("EURUSD", Side::Buy, 1.0));
    assert_eq!((opened.retcode, opened.retcode_name.as_str()), (0, "ERR_NO_ERROR"));
    let ticket = opened.position_id.expect("ticket");
    quote(&mut terminal, "EURUSD", 1.10110, 1.10120);
    let close =
        ClosePositionParams { client_id: None, ticket: ticket.clone(), volume: Some(0.4), deviation_points: None };
    let result = terminal.close_position(close).expect("partial close");
    let remaining = result.remaining_ticket.expect("MT4 re-tickets");
    assert_ne!(remaining, ticket);
    let open = terminal.positions();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].ticket.to_string(), remaining);
    assert_eq!((open[0].volume, open[0].price_open), (0.6, 1.10010));
    assert_eq!(open[0].comment, format!("from #{ticket}"));

    // History: the old ticket closed with 0.4 lots; (1.10110 - 1.10010) * 40,000 = 40.00. MT4 has no deals: the
    // closed trade is what the EA's OrderSelect(MODE_HISTORY) reads.
    let closed: Vec<_> = terminal.closed_trades().iter().filter(|trade| trade.ticket.to_string() == ticket).collect();
    assert_eq!(closed.len(), 1);
    assert_eq!((closed[0].volume, closed[0].comment.clone()), (0.4, format!("to #{remaining}")));
    assert_eq!((closed[0].price_open, closed[0].price_close, closed[0].profit), (1.10010, 1.10110, 40.00));
}

#[test]
fn close_by_re_tickets_on_mt4() {
    let mut terminal = terminal(Mode::Mt4);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    let long = place(&mut terminal, market("EURUSD", Side::Buy, 1.0)).position_id.expect("long");
    let short = place(&mut terminal, market("EURUSD", Side::Sell, 0.3)).position_id.expect("short");
    let params = ClosePositionByParams { client_id: None, ticket: long.clone(), opposite_ticket: short };
    let result = terminal.close_position_by(params).expect("close by");
    let remaining = result.remaining_ticket.expect("remainder re-ticketed");
    let open = terminal.positions();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].ticket.to_string(), open[0].volume), (remaining, 0.7));
}

#[test]
fn what_mt4_lacks_is_unsupported() {
    let mut terminal = terminal(Mode::Mt4);
    let mut stop_limit = pending("EURUSD", OrderType::BuyStopLimit, 0.1, 1.20000);
    stop_limit.stop_limit_price = Some(1.19000);
    assert_unsupported(terminal.place_order(stop_limit));
    let mut day = pending("EURUSD", OrderType::BuyLimit, 0.1, 1.00000);
    day.time_in_force = TimeInForce::Day;
    assert_unsupported(terminal.place_order(day));
    // MT4's order check is emulated and says so.
    let check = terminal.check_order(market("EURUSD", Side::Buy, 0.1)).expect("check");
    assert!(check.emulated);
}

#[test]
fn no_changes_is_an_error_on_mt4() {
    let mut terminal = terminal(Mode::Mt4);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    let mut buy = market("EURUSD", Side::Buy, 0.1);
    buy.sl = Some(1.09000);
    let ticket = place(&mut terminal, buy).position_id.expect("ticket");
    let modify = ModifyPositionParams { client_id: None, ticket, sl: Some(1.09000), tp: None };
    assert_rejected(terminal.modify_position(modify), 1, "ERR_NO_RESULT");
}
