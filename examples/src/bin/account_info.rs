//! Prints the account the token's terminal is logged in to: the token doc's `get_account_info` call.

#![forbid(unsafe_code)]

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let client = metaapi_examples::client_from_env()?;
    let account = client.get_account_info().await?;
    println!("login     {} ({:?}, {:?})", account.login, account.platform, account.margin_mode);
    println!("server    {} / {}", account.server, account.company);
    println!("balance   {:.2} {}", account.balance, account.currency);
    println!("equity    {:.2}", account.equity);
    println!("free      {:.2}", account.free_margin);
    Ok(())
}
