//! Shared setup for the examples: where the gateway is and which token to use.
//!
//! Every example reads `METAAPI_URL` (default `http://127.0.0.1:6000`) and `METAAPI_TOKEN` (the token the demo
//! prints). Run one with `cargo run -p metaapi-examples --bin account_info`.

#![forbid(unsafe_code)]

use anyhow::Context;
use metaapi_client::Client;

/// The gateway's base URL from `METAAPI_URL`.
pub fn gateway_url() -> String {
    std::env::var("METAAPI_URL").unwrap_or_else(|_| "http://127.0.0.1:6000".to_owned())
}

/// A client for `METAAPI_TOKEN` on [`gateway_url`].
pub fn client_from_env() -> anyhow::Result<Client> {
    let token = std::env::var("METAAPI_TOKEN").context("set METAAPI_TOKEN to the token the demo printed")?;
    Ok(Client::new(gateway_url(), token))
}
