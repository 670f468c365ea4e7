//! Order engine scenarios on scripted price paths: SL/TP, netting reversal, hedging, close-by, pending orders,
//! expiration and stop-out.

use metaapi_protocol::methods::*;
use metaapi_protocol::types::{OrderType, Reason, Side, TimeInForce};
use metaapi_terminal_sim::engine::records::{DealRec, OrderRec, PositionRec};
use metaapi_terminal_sim::{Mode, Terminal};

use crate::support::{assert_unsupported, market, pending, place, quote, terminal};

fn positions(terminal: &mut Terminal) -> Vec<PositionRec> {
    terminal.positions().to_vec()
}

fn deals_of(terminal: &mut Terminal, position_id: &str) -> Vec<DealRec> {
    let of_position = |deal: &&DealRec| deal.position_id.is_some_and(|id| id.to_string() == position_id);
    terminal.deals().iter().filter(of_position).cloned().collect()
}

/// How a position closed (reason, price, profit): its out deal on MT5, its closed trade on MT4 (which keeps no
/// deals).
fn closing(terminal: &mut Terminal, position_id: &str) -> (Reason, f64, f64) {
    if let Some(trade) = terminal.closed_trades().iter().find(|trade| trade.ticket.to_string() == position_id) {
        return (trade.close_reason, trade.price_close, trade.profit);
    }
    let deals = deals_of(terminal, position_id);
    let out = deals.iter().find(|deal| deal.entry == DealEntry::Out).expect("out deal");
    (out.reason, out.price, out.profit)
}

fn history_order(terminal: &mut Terminal, ticket: &str) -> OrderRec {
    let found = terminal.history_orders().iter().find(|order| order.ticket.to_string() == ticket).cloned();
    found.expect("the order is in history")
}

fn balance(terminal: &mut Terminal) -> f64 {
    terminal.account_info().balance
}

#[test]
fn take_profit_and_stop_loss_trigger_on_the_feed() {
    for mode in Mode::ALL {
        let mut terminal = terminal(mode);
        quote(&mut terminal, "EURUSD", 1.09990, 1.10000);
        let mut buy = market("EURUSD", Side::Buy, 1.0);
        (buy.sl, buy.tp) = (Some(1.09800), Some(1.10300));
        let opened = place(&mut terminal, buy);
        assert_eq!(opened.price, 1.10000);
        quote(&mut terminal, "EURUSD", 1.10100, 1.10110);
        assert_eq!(positions(&mut terminal).len(), 1, "{mode:?}: no trigger yet");
        let events = terminal.set_quote("EURUSD", 1.10300, 1.10310).expect("quote");
        assert!(positions(&mut terminal).is_empty(), "{mode:?}: TP closes");
        assert!(events.iter().any(|event| event.name == "position_removed"));
        // Closed at the bid 1.10300: (1.10300 - 1.10000) * 100,000 = 300.00.
        assert_eq!(balance(&mut terminal), 10_300.00, "{mode:?}");
        let position_id = opened.position_id.expect("position");
        assert_eq!(closing(&mut terminal, &position_id), (Reason::Tp, 1.10300, 300.00), "{mode:?}");

        // A sell whose stop loss is hit at the ask 1.10500: (1.10300 - 1.10500) * 100,000 = -200.00.
        quote(&mut terminal, "EURUSD", 1.10300, 1.10310);
        let mut sell = market("EURUSD", Side::Sell, 1.0);
        sell.sl = Some(1.10500);
        place(&mut terminal, sell);
        quote(&mut terminal, "EURUSD", 1.10490, 1.10500);
        assert!(positions(&mut terminal).is_empty(), "{mode:?}: SL closes");
        assert_eq!(balance(&mut terminal), 10_100.00, "{mode:?}");
    }
}

#[test]
fn netting_reversal_makes_one_inout_deal() {
    let mut terminal = terminal(Mode::Mt5Netting);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    let first = place(&mut terminal, market("EURUSD", Side::Buy, 1.0));
    quote(&mut terminal, "EURUSD", 1.10100, 1.10110);
    let second = place(&mut terminal, market("EURUSD", Side::Sell, 3.0));
    assert_eq!(first.position_id, second.position_id, "netting keeps one position id");
    let open = positions(&mut terminal);
    assert_eq!(open.len(), 1);
    // Long 1 then sell 3 = short 2 at the deal price.
    assert_eq!((open[0].side, open[0].volume, open[0].price_open), (Side::Sell, 2.0, 1.10100));
    let deals = deals_of(&mut terminal, first.position_id.as_deref().expect("id"));
    let entries: Vec<_> = deals.iter().map(|deal| (deal.entry, deal.volume)).collect();
    assert_eq!(entries, vec![(DealEntry::In, 1.0), (DealEntry::Inout, 3.0)]);
    // Realized on the 1 lot closed: (1.10100 - 1.10010) * 100,000 = 90.00.
    assert_eq!(deals[1].profit, 90.00);
    assert_eq!(balance(&mut terminal), 10_090.00);

    // Adding on the same side averages the price: 2 @ 1.10100 + 2 @ 1.10000 = 4 @ 1.10050.
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    place(&mut terminal, market("EURUSD", Side::Sell, 2.0));
    let open = positions(&mut terminal);
    assert_eq!((open.len(), open[0].volume, open[0].price_open), (1, 4.0, 1.10050));
}

#[test]
fn hedging_keeps_opposite_positions_and_closes_by() {
    let mut terminal = terminal(Mode::Mt5Hedging);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    let long = place(&mut terminal, market("EURUSD", Side::Buy, 1.0));
    quote(&mut terminal, "EURUSD", 1.10200, 1.10210);
    let short = place(&mut terminal, market("EURUSD", Side::Sell, 0.5));
    assert_eq!(positions(&mut terminal).len(), 2);
    let params = ClosePositionByParams {
        client_id: None,
        ticket: long.position_id.clone().expect("long"),
        opposite_ticket: short.position_id.clone().expect("short"),
    };
    let result = terminal.close_position_by(params).expect("close by");
    // 0.5 lots closed at the short's open 1.10200: (1.10200 - 1.10010) * 50,000 = 95.00.
    assert_eq!((result.volume, result.price), (0.5, 1.10200));
    assert_eq!(balance(&mut terminal), 10_095.00);
    let open = positions(&mut terminal);
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].ticket.to_string().as_str(), open[0].volume), (long.position_id.as_deref().expect("id"), 0.5));
    let deals = deals_of(&mut terminal, short.position_id.as_deref().expect("id"));
    assert_eq!(deals.last().map(|deal| deal.entry), Some(DealEntry::OutBy));

    let mut netting = crate::support::terminal(Mode::Mt5Netting);
    let params = ClosePositionByParams { client_id: None, ticket: "1".into(), opposite_ticket: "2".into() };
    assert_unsupported(netting.close_position_by(params));
}

#[test]
fn pending_orders_trigger_and_expire() {
    let mut terminal = terminal(Mode::Mt5Hedging);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    let limit = place(&mut terminal, pending("EURUSD", OrderType::BuyLimit, 0.2, 1.09900));
    assert_eq!(limit.retcode, 10008);
    let ticket = limit.order.expect("ticket");
    quote(&mut terminal, "EURUSD", 1.09950, 1.09960);
    assert_eq!(terminal.orders().len(), 1);
    let events = terminal.set_quote("EURUSD", 1.09890, 1.09900).expect("quote");
    assert!(events.iter().any(|event| event.name == "order_completed"));
    let open = positions(&mut terminal);
    assert_eq!((open[0].ticket.to_string(), open[0].price_open), (ticket.clone(), 1.09900));
    assert_eq!(history_order(&mut terminal, &ticket).state, OrderState::Filled);

    // Stop-limit: at the stop 1.10200 it becomes a buy limit at 1.10100, which then fills.
    let mut stop_limit = pending("EURUSD", OrderType::BuyStopLimit, 0.1, 1.10200);
    stop_limit.stop_limit_price = Some(1.10100);
    let placed = place(&mut terminal, stop_limit);
    quote(&mut terminal, "EURUSD", 1.10190, 1.10200);
    let ticket = placed.order.clone().expect("t");
    let order = terminal.orders().iter().find(|order| order.ticket.to_string() == ticket).cloned().expect("order");
    assert_eq!((order.order_type, order.price_open), (OrderType::BuyLimit, 1.10100));
    quote(&mut terminal, "EURUSD", 1.10090, 1.10100);
    assert_eq!(positions(&mut terminal).len(), 2);

    // Expiration: a specified-time order is gone an hour later.
    let mut expiring = pending("EURUSD", OrderType::SellStop, 0.1, 1.09000);
    expiring.time_in_force = TimeInForce::Specified;
    expiring.expiration = Some(terminal.now() + 3_600_000);
    let placed = place(&mut terminal, expiring);
    let events = terminal.jump_to(terminal.now() + 7_200_000);
    assert!(events.iter().any(|event| event.name == "order_completed"));
    assert_eq!(history_order(&mut terminal, placed.order.as_deref().expect("t")).state, OrderState::Expired);
}

#[test]
fn stop_out_closes_the_losing_position() {
    let mut terminal = terminal(Mode::Mt5Hedging);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10000);
    // 9 lots: margin 9 * 1,000 EUR * 1.10000 = 9,900.00; level 10,000 / 9,900 = 101 %.
    place(&mut terminal, market("EURUSD", Side::Buy, 9.0));
    quote(&mut terminal, "EURUSD", 1.09500, 1.09500);
    // Loss 0.00500 * 900,000 = 4,500: equity 5,500, level 55.6 %: above the 50 % stop-out.
    assert_eq!(positions(&mut terminal).len(), 1);
    quote(&mut terminal, "EURUSD", 1.09430, 1.09430);
    // Loss 0.00570 * 900,000 = 5,130: equity 4,870, level 49.2 %: stopped out.
    assert!(positions(&mut terminal).is_empty());
    assert_eq!(balance(&mut terminal), 4870.00);
    assert_eq!(terminal.deals().last().map(|deal| deal.reason), Some(Reason::StopOut));
}

#[test]
fn partial_close_on_mt5_keeps_the_ticket_and_modify_sets_stops() {
    let mut terminal = terminal(Mode::Mt5Hedging);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    let opened = place(&mut terminal, market("EURUSD", Side::Buy, 1.0));
    let ticket = opened.position_id.expect("ticket");
    let close =
        ClosePositionParams { client_id: None, ticket: ticket.clone(), volume: Some(0.4), deviation_points: None };
    let result = terminal.close_position(close).expect("partial close");
    assert_eq!(result.remaining_ticket, None);
    let open = positions(&mut terminal);
    assert_eq!((open[0].ticket.to_string(), open[0].volume), (ticket.clone(), 0.6));
    let modify = ModifyPositionParams { client_id: None, ticket: ticket.clone(), sl: Some(1.09500), tp: None };
    terminal.modify_position(modify.clone()).expect("modify");
    assert_eq!(positions(&mut terminal)[0].sl, Some(1.09500));
    // The same stop again changes nothing: MT5 answers success 10025.
    let same = terminal.modify_position(modify).expect("no changes");
    assert_eq!((same.retcode, same.retcode_name.as_str()), (10025, "TRADE_RETCODE_NO_CHANGES"));
    let closed = terminal.close_positions(ClosePositionsParams::default()).expect("close all");
    assert_eq!(closed.outcomes.len(), 1);
    assert!(closed.outcomes[0].result.is_some());
    assert!(terminal.positions().is_empty(), "closed with the rest");
    let again = ClosePositionParams { client_id: None, ticket, volume: None, deviation_points: None };
    assert_eq!(terminal.close_position(again).expect_err("gone").kind(), metaapi_protocol::ErrorKind::NotFound);
}
