//! The local gateway: /rpc, /ws and /terminal on 127.0.0.1:6000.
//!
//! This crate is a placeholder in the workspace; its issue has not landed yet, so it exports nothing.
