//! What a generator produces, in its own module so the generators (`docs`) and the list that gathers them
//! ([`crate::generated_files`]) both use it without importing each other.

/// One generated file: its path relative to the root and its full contents.
pub struct GeneratedFile {
    /// Relative path, with `/` separators.
    pub path: &'static str,
    /// The exact text to commit.
    pub contents: String,
}
