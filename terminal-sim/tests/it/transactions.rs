//! MT5 trade transactions in the order OnTradeTransaction receives them, and none on MT4.

use metaapi_protocol::methods::*;
use metaapi_protocol::types::{OrderType, Side};
use metaapi_terminal_sim::Mode;
use metaapi_terminal_sim::engine::transactions::{MtDealType, Transaction, TransactionType};

use crate::support::{market, pending, place, quote, terminal};

fn kinds(transactions: &[Transaction]) -> Vec<TransactionType> {
    transactions.iter().map(|transaction| transaction.kind).collect()
}

#[test]
fn market_orders_add_the_order_then_the_deal_then_move_the_order_to_history() {
    let mut terminal = terminal(Mode::Mt5Hedging);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    terminal.take_transactions();
    let opened = place(&mut terminal, market("EURUSD", Side::Buy, 0.5));
    let transactions = terminal.take_transactions();
    use TransactionType::*;
    assert_eq!(kinds(&transactions), [OrderAdd, DealAdd, OrderDelete, HistoryAdd]);
    let order: u64 = opened.order.as_deref().expect("order").parse().expect("ticket");
    let position: u64 = opened.position_id.as_deref().expect("position").parse().expect("ticket");
    assert!(transactions.iter().all(|transaction| transaction.order == order));
    assert_eq!(transactions[0].order_state, Some(OrderState::Started));
    assert_eq!(transactions[2].order_state, Some(OrderState::Filled));
    let deal = &transactions[1];
    assert_eq!(
        (deal.deal_type, deal.position, deal.volume, deal.price),
        (Some(MtDealType::Buy), position, 0.5, 1.10010)
    );
    assert_eq!(deal.deal.to_string(), opened.deal.expect("deal"));

    let close =
        ClosePositionParams { client_id: None, ticket: position.to_string(), volume: None, deviation_points: None };
    let closed = terminal.close_position(close).expect("closed");
    let transactions = terminal.take_transactions();
    assert_eq!(kinds(&transactions), [OrderAdd, DealAdd, OrderDelete, HistoryAdd]);
    assert_eq!(transactions[1].deal_type, Some(MtDealType::Sell));
    assert_eq!(transactions[1].deal_entry, Some(DealEntry::Out));
    assert_eq!(transactions[1].position, position);
    assert_eq!(transactions[0].order.to_string(), closed.order.expect("closing order"));
}

#[test]
fn pending_orders_are_added_updated_and_deleted_and_stop_changes_are_position_transactions() {
    let mut terminal = terminal(Mode::Mt5Netting);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    terminal.take_transactions();
    use TransactionType::*;
    let placed = place(&mut terminal, pending("EURUSD", OrderType::BuyLimit, 1.0, 1.09000));
    let ticket = placed.order.expect("order");
    let added = terminal.take_transactions();
    assert_eq!(kinds(&added), [OrderAdd]);
    assert_eq!(
        (added[0].order_type, added[0].order_state, added[0].price),
        (Some(OrderType::BuyLimit), Some(OrderState::Placed), 1.09)
    );
    let modify = ModifyOrderParams {
        client_id: None,
        ticket: ticket.clone(),
        price: Some(1.09500),
        stop_limit_price: None,
        sl: None,
        tp: None,
        time_in_force: None,
        expiration: None,
    };
    terminal.modify_order(modify).expect("modified");
    let updated = terminal.take_transactions();
    assert_eq!(kinds(&updated), [OrderUpdate]);
    assert_eq!(updated[0].price, 1.095);
    // The feed reaches the limit: the server fills it (no request of the program, so no REQUEST).
    quote(&mut terminal, "EURUSD", 1.09480, 1.09490);
    let filled = terminal.take_transactions();
    assert_eq!(kinds(&filled), [DealAdd, OrderDelete, HistoryAdd]);
    assert_eq!(filled[2].order_state, Some(OrderState::Filled));
    let position = filled[0].position;
    assert_ne!(position, 0);
    let stops = ModifyPositionParams { client_id: None, ticket: position.to_string(), sl: Some(1.09000), tp: None };
    terminal.modify_position(stops).expect("stops");
    let changed = terminal.take_transactions();
    assert_eq!(kinds(&changed), [Position]);
    assert_eq!((changed[0].position, changed[0].price_sl), (position, 1.09));

    let second = place(&mut terminal, pending("EURUSD", OrderType::SellLimit, 1.0, 1.12000)).order.expect("order");
    terminal.take_transactions();
    terminal.cancel_order(CancelOrderParams { ticket: second, client_id: None }).expect("cancelled");
    let cancelled = terminal.take_transactions();
    assert_eq!(kinds(&cancelled), [OrderDelete, HistoryAdd]);
    assert_eq!(cancelled[1].order_state, Some(OrderState::Canceled));
}

#[test]
fn mt4_has_no_trade_transactions() {
    let mut terminal = terminal(Mode::Mt4);
    quote(&mut terminal, "EURUSD", 1.10000, 1.10010);
    place(&mut terminal, market("EURUSD", Side::Buy, 0.5));
    assert!(terminal.take_transactions().is_empty());
}
