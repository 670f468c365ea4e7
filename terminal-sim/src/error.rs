//! The crate's one error type.

/// What can go wrong loading the bridge or running the simulated EA.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The bridge library or one of its exports could not be loaded.
    #[error("cannot load the bridge library: {0}")]
    Load(#[from] libloading::Error),
    /// The bridge speaks another ABI major version.
    #[error("bridge ABI version {found:#x} does not match the simulator's {expected:#x}")]
    AbiMismatch {
        /// What the DLL reports.
        found: i32,
        /// What the simulator speaks.
        expected: i32,
    },
    /// A bridge call failed.
    #[error("{call} failed with status {status}: {message}")]
    Bridge {
        /// The export.
        call: &'static str,
        /// Its status code.
        status: i32,
        /// `mtb_last_error`.
        message: String,
    },
    /// The MQL program could not be created or its OnInit failed; the journal says why.
    #[error("the MQL program failed ({what}); journal:\n{journal}")]
    Program {
        /// What failed.
        what: String,
        /// The program's Experts journal lines.
        journal: String,
    },
    /// The EA thread could not be started.
    #[error("cannot start the simulator thread: {0}")]
    Thread(#[from] std::io::Error),
}
