//! `metaapi-bench`: runs the loopback benchmarks, prints the table and (full mode, or `--write`) writes
//! `BENCHMARKS.md`. The hidden `serve-gateway`, `serve-echo`, `serve-demo` and `bridge-probe` commands are its own
//! child processes.

#![forbid(unsafe_code)]

mod console_load;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use metaapi_bench::{Part, Plan, Profile, Profiled, children, profile_load, run};

/// mimalloc, as the gateway binary uses, but the system allocator in the bridge probe (see `allocator`).
#[global_allocator]
static ALLOCATOR: metaapi_bench::allocator::Allocator = metaapi_bench::allocator::Allocator::new();

/// Loopback benchmarks of the gateway, as ratios against a bare HTTP JSON echo measured in the same run.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A few seconds with tiny counts: the same table, numbers that mean nothing. Writes nothing unless --write.
    #[arg(long)]
    smoke: bool,
    /// Write the report even in smoke mode.
    #[arg(long)]
    write: bool,
    /// Run only one part (rpc, fanout, memory, workers or external) and write nothing: for working on that part.
    /// `console` runs the console at scale (`console_load`) and writes (full mode, or --write) only its section.
    #[arg(long, value_parser = ["rpc", "fanout", "memory", "workers", "external", "console"])]
    only: Option<String>,
    /// Where to write the report.
    #[arg(long, default_value = "BENCHMARKS.md")]
    output: PathBuf,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Child process: the gateway alone, until stdin closes.
    #[command(hide = true)]
    ServeGateway {
        #[arg(long)]
        console_url: String,
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Child process: the echo baseline alone, for wrk, until stdin closes.
    #[command(hide = true)]
    ServeEcho,
    /// Child process: the demo stack alone, for wrk, until stdin closes.
    #[command(hide = true)]
    ServeDemo,
    /// Child process: one console replica, until stdin closes.
    #[command(hide = true)]
    ServeConsole {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Child process: bare bridge sessions, reporting this process's footprint.
    #[command(hide = true)]
    BridgeProbe,
    /// Only one server's get_quote load, to point a profiler at (prints p50, p99 and calls per second).
    #[command(hide = true)]
    Profile {
        #[arg(long, default_value_t = 32)]
        connections: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// What to load: gateway, relay (the topology floor) or echo with calls; fanout or fanout-floor with ticks.
        #[arg(long, value_enum, default_value_t = Profiled::Gateway)]
        server: Profiled,
        /// Worker threads of the server runtime.
        #[arg(long, default_value_t = metaapi_gateway_core::runtime::DEFAULT_WORKERS)]
        workers: usize,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::ServeGateway { console_url, data_dir }) => {
            return children::serve_gateway(console_url, data_dir).context("gateway child");
        }
        Some(Command::ServeConsole { data_dir, database_url }) => {
            return console_load::serve_console(data_dir, database_url).context("console child");
        }
        Some(Command::BridgeProbe) => return children::bridge_probe().context("bridge probe"),
        Some(Command::ServeEcho) => return metaapi_bench::external::serve_echo().context("echo child"),
        Some(Command::ServeDemo) => return metaapi_bench::external::serve_demo().context("demo child"),
        Some(Command::Profile { connections, seconds, server, workers }) => {
            let duration = std::time::Duration::from_secs(seconds);
            let server_name = server.to_possible_value().map(|value| value.get_name().to_owned()).unwrap_or_default();
            match profile_load(server, workers, connections, duration)? {
                Profile::Calls(measured) => println!(
                    "get_quote on the {server_name}, {connections} conn, {workers} worker(s): p50 {} µs, p99 {} µs, {:.0} calls/s",
                    measured.quantile_us(0.5),
                    measured.quantile_us(0.99),
                    measured.throughput()
                ),
                Profile::Fanout(fanned) => println!(
                    "{server_name}, {workers} worker(s): p50 {} µs, p99 {} µs, lost {}",
                    fanned.latency.value_at_quantile(0.5),
                    fanned.latency.value_at_quantile(0.99),
                    fanned.lost()
                ),
            }
            return Ok(());
        }
        None => {}
    }
    let executable = std::env::current_exe().context("cannot find this executable")?;
    if cli.only.as_deref() == Some("console") {
        return console_only(&cli, &executable);
    }
    let mut plan = if cli.smoke { Plan::smoke(executable) } else { Plan::full(executable) };
    plan.only = cli.only.as_deref().and_then(Part::parse);
    let report = run(&plan, &mut |step| eprintln!("- {step}")).context("the benchmark could not run")?;
    println!("{}", report.table());
    let console = if cli.smoke && plan.only.is_none() {
        let outcomes =
            console_load::run(&plan.executable, console_load::ConsolePlan::smoke(), &mut |step| eprintln!("- {step}"))
                .context("the console load could not run")?;
        println!("{}", console_load::table(&outcomes));
        Some(outcomes)
    } else {
        None
    };
    if plan.only.is_none() && (!cli.smoke || cli.write) {
        let command = if cli.smoke {
            "cargo run --release -p metaapi-bench -- --smoke --write"
        } else {
            "cargo run --release -p metaapi-bench"
        };
        let mut text = report.markdown(&metaapi_bench::machine(), &metaapi_bench::date(), command);
        // The console's section is measured by its own run (`--only console`, with PostgreSQL); keep it.
        let old = std::fs::read_to_string(&cli.output).unwrap_or_default();
        if let Some(outcomes) = &console {
            let section = console_load::markdown(outcomes, &metaapi_bench::machine(), &metaapi_bench::date(), command);
            text = console_load::with_section(&text, &section);
        } else if let Some(section) = console_load::section_of(&old) {
            text = console_load::with_section(&text, section);
        }
        std::fs::write(&cli.output, text).with_context(|| format!("cannot write {}", cli.output.display()))?;
        eprintln!("wrote {}", cli.output.display());
    }
    Ok(())
}

/// `--only console`: the console at scale alone; full mode (or `--write`) replaces only its section of the output.
fn console_only(cli: &Cli, executable: &std::path::Path) -> anyhow::Result<()> {
    let plan = if cli.smoke { console_load::ConsolePlan::smoke() } else { console_load::ConsolePlan::full() };
    let outcomes = console_load::run(executable, plan, &mut |step| eprintln!("- {step}"))
        .context("the console load could not run")?;
    println!("{}", console_load::table(&outcomes));
    if !cli.smoke || cli.write {
        let command = if cli.smoke {
            "cargo run --release -p metaapi-bench -- --only console --smoke --write"
        } else {
            "bash console/tests/with-postgres.sh cargo run --release -p metaapi-bench -- --only console"
        };
        let section = console_load::markdown(&outcomes, &metaapi_bench::machine(), &metaapi_bench::date(), command);
        let old = std::fs::read_to_string(&cli.output).unwrap_or_default();
        std::fs::write(&cli.output, console_load::with_section(&old, &section))
            .with_context(|| format!("cannot write {}", cli.output.display()))?;
        eprintln!("wrote the console section of {}", cli.output.display());
    }
    Ok(())
}
