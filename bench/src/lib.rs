//! The benchmark harness: loopback measurements of the gateway as ratios against a bare HTTP JSON-RPC echo
//! measured in the same run, because the machine is shared and noisy and only same-run ratios mean anything.
//!
//! Scenarios ([`run`]): `/rpc` round trips through gateway, bridge and simulated terminal against the echo
//! ([`load`], [`baseline`]), scaling by connections and by terminals, `/ws` tick fan-out ([`fanout`]), and the
//! gateway's and the bridge's memory ([`memory`], with the child processes of [`children`]). [`report`] turns the
//! numbers into the printed table and `BENCHMARKS.md`. Timings never fail anything; only broken setups do.

pub mod allocator;
pub mod baseline;
pub mod bridge;
pub mod broadcast;
pub mod children;
mod error;
pub mod external;
pub mod fanout;
pub mod load;
pub mod memory;
mod plan;
pub mod relay;
pub mod report;
mod servers;

use std::path::PathBuf;
use std::time::Duration;

use metaapi_demo::Demo;
use metaapi_gateway_core::runtime::DEFAULT_WORKERS;
use metaapi_protocol::console::CreateTokenRequest;
use metaapi_terminal_sim::SimHandle;
use tokio_util::sync::CancellationToken;

pub use error::BenchError;
use error::unexpected;
use fanout::Fanout;
use load::{Load, Measured, Operation, Target};
pub use plan::{MANY, Part, Plan, ROUNDS, WIDE_WORKERS};
use report::{Report, Row};
use servers::{add_terminal, address_of, bare_demo, client_runtime, server_runtime};

/// Adds one round to a running total: histograms merge, operations and measured time add up.
fn merge(total: &mut Option<Measured>, part: Measured) -> Result<(), BenchError> {
    match total {
        None => *total = Some(part),
        Some(total) => {
            total.latency.add(&part.latency).map_err(|error| unexpected(format!("histogram: {error}")))?;
            total.operations += part.operations;
            total.elapsed += part.elapsed;
        }
    }
    Ok(())
}

/// Runs every scenario of `plan`, calling `progress` with a line before each step.
pub fn run(plan: &Plan, progress: &mut dyn FnMut(&str)) -> Result<Report, BenchError> {
    if !plan.connections.contains(&1) || !plan.connections.contains(&MANY) {
        return Err(unexpected(format!("the connection counts must include 1 and {MANY}")));
    }
    // Servers and load generator on separate runtimes, as they would be in separate processes; both servers get
    // exactly the same runtime.
    let server = server_runtime(DEFAULT_WORKERS)?;
    let client = client_runtime()?;
    let mut report = Report::new(plan);
    let stop = CancellationToken::new();
    if plan.runs(Part::Rpc) {
        rpc_rows(plan, &server, &client, &stop, &mut report, progress)?;
    }
    if plan.runs(Part::Fanout) {
        fanout_rows(plan, &server, &client, &mut report, progress)?;
    }
    if plan.runs(Part::Workers) {
        drop(server);
        workers_rows(plan, &client, &stop, &mut report, progress)?;
    }
    if plan.runs(Part::Memory) {
        progress(&format!(
            "memory: gateway child process idle, with {} terminals, with {} idle WebSocket clients; bridge probe",
            plan.memory.terminals, plan.memory.clients
        ));
        let memory = client.block_on(memory::run(&plan.executable, plan.memory, plan.settle))?;
        report.push_memory(&memory);
    }
    if plan.runs(Part::External) {
        external_rows(plan, &mut report, progress)?;
    }
    stop.cancel();
    report.judge();
    Ok(report)
}

/// The `get_quote` rows measured by `wrk` (see [`external`]), or rows saying loudly why they could not be.
fn external_rows(plan: &Plan, report: &mut Report, progress: &mut dyn FnMut(&str)) -> Result<(), BenchError> {
    if !external::available() {
        progress("SKIPPED the external load generator rows: wrk is not installed (apt-get install wrk)");
        for connections in [1, MANY] {
            report.push_external_skipped(connections, "SKIPPED: wrk is not installed (apt-get install wrk)");
        }
        return Ok(());
    }
    progress("starting the echo and the demo as child processes for wrk");
    let echo = external::ServerChild::start(&plan.executable, "serve-echo")?;
    let demo = external::ServerChild::start(&plan.executable, "serve-demo")?;
    let (rounds, seconds) = if plan.smoke { (1, 1) } else { (ROUNDS, plan.duration.as_secs().max(1)) };
    for connections in [1, MANY] {
        progress(&format!("wrk get_quote, {connections} connection(s): echo, then demo, {rounds} round(s)"));
        let compared = external::compare(&echo, &demo, connections, rounds, seconds)?;
        report.push_external(connections, &compared);
    }
    Ok(())
}

type Runtime = tokio::runtime::Runtime;

/// What [`profile_load`] drives (the names are `profile --server`'s values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profiled {
    /// The demo stack: gateway, bridge and simulated terminal.
    Gateway,
    /// The relay floor (`relay`), to tell the path's cost from the gateway's.
    Relay,
    /// The bare echo.
    Echo,
    /// The gateway's fan-out (the full plan's rate and subscribers).
    Fanout,
    /// The fan-out floor (`broadcast`).
    FanoutFloor,
}

/// What a [`profile_load`] run measured.
pub enum Profile {
    /// A `get_quote` load.
    Calls(Measured),
    /// A fan-out.
    Fanout(fanout::FanoutResult),
}

/// One server under one load for `duration` (`connections` for calls), on `workers` server workers: something steady
/// to point a profiler at.
pub fn profile_load(
    profiled: Profiled,
    workers: usize,
    connections: usize,
    duration: Duration,
) -> Result<Profile, BenchError> {
    let server = server_runtime(workers)?;
    let client = client_runtime()?;
    let stop = CancellationToken::new();
    let load = Load { connections, warmup: Duration::from_millis(200), duration, max_operations: u64::MAX };
    let fanned = Fanout { duration, ..Plan::full(PathBuf::new()).fanout };
    let measured = match profiled {
        Profiled::Gateway => {
            let demo = server.block_on(bare_demo())?;
            let (mut sims, mut tokens) = (Vec::new(), Vec::new());
            server.block_on(add_terminal(&demo, &mut sims, &mut tokens))?;
            let target = Target { address: address_of(&demo.url)?, tokens, echo: false };
            let measured = client.block_on(load::run(&target, load, Operation::Quote));
            sims.into_iter().for_each(SimHandle::stop);
            server.block_on(demo.stop());
            Profile::Calls(measured?)
        }
        Profiled::Relay | Profiled::Echo => {
            let address = if profiled == Profiled::Relay {
                server.block_on(relay::start(stop.clone()))?
            } else {
                server.block_on(baseline::start(stop.clone()))?
            };
            let target = Target { address, tokens: vec!["unused".to_owned()], echo: true };
            Profile::Calls(client.block_on(load::run(&target, load, Operation::Quote))?)
        }
        Profiled::Fanout => {
            let demo = server.block_on(bare_demo())?;
            let result = fan_out(&demo, &client, "bench-publisher", fanned);
            server.block_on(demo.stop());
            Profile::Fanout(result?)
        }
        Profiled::FanoutFloor => Profile::Fanout(floor_fan_out(&server, &client, &stop, fanned)?),
    };
    stop.cancel();
    Ok(measured)
}

fn rpc_rows(
    plan: &Plan,
    server: &Runtime,
    client: &Runtime,
    stop: &CancellationToken,
    report: &mut Report,
    progress: &mut dyn FnMut(&str),
) -> Result<(), BenchError> {
    progress("starting the echo baseline and the demo stack (console, gateway, 1 simulated terminal)");
    let echo_address = server.block_on(baseline::start(stop.clone()))?;
    let demo = server.block_on(bare_demo())?;
    let gateway_address = address_of(&demo.url)?;
    let mut sims = Vec::new();
    let mut tokens = Vec::new();
    server.block_on(add_terminal(&demo, &mut sims, &mut tokens))?;
    let echo = |tokens: &Vec<String>| Target { address: echo_address, tokens: tokens.clone(), echo: true };
    let gateway = |tokens: &Vec<String>| Target { address: gateway_address, tokens: tokens.clone(), echo: false };
    let measure = |target: Target, connections: usize, operation: Operation| -> Result<Measured, BenchError> {
        client.block_on(load::run(&target, plan.load(connections), operation))
    };
    let compare = |baseline: Target, measured: Target, connections: usize, operation: Operation| {
        compare(plan, client, &baseline, &measured, connections, operation)
    };

    // The topology floor (see `relay`): the same hops with no logic, for the calls the targets are about.
    let relay_address = server.block_on(relay::start(stop.clone()))?;
    let relay = |tokens: &Vec<String>| Target { address: relay_address, tokens: tokens.clone(), echo: true };
    for connections in [1, MANY] {
        progress(&format!("relay floor, {connections} connection(s): echo, then relay"));
        let (base, floor) = compare(echo(&tokens), relay(&tokens), connections, Operation::Quote)?;
        report.push(Row::load(
            format!("floor.c{connections}"),
            format!("relay floor, {connections} conn"),
            &floor,
            Some(&base),
        ));
    }

    let mut quote_at = Vec::new();
    for &connections in &plan.connections {
        progress(&format!("get_quote, {connections} connection(s): echo, then gateway"));
        let (base, through) = compare(echo(&tokens), gateway(&tokens), connections, Operation::Quote)?;
        report.push(Row::load(
            format!("scale.conns.c{connections}"),
            format!("get_quote, {connections} conn"),
            &through,
            Some(&base),
        ));
        quote_at.push((connections, base, through));
    }
    for &connections in &[1, MANY] {
        if let Some((_, base, through)) = quote_at.iter().find(|(count, _, _)| *count == connections) {
            report.push(Row::load(
                format!("rpc.get_quote.c{connections}"),
                format!("get_quote, {connections} conn"),
                through,
                Some(base),
            ));
        }
        progress(&format!("place_order + close_position, {connections} connection(s): echo, then gateway"));
        let (base, through) = compare(echo(&tokens), gateway(&tokens), connections, Operation::OrderAndClose)?;
        report.push(Row::load(
            format!("rpc.order_close.c{connections}"),
            format!("place_order+close, {connections} conn"),
            &through,
            Some(&base),
        ));
        progress(&format!(
            "place_order + close_position with client_ids, {connections} connection(s): echo, then gateway"
        ));
        let (base, through) =
            compare(echo(&tokens), gateway(&tokens), connections, Operation::OrderAndCloseWithClientIds)?;
        report.push(Row::load(
            format!("rpc.order_close_ids.c{connections}"),
            format!("place_order+close with client_ids, {connections} conn"),
            &through,
            Some(&base),
        ));
    }

    let base_many = quote_at.iter().find(|(count, _, _)| *count == MANY).map(|(_, base, _)| base.clone());
    for &terminals in &plan.terminals {
        while tokens.len() < terminals {
            progress(&format!("adding simulated terminal {}", tokens.len() + 1));
            server.block_on(add_terminal(&demo, &mut sims, &mut tokens))?;
        }
        let used: Vec<String> = tokens.iter().take(terminals).cloned().collect();
        progress(&format!("get_quote, {MANY} connections over {terminals} terminal(s)"));
        let through = measure(gateway(&used), MANY, Operation::Quote)?;
        report.push(Row::load(
            format!("scale.terminals.t{terminals}"),
            format!("get_quote, {MANY} conn, {terminals} terminals"),
            &through,
            base_many.as_ref(),
        ));
    }
    progress("stopping the demo stack");
    sims.into_iter().for_each(SimHandle::stop);
    server.block_on(demo.stop());
    Ok(())
}

fn fanout_rows(
    plan: &Plan,
    server: &Runtime,
    client: &Runtime,
    report: &mut Report,
    progress: &mut dyn FnMut(&str),
) -> Result<(), BenchError> {
    progress(&format!(
        "fan-out: {} ticks/s to {} subscribers for {:?}",
        plan.fanout.rate, plan.fanout.subscribers, plan.fanout.duration
    ));
    let demo = server.block_on(bare_demo())?;
    let fanned = fan_out(&demo, client, "bench-publisher", plan.fanout);
    report.push_fanout("fanout.ticks", "", &plan.fanout, &fanned?);
    progress(&format!("fan-out floor: a bare broadcaster, {} ticks/s", plan.fanout.rate));
    let stop = CancellationToken::new();
    let fanned = floor_fan_out(server, client, &stop, plan.fanout);
    stop.cancel();
    report.push_fanout("fanout.floor", ", bare broadcaster (floor)", &plan.fanout, &fanned?);
    let light = Fanout { rate: plan.fanout.rate / 10, ..plan.fanout };
    progress(&format!("fan-out, lighter: {} ticks/s to {} subscribers", light.rate, light.subscribers));
    let fanned = fan_out(&demo, client, "bench-publisher-light", light);
    server.block_on(demo.stop());
    report.push_fanout("fanout.ticks.light", "", &light, &fanned?);
    Ok(())
}

/// One fan-out run against `demo`, published under a fresh token named `name`.
fn fan_out(demo: &Demo, client: &Runtime, name: &str, plan: Fanout) -> Result<fanout::FanoutResult, BenchError> {
    let request = CreateTokenRequest { name: name.into(), expires_at: None };
    let token = demo.console.create_token(&demo.user, &request)?.token;
    client.block_on(fanout::run(address_of(&demo.url)?, fanout::Source::Gateway { token }, plan))
}

/// One fan-out run against the bare broadcaster (`broadcast`), served on `server` until `stop`.
fn floor_fan_out(
    server: &Runtime,
    client: &Runtime,
    stop: &CancellationToken,
    plan: Fanout,
) -> Result<fanout::FanoutResult, BenchError> {
    let (address, broadcaster) = server.block_on(broadcast::start(stop.clone()))?;
    client.block_on(fanout::run(address, fanout::Source::Floor(broadcaster), plan))
}

/// The baseline and the measured side in [`ROUNDS`] alternating rounds, so drift on a shared machine lands on both.
fn compare(
    plan: &Plan,
    client: &Runtime,
    baseline: &Target,
    measured: &Target,
    connections: usize,
    operation: Operation,
) -> Result<(Measured, Measured), BenchError> {
    let round = plan.round(connections);
    let (mut base, mut through) = (None, None);
    for _ in 0..ROUNDS {
        merge(&mut base, client.block_on(load::run(baseline, round, operation))?)?;
        merge(&mut through, client.block_on(load::run(measured, round, operation))?)?;
    }
    match (base, through) {
        (Some(base), Some(through)) => Ok((base, through)),
        _ => Err(unexpected("no rounds were measured")),
    }
}

/// The rows whose outcome depends most on the worker count (one-connection latency, 32-connection throughput, the
/// fan-out) again on a server runtime with [`WIDE_WORKERS`] workers, echo included, so the default's trade-off shows.
fn workers_rows(
    plan: &Plan,
    client: &Runtime,
    stop: &CancellationToken,
    report: &mut Report,
    progress: &mut dyn FnMut(&str),
) -> Result<(), BenchError> {
    progress(&format!(
        "{WIDE_WORKERS} gateway workers: the echo and the demo stack on a {WIDE_WORKERS}-worker runtime"
    ));
    let server = server_runtime(WIDE_WORKERS)?;
    let stop = stop.child_token();
    let echo_address = server.block_on(baseline::start(stop.clone()))?;
    let demo = server.block_on(bare_demo())?;
    let (mut sims, mut tokens) = (Vec::new(), Vec::new());
    server.block_on(add_terminal(&demo, &mut sims, &mut tokens))?;
    let echo = Target { address: echo_address, tokens: tokens.clone(), echo: true };
    let gateway = Target { address: address_of(&demo.url)?, tokens, echo: false };
    for connections in [1, MANY] {
        progress(&format!("get_quote, {connections} connection(s), {WIDE_WORKERS} workers: echo, then gateway"));
        let (base, through) = compare(plan, client, &echo, &gateway, connections, Operation::Quote)?;
        report.push(Row::load(
            format!("workers.w{WIDE_WORKERS}.c{connections}"),
            format!("get_quote, {connections} conn, {WIDE_WORKERS} workers"),
            &through,
            Some(&base),
        ));
    }
    sims.into_iter().for_each(SimHandle::stop);
    progress(&format!("fan-out, {WIDE_WORKERS} workers: {} ticks/s", plan.fanout.rate));
    let fanned = fan_out(&demo, client, "bench-publisher-workers", plan.fanout);
    server.block_on(demo.stop());
    let suffix = format!(", {WIDE_WORKERS} workers");
    report.push_fanout(&format!("workers.w{WIDE_WORKERS}.fanout"), &suffix, &plan.fanout, &fanned?);
    progress(&format!("fan-out floor, {WIDE_WORKERS} workers: {} ticks/s", plan.fanout.rate));
    let fanned = floor_fan_out(&server, client, &stop, plan.fanout);
    stop.cancel();
    let suffix = format!(", bare broadcaster (floor), {WIDE_WORKERS} workers");
    report.push_fanout(&format!("workers.w{WIDE_WORKERS}.floor"), &suffix, &plan.fanout, &fanned?);
    Ok(())
}

/// CPU model, core count, memory and kernel, from `/proc`.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| {
            line.strip_prefix("model name").and_then(|rest| rest.split_once(':')).map(|(_, name)| name.trim())
        })
        .unwrap_or("unknown CPU")
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |count| count.get());
    let memory = std::fs::read_to_string("/proc/meminfo").ok().and_then(|meminfo| {
        let line = meminfo.lines().find(|line| line.starts_with("MemTotal:"))?;
        line.split_whitespace().nth(1)?.parse::<u64>().ok()
    });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{model}, {cores} cores available (shared with other work), {} GiB RAM, Linux {}",
        memory.map_or(0, |kb| kb / (1024 * 1024)),
        kernel.trim()
    )
}

/// Now, UTC, from `date -u` (the epoch seconds if that fails).
pub fn date() -> String {
    std::process::Command::new("date")
        .arg("-u")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| {
            let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            format!("{seconds} (Unix time)")
        })
}
