//! The gateway library's one error type, for failures that stop it from starting or running.

/// Why the gateway could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// A setting is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Reading or writing the data directory failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The trade outcome store failed.
    #[error("trade store error: {0}")]
    Store(#[from] rusqlite::Error),
    /// The trade outcome store could not commit its writes to disk; they are rolled back.
    #[error("the trade store could not commit to disk: {0}")]
    Commit(String),
    /// The console client could not be built.
    #[error("console client error: {0}")]
    Console(#[from] reqwest::Error),
}
