//! Opens a small EURUSD position with a stop loss, shows it, then closes it.
//!
//! The client gives each trading call a `client_id`, so its automatic retries can never open a second position.

#![forbid(unsafe_code)]

use metaapi_client::protocol::methods::{ClosePositionParams, PlaceOrderParams, SymbolParams, TicketParams};
use metaapi_client::protocol::types::Side;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let client = metaapi_examples::client_from_env()?;
    let quote = client.get_quote(SymbolParams { symbol: "EURUSD".into() }).await?;
    let mut order = PlaceOrderParams::market("EURUSD", Side::Buy, 0.1);
    order.sl = Some(((quote.bid - 0.0050) * 1e5).round() / 1e5);
    order.comment = Some("metaapi example".into());
    let opened = client.place_order(order).await?;
    let ticket = opened.position_id.clone().ok_or_else(|| anyhow::anyhow!("the terminal reported no position"))?;
    println!(
        "opened  {ticket} at {} ({}, client_id {})",
        opened.price,
        opened.retcode_name,
        opened.client_id.unwrap_or_default()
    );

    let position = client.get_position(TicketParams { ticket: ticket.clone() }).await?;
    println!("holding {} lots, sl {:?}, profit {:.2}", position.volume, position.sl, position.profit);

    let closed = client
        .close_position(ClosePositionParams {
            client_id: None,
            ticket: ticket.clone(),
            volume: None,
            deviation_points: None,
        })
        .await?;
    println!("closed  {ticket} at {} ({})", closed.price, closed.retcode_name);
    Ok(())
}
