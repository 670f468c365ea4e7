//! Who calls a method, and what every handler shares: the erased handler type and the way to the caller's terminal.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use metaapi_protocol::{ErrorKind, ErrorObject};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::App;
use crate::auth::Grant;
use crate::metrics::Transport;
use crate::streams::Subscriber;
use crate::terminals::{Answer, Link};

/// An answer still to come.
pub(crate) type BoxAnswer = Pin<Box<dyn Future<Output = Answer> + Send>>;
/// A handler with its types erased: raw params in, a JSON result or a wire error out.
pub(crate) type Handler = Box<dyn Fn(Arc<App>, Arc<Caller>, Option<Value>) -> BoxAnswer + Send + Sync>;

/// Who is calling: the verified token and, on `/ws`, the connection's subscriptions.
pub struct Caller {
    /// The verified token.
    pub grant: Grant,
    /// Over which transport.
    pub transport: Transport,
    /// The WebSocket client's subscriptions; `None` on `/rpc`.
    pub subscriber: Option<Arc<Subscriber>>,
}

pub(crate) fn online(app: &App, grant: &Grant) -> Result<Arc<Link>, ErrorObject> {
    app.terminals.link(&grant.token_id).ok_or_else(|| {
        ErrorObject::new(ErrorKind::TerminalOffline, "the terminal for this token is not linked to the gateway")
    })
}

pub(crate) async fn ask<T: DeserializeOwned>(link: &Link, method: &str, params: Value) -> Result<T, ErrorObject> {
    let value = link.call(method, params, false, None).await?;
    serde_json::from_value(value).map_err(|error| invalid_reply(method, &error))
}

pub(crate) fn invalid_reply(method: &str, error: &serde_json::Error) -> ErrorObject {
    tracing::warn!(method, %error, "terminal reply does not match the result type");
    ErrorObject::new(
        ErrorKind::InvalidTerminalReply,
        format!("the terminal's reply to {method} does not match its result type: {error}"),
    )
}
