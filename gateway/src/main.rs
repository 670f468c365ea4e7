//! The `metaapi-gateway` binary: parses the command line (`cli`), then runs the library's `serve` or, with `demo`,
//! the whole stack (console, gateway, simulated terminal) from `metaapi_demo` (`run`); on Windows `service` runs
//! the same under the service manager.

#![forbid(unsafe_code)]

use anyhow::Context;
use clap::Parser;
use metaapi_console::platform::shutdown_signal;

mod cli;
mod run;
#[cfg(windows)]
mod service;

use cli::Cli;
#[cfg(windows)]
use cli::Command;

/// mimalloc instead of glibc malloc: allocation was about a tenth of the gateway's CPU under load (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    #[cfg(windows)]
    if let Some(Command::Service(command)) = cli.command {
        return service::main(command);
    }
    let runtime = metaapi_gateway_core::runtime::builder(usize::from(cli.workers))
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run::run(cli, shutdown_signal()))
}
