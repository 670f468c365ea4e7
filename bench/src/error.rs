//! The harness's one error type.

/// Why a benchmark scenario could not run. Timings never make a scenario fail; only broken setups do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    /// A socket, file or process operation failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The demo stack (console, gateway, simulated terminals) could not start.
    #[error("demo: {0}")]
    Demo(#[from] metaapi_demo::DemoError),
    /// The embedded console refused an operation.
    #[error("console: {0}")]
    Console(#[from] metaapi_console::ConsoleError),
    /// A simulated terminal could not start.
    #[error("terminal: {0}")]
    Terminal(#[from] metaapi_terminal_sim::SimError),
    /// A WebSocket client failed.
    #[error("websocket: {0}")]
    WebSocket(#[from] tokio_tungstenite::tungstenite::Error),
    /// A server answered something the harness did not expect.
    #[error("{0}")]
    Unexpected(String),
}

/// Shorthand for an [`BenchError::Unexpected`].
pub(crate) fn unexpected(message: impl Into<String>) -> BenchError {
    BenchError::Unexpected(message.into())
}
