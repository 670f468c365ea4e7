//! Typed calls, convenience wrappers and batches through gateway, bridge and simulated terminal.

use metaapi_client::protocol::methods::{GetQuote, GetSymbolSpec, PositionFilter, SymbolParams, TicketParams};
use metaapi_client::protocol::types::Platform;
use metaapi_client::protocol::{ErrorKind, NoParams, methods::GetAccountInfo};
use metaapi_client::{Client, ClientError};
use metaapi_terminal_sim::Mode;

use crate::support::{client, demo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_calls_wrappers_and_batches() {
    let demo = demo(Mode::Mt5Hedging).await;
    let client = client(&demo);

    let account = client.get_account_info().await.expect("get_account_info");
    assert_eq!(account.platform, Platform::Mt5);
    assert!(account.balance > 0.0 && account.currency.len() == 3, "{account:?}");
    let same = client.call::<GetAccountInfo>(NoParams {}).await.expect("the typed call");
    assert_eq!(same.login, account.login, "the wrapper and call::<M> reach the same terminal");

    let quote = client.call::<GetQuote>(SymbolParams { symbol: "EURUSD".into() }).await.expect("get_quote");
    assert_eq!(quote.symbol, "EURUSD");
    assert!(quote.ask >= quote.bid && quote.bid > 0.0, "{quote:?}");

    // A batch: each call has its own typed outcome, including a failure in the middle.
    let mut batch = client.batch();
    let account_key = batch.add::<GetAccountInfo>(NoParams {});
    let missing_key = batch.add::<GetSymbolSpec>(SymbolParams { symbol: "NOSUCH".into() });
    let quote_key = batch.add::<GetQuote>(SymbolParams { symbol: "XAUUSD".into() });
    let answers = batch.send().await.expect("the batch is answered");
    assert_eq!(answers.get(&account_key).expect("account in the batch").login, account.login);
    assert_eq!(answers.get(&quote_key).expect("quote in the batch").symbol, "XAUUSD");
    let missing = answers.get(&missing_key).expect_err("an unknown symbol fails");
    assert_eq!(missing.kind(), Some(ErrorKind::NotFound), "{missing:?}");

    // An empty batch sends nothing and answers nothing.
    assert!(client.batch().send().await.is_ok());

    let positions = client.get_positions(PositionFilter::default()).await.expect("get_positions");
    assert!(positions.positions.is_empty(), "a fresh terminal has no positions");
    let unknown = client.get_position(TicketParams { ticket: "999999999".into() }).await.expect_err("no such ticket");
    assert_eq!(unknown.kind(), Some(ErrorKind::NotFound), "{unknown:?}");

    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_typed() {
    let demo = demo(Mode::Mt4).await;

    // MT4 has no tick history: the typed unsupported error, never an empty list.
    let ticks =
        client(&demo).get_book(SymbolParams { symbol: "EURUSD".into() }).await.expect_err("MT4 has no depth of market");
    assert!(matches!(ticks, ClientError::Unsupported(_)), "{ticks:?}");

    let stranger = Client::new(demo.url.clone(), "mat_not_a_token_the_console_knows");
    let refused = stranger.get_account_info().await.expect_err("an unknown token is refused");
    assert!(matches!(refused, ClientError::Unauthorized { kind: ErrorKind::TokenUnknown }), "{refused:?}");
    assert!(!refused.is_retryable());

    let nobody = Client::new("http://127.0.0.1:9", "mat_x");
    let unreachable = nobody.ping().await.expect_err("nothing listens on port 9");
    assert!(matches!(unreachable, ClientError::Transport(_)), "{unreachable:?}");

    demo.stop().await;
}
