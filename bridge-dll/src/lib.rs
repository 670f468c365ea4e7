//! The bridge DLL loaded by the MetaTrader EA: the mtb_* C ABI and the link to the gateway.
//!
//! This crate is a placeholder in the workspace; its issue has not landed yet, so it exports nothing.
