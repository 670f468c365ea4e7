//! The typed router shared by `/rpc` and `/ws`: one handler per method of the protocol registry.
//!
//! The table is built by walking [`for_each_method`], so every method in the protocol is routed and nothing else is.
//! Methods routed to a terminal share one generic forwarder; the gateway's own methods take their typed handler from
//! `local.rs`. Params are decoded into the method's `Params` type (errors name the field) before anything else
//! happens, and a terminal's reply is decoded into the method's `Result` type before a client sees it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use metaapi_protocol::jsonrpc::{Request, Response, quoted_name};
use metaapi_protocol::{ErrorKind, ErrorObject, Method, MethodVisitor, Route, decode_params, for_each_method};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::auth::Grant;
use crate::local::{Handler, LocalTable};
use crate::metrics::Transport;
use crate::streams::StreamSession;
use crate::terminals::{Answer, Link, next_request_id};
use crate::trades::Claim;

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
    /// What the registry and the local table disagree on; empty in a sound build (see `completeness.rs`).
    gaps: Vec<String>,
}

struct Build {
    local: LocalTable,
    handlers: HashMap<&'static str, (Route, Handler)>,
    gaps: Vec<String>,
}

impl MethodVisitor for Build {
    fn visit<M: Method>(&mut self) {
        let handler = match (M::ROUTE, self.local.take(M::NAME)) {
            (Route::Terminal, None) => forwarder::<M>(),
            (route, Some((registered, handler))) if registered == route => handler,
            (route, None) => {
                self.gaps.push(format!("{} is routed {route:?} but has no handler in local.rs", M::NAME));
                unhandled(M::NAME)
            }
            (route, Some((registered, _))) => {
                self.gaps.push(format!("{} is routed {route:?} but local.rs registers it as {registered:?}", M::NAME));
                unhandled(M::NAME)
            }
        };
        self.handlers.insert(M::NAME, (M::ROUTE, handler));
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
        let router = Router::with_local(LocalTable::new());
        debug_assert!(router.gaps.is_empty(), "{:?}", router.gaps);
        router
    }

    /// A router whose gateway and stream methods come from `local`.
    pub(crate) fn with_local(local: LocalTable) -> Router {
        let mut build = Build { local, handlers: HashMap::new(), gaps: Vec::new() };
        for_each_method(&mut build);
        let mut gaps = build.gaps;
        gaps.extend(build.local.names().map(|name| format!("{name} has a local handler but is not in the registry")));
        Router { handlers: build.handlers, gaps }
    }

    /// What the registry and the gateway's handlers disagree on, one line each.
    #[cfg(test)]
    pub(crate) fn gaps(&self) -> &[String] {
        &self.gaps
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

    /// Runs one method's handler directly, for tests that walk the registry.
    #[cfg(test)]
    pub(crate) fn handler(&self, name: &str) -> Option<&Handler> {
        self.handlers.get(name).map(|(_, handler)| handler)
    }
}

/// The handler of a method routed to the caller's terminal.
fn forwarder<M: Method>() -> Handler {
    Box::new(|app, caller, params| {
        Box::pin(async move {
            let params = decode_params::<M>(params).map_err(ErrorObject::from)?;
            forward::<M>(app, caller, params).await
        })
    })
}

/// What a gateway method without a handler answers; `completeness.rs` keeps every registry method from getting it.
fn unhandled(name: &'static str) -> Handler {
    Box::new(move |_, _, _| {
        Box::pin(async move { Err(ErrorObject::new(ErrorKind::Internal, format!("{name} has no gateway handler"))) })
    })
}

pub(crate) fn online(app: &App, grant: &Grant) -> Result<Arc<Link>, ErrorObject> {
    app.registry.link(&grant.token_id).ok_or_else(|| {
        ErrorObject::new(ErrorKind::TerminalOffline, "the terminal for this token is not linked to the gateway")
    })
}

pub(crate) async fn ask<T: DeserializeOwned>(link: &Link, method: &str, params: Value) -> Result<T, ErrorObject> {
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
