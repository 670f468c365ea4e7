//! The one wire error model: JSON-RPC codes, machine-readable kinds and the error object.
//!
//! Every error a client can see is an [`ErrorObject`]: a numeric [`ErrorCode`] (JSON-RPC standard codes plus one
//! documented application block, `-32001..=-32099`), a human message, and [`ErrorData`] whose `kind` names the exact
//! reason and whose `retryable` says whether sending the same request again is safe.
//!
//! Codes are never renumbered. A retired code stays listed in [`RETIRED_CODES`] so that it is never reused.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A JSON-RPC error code: the standard ones and the gateway's application block.
///
/// Serialized as a plain integer. Unknown integers survive a round trip as [`ErrorCode::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "i32", from = "i32")]
#[non_exhaustive]
pub enum ErrorCode {
    /// `-32700`: the body is not valid JSON.
    ParseError,
    /// `-32600`: the JSON is not a valid JSON-RPC request object.
    InvalidRequest,
    /// `-32601`: no method with that name exists (or it is not available on this transport).
    MethodNotFound,
    /// `-32602`: the params do not match the method's params type; `data.field` names the offending field.
    InvalidParams,
    /// `-32603`: an internal failure of the gateway or the bridge; the message says what failed (never a credential).
    InternalError,
    /// `-32001`: the token or this machine is not allowed; `data.kind` gives the reason
    /// (`token_missing`, `token_unknown`, `token_expired`, `token_revoked`, `token_replaced`, `device_pending`,
    /// `device_revoked`, `account_expired`, `account_disabled`).
    Unauthorized,
    /// `-32002`: the terminal for this token is not linked to the gateway right now. Retryable.
    TerminalOffline,
    /// `-32003`: the deadline passed before the terminal took the request, so it was never executed.
    /// Safe to retry.
    NotExecuted,
    /// `-32004`: the terminal took the request and then went silent; it may or may not have been executed.
    /// For trading calls, ask `get_trade_result` with the `client_id` instead of sending again.
    OutcomeUnknown,
    /// `-32005`: the trade server or terminal rejected the trade; `data.retcode` is the MT code.
    TradeRejected,
    /// `-32006`: the attached platform cannot do this (for example tick history on MT4).
    Unsupported,
    /// `-32007`: too many requests or failed sign-ins; `data.retry_after_ms` says when to try again.
    RateLimited,
    /// `-32008`: a queue is full; try again shortly.
    Overloaded,
    /// `-32009`: a body, batch or message is over its size limit.
    PayloadTooLarge,
    /// `-32010`: the symbol, ticket or `client_id` does not exist.
    NotFound,
    /// `-32011`: a `client_id` was reused with different params.
    ClientIdConflict,
    /// `-32012`: the terminal's reply did not match the method's result type; the client never sees bad data.
    InvalidTerminalReply,
    /// `-32013`: the console could not be asked and this token has no recent good verdict. Retryable.
    AuthUnavailable,
    /// `-32014`: another terminal is already linked with this token.
    TerminalConflict,
    /// Any other integer, kept as is.
    Other(i32),
}

/// Codes that were used once and must never be reused for a new meaning. Empty so far.
pub const RETIRED_CODES: &[i32] = &[];

impl ErrorCode {
    /// Every named code, in wire order. Used by the registry tests and the generated docs.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::ParseError,
        ErrorCode::InvalidRequest,
        ErrorCode::MethodNotFound,
        ErrorCode::InvalidParams,
        ErrorCode::InternalError,
        ErrorCode::Unauthorized,
        ErrorCode::TerminalOffline,
        ErrorCode::NotExecuted,
        ErrorCode::OutcomeUnknown,
        ErrorCode::TradeRejected,
        ErrorCode::Unsupported,
        ErrorCode::RateLimited,
        ErrorCode::Overloaded,
        ErrorCode::PayloadTooLarge,
        ErrorCode::NotFound,
        ErrorCode::ClientIdConflict,
        ErrorCode::InvalidTerminalReply,
        ErrorCode::AuthUnavailable,
        ErrorCode::TerminalConflict,
    ];

    /// The integer sent on the wire.
    pub const fn code(self) -> i32 {
        match self {
            ErrorCode::ParseError => -32700,
            ErrorCode::InvalidRequest => -32600,
            ErrorCode::MethodNotFound => -32601,
            ErrorCode::InvalidParams => -32602,
            ErrorCode::InternalError => -32603,
            ErrorCode::Unauthorized => -32001,
            ErrorCode::TerminalOffline => -32002,
            ErrorCode::NotExecuted => -32003,
            ErrorCode::OutcomeUnknown => -32004,
            ErrorCode::TradeRejected => -32005,
            ErrorCode::Unsupported => -32006,
            ErrorCode::RateLimited => -32007,
            ErrorCode::Overloaded => -32008,
            ErrorCode::PayloadTooLarge => -32009,
            ErrorCode::NotFound => -32010,
            ErrorCode::ClientIdConflict => -32011,
            ErrorCode::InvalidTerminalReply => -32012,
            ErrorCode::AuthUnavailable => -32013,
            ErrorCode::TerminalConflict => -32014,
            ErrorCode::Other(code) => code,
        }
    }

    /// The default message for this code.
    pub const fn message(self) -> &'static str {
        match self {
            ErrorCode::ParseError => "Parse error",
            ErrorCode::InvalidRequest => "Invalid Request",
            ErrorCode::MethodNotFound => "Method not found",
            ErrorCode::InvalidParams => "Invalid params",
            ErrorCode::InternalError => "Internal error",
            ErrorCode::Unauthorized => "Unauthorized",
            ErrorCode::TerminalOffline => "Terminal offline",
            ErrorCode::NotExecuted => "Not executed",
            ErrorCode::OutcomeUnknown => "Outcome unknown",
            ErrorCode::TradeRejected => "Trade rejected",
            ErrorCode::Unsupported => "Unsupported on this platform",
            ErrorCode::RateLimited => "Rate limited",
            ErrorCode::Overloaded => "Overloaded",
            ErrorCode::PayloadTooLarge => "Payload too large",
            ErrorCode::NotFound => "Not found",
            ErrorCode::ClientIdConflict => "client_id reused with different params",
            ErrorCode::InvalidTerminalReply => "Invalid reply from the terminal",
            ErrorCode::AuthUnavailable => "Authorization unavailable",
            ErrorCode::TerminalConflict => "Terminal already linked",
            ErrorCode::Other(_) => "Server error",
        }
    }
}

impl From<ErrorCode> for i32 {
    fn from(code: ErrorCode) -> i32 {
        code.code()
    }
}

impl From<i32> for ErrorCode {
    fn from(value: i32) -> ErrorCode {
        ErrorCode::ALL.iter().copied().find(|code| code.code() == value).unwrap_or(ErrorCode::Other(value))
    }
}

impl JsonSchema for ErrorCode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ErrorCode".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "integer",
            "format": "int32",
            "description": "JSON-RPC error code: -32700..-32600 standard, -32001..-32099 gateway application codes."
        })
    }
}

/// The machine-readable reason behind an error; the `kind` field of [`ErrorData`].
///
/// Each kind belongs to exactly one [`ErrorCode`] ([`ErrorKind::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The body is not JSON.
    ParseError,
    /// The JSON is not a JSON-RPC request.
    InvalidRequest,
    /// Unknown method name.
    MethodNotFound,
    /// Params do not match the method.
    InvalidParams,
    /// Internal failure.
    Internal,
    /// No `Authorization: Bearer` header.
    TokenMissing,
    /// The token is not known to the console.
    TokenUnknown,
    /// The token's expiry has passed.
    TokenExpired,
    /// The token was deleted.
    TokenRevoked,
    /// The token was replaced by a new one for the same terminal.
    TokenReplaced,
    /// This machine waits for approval in the console.
    DevicePending,
    /// This machine was revoked in the console.
    DeviceRevoked,
    /// The console account is past its expiry.
    AccountExpired,
    /// The console account is disabled.
    AccountDisabled,
    /// The console cannot be reached and this token has no recent good verdict.
    AuthUnavailable,
    /// The token's terminal is not linked.
    TerminalOffline,
    /// A terminal is already linked with this token.
    TerminalConflict,
    /// Timed out before the terminal took the request.
    NotExecuted,
    /// Taken by the terminal, then no answer.
    OutcomeUnknown,
    /// Rejected by the trade server; see `retcode`.
    TradeRejected,
    /// The platform cannot do this.
    Unsupported,
    /// Too many requests; see `retry_after_ms`.
    RateLimited,
    /// A queue is full.
    Overloaded,
    /// A size limit was exceeded.
    PayloadTooLarge,
    /// Symbol, ticket or `client_id` not found.
    NotFound,
    /// `client_id` reused with different params.
    ClientIdConflict,
    /// The terminal answered with data that does not match the result type.
    InvalidTerminalReply,
    /// A kind this version does not know (sent by a newer peer).
    #[serde(other)]
    Unknown,
}

impl ErrorKind {
    /// Every kind except [`ErrorKind::Unknown`].
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::ParseError,
        ErrorKind::InvalidRequest,
        ErrorKind::MethodNotFound,
        ErrorKind::InvalidParams,
        ErrorKind::Internal,
        ErrorKind::TokenMissing,
        ErrorKind::TokenUnknown,
        ErrorKind::TokenExpired,
        ErrorKind::TokenRevoked,
        ErrorKind::TokenReplaced,
        ErrorKind::DevicePending,
        ErrorKind::DeviceRevoked,
        ErrorKind::AccountExpired,
        ErrorKind::AccountDisabled,
        ErrorKind::AuthUnavailable,
        ErrorKind::TerminalOffline,
        ErrorKind::TerminalConflict,
        ErrorKind::NotExecuted,
        ErrorKind::OutcomeUnknown,
        ErrorKind::TradeRejected,
        ErrorKind::Unsupported,
        ErrorKind::RateLimited,
        ErrorKind::Overloaded,
        ErrorKind::PayloadTooLarge,
        ErrorKind::NotFound,
        ErrorKind::ClientIdConflict,
        ErrorKind::InvalidTerminalReply,
    ];

    /// The code this kind is sent with.
    pub const fn code(self) -> ErrorCode {
        match self {
            ErrorKind::ParseError => ErrorCode::ParseError,
            ErrorKind::InvalidRequest => ErrorCode::InvalidRequest,
            ErrorKind::MethodNotFound => ErrorCode::MethodNotFound,
            ErrorKind::InvalidParams => ErrorCode::InvalidParams,
            ErrorKind::Internal | ErrorKind::Unknown => ErrorCode::InternalError,
            ErrorKind::TokenMissing
            | ErrorKind::TokenUnknown
            | ErrorKind::TokenExpired
            | ErrorKind::TokenRevoked
            | ErrorKind::TokenReplaced
            | ErrorKind::DevicePending
            | ErrorKind::DeviceRevoked
            | ErrorKind::AccountExpired
            | ErrorKind::AccountDisabled => ErrorCode::Unauthorized,
            ErrorKind::AuthUnavailable => ErrorCode::AuthUnavailable,
            ErrorKind::TerminalOffline => ErrorCode::TerminalOffline,
            ErrorKind::TerminalConflict => ErrorCode::TerminalConflict,
            ErrorKind::NotExecuted => ErrorCode::NotExecuted,
            ErrorKind::OutcomeUnknown => ErrorCode::OutcomeUnknown,
            ErrorKind::TradeRejected => ErrorCode::TradeRejected,
            ErrorKind::Unsupported => ErrorCode::Unsupported,
            ErrorKind::RateLimited => ErrorCode::RateLimited,
            ErrorKind::Overloaded => ErrorCode::Overloaded,
            ErrorKind::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            ErrorKind::NotFound => ErrorCode::NotFound,
            ErrorKind::ClientIdConflict => ErrorCode::ClientIdConflict,
            ErrorKind::InvalidTerminalReply => ErrorCode::InvalidTerminalReply,
        }
    }

    /// Whether sending the same request again is safe and may succeed.
    pub const fn retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::AuthUnavailable
                | ErrorKind::TerminalOffline
                | ErrorKind::NotExecuted
                | ErrorKind::RateLimited
                | ErrorKind::Overloaded
        )
    }

    /// The HTTP status a request refused before dispatch carries (401 for token problems, 403 for device and
    /// account problems, 503 when the console is unreachable).
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorKind::TokenMissing
            | ErrorKind::TokenUnknown
            | ErrorKind::TokenExpired
            | ErrorKind::TokenRevoked
            | ErrorKind::TokenReplaced => 401,
            ErrorKind::DevicePending
            | ErrorKind::DeviceRevoked
            | ErrorKind::AccountExpired
            | ErrorKind::AccountDisabled => 403,
            ErrorKind::AuthUnavailable | ErrorKind::Overloaded => 503,
            ErrorKind::RateLimited => 429,
            ErrorKind::PayloadTooLarge => 413,
            ErrorKind::TerminalConflict => 409,
            _ => 200,
        }
    }

    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        // A static table keeps this allocation-free; a unit test checks it against the serde names.
        match self {
            ErrorKind::ParseError => "parse_error",
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::MethodNotFound => "method_not_found",
            ErrorKind::InvalidParams => "invalid_params",
            ErrorKind::Internal => "internal",
            ErrorKind::TokenMissing => "token_missing",
            ErrorKind::TokenUnknown => "token_unknown",
            ErrorKind::TokenExpired => "token_expired",
            ErrorKind::TokenRevoked => "token_revoked",
            ErrorKind::TokenReplaced => "token_replaced",
            ErrorKind::DevicePending => "device_pending",
            ErrorKind::DeviceRevoked => "device_revoked",
            ErrorKind::AccountExpired => "account_expired",
            ErrorKind::AccountDisabled => "account_disabled",
            ErrorKind::AuthUnavailable => "auth_unavailable",
            ErrorKind::TerminalOffline => "terminal_offline",
            ErrorKind::TerminalConflict => "terminal_conflict",
            ErrorKind::NotExecuted => "not_executed",
            ErrorKind::OutcomeUnknown => "outcome_unknown",
            ErrorKind::TradeRejected => "trade_rejected",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Overloaded => "overloaded",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::NotFound => "not_found",
            ErrorKind::ClientIdConflict => "client_id_conflict",
            ErrorKind::InvalidTerminalReply => "invalid_terminal_reply",
            ErrorKind::Unknown => "unknown",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Machine-readable detail of an error: the `data` member of [`ErrorObject`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorData {
    /// The exact reason.
    pub kind: ErrorKind,
    /// Whether the same request may be sent again as is.
    pub retryable: bool,
    /// For `rate_limited`: wait at least this long before the next attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// For `invalid_params`: the path of the offending field, for example `volume` or `streams[0].symbol`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `trade_rejected`: the raw MT code (MT5 retcode 10004..10045, MT4 error 129..150).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retcode: Option<i32>,
    /// For `trade_rejected`: the MT name of `retcode`, for example `TRADE_RETCODE_INVALID_VOLUME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retcode_name: Option<String>,
    /// For trading calls: the `client_id` the outcome is filed under (ask `get_trade_result` with it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// For `unsupported`: the platform that lacks the feature (`mt4` or `mt5`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<crate::types::Platform>,
}

impl ErrorData {
    /// Data with only `kind` and its default `retryable`.
    pub fn new(kind: ErrorKind) -> ErrorData {
        ErrorData {
            kind,
            retryable: kind.retryable(),
            retry_after_ms: None,
            field: None,
            retcode: None,
            retcode_name: None,
            client_id: None,
            platform: None,
        }
    }
}

/// The JSON-RPC error object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[serde(deny_unknown_fields)]
#[error("{message} ({code:?})")]
pub struct ErrorObject {
    /// The numeric code.
    pub code: ErrorCode,
    /// A short human description. Never contains a token or other secret.
    pub message: String,
    /// Machine-readable detail. Absent only on errors from peers that are not this gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<ErrorData>,
}

impl ErrorObject {
    /// An error of `kind` with a specific message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ErrorObject {
        ErrorObject { code: kind.code(), message: message.into(), data: Some(ErrorData::new(kind)) }
    }

    /// An error of `kind` with the code's default message.
    pub fn of(kind: ErrorKind) -> ErrorObject {
        ErrorObject::new(kind, kind.code().message())
    }

    /// `invalid_params` naming the offending field.
    pub fn invalid_params(field: Option<String>, message: impl Into<String>) -> ErrorObject {
        let mut error = ErrorObject::new(ErrorKind::InvalidParams, message);
        if let Some(data) = error.data.as_mut() {
            data.field = field;
        }
        error
    }

    /// `trade_rejected` with the MT retcode and its name.
    pub fn trade_rejected(retcode: i32, retcode_name: impl Into<String>, message: impl Into<String>) -> ErrorObject {
        let mut error = ErrorObject::new(ErrorKind::TradeRejected, message);
        if let Some(data) = error.data.as_mut() {
            data.retcode = Some(retcode);
            data.retcode_name = Some(retcode_name.into());
        }
        error
    }

    /// `unsupported` on `platform`.
    pub fn unsupported(platform: crate::types::Platform, message: impl Into<String>) -> ErrorObject {
        let mut error = ErrorObject::new(ErrorKind::Unsupported, message);
        if let Some(data) = error.data.as_mut() {
            data.platform = Some(platform);
        }
        error
    }

    /// `rate_limited` with the wait before the next attempt.
    pub fn rate_limited(retry_after_ms: u64) -> ErrorObject {
        let mut error = ErrorObject::of(ErrorKind::RateLimited);
        if let Some(data) = error.data.as_mut() {
            data.retry_after_ms = Some(retry_after_ms);
        }
        error
    }

    /// Files the error under a trading call's `client_id`.
    pub fn with_client_id(mut self, client_id: Option<&str>) -> ErrorObject {
        if let (Some(data), Some(client_id)) = (self.data.as_mut(), client_id) {
            data.client_id = Some(client_id.to_owned());
        }
        self
    }

    /// The kind, or [`ErrorKind::Unknown`] for errors without data.
    pub fn kind(&self) -> ErrorKind {
        self.data.as_ref().map_or(ErrorKind::Unknown, |data| data.kind)
    }
}
