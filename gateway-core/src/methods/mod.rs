//! The typed router shared by `/rpc` and `/ws`: one handler per method of the protocol registry.
//!
//! The table is built by walking [`for_each_method`], so every method in the protocol is routed and nothing else is.
//! Methods routed to a terminal share one generic forwarder (`forward.rs`); the gateway's own methods take their
//! typed handler from `local.rs`; `settle.rs` is how `get_trade_result` settles an `unknown` record from what the
//! terminal shows. Params are decoded into the method's `Params` type (errors name the field) before
//! anything else happens, and a terminal's reply is decoded into the method's `Result` type before a client sees it.

mod caller;
mod forward;
mod local;
mod settle;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::Instant;

use metaapi_protocol::jsonrpc::{Incoming, Outgoing, Request, Response, quoted_name};
use metaapi_protocol::{ErrorKind, ErrorObject, Method, MethodVisitor, Route, for_each_method};

#[cfg(test)]
pub(crate) use caller::BoxAnswer;
pub use caller::Caller;
pub(crate) use caller::Handler;
pub(crate) use local::LocalTable;

use crate::app::App;
use forward::forwarder;

/// The one router: it holds no state, only the registry's walk, so every transport and every gateway shares it.
static ROUTER: LazyLock<Router> = LazyLock::new(Router::new);

/// The router every transport dispatches through.
pub fn router() -> &'static Router {
    &ROUTER
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
            Some((Route::Stream, _)) if caller.subscriber.is_none() => Err(ErrorObject::new(
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

    /// Runs the calls of a framed message concurrently; `None` when nothing is to be answered.
    pub async fn run_calls(&self, app: &Arc<App>, caller: &Arc<Caller>, incoming: Incoming) -> Option<Outgoing> {
        let (batch, calls) = match incoming {
            Incoming::Rejected(response) => {
                if let metaapi_protocol::jsonrpc::Payload::Error(error) = &response.payload {
                    app.metrics.error(error.kind());
                }
                return Some(Outgoing::Single(response));
            }
            Incoming::Single(call) => (false, vec![call]),
            Incoming::Batch(calls) => (true, calls),
        };
        let answers = futures_util::future::join_all(calls.into_iter().map(|call| async move {
            match call {
                Ok(request) => self.dispatch(app, caller, request).await,
                Err(response) => {
                    if let metaapi_protocol::jsonrpc::Payload::Error(error) = &response.payload {
                        app.metrics.error(error.kind());
                    }
                    Some(response)
                }
            }
        }))
        .await;
        Outgoing::from_answers(batch, answers)
    }

    /// Runs one method's handler directly, for tests that walk the registry.
    #[cfg(test)]
    pub(crate) fn handler(&self, name: &str) -> Option<&Handler> {
        self.handlers.get(name).map(|(_, handler)| handler)
    }
}

/// What a gateway method without a handler answers; `completeness.rs` keeps every registry method from getting it.
fn unhandled(name: &'static str) -> Handler {
    Box::new(move |_, _, _| {
        Box::pin(async move { Err(ErrorObject::new(ErrorKind::Internal, format!("{name} has no gateway handler"))) })
    })
}
