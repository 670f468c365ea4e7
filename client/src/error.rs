//! The client's one error type, mapped from the gateway's `error.data.kind`.

use std::time::Duration;

use metaapi_protocol::{ErrorKind, ErrorObject};

/// Why a call failed.
///
/// The variants a program usually handles have their own case; everything else is [`ClientError::Rpc`] with the
/// full error object. [`ClientError::is_retryable`] says whether sending again is safe.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The token or this machine is not allowed; `kind` is the reason (`token_expired`, `device_revoked`, ...).
    #[error("unauthorized: {kind}")]
    Unauthorized {
        /// The reason.
        kind: ErrorKind,
    },
    /// The token's terminal is not linked to the gateway.
    #[error("terminal offline")]
    TerminalOffline,
    /// The request timed out before the terminal took it; nothing was executed.
    #[error("not executed: the terminal did not take the request in time")]
    NotExecuted,
    /// The terminal took the request and went silent. For trading calls, `client_id` finds the outcome later.
    #[error("outcome unknown (client_id {client_id:?})")]
    OutcomeUnknown {
        /// The trading call's idempotency key, for `get_trade_result`.
        client_id: Option<String>,
    },
    /// The trade server rejected the trade.
    #[error("trade rejected: {retcode_name} ({retcode}): {message}")]
    TradeRejected {
        /// Raw MT code.
        retcode: i32,
        /// Its MT name.
        retcode_name: String,
        /// Human description.
        message: String,
    },
    /// The attached platform cannot do this.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// Too many requests; wait this long.
    #[error("rate limited; retry after {retry_after:?}")]
    RateLimited {
        /// How long to wait.
        retry_after: Duration,
    },
    /// Any other JSON-RPC error.
    #[error("{0}")]
    Rpc(ErrorObject),
    /// The gateway could not be reached or the connection broke before an answer.
    #[error("transport: {0}")]
    Transport(String),
    /// The gateway's answer did not match the method's result type.
    #[error("unexpected answer: {0}")]
    Decode(String),
}

impl ClientError {
    /// Whether sending the same request again is safe and may succeed.
    ///
    /// Trading calls always carry a `client_id`, so resending one is safe even after
    /// [`ClientError::OutcomeUnknown`] or a transport error: the gateway executes an id at most once.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::TerminalOffline
            | ClientError::NotExecuted
            | ClientError::RateLimited { .. }
            | ClientError::Transport(_) => true,
            ClientError::Rpc(error) => error.data.as_ref().is_some_and(|data| data.retryable),
            _ => false,
        }
    }

    /// The wire kind behind this error, when it came from the gateway.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            ClientError::Unauthorized { kind } => Some(*kind),
            ClientError::TerminalOffline => Some(ErrorKind::TerminalOffline),
            ClientError::NotExecuted => Some(ErrorKind::NotExecuted),
            ClientError::OutcomeUnknown { .. } => Some(ErrorKind::OutcomeUnknown),
            ClientError::TradeRejected { .. } => Some(ErrorKind::TradeRejected),
            ClientError::Unsupported(_) => Some(ErrorKind::Unsupported),
            ClientError::RateLimited { .. } => Some(ErrorKind::RateLimited),
            ClientError::Rpc(error) => Some(error.kind()),
            ClientError::Transport(_) | ClientError::Decode(_) => None,
        }
    }
}

impl From<ErrorObject> for ClientError {
    fn from(error: ErrorObject) -> ClientError {
        let data = error.data.clone();
        match error.kind() {
            kind if kind.code() == metaapi_protocol::ErrorCode::Unauthorized => ClientError::Unauthorized { kind },
            ErrorKind::TerminalOffline => ClientError::TerminalOffline,
            ErrorKind::NotExecuted => ClientError::NotExecuted,
            ErrorKind::OutcomeUnknown => {
                ClientError::OutcomeUnknown { client_id: data.and_then(|data| data.client_id) }
            }
            ErrorKind::TradeRejected => ClientError::TradeRejected {
                retcode: data.as_ref().and_then(|data| data.retcode).unwrap_or_default(),
                retcode_name: data.and_then(|data| data.retcode_name).unwrap_or_default(),
                message: error.message,
            },
            ErrorKind::Unsupported => ClientError::Unsupported(error.message),
            ErrorKind::RateLimited => ClientError::RateLimited {
                retry_after: Duration::from_millis(data.and_then(|data| data.retry_after_ms).unwrap_or(1000)),
            },
            _ => ClientError::Rpc(error),
        }
    }
}
