//! The console: auth tokens, devices and account status, and token verification for gateways.
//!
//! This crate is a placeholder in the workspace; its issue has not landed yet, so it exports nothing.
