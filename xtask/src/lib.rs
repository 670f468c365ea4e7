//! Project automation behind `cargo xtask`: code generation and its staleness check, and the release bundle
//! ([`dist`]).
//!
//! [`generated_files`] is the single list of generated artifacts and their contents. `cargo xtask codegen` writes
//! them; the `codegen_is_fresh` test compares them with the committed files and fails, naming the stale ones.

#![forbid(unsafe_code)]

pub mod circles;
mod codegen;
pub mod dist;
mod docs;
mod generated;

use std::path::{Path, PathBuf};

pub use codegen::{canonical_json, generated_files, stale_files, write_generated};
pub use generated::GeneratedFile;

/// The repository root.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives one level below the root").to_path_buf()
}
