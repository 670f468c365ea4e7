//! The typed router shared by `/rpc` and `/ws`: one handler per method of the protocol registry.
//!
//! The table is built by walking [`for_each_method`], so every method in the protocol is routed and nothing else is.
//! Params are decoded into the method's `Params` type (errors name the field) before anything else happens, and a
//! terminal's reply is decoded into the method's `Result` type before a client sees it.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use metaapi_protocol::jsonrpc::{Request, Response, quoted_name};
use metaapi_protocol::methods::{AccountInfo, StreamSpec};
use metaapi_protocol::methods::{
    GatewayInfo, GetTradeResultParams, OrderList, Pong, PositionFilter, PositionList, Snapshot, SubscribeParams,
    SubscribeResult, SubscriptionList, TokenInfo, UnsubscribeParams, UnsubscribeResult,
};
use metaapi_protocol::types::Capability;
use metaapi_protocol::{ErrorKind, ErrorObject, Method, MethodVisitor, Route, decode_params, for_each_method};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::auth::{Grant, now_ms};
use crate::metrics::Transport;
use crate::streams::StreamSession;
use crate::terminals::{Answer, Link, next_request_id};
use crate::trades::Claim;

type BoxAnswer = Pin<Box<dyn Future<Output = Answer> + Send>>;
type Handler = fn(Arc<App>, Arc<Caller>, Option<Value>) -> BoxAnswer;

/// Who is calling: the verified token and, on `/ws`, the connection's subscriptions.
pub struct Caller {
    /// The verified token.
    pub grant: Grant,
    /// Over which transport.
    pub transport: Transport,
    /// The WebSocket session; `None` on `/rpc`.
    pub session: Option<Arc<StreamSession>>,
}

/// Method name to handler.
pub struct Router {
    handlers: HashMap<&'static str, (Route, Handler)>,
}

struct Build(HashMap<&'static str, (Route, Handler)>);

impl MethodVisitor for Build {
    fn visit<M: Method>(&mut self) {
        self.0.insert(M::NAME, (M::ROUTE, handle::<M>));
    }
}

impl Default for Router {
    fn default() -> Router {
        Router::new()
    }
}

impl Router {
    /// A router for every method of the registry.
    pub fn new() -> Router {
        let mut build = Build(HashMap::new());
        for_each_method(&mut build);
        Router { handlers: build.0 }
    }

    /// How many methods are routed.
    pub fn len(&self) -> usize {
        self.handlers.len()
    }

    /// Whether no method is routed.
    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }

    /// Runs one call; `None` for notifications.
    pub async fn dispatch(&self, app: &Arc<App>, caller: &Arc<Caller>, request: Request) -> Option<Response> {
        let started = Instant::now();
        let answer = match self.handlers.get(request.method.as_str()) {
            None => Err(ErrorObject::new(
                ErrorKind::MethodNotFound,
                format!("no method named {}", quoted_name(&request.method)),
            )),
            Some((Route::Stream, _)) if caller.session.is_none() => Err(ErrorObject::new(
                ErrorKind::MethodNotFound,
                format!("{} is only available over the /ws WebSocket", request.method),
            )),
            Some((_, handler)) => handler(app.clone(), caller.clone(), request.params).await,
        };
        app.metrics.call(caller.transport, started.elapsed());
        if let Err(error) = &answer {
            app.metrics.error(error.kind());
        }
        let id = request.id?;
        Some(match answer {
            Ok(value) => Response::result(id, value),
            Err(error) => Response::error(id, error),
        })
    }
}

pub(crate) fn handle<M: Method>(app: Arc<App>, caller: Arc<Caller>, params: Option<Value>) -> BoxAnswer {
    Box::pin(async move {
        let params = decode_params::<M>(params).map_err(ErrorObject::from)?;
        match M::ROUTE {
            Route::Gateway => local::<M>(&app, &caller, &params),
            Route::Stream => stream::<M>(&app, &caller, &params).await,
            Route::Terminal => forward::<M>(app, caller, params).await,
        }
    })
}

/// Re-reads a value as another type with the same wire shape (typed params of `M` as the concrete struct).
fn cast<T: DeserializeOwned>(value: &impl Serialize) -> Result<T, ErrorObject> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|error| ErrorObject::new(ErrorKind::Internal, format!("internal type mismatch: {error}")))
}

/// Serializes a locally built result after checking it is the method's `Result` type.
fn typed<M: Method>(value: &impl Serialize) -> Answer {
    let result: M::Result = cast(value)?;
    serde_json::to_value(&result).map_err(|error| ErrorObject::new(ErrorKind::Internal, error.to_string()))
}

fn online(app: &App, grant: &Grant) -> Result<Arc<Link>, ErrorObject> {
    app.registry.link(&grant.token_id).ok_or_else(|| {
        ErrorObject::new(ErrorKind::TerminalOffline, "the terminal for this token is not linked to the gateway")
    })
}

fn local<M: Method>(app: &App, caller: &Caller, params: &M::Params) -> Answer {
    let grant = &caller.grant;
    match M::NAME {
        "get_trade_result" => {
            let params: GetTradeResultParams = cast(params)?;
            let record = app.trades.record(&grant.terminal_id, &params.client_id)?.ok_or_else(|| {
                ErrorObject::new(ErrorKind::NotFound, "no trading call with this client_id is on record")
                    .with_client_id(Some(&params.client_id))
            })?;
            typed::<M>(&record)
        }
        "ping" => {
            online(app, grant)?;
            typed::<M>(&Pong { pong: true, gateway_time: now_ms() })
        }
        "get_gateway_info" => {
            let link = online(app, grant)?;
            typed::<M>(&GatewayInfo {
                gateway_version: env!("CARGO_PKG_VERSION").to_owned(),
                protocol_version: metaapi_protocol::PROTOCOL_VERSION.to_owned(),
                device_id: app.verifier.device_id().to_owned(),
                terminal: link.identity.clone(),
                capabilities: link.capabilities.clone(),
            })
        }
        "get_token_info" => {
            online(app, grant)?;
            typed::<M>(&TokenInfo {
                token_id: grant.token_id.clone(),
                token_name: grant.token_name.clone(),
                expires_at: grant.expires_at,
                device_id: app.verifier.device_id().to_owned(),
                verified_at: grant.verified_at,
            })
        }
        other => Err(ErrorObject::new(ErrorKind::Internal, format!("{other} has no gateway handler"))),
    }
}

async fn stream<M: Method>(app: &Arc<App>, caller: &Arc<Caller>, params: &M::Params) -> Answer {
    let Some(session) = caller.session.as_ref() else {
        return Err(ErrorObject::new(ErrorKind::MethodNotFound, "only available over /ws"));
    };
    let hub = app.registry.hub(&caller.grant.token_id);
    match M::NAME {
        "subscribe" => {
            let params: SubscribeParams = cast(params)?;
            if let Some(link) = hub.link() {
                if params.streams.iter().any(|stream| matches!(stream, StreamSpec::Book { .. }))
                    && !link.capabilities.contains(&Capability::MarketDepth)
                {
                    return Err(ErrorObject::unsupported(link.identity.platform, "book streams need market depth"));
                }
                check_symbols(app, &link, &params.streams).await?;
            }
            let seq = session.outbox.seq();
            let subscriptions = session.subscribe(&params.streams)?;
            hub.refresh_interest();
            typed::<M>(&SubscribeResult { subscriptions, seq })
        }
        "unsubscribe" => {
            let params: UnsubscribeParams = cast(params)?;
            let unsubscribed = session.unsubscribe(&params.subscription_ids);
            hub.refresh_interest();
            typed::<M>(&UnsubscribeResult { unsubscribed })
        }
        "list_subscriptions" => typed::<M>(&SubscriptionList { subscriptions: session.list() }),
        "get_snapshot" => {
            let link = online(app, &caller.grant)?;
            let seq = session.outbox.seq();
            let filter = serde_json::to_value(PositionFilter::default()).unwrap_or_default();
            let account: AccountInfo = ask(&link, "get_account_info", Value::Object(Default::default())).await?;
            let positions: PositionList = ask(&link, "get_positions", filter.clone()).await?;
            let orders: OrderList = ask(&link, "get_orders", filter).await?;
            typed::<M>(&Snapshot { seq, account, positions: positions.positions, orders: orders.orders })
        }
        other => Err(ErrorObject::new(ErrorKind::Internal, format!("{other} has no stream handler"))),
    }
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

async fn ask<T: DeserializeOwned>(link: &Link, method: &str, params: Value) -> Result<T, ErrorObject> {
    let value = link.call(method, params, false, None).await?;
    serde_json::from_value(value).map_err(|error| invalid_reply(method, &error))
}

fn invalid_reply(method: &str, error: &serde_json::Error) -> ErrorObject {
    tracing::warn!(method, %error, "terminal reply does not match the result type");
    ErrorObject::new(
        ErrorKind::InvalidTerminalReply,
        format!("the terminal's reply to {method} does not match its result type: {error}"),
    )
}

async fn call<M: Method>(link: &Link, id: u64, params: Value, client_id: Option<&str>) -> Answer {
    let value = link.call_as(id, M::NAME, params, M::TRADING, client_id).await?;
    let result: M::Result = serde_json::from_value(value).map_err(|error| invalid_reply(M::NAME, &error))?;
    serde_json::to_value(&result).map_err(|error| ErrorObject::new(ErrorKind::Internal, error.to_string()))
}

/// The caller's live link, if it can answer `M`.
fn capable<M: Method>(app: &App, grant: &Grant) -> Result<Arc<Link>, ErrorObject> {
    let link = online(app, grant)?;
    if let Some(capability) = M::REQUIRES
        && !link.capabilities.contains(&capability)
    {
        return Err(ErrorObject::unsupported(
            link.identity.platform,
            format!("{} is not supported by this terminal (it lacks {capability:?})", M::NAME),
        ));
    }
    Ok(link)
}

async fn forward<M: Method>(app: Arc<App>, caller: Arc<Caller>, params: M::Params) -> Answer {
    let value =
        serde_json::to_value(&params).map_err(|error| ErrorObject::new(ErrorKind::Internal, error.to_string()))?;
    let client_id = if M::TRADING { M::client_id(&params).map(str::to_owned) } else { None };
    let request_id = next_request_id();
    let Some(client_id) = client_id else {
        let link = capable::<M>(&app, &caller.grant)?;
        return call::<M>(&link, request_id, value, None).await;
    };
    // A call with a client_id consults its record before the link: a repeat while the terminal is offline gets the
    // first call's outcome (or `outcome_unknown`), not `terminal_offline`, which would claim nothing ran.
    let hash = {
        let mut hasher = Sha256::new();
        hasher.update(M::NAME.as_bytes());
        hasher.update([0]);
        hasher.update(value.to_string().as_bytes());
        hex::encode(hasher.finalize())
    };
    let scope = caller.grant.terminal_id.clone();
    // The store commits with fsync (a trade must never run twice, even after a power cut), which can take
    // milliseconds on a real disk: it runs on the blocking pool, not on a worker every other call needs.
    let claim = {
        let (app, client_id) = (app.clone(), client_id.clone());
        tokio::task::spawn_blocking(move || app.trades.claim(&scope, &client_id, M::NAME, &hash, request_id))
            .await
            .map_err(|_| ErrorObject::new(ErrorKind::Internal, "the trade store failed"))??
    };
    let answer = match claim {
        Claim::Done(answer) => answer,
        Claim::Wait(mut receiver) => match receiver.wait_for(Option::is_some).await {
            Ok(answer) => answer.clone().unwrap_or_else(|| Err(ErrorObject::of(ErrorKind::OutcomeUnknown))),
            Err(_) => Err(ErrorObject::of(ErrorKind::OutcomeUnknown)),
        },
        Claim::Run(ticket) => {
            // The first call runs in its own task, so a client that hangs up cannot leave repeats waiting forever.
            let task_app = app.clone();
            let task_client_id = client_id.clone();
            let task = tokio::spawn(async move {
                let answer = match capable::<M>(&task_app, &caller.grant) {
                    Ok(link) => call::<M>(&link, request_id, value, Some(&task_client_id)).await,
                    Err(error) => Err(error),
                };
                let filed = answer.clone();
                let _ = tokio::task::spawn_blocking(move || task_app.trades.finish(ticket, &filed)).await;
                answer
            });
            task.await.unwrap_or_else(|_| Err(ErrorObject::of(ErrorKind::OutcomeUnknown)))
        }
    };
    answer.map_err(|error| error.with_client_id(Some(&client_id)))
}
