//! The MQL runtime's build side: translates the project's MQL programs to C++ and compiles them with the runtime.

use std::path::{Path, PathBuf};

/// The folder holding the C++ runtime, the declaration headers and `host.h`.
pub fn cpp_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cpp")
}
