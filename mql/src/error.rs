//! The crate's one error type: a refusal names the MQL file and line, a failed compile carries the compiler's
//! diagnostics (which name MQL files and lines through the generated `#line` directives).

use std::path::PathBuf;

/// Why a program could not be translated or built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A source or include file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The MQL source uses something outside the subset the translator accepts.
    #[error("{file}:{line}: {what}")]
    Refused {
        /// The MQL file, as given or resolved.
        file: String,
        /// 1-based line.
        line: u32,
        /// What is refused, and why when it is not obvious.
        what: String,
    },
    /// The C++ compiler rejected a translated program: MetaEditor would have refused the same source.
    #[error("{program}: the build failed:\n{diagnostics}")]
    Compile {
        /// The program's name.
        program: String,
        /// The compiler's messages, naming MQL files and lines.
        diagnostics: String,
    },
    /// The runtime or the archive could not be built, or the compiler could not be run.
    #[error("building {what}: {message}")]
    Build {
        /// What was being built.
        what: String,
        /// The underlying error.
        message: String,
    },
    /// A program name that cannot prefix C symbols, or a duplicate one.
    #[error("program name {0:?} must be a unique C identifier")]
    ProgramName(String),
}
