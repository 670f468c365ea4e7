//! Results: rows, target verdicts, the printed table and `BENCHMARKS.md`.

use std::fmt::Write as _;

use crate::fanout::{Fanout, FanoutResult};
use crate::load::Measured;
use crate::memory::MemoryResult;
use crate::plan::{MANY, Plan, WIDE_WORKERS};

/// Method notes and findings kept with the harness, so a rewritten `BENCHMARKS.md` keeps them.
const NOTES: &str = include_str!("notes.md");

/// One line of the results table.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// Stable key, for example `rpc.get_quote.c1`.
    pub key: String,
    /// What was measured.
    pub label: String,
    /// Latency quantiles in microseconds (p50, p99, p99.9).
    pub latency: Option<(u64, u64, u64)>,
    /// Operations (or deliveries) per second.
    pub throughput: Option<f64>,
    /// The baseline's p50, p99 (µs) and operations per second, measured in the same run.
    pub baseline: Option<(u64, u64, f64)>,
    /// Anything else: loss, sizes.
    pub note: String,
}

impl Row {
    /// A load run, with its baseline when there is one.
    pub fn load(key: String, label: String, measured: &Measured, baseline: Option<&Measured>) -> Row {
        Row {
            key,
            label,
            latency: Some(quantiles(measured)),
            throughput: Some(measured.throughput()),
            baseline: baseline.map(|base| (base.quantile_us(0.5), base.quantile_us(0.99), base.throughput())),
            note: format!("{} ops", measured.operations),
        }
    }

    /// p50 of this row over the baseline's.
    pub fn p50_ratio(&self) -> Option<f64> {
        let ((p50, _, _), (base, _, _)) = (self.latency?, self.baseline?);
        Some(p50 as f64 / base.max(1) as f64)
    }

    /// Throughput of this row over the baseline's.
    pub fn throughput_ratio(&self) -> Option<f64> {
        Some(self.throughput? / self.baseline?.2.max(1e-9))
    }

    fn note_row(key: &str, label: String, note: String) -> Row {
        Row { key: key.to_owned(), label, note, ..Row::default() }
    }
}

fn quantiles(measured: &Measured) -> (u64, u64, u64) {
    (measured.quantile_us(0.5), measured.quantile_us(0.99), measured.quantile_us(0.999))
}

/// A target from the design and whether this run met it.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The target.
    pub target: String,
    /// What was measured.
    pub measured: String,
    /// Met or missed.
    pub met: bool,
}

/// Everything one run produced.
#[derive(Debug, Clone)]
pub struct Report {
    /// Smoke or full.
    pub smoke: bool,
    /// Rows in table order.
    pub rows: Vec<Row>,
    /// Target verdicts.
    pub verdicts: Vec<Verdict>,
    fanout: Option<FanoutResult>,
    memory: Option<MemoryResult>,
    plan: Plan,
}

/// Every row key a run of `plan` produces.
pub fn expected_keys(plan: &Plan) -> Vec<String> {
    let mut keys: Vec<String> = plan.connections.iter().map(|count| format!("scale.conns.c{count}")).collect();
    for count in [1, MANY] {
        keys.push(format!("floor.c{count}"));
        keys.push(format!("rpc.get_quote.c{count}"));
        keys.push(format!("rpc.order_close.c{count}"));
        keys.push(format!("rpc.order_close_ids.c{count}"));
    }
    keys.extend(plan.terminals.iter().map(|count| format!("scale.terminals.t{count}")));
    for count in [1, MANY] {
        keys.push(format!("external.get_quote.c{count}"));
    }
    keys.push("fanout.ticks".into());
    keys.push("fanout.floor".into());
    keys.push("fanout.ticks.light".into());
    for suffix in ["c1", &format!("c{MANY}"), "fanout", "floor"] {
        keys.push(format!("workers.w{}.{suffix}", WIDE_WORKERS));
    }
    for key in ["memory.idle", "memory.terminals", "memory.clients", "memory.peak", "bridge.first", "bridge.each"] {
        keys.push(key.into());
    }
    keys
}

impl Report {
    /// An empty report for `plan`.
    pub fn new(plan: &Plan) -> Report {
        Report {
            smoke: plan.smoke,
            rows: Vec::new(),
            verdicts: Vec::new(),
            fanout: None,
            memory: None,
            plan: plan.clone(),
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// The row with `key`.
    pub fn row(&self, key: &str) -> Option<&Row> {
        self.rows.iter().find(|row| row.key == key)
    }

    /// Adds a fan-out row; `suffix` ends its label.
    pub fn push_fanout(&mut self, key: &str, suffix: &str, plan: &Fanout, fanout: &FanoutResult) {
        let latency = &fanout.latency;
        self.push(Row {
            key: key.into(),
            label: format!("/ws ticks, {} subs @ {}/s{suffix}", plan.subscribers, plan.rate),
            latency: Some((
                latency.value_at_quantile(0.5),
                latency.value_at_quantile(0.99),
                latency.value_at_quantile(0.999),
            )),
            throughput: Some(fanout.received as f64 / plan.duration.as_secs_f64()),
            baseline: None,
            note: format!(
                "lost {} of {} (gaps reported {}, refused by bridge {}); publisher {:.0}/s; CPU s: {}",
                fanout.lost(),
                fanout.expected,
                fanout.gaps,
                fanout.refused,
                fanout.achieved_rate,
                fanout
                    .cpu_seconds
                    .iter()
                    .map(|(name, seconds)| format!("{name} {seconds:.1}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        if key == "fanout.ticks" {
            self.fanout = Some(fanout.clone());
        }
    }

    /// Adds a `get_quote` row measured by `wrk` in its own process (see `external`).
    pub fn push_external(&mut self, connections: usize, compared: &crate::external::Compared) {
        let (demo, echo) = (compared.demo, compared.echo);
        self.push(Row {
            key: format!("external.get_quote.c{connections}"),
            label: format!("get_quote, {connections} conn, wrk (own process)"),
            latency: Some(demo.latency),
            throughput: Some(demo.throughput()),
            baseline: Some((echo.latency.0, echo.latency.1, echo.throughput())),
            note: format!("{} calls; echo and demo each alone in a child process", demo.requests),
        });
    }

    /// Adds an external row that could not be measured, saying why.
    pub fn push_external_skipped(&mut self, connections: usize, why: &str) {
        self.push(Row::note_row(
            &format!("external.get_quote.c{connections}"),
            format!("get_quote, {connections} conn, wrk (own process)"),
            why.to_owned(),
        ));
    }

    /// "; wrk 2.61x": the same ratio measured by the external load generator, when it ran.
    fn external_note(&self, connections: usize, latency: bool) -> String {
        let ratio = self
            .row(&format!("external.get_quote.c{connections}"))
            .and_then(|row| if latency { row.p50_ratio() } else { row.throughput_ratio() });
        ratio.map(|ratio| format!("; wrk (external process) {ratio:.2}x")).unwrap_or_default()
    }

    /// Adds the memory rows.
    pub fn push_memory(&mut self, memory: &MemoryResult) {
        let plan = self.plan.memory;
        self.push(Row::note_row("memory.idle", "gateway RSS, idle".into(), format!("{:.1} MiB", memory.idle_mib)));
        self.push(Row::note_row(
            "memory.terminals",
            format!("gateway RSS, {} terminals", plan.terminals),
            format!("{:.1} MiB", memory.terminals_mib),
        ));
        self.push(Row::note_row(
            "memory.clients",
            format!("gateway RSS, {} terminals + {} idle ws", plan.terminals, plan.clients),
            format!("{:.1} MiB", memory.clients_mib),
        ));
        self.push(Row::note_row(
            "memory.peak",
            "gateway peak RSS (VmHWM), whole run".into(),
            format!("{:.1} MiB, {} threads", memory.peak_mib, memory.gateway_threads),
        ));
        self.push(Row::note_row(
            "bridge.first",
            "bridge: first session in a process".into(),
            format!("+{:.2} MiB RSS, +{} thread(s)", memory.bridge_first_mib, memory.bridge_threads),
        ));
        self.push(Row::note_row(
            "bridge.each",
            "bridge: each further session".into(),
            format!("+{:.3} MiB RSS", memory.bridge_each_mib),
        ));
        self.memory = Some(memory.clone());
    }

    /// "; relay floor 3.10x": what the bare topology (`relay`) reached against its own echo run, when measured.
    fn floor_note(&self, connections: usize, latency: bool) -> String {
        let ratio = self
            .row(&format!("floor.c{connections}"))
            .and_then(|row| if latency { row.p50_ratio() } else { row.throughput_ratio() });
        ratio.map(|ratio| format!("; relay floor {ratio:.2}x")).unwrap_or_default()
    }

    /// Fills in the verdicts against the design's targets.
    pub fn judge(&mut self) {
        let mut verdicts = Vec::new();
        if let Some(row) = self.row("rpc.get_quote.c1") {
            let ratio = row.p50_ratio().unwrap_or(f64::INFINITY);
            let (p50, p99, _) = row.latency.unwrap_or_default();
            let base = row.baseline.map_or(0, |base| base.0);
            verdicts.push(Verdict {
                target: "1 conn: median within 2x of the echo baseline".into(),
                measured: format!(
                    "get_quote p50 {p50} µs vs echo {base} µs = {ratio:.2}x{}{}",
                    self.floor_note(1, true),
                    self.external_note(1, true)
                ),
                met: ratio <= 2.0,
            });
            verdicts.push(Verdict {
                target: "1 conn: p99 under 1 ms".into(),
                measured: format!("get_quote p99 {p99} µs"),
                met: p99 < 1000,
            });
        }
        if let Some(row) = self.row("rpc.order_close.c1") {
            let ratio = row.p50_ratio().unwrap_or(f64::INFINITY);
            let (p50, p99, _) = row.latency.unwrap_or_default();
            verdicts.push(Verdict {
                target: "1 conn, trading: place_order+close (2 round trips) median within 2x of 2 echo calls, p99 under 2 ms".into(),
                measured: format!("pair p50 {p50} µs = {ratio:.2}x, p99 {p99} µs"),
                met: ratio <= 2.0 && p99 < 2000,
            });
        }
        if let Some(row) = self.row(&format!("rpc.get_quote.c{MANY}")) {
            let ratio = row.throughput_ratio().unwrap_or(0.0);
            verdicts.push(Verdict {
                target: format!("{MANY} conns: at least half the echo's throughput"),
                measured: format!(
                    "get_quote {:.0}/s vs echo {:.0}/s = {ratio:.2}x{}{}",
                    row.throughput.unwrap_or(0.0),
                    row.baseline.map_or(0.0, |base| base.2),
                    self.floor_note(MANY, false),
                    self.external_note(MANY, false)
                ),
                met: ratio >= 0.5,
            });
        }
        if let Some(fanout) = &self.fanout {
            let p99 = fanout.latency.value_at_quantile(0.99);
            verdicts.push(Verdict {
                target: format!(
                    "fan-out {}/s to {} subscribers: p99 under 2 ms, no loss",
                    self.plan.fanout.rate, self.plan.fanout.subscribers
                ),
                measured: format!(
                    "p99 {p99} µs, lost {} of {}{}",
                    fanout.lost(),
                    fanout.expected,
                    self.row("fanout.floor")
                        .and_then(|row| row.latency)
                        .map(|(_, floor, _)| format!("; bare broadcaster (floor) p99 {floor} µs"))
                        .unwrap_or_default()
                ),
                met: p99 < 2000 && fanout.lost() == 0 && fanout.gaps == 0,
            });
        }
        if let Some(memory) = &self.memory {
            verdicts.push(Verdict {
                target: format!(
                    "gateway under 64 MiB with {} terminals and {} idle clients",
                    self.plan.memory.terminals, self.plan.memory.clients
                ),
                measured: format!("{:.1} MiB RSS", memory.clients_mib),
                met: memory.clients_mib < 64.0,
            });
        }
        self.verdicts = verdicts;
    }

    /// The results as a fixed-width text table.
    pub fn table(&self) -> String {
        let header = [
            "scenario",
            "p50 µs",
            "p99 µs",
            "p99.9 µs",
            "ops/s",
            "echo p50",
            "echo p99",
            "echo ops/s",
            "p50 ×",
            "ops/s ×",
            "notes",
        ];
        let rows: Vec<[String; 11]> = self.rows.iter().map(cells).collect();
        let mut widths: Vec<usize> = header.iter().map(|title| title.chars().count()).collect();
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut text = String::new();
            for (index, (cell, width)) in cells.iter().zip(&widths).enumerate() {
                let pad = width - cell.chars().count();
                if index == 0 || index == cells.len() - 1 {
                    let _ = write!(text, "{cell}{}  ", " ".repeat(pad));
                } else {
                    let _ = write!(text, "{}{cell}  ", " ".repeat(pad));
                }
            }
            text.trim_end().to_owned()
        };
        let mut text = line(&header.map(str::to_owned));
        text.push('\n');
        for row in &rows {
            text.push_str(&line(row));
            text.push('\n');
        }
        text.push('\n');
        for verdict in &self.verdicts {
            let _ = writeln!(
                text,
                "{}  {}: {}",
                if verdict.met { "MET " } else { "MISS" },
                verdict.target,
                verdict.measured
            );
        }
        text
    }

    /// `BENCHMARKS.md`: machine, date, commands, targets, results and notes.
    pub fn markdown(&self, machine: &str, date: &str, command: &str) -> String {
        let mut text = String::new();
        let _ = writeln!(text, "# Benchmarks\n");
        let _ = writeln!(
            text,
            "Written by `{command}` ({} mode). Every ratio compares the gateway with a bare warp HTTP JSON-RPC echo measured \
             in the same run by the same load generator, because the machine is shared and absolute numbers drift \
             from run to run.\n",
            if self.smoke { "smoke" } else { "full" }
        );
        let _ = writeln!(text, "- Date: {date}");
        let _ = writeln!(text, "- Machine: {machine}");
        let _ = writeln!(
            text,
            "- Load: {:?} warm-up + {:?} measured per row, at most {} operations per row; closed loop, one call in \
             flight per connection.\n",
            self.plan.warmup, self.plan.duration, self.plan.max_operations
        );
        let _ = writeln!(text, "## Targets\n\n| target | measured | result |\n|---|---|---|");
        for verdict in &self.verdicts {
            let _ = writeln!(
                text,
                "| {} | {} | {} |",
                verdict.target,
                verdict.measured,
                if verdict.met { "met" } else { "**missed**" }
            );
        }
        let _ = writeln!(text, "\n## Results\n");
        let _ = writeln!(
            text,
            "Latency in microseconds. `p50 ×` is the gateway's median over the echo's, `ops/s ×` its throughput over \
             the echo's. place_order+close rows are one operation of two round trips, against two echo calls.\n"
        );
        let _ = writeln!(
            text,
            "| scenario | p50 | p99 | p99.9 | ops/s | echo p50 | echo p99 | echo ops/s | p50 × | ops/s × | notes |"
        );
        let _ = writeln!(text, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
        for row in &self.rows {
            let _ = writeln!(text, "| {} |", cells(row).join(" | "));
        }
        let _ = writeln!(text, "\n{NOTES}");
        text
    }
}

fn cells(row: &Row) -> [String; 11] {
    let blank = String::new;
    let (p50, p99, p999) = row
        .latency
        .map_or_else(|| (blank(), blank(), blank()), |(a, b, c)| (a.to_string(), b.to_string(), c.to_string()));
    let (base50, base99, base_rate) = row
        .baseline
        .map_or_else(|| (blank(), blank(), blank()), |(a, b, c)| (a.to_string(), b.to_string(), format!("{c:.0}")));
    [
        row.label.clone(),
        p50,
        p99,
        p999,
        row.throughput.map_or_else(blank, |rate| format!("{rate:.0}")),
        base50,
        base99,
        base_rate,
        row.p50_ratio().map_or_else(blank, |ratio| format!("{ratio:.2}")),
        row.throughput_ratio().map_or_else(blank, |ratio| format!("{ratio:.2}")),
        row.note.clone(),
    ]
}
