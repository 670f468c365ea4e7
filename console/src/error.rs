//! The one error type of the console library, and how each error reads on the wire.

use metaapi_protocol::console::ConsoleError as ErrorBody;

/// Everything that can go wrong in the console.
///
/// Input errors carry a machine-readable code and, when one field is to blame, its name, so the HTTP layer can
/// answer with a precise `ConsoleError` body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConsoleError {
    /// The request is malformed or a value is out of range (HTTP 400).
    #[error("{message}")]
    Invalid {
        /// Machine-readable code, for example `invalid_name`.
        code: &'static str,
        /// What is wrong, for a person.
        message: String,
        /// The offending field.
        field: Option<String>,
    },
    /// Missing, wrong or unacceptable credentials (HTTP 401).
    #[error("{0}")]
    Unauthorized(String),
    /// The request is refused whoever sends it: a foreign `Host` or `Origin` (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// The request body is larger than the console accepts (HTTP 413).
    #[error("request bodies are limited to {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The named object does not exist for this account (HTTP 404).
    #[error("{what} {id} not found")]
    NotFound {
        /// Kind of object: `token`, `device`, `user`.
        what: &'static str,
        /// The id that was asked for.
        id: String,
    },
    /// The object is in a state that forbids the operation (HTTP 409).
    #[error("{message}")]
    Conflict {
        /// Machine-readable code, for example `token_revoked`.
        code: &'static str,
        /// What is wrong, for a person.
        message: String,
    },
    /// Too many failed sign-ins from this peer (HTTP 429).
    #[error("too many failed sign-ins; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until the peer may try again.
        retry_after_secs: u64,
    },
    /// The configuration holds a value the console cannot use.
    #[error("invalid console configuration: {0}")]
    Config(String),
    /// The database failed.
    #[error("storage error: {0}")]
    Store(#[from] rusqlite::Error),
    /// The PostgreSQL database or its connection pool failed.
    #[error("database error: {0}")]
    Database(String),
    /// The database was written by a newer console than this one.
    #[error("database schema version {found} is newer than this console supports ({supported})")]
    SchemaTooNew {
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// A file system or socket operation failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The operating system's random number generator failed.
    #[error("random number generator failed: {0}")]
    Random(String),
    /// Password hashing failed.
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    /// A running console refused a CLI command or could not be reached.
    #[error("{0}")]
    Remote(String),
    /// A blocking task panicked or was cancelled.
    #[error("internal task failed: {0}")]
    Task(String),
}

impl ConsoleError {
    /// Shorthand for an [`ConsoleError::Invalid`] blaming one field.
    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> ConsoleError {
        ConsoleError::Invalid { code, message: message.into(), field: Some(field.to_owned()) }
    }

    /// A [`ConsoleError::Database`] from whatever the PostgreSQL driver or its pool reported; the text is only
    /// logged, since [`ConsoleError::body`] hides internal errors from callers.
    pub(crate) fn database(error: impl std::fmt::Display) -> ConsoleError {
        ConsoleError::Database(error.to_string())
    }

    /// The HTTP status this error is answered with.
    pub fn http_status(&self) -> u16 {
        match self {
            ConsoleError::Invalid { .. } => 400,
            ConsoleError::Unauthorized(_) => 401,
            ConsoleError::Forbidden(_) => 403,
            ConsoleError::NotFound { .. } => 404,
            ConsoleError::Conflict { .. } => 409,
            ConsoleError::TooLarge { .. } => 413,
            ConsoleError::RateLimited { .. } => 429,
            _ => 500,
        }
    }

    /// The JSON body this error is answered with. Internal errors do not leak details to the caller.
    pub fn body(&self) -> ErrorBody {
        let (error, field) = match self {
            ConsoleError::Invalid { code, field, .. } => (*code, field.clone()),
            ConsoleError::Unauthorized(_) => ("unauthorized", None),
            ConsoleError::Forbidden(_) => ("forbidden", None),
            ConsoleError::NotFound { .. } => ("not_found", None),
            ConsoleError::Conflict { code, .. } => (*code, None),
            ConsoleError::TooLarge { .. } => ("body_too_large", None),
            ConsoleError::RateLimited { .. } => ("rate_limited", None),
            _ => ("internal", None),
        };
        let message =
            if self.http_status() >= 500 { "internal error; see the console log".to_owned() } else { self.to_string() };
        ErrorBody { error: error.to_owned(), message, field }
    }
}
