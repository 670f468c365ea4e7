//! Status codes of the C ABI and the crate's one error type, which maps onto them.

/// Success.
pub const MTB_OK: i32 = 0;
/// Null pointer with a length, negative length or capacity, bad enum value.
pub const MTB_E_INVALID_ARG: i32 = -1;
/// An input is not UTF-8.
pub const MTB_E_INVALID_UTF8: i32 = -2;
/// `*out_needed` holds the size needed; nothing was consumed.
pub const MTB_E_BUFFER_TOO_SMALL: i32 = -3;
/// Unknown or stopped session handle.
pub const MTB_E_NO_SESSION: i32 = -4;
/// The caller's `abi_major` differs from the DLL's.
pub const MTB_E_ABI_MISMATCH: i32 = -5;
/// Unknown request or event id, or the param path is absent.
pub const MTB_E_NOT_FOUND: i32 = -6;
/// The param exists but has another JSON type.
pub const MTB_E_WRONG_TYPE: i32 = -7;
/// The reply or event failed the check against its protocol type.
pub const MTB_E_INVALID_REPLY: i32 = -8;
/// A JSON input does not parse.
pub const MTB_E_INVALID_JSON: i32 = -9;
/// An event could not be queued; it was counted in `mtb_status`.
pub const MTB_E_QUEUE_FULL: i32 = -10;
/// `mtb_start`'s config is missing a member or has a bad one.
pub const MTB_E_INVALID_CONFIG: i32 = -11;
/// A bug in the DLL was caught; the DLL keeps working.
pub const MTB_E_PANIC: i32 = -99;

/// `mtb_wait` bit: a request is queued.
pub const MTB_READY_REQUEST: i32 = 1;
/// `mtb_wait` bit: the link state changed since the last wait that reported it.
pub const MTB_READY_LINK: i32 = 2;
/// `mtb_wait` bit: the session is stopping.
pub const MTB_READY_STOPPING: i32 = 4;
/// `mtb_wait` bit: the clients' demand (`mtb_demand`) changed since the last wait that reported it.
pub const MTB_READY_DEMAND: i32 = 8;

/// Every status code with its C name, for the generated MQL include and C header.
pub const STATUS_CODES: &[(&str, i32)] = &[
    ("MTB_OK", MTB_OK),
    ("MTB_E_INVALID_ARG", MTB_E_INVALID_ARG),
    ("MTB_E_INVALID_UTF8", MTB_E_INVALID_UTF8),
    ("MTB_E_BUFFER_TOO_SMALL", MTB_E_BUFFER_TOO_SMALL),
    ("MTB_E_NO_SESSION", MTB_E_NO_SESSION),
    ("MTB_E_ABI_MISMATCH", MTB_E_ABI_MISMATCH),
    ("MTB_E_NOT_FOUND", MTB_E_NOT_FOUND),
    ("MTB_E_WRONG_TYPE", MTB_E_WRONG_TYPE),
    ("MTB_E_INVALID_REPLY", MTB_E_INVALID_REPLY),
    ("MTB_E_INVALID_JSON", MTB_E_INVALID_JSON),
    ("MTB_E_QUEUE_FULL", MTB_E_QUEUE_FULL),
    ("MTB_E_INVALID_CONFIG", MTB_E_INVALID_CONFIG),
    ("MTB_E_PANIC", MTB_E_PANIC),
];

/// Every `mtb_wait` bit with its C name.
pub const READY_BITS: &[(&str, i32)] = &[
    ("MTB_READY_REQUEST", MTB_READY_REQUEST),
    ("MTB_READY_LINK", MTB_READY_LINK),
    ("MTB_READY_STOPPING", MTB_READY_STOPPING),
    ("MTB_READY_DEMAND", MTB_READY_DEMAND),
];

/// Why a call failed. Each variant maps to one status code; the message goes to `mtb_last_error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BridgeError {
    /// A pointer, length, capacity or enum value is not acceptable.
    #[error("invalid argument: {0}")]
    InvalidArg(String),
    /// An input is not UTF-8.
    #[error("{0} is not valid UTF-8")]
    InvalidUtf8(&'static str),
    /// The output buffer is too small; `needed` bytes are required.
    #[error("buffer too small: {needed} bytes needed, capacity {cap}")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Capacity given.
        cap: usize,
    },
    /// The session handle is unknown or stopped.
    #[error("no session {0} (never started or already stopped)")]
    NoSession(i64),
    /// The caller was written for another ABI major version.
    #[error("ABI mismatch: the caller expects major {caller}, this DLL implements major {ours}")]
    AbiMismatch {
        /// The caller's major.
        caller: i32,
        /// The DLL's major.
        ours: i32,
    },
    /// An id or a param path does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A value exists with another JSON type.
    #[error("wrong type: {0}")]
    WrongType(String),
    /// A reply or event does not match its protocol type.
    #[error("invalid reply: {0}")]
    InvalidReply(String),
    /// A JSON input does not parse.
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    /// A bounded queue is full.
    #[error("queue full: {0}")]
    QueueFull(String),
    /// The start config is incomplete or wrong.
    #[error("invalid config: {0}")]
    InvalidConfig(String),
    /// A panic was caught at the boundary.
    #[error("internal error (caught panic): {0}")]
    Panic(String),
}

impl BridgeError {
    /// The status code the export returns.
    pub fn code(&self) -> i32 {
        match self {
            BridgeError::InvalidArg(_) => MTB_E_INVALID_ARG,
            BridgeError::InvalidUtf8(_) => MTB_E_INVALID_UTF8,
            BridgeError::BufferTooSmall { .. } => MTB_E_BUFFER_TOO_SMALL,
            BridgeError::NoSession(_) => MTB_E_NO_SESSION,
            BridgeError::AbiMismatch { .. } => MTB_E_ABI_MISMATCH,
            BridgeError::NotFound(_) => MTB_E_NOT_FOUND,
            BridgeError::WrongType(_) => MTB_E_WRONG_TYPE,
            BridgeError::InvalidReply(_) => MTB_E_INVALID_REPLY,
            BridgeError::InvalidJson(_) => MTB_E_INVALID_JSON,
            BridgeError::QueueFull(_) => MTB_E_QUEUE_FULL,
            BridgeError::InvalidConfig(_) => MTB_E_INVALID_CONFIG,
            BridgeError::Panic(_) => MTB_E_PANIC,
        }
    }

    /// Shorthand for [`BridgeError::InvalidArg`].
    pub fn arg(message: impl Into<String>) -> BridgeError {
        BridgeError::InvalidArg(message.into())
    }
}

/// Result of the crate's internal calls.
pub type BridgeResult<T> = Result<T, BridgeError>;
