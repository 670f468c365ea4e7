//! Typed Rust client for the local gateway.
//!
//! This crate is a placeholder in the workspace; its issue has not landed yet, so it exports nothing.
