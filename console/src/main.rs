//! The `metaapi-console` binary: parses the command line, sets up logging, and runs the library's CLI.

#![forbid(unsafe_code)]

use clap::Parser;
use metaapi_console::cli::{Cli, run};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if cli.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
    run(cli).await?;
    Ok(())
}
