//! Settling an `unknown` trade record from what its terminal shows. A trading call whose answer was lost (the trade
//! server timed out, the link dropped) may have run; if it did, what it made carries its `client_id`, since the EAs
//! write `cid:<client_id>` into the order's comment and report it on the order, its deals and the position it
//! opened. So when `get_trade_result` is asked about an `unknown` record, the gateway asks the terminal, through the
//! ordinary read methods, for a deal, position or order with that `client_id` since the call was received; one that
//! carries it proves the call ran, and the record becomes `done` with a result read off it. A repeat of the call
//! looks the same way before it answers `outcome_unknown` again. The look runs on its own task, one per record at a
//! time, and an ask waits for it only briefly, so a terminal that does not answer never holds `get_trade_result`
//! for long nor gets a pile of reads.
//!
//! Only that is proof, and only in one direction: nothing found settles nothing (the server may still execute a
//! request that timed out), so the record stays `unknown` and a repeat still never runs the call. Calls whose effect
//! carries no comment (`modify_position`, `modify_order`, `cancel_order`, `close_positions`, and every close on
//! MT4, whose closing deals keep the comment of the trade they close) are never settled this way.

use std::sync::Arc;
use std::time::Duration;

use metaapi_protocol::methods::{
    Deal, DealEntry, DealPage, HistoryOrderPage, Order, OrderList, PositionList, TradeRecord, TradeResult, TradeStatus,
};
use metaapi_protocol::types::Platform;
use metaapi_protocol::{ErrorKind, ErrorObject};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::caller::{Caller, ask, online};
use crate::app::App;
use crate::terminals::{Answer, Link};

/// How far before the call's receipt the terminal's history is searched: the terminal's clock and the gateway's may
/// differ by a little.
const CLOCK_SLACK_MS: i64 = 60_000;

/// Most history pages read per search (10000 items each).
const MAX_PAGES: u32 = 10;

/// How long an ask waits for its look before it answers with the record as it stands; the look goes on, and a later
/// ask sees what it found. A terminal that does not answer then delays `get_trade_result` by this much at most.
const LOOK_WAIT: Duration = Duration::from_secs(1);

/// The record as it stands, settled first when it is `unknown` and the terminal shows, within [`LOOK_WAIT`], that
/// its call ran.
pub(crate) async fn settled(
    app: &Arc<App>,
    caller: &Arc<Caller>,
    record: TradeRecord,
) -> Result<TradeRecord, ErrorObject> {
    if record.status != TradeStatus::Unknown {
        return Ok(record);
    }
    let look = tokio::spawn(look(app.clone(), caller.clone(), record.clone()));
    if !matches!(tokio::time::timeout(LOOK_WAIT, look).await, Ok(Ok(true))) {
        return Ok(record);
    }
    Ok(app.trades.record(&caller.grant.terminal_id, &record.client_id)?.unwrap_or(record))
}

/// Looks in the terminal for what the record's call made and settles the record when found; `true` when it did.
/// One look per record at a time: while one is under way, another ends at once.
async fn look(app: Arc<App>, caller: Arc<Caller>, record: TradeRecord) -> bool {
    let scope = caller.grant.terminal_id.as_str();
    let Some(_look) = app.trades.look(scope, &record.client_id) else { return false };
    // An offline terminal has nothing to show yet; the record stays as it is.
    let Ok(link) = online(&app, &caller.grant) else { return false };
    let Some(found) = proof(&link, &record).await else { return false };
    let Ok(value) = serde_json::to_value(&found) else { return false };
    match app.trades.settle(scope, &record.client_id, &value) {
        Ok(true) => {
            tracing::info!(client_id = record.client_id, "an unknown trade outcome was found in the terminal");
            true
        }
        Ok(false) => false,
        Err(error) => {
            tracing::error!(message = %error.message, "could not settle a trade outcome");
            false
        }
    }
}

/// For a repeat of a call whose record is `unknown`: its result once the terminal shows that it ran, `None` while
/// it does not (the repeat then gets `outcome_unknown` as before).
pub(crate) async fn repeat(app: &Arc<App>, caller: &Arc<Caller>, client_id: &str) -> Option<Answer> {
    let record = app.trades.record(&caller.grant.terminal_id, client_id).ok()??;
    let record = settled(app, caller, record).await.ok()?;
    let result = record.result.filter(|_| record.status == TradeStatus::Done)?;
    Some(serde_json::to_value(result).map_err(|error| ErrorObject::new(ErrorKind::Internal, error.to_string())))
}

/// What the terminal shows of the record's call, as that call's result; `None` when it shows nothing of it, the
/// call's effect carries no `client_id`, or the terminal cannot be read now.
async fn proof(link: &Link, record: &TradeRecord) -> Option<TradeResult> {
    let platform = link.identity.platform;
    let opens = record.method == "place_order";
    let closes = matches!(record.method.as_str(), "close_position" | "close_position_by");
    if !(opens || (closes && platform == Platform::Mt5)) {
        return None;
    }
    let client_id = record.client_id.as_str();
    let from = record.received_at - CLOCK_SLACK_MS;
    let deals: Vec<Deal> =
        pages(link, "get_history_deals", from, |page: DealPage| (page.deals, page.next_offset)).await?;
    // On MT4 a closing deal keeps the comment of the trade it closes: only an opening deal is its own call's.
    let deal = deals.into_iter().find(|deal| {
        deal.client_id.as_deref() == Some(client_id) && (platform == Platform::Mt5 || deal.entry == DealEntry::In)
    });
    if let Some(deal) = deal {
        let mut result = done(record, platform, false, deal.volume, deal.price);
        (result.order, result.deal, result.position_id) = (deal.order, Some(deal.ticket), deal.position_id);
        return Some(result);
    }
    if !opens {
        return None;
    }
    // MT4 lists an open trade as a position only; its opening deal reaches history when it closes.
    let positions: PositionList = ask(link, "get_positions", json!({})).await.ok()?;
    if let Some(position) = positions.positions.into_iter().find(|row| row.client_id.as_deref() == Some(client_id)) {
        let mut result = done(record, platform, false, position.volume, position.price_open);
        (result.order, result.position_id) = (Some(position.ticket), Some(position.position_id));
        return Some(result);
    }
    let orders: OrderList = ask(link, "get_orders", json!({})).await.ok()?;
    let history = pages(link, "get_history_orders", from, |page: HistoryOrderPage| (page.orders, page.next_offset));
    let placed = |orders: Vec<Order>| orders.into_iter().find(|order| order.client_id.as_deref() == Some(client_id));
    let order = match placed(orders.orders) {
        Some(order) => order,
        None => placed(history.await?)?,
    };
    let mut result = done(record, platform, true, order.volume_initial, order.price_open);
    result.order = Some(order.ticket);
    Some(result)
}

/// Every item of a history method from `from` on, page by page (at most [`MAX_PAGES`]); `None` when a page cannot
/// be read.
async fn pages<P: DeserializeOwned, T>(
    link: &Link,
    method: &str,
    from: i64,
    split: impl Fn(P) -> (Vec<T>, Option<u32>),
) -> Option<Vec<T>> {
    let mut items = Vec::new();
    let mut offset = 0;
    for _ in 0..MAX_PAGES {
        let params: Value = json!({"from": from, "offset": offset, "limit": 10_000});
        let (page, next) = split(ask::<P>(link, method, params).await.ok()?);
        items.extend(page);
        match next {
            Some(next) => offset = next,
            None => break,
        }
    }
    Some(items)
}

/// A success result for the record's call on `platform`: executed, or placed for a pending order.
fn done(record: &TradeRecord, platform: Platform, placed: bool, volume: f64, price: f64) -> TradeResult {
    let (retcode, retcode_name) = match (platform, placed) {
        (Platform::Mt4, _) => (0, "ERR_NO_ERROR"),
        (Platform::Mt5, false) => (10009, "TRADE_RETCODE_DONE"),
        (Platform::Mt5, true) => (10008, "TRADE_RETCODE_PLACED"),
    };
    let message = "the terminal shows what this call made: found by its client_id after its answer was lost";
    TradeResult {
        client_id: Some(record.client_id.clone()),
        retcode,
        retcode_name: retcode_name.to_owned(),
        message: message.to_owned(),
        order: None,
        deal: None,
        position_id: None,
        remaining_ticket: None,
        volume,
        price,
        bid: None,
        ask: None,
        comment: String::new(),
        platform,
    }
}
