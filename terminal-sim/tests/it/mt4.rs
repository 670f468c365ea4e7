//! MT4 semantics: re-ticketing partial closes, synthesized history, and typed `unsupported` answers.

use metaapi_protocol::methods::*;
use metaapi_protocol::types::{OrderType, Side, TimeInForce, Timeframe};
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
    let result = terminal.call::<ClosePosition>(close).expect("partial close");
    let remaining = result.remaining_ticket.expect("MT4 re-tickets");
    assert_ne!(remaining, ticket);
    let open = terminal.call::<GetPositions>(PositionFilter::default()).expect("positions").positions;
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].ticket.as_str(), open[0].position_id.as_str()), (remaining.as_str(), remaining.as_str()));
    assert_eq!((open[0].volume, open[0].price_open), (0.6, 1.10010));
    assert_eq!(open[0].comment, format!("from #{ticket}"));

    // History: the old ticket closed with 0.4 lots; (1.10110 - 1.10010) * 40,000 = 40.00.
    let query = HistoryQuery { ticket: Some(ticket.clone()), limit: 10, ..Default::default() };
    let orders = terminal.call::<GetHistoryOrders>(query.clone()).expect("history").orders;
    assert_eq!(orders.len(), 1);
    assert_eq!((orders[0].volume_initial, orders[0].comment.clone()), (0.4, format!("to #{remaining}")));
    let deals = terminal.call::<GetHistoryDeals>(query).expect("deals").deals;
    let synthesized: Vec<_> = deals.iter().map(|deal| (deal.ticket.as_str(), deal.entry, deal.profit)).collect();
    assert_eq!(synthesized, vec![(ticket.as_str(), DealEntry::In, 0.0), (ticket.as_str(), DealEntry::Out, 40.00)]);
}

#[test]
fn close_by_re_tickets_on_mt4() {
    let mut terminal = terminal(Mode::Mt4);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    let long = place(&mut terminal, market("EURUSD", Side::Buy, 1.0)).position_id.expect("long");
    let short = place(&mut terminal, market("EURUSD", Side::Sell, 0.3)).position_id.expect("short");
    let params = ClosePositionByParams { client_id: None, ticket: long.clone(), opposite_ticket: short };
    let result = terminal.call::<ClosePositionBy>(params).expect("close by");
    let remaining = result.remaining_ticket.expect("remainder re-ticketed");
    let open = terminal.call::<GetPositions>(PositionFilter::default()).expect("positions").positions;
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].ticket.as_str(), open[0].volume), (remaining.as_str(), 0.7));
}

#[test]
fn what_mt4_lacks_is_unsupported() {
    let mut terminal = terminal(Mode::Mt4);
    let ticks = GetTicksParams { symbol: "EURUSD".into(), from: 0, to: None, count: Some(10), kind: TickKind::All };
    assert_unsupported(terminal.call::<GetTicks>(ticks));
    assert_unsupported(terminal.call::<GetBook>(SymbolParams { symbol: "EURUSD".into() }));
    let mut stop_limit = pending("EURUSD", OrderType::BuyStopLimit, 0.1, 1.20000);
    stop_limit.stop_limit_price = Some(1.19000);
    assert_unsupported(terminal.call::<PlaceOrder>(stop_limit));
    let mut day = pending("EURUSD", OrderType::BuyLimit, 0.1, 1.00000);
    day.time_in_force = TimeInForce::Day;
    assert_unsupported(terminal.call::<PlaceOrder>(day));
    let candles =
        GetCandlesParams { symbol: "EURUSD".into(), timeframe: Timeframe::M2, from: None, to: None, count: Some(5) };
    assert_unsupported(terminal.call::<GetCandles>(candles));
    // MT4's order check is emulated and says so.
    let check = terminal.call::<CheckOrder>(market("EURUSD", Side::Buy, 0.1)).expect("check");
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
    assert_rejected(terminal.call::<ModifyPosition>(modify), 1, "ERR_NO_RESULT");
}
