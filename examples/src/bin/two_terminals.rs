//! Talks to two terminals from one program: one client per token, each routed to its own terminal.
//!
//! Set `METAAPI_TOKENS` to two tokens separated by a comma (the demo prints both with `--terminals 2`).

#![forbid(unsafe_code)]

use anyhow::Context;
use metaapi_client::Client;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let tokens = std::env::var("METAAPI_TOKENS").context("set METAAPI_TOKENS to two comma-separated tokens")?;
    let clients: Vec<Client> =
        tokens.split(',').map(|token| Client::new(metaapi_examples::gateway_url(), token.trim())).collect();
    anyhow::ensure!(clients.len() >= 2, "METAAPI_TOKENS needs two tokens");
    // Both accounts in parallel: the gateway routes each call by its token.
    let answers = futures_util::future::join_all(clients.iter().map(|client| client.get_account_info())).await;
    for (index, answer) in answers.into_iter().enumerate() {
        let account = answer?;
        println!(
            "terminal {}: {:?} login {} balance {:.2} {}",
            index + 1,
            account.platform,
            account.login,
            account.balance,
            account.currency
        );
    }
    Ok(())
}
