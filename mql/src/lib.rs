//! The MQL runtime's build side: translates the project's MQL programs to C++ and compiles them with the C++ runtime
//! and the reference-exact declaration headers in `cpp/`, so a build fails where MetaEditor's would.
//!
//! A build script calls [`build_programs`]; [`translate`] alone gives the C++ text and the program's facts (its
//! handlers, inputs and properties). `cpp/host.h` is the interface the host (terminal-sim) implements.

#![forbid(unsafe_code)]

mod compile;
mod entry;
mod error;
mod imports;
mod lexer;
mod program;
mod rewrite;
mod translate;

use std::path::{Path, PathBuf};

pub use compile::{BuildOptions, Built, ProgramSpec, build_programs, cc_build};
pub use error::Error;
pub use program::{Handler, Input, Platform};
pub use translate::{Translation, translate, valid_program_name};

/// The folder holding the C++ runtime, the declaration headers and `host.h`.
pub fn cpp_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cpp")
}
