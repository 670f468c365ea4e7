//! Trading calls are idempotent by `client_id`: the client adds one, a repeat returns the first outcome without a
//! second position, and reusing an id for different params is a conflict.

use metaapi_client::ClientError;
use metaapi_client::protocol::ErrorKind;
use metaapi_client::protocol::methods::{GetTradeResultParams, PlaceOrderParams, PositionFilter, TradeOutput};
use metaapi_client::protocol::types::Side;
use metaapi_terminal_sim::Mode;

use crate::support::{client, demo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_client_id_returns_the_first_outcome_once() {
    let demo = demo(Mode::Mt5Hedging).await;
    let client = client(&demo);
    let count =
        || async { client.get_positions(PositionFilter::default()).await.expect("get_positions").positions.len() };
    assert_eq!(count().await, 0);

    let first = client.place_order(PlaceOrderParams::market("EURUSD", Side::Buy, 0.1)).await.expect("placed");
    let client_id = first.client_id.clone().expect("the client gave the trading call a client_id");
    assert!(!client_id.is_empty());
    assert!(first.position_id.is_some(), "{first:?}");
    assert_eq!(count().await, 1);

    // The same call again, as a retry after a lost answer would send it.
    let mut again = PlaceOrderParams::market("EURUSD", Side::Buy, 0.1);
    again.client_id = Some(client_id.clone());
    let repeat = client.place_order(again).await.expect("the repeat answers");
    assert_eq!(repeat, first, "a repeat returns the first outcome");
    assert_eq!(count().await, 1, "a repeat never opens a second position");

    // The outcome is also on record under the id.
    let record = client.get_trade_result(GetTradeResultParams { client_id: client_id.clone() }).await.expect("record");
    assert_eq!(record.method, "place_order");
    assert_eq!(record.result, Some(TradeOutput::Single(first.clone())), "{record:?}");

    // Same id, different params: a conflict, and still one position.
    let mut different = PlaceOrderParams::market("EURUSD", Side::Buy, 0.2);
    different.client_id = Some(client_id);
    let conflict = client.place_order(different).await.expect_err("different params under one id");
    assert_eq!(conflict.kind(), Some(ErrorKind::ClientIdConflict), "{conflict:?}");
    assert!(matches!(conflict, ClientError::Rpc(_)), "{conflict:?}");
    assert!(!conflict.is_retryable());
    assert_eq!(count().await, 1);

    // Without an explicit id, every call is a new trade.
    client.place_order(PlaceOrderParams::market("EURUSD", Side::Buy, 0.1)).await.expect("a second trade");
    assert_eq!(count().await, 2);

    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batched_trading_calls_get_their_own_client_ids() {
    let demo = demo(Mode::Mt5Netting).await;
    let client = client(&demo);
    let mut batch = client.batch();
    let eur =
        batch.add::<metaapi_client::protocol::methods::PlaceOrder>(PlaceOrderParams::market("EURUSD", Side::Buy, 0.1));
    let gbp =
        batch.add::<metaapi_client::protocol::methods::PlaceOrder>(PlaceOrderParams::market("GBPUSD", Side::Sell, 0.1));
    let answers = batch.send().await.expect("the batch is answered");
    let eur = answers.get(&eur).expect("EURUSD placed");
    let gbp = answers.get(&gbp).expect("GBPUSD placed");
    let (eur_id, gbp_id) = (eur.client_id.expect("an id"), gbp.client_id.expect("an id"));
    assert_ne!(eur_id, gbp_id, "each call has its own client_id");
    let positions = client.get_positions(PositionFilter::default()).await.expect("positions").positions;
    assert_eq!(positions.len(), 2, "{positions:?}");
    demo.stop().await;
}
