//! A simulated MT5/MT4 terminal that drives the bridge through its C ABI.
//!
//! This crate is a placeholder in the workspace; its issue has not landed yet, so it exports nothing.
