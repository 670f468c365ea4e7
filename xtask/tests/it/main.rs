//! xtask's integration tests: no crate has an import circle, generated files are fresh, the release bundle is laid
//! out as the install guide says, the workspace is layered as ARCHITECTURE.md says, and (ignored unless the Windows
//! stage runs them) the bundle's programs work under Wine.

#![forbid(unsafe_code)]

mod circles;
mod codegen;
mod dist;
mod layering;
mod wine;
