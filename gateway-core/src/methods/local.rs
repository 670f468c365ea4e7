//! The gateway's own methods: one typed handler per method the registry routes to the gateway (`Route::Gateway`) or
//! to a `/ws` connection's subscriptions (`Route::Stream`).
//!
//! Each handler takes its method's `Params` and returns its `Result`, so the compiler checks the shapes that a name
//! match and a JSON round trip used to check at run time. [`LocalTable`] erases the types once, at its edge.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use metaapi_protocol::methods::{
    AccountInfo, GatewayInfo, GetGatewayInfo, GetSnapshot, GetTokenInfo, GetTradeResult, GetTradeResultParams,
    ListSubscriptions, OrderList, Ping, Pong, PositionFilter, PositionList, Snapshot, StreamSpec, Subscribe,
    SubscribeParams, SubscribeResult, SubscriptionList, TokenInfo, TradeRecord, Unsubscribe, UnsubscribeParams,
    UnsubscribeResult,
};
use metaapi_protocol::types::Capability;
use metaapi_protocol::{ErrorKind, ErrorObject, Method, NoParams, Route, decode_params};
use serde_json::Value;

use super::caller::{Caller, Handler, ask, online};
use crate::app::App;
use crate::auth::now_ms;
use crate::streams::Subscriber;
use crate::terminals::{Answer, Link};

/// The typed handlers of the gateway's own methods, by name, each with the route it was registered for.
pub(crate) struct LocalTable {
    handlers: HashMap<&'static str, (Route, Handler)>,
}

impl LocalTable {
    /// The gateway's handlers. `completeness.rs` fails when a registry method answered here is missing.
    pub(crate) fn new() -> LocalTable {
        let mut table = LocalTable::empty();
        table.gateway::<Ping, _, _>(ping);
        table.gateway::<GetGatewayInfo, _, _>(get_gateway_info);
        table.gateway::<GetTokenInfo, _, _>(get_token_info);
        table.gateway::<GetTradeResult, _, _>(get_trade_result);
        table.stream::<Subscribe, _, _>(subscribe);
        table.stream::<Unsubscribe, _, _>(unsubscribe);
        table.stream::<ListSubscriptions, _, _>(list_subscriptions);
        table.stream::<GetSnapshot, _, _>(get_snapshot);
        table
    }

    /// A table without handlers.
    pub(crate) fn empty() -> LocalTable {
        LocalTable { handlers: HashMap::new() }
    }

    /// Takes the handler registered for `name`, with the route it was registered for.
    pub(crate) fn take(&mut self, name: &str) -> Option<(Route, Handler)> {
        self.handlers.remove(name)
    }

    /// The names still in the table.
    pub(crate) fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.handlers.keys().copied()
    }

    /// Registers a method the gateway answers for any caller.
    pub(crate) fn gateway<M, F, Fut>(&mut self, handler: F)
    where
        M: Method,
        F: Fn(Arc<App>, Arc<Caller>, M::Params) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<M::Result, ErrorObject>> + Send + 'static,
    {
        let erased: Handler = Box::new(move |app, caller, params| {
            let call = decode_params::<M>(params).map(|params| handler(app, caller, params));
            Box::pin(async move { encode(call.map_err(ErrorObject::from)?.await?) })
        });
        self.handlers.insert(M::NAME, (Route::Gateway, erased));
    }

    /// Registers a method that works on the caller's `/ws` subscriptions.
    pub(crate) fn stream<M, F, Fut>(&mut self, handler: F)
    where
        M: Method,
        F: Fn(Arc<App>, Arc<Caller>, Arc<Subscriber>, M::Params) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<M::Result, ErrorObject>> + Send + 'static,
    {
        let erased: Handler = Box::new(move |app, caller, params| {
            let call = decode_params::<M>(params).map_err(ErrorObject::from).and_then(|params| {
                let session = caller
                    .subscriber
                    .clone()
                    .ok_or_else(|| ErrorObject::new(ErrorKind::MethodNotFound, "only available over /ws"))?;
                Ok(handler(app, caller, session, params))
            });
            Box::pin(async move { encode(call?.await?) })
        });
        self.handlers.insert(M::NAME, (Route::Stream, erased));
    }
}

fn encode(result: impl serde::Serialize) -> Answer {
    serde_json::to_value(result).map_err(|error| ErrorObject::new(ErrorKind::Internal, error.to_string()))
}

async fn ping(app: Arc<App>, caller: Arc<Caller>, _: NoParams) -> Result<Pong, ErrorObject> {
    online(&app, &caller.grant)?;
    Ok(Pong { pong: true, gateway_time: now_ms() })
}

async fn get_gateway_info(app: Arc<App>, caller: Arc<Caller>, _: NoParams) -> Result<GatewayInfo, ErrorObject> {
    let link = online(&app, &caller.grant)?;
    Ok(GatewayInfo {
        gateway_version: env!("CARGO_PKG_VERSION").to_owned(),
        protocol_version: metaapi_protocol::PROTOCOL_VERSION.to_owned(),
        device_id: app.verifier.device_id().to_owned(),
        terminal: link.identity.clone(),
        capabilities: link.capabilities.clone(),
    })
}

async fn get_token_info(app: Arc<App>, caller: Arc<Caller>, _: NoParams) -> Result<TokenInfo, ErrorObject> {
    online(&app, &caller.grant)?;
    let grant = &caller.grant;
    Ok(TokenInfo {
        token_id: grant.token_id.clone(),
        token_name: grant.token_name.clone(),
        expires_at: grant.expires_at,
        device_id: app.verifier.device_id().to_owned(),
        verified_at: grant.verified_at,
    })
}

async fn get_trade_result(
    app: Arc<App>,
    caller: Arc<Caller>,
    params: GetTradeResultParams,
) -> Result<TradeRecord, ErrorObject> {
    let record = app.trades.record(&caller.grant.terminal_id, &params.client_id)?.ok_or_else(|| {
        ErrorObject::new(ErrorKind::NotFound, "no trading call with this client_id is on record")
            .with_client_id(Some(&params.client_id))
    })?;
    super::settle::settled(&app, &caller, record).await
}

async fn subscribe(
    app: Arc<App>,
    caller: Arc<Caller>,
    session: Arc<Subscriber>,
    params: SubscribeParams,
) -> Result<SubscribeResult, ErrorObject> {
    let hub = app.terminals.hub(&caller.grant.token_id);
    if let Some(link) = hub.link() {
        if params.streams.iter().any(|stream| matches!(stream, StreamSpec::Book { .. }))
            && !link.capabilities.contains(&Capability::MarketDepth)
        {
            return Err(ErrorObject::unsupported(link.identity.platform, "book streams need market depth"));
        }
        check_symbols(&app, &link, &params.streams).await?;
    }
    let seq = session.outbox.seq();
    let subscriptions = session.subscribe(&params.streams)?;
    hub.refresh_interest();
    Ok(SubscribeResult { subscriptions, seq })
}

async fn unsubscribe(
    app: Arc<App>,
    caller: Arc<Caller>,
    session: Arc<Subscriber>,
    params: UnsubscribeParams,
) -> Result<UnsubscribeResult, ErrorObject> {
    let hub = app.terminals.hub(&caller.grant.token_id);
    let unsubscribed = session.unsubscribe(&params.subscription_ids);
    hub.refresh_interest();
    Ok(UnsubscribeResult { unsubscribed })
}

async fn list_subscriptions(
    _: Arc<App>,
    _: Arc<Caller>,
    session: Arc<Subscriber>,
    _: NoParams,
) -> Result<SubscriptionList, ErrorObject> {
    Ok(SubscriptionList { subscriptions: session.list() })
}

async fn get_snapshot(
    app: Arc<App>,
    caller: Arc<Caller>,
    session: Arc<Subscriber>,
    _: NoParams,
) -> Result<Snapshot, ErrorObject> {
    let link = online(&app, &caller.grant)?;
    let seq = session.outbox.seq();
    let filter = serde_json::to_value(PositionFilter::default()).unwrap_or_default();
    let account: AccountInfo = ask(&link, "get_account_info", Value::Object(Default::default())).await?;
    let positions: PositionList = ask(&link, "get_positions", filter.clone()).await?;
    let orders: OrderList = ask(&link, "get_orders", filter).await?;
    Ok(Snapshot { seq, account, positions: positions.positions, orders: orders.orders })
}

/// Refuses streams for symbols the terminal does not have, with `not_found` naming the first one.
///
/// The terminal's symbol list is fetched once per link and cached. While no terminal is linked nothing can be
/// checked, and streams are accepted as they are: they deliver once a terminal with those symbols links.
async fn check_symbols(app: &App, link: &Arc<Link>, streams: &[StreamSpec]) -> Result<(), ErrorObject> {
    if streams.iter().all(|stream| stream.symbol().is_none()) {
        return Ok(());
    }
    let names = app
        .symbols
        .names(&link.token_id, link.generation, |offset| {
            let params = offset.map_or_else(|| serde_json::json!({}), |offset| serde_json::json!({ "offset": offset }));
            ask::<Value>(link, "get_symbols", params)
        })
        .await?;
    let unknown = streams.iter().enumerate().find_map(|(index, stream)| {
        stream.symbol().filter(|symbol| !names.contains(*symbol)).map(|symbol| (index, symbol))
    });
    let Some((index, symbol)) = unknown else { return Ok(()) };
    let mut error = ErrorObject::new(ErrorKind::NotFound, format!("this terminal has no symbol named {symbol:?}"));
    if let Some(data) = error.data.as_mut() {
        data.field = Some(format!("streams[{index}].symbol"));
    }
    Err(error)
}
