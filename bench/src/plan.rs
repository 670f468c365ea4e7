//! What a run measures and how long: the [`Plan`], its parts for `--only`, and the counts the rows are keyed by.

use std::path::PathBuf;
use std::time::Duration;

use crate::fanout::Fanout;
use crate::load::Load;
use crate::memory::MemoryPlan;

/// Alternating rounds per compared pair (baseline, measured, baseline, ...).
pub const ROUNDS: u32 = 3;

/// Connections used for the 32-connection rows and the terminal scaling.
pub const MANY: usize = 32;

/// What to measure and how long.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Smoke mode: tiny counts, same rows.
    pub smoke: bool,
    /// Unmeasured warm-up before each load run.
    pub warmup: Duration,
    /// Measured window of each load run.
    pub duration: Duration,
    /// Cap on measured operations per load run.
    pub max_operations: u64,
    /// Connection counts of the scaling rows; must contain 1 and [`MANY`].
    pub connections: Vec<usize>,
    /// Terminal counts of the terminal scaling rows.
    pub terminals: Vec<usize>,
    /// The fan-out scenario.
    pub fanout: Fanout,
    /// The memory scenario.
    pub memory: MemoryPlan,
    /// Pause before each memory reading.
    pub settle: Duration,
    /// This harness's executable, started as the gateway and bridge-probe child processes.
    pub executable: PathBuf,
    /// Run only this part (while working on it); `None` runs everything.
    pub only: Option<Part>,
}

/// A part of the run, for `--only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The `/rpc` latency, throughput and scaling rows.
    Rpc,
    /// The `/ws` fan-out rows.
    Fanout,
    /// The memory rows.
    Memory,
    /// A few `/rpc` and fan-out rows again with more gateway workers than the default.
    Workers,
    /// The `get_quote` rows again, measured by `wrk` in its own process against the echo and the demo in theirs.
    External,
}

impl Part {
    /// Parses `rpc`, `fanout`, `memory`, `workers` or `external`.
    pub fn parse(name: &str) -> Option<Part> {
        match name {
            "rpc" => Some(Part::Rpc),
            "fanout" => Some(Part::Fanout),
            "memory" => Some(Part::Memory),
            "workers" => Some(Part::Workers),
            "external" => Some(Part::External),
            _ => None,
        }
    }
}

impl Plan {
    /// The full run: a couple of minutes.
    pub fn full(executable: PathBuf) -> Plan {
        Plan {
            smoke: false,
            warmup: Duration::from_millis(500),
            duration: Duration::from_secs(3),
            max_operations: 500_000,
            connections: vec![1, 2, 4, 8, 16, 32, 64],
            terminals: vec![1, 2, 5, 10],
            fanout: Fanout { subscribers: 100, rate: 10_000, duration: Duration::from_secs(5) },
            memory: MemoryPlan { terminals: 10, clients: 1000, bridge_sessions: 10 },
            settle: Duration::from_millis(1000),
            executable,
            only: None,
        }
    }

    /// The smoke run: every row, a few seconds, numbers that mean nothing.
    pub fn smoke(executable: PathBuf) -> Plan {
        Plan {
            smoke: true,
            warmup: Duration::from_millis(20),
            duration: Duration::from_millis(100),
            max_operations: 300,
            fanout: Fanout { subscribers: 10, rate: 1000, duration: Duration::from_millis(300) },
            memory: MemoryPlan { terminals: 2, clients: 20, bridge_sessions: 2 },
            settle: Duration::from_millis(100),
            ..Plan::full(executable)
        }
    }

    pub(crate) fn runs(&self, part: Part) -> bool {
        self.only.is_none_or(|only| only == part)
    }

    /// One of the [`ROUNDS`] alternating slices of a compared run.
    pub(crate) fn round(&self, connections: usize) -> Load {
        Load {
            connections,
            warmup: self.warmup / 2,
            duration: self.duration / ROUNDS,
            max_operations: (self.max_operations / u64::from(ROUNDS)).max(1),
        }
    }

    pub(crate) fn load(&self, connections: usize) -> Load {
        Load { connections, warmup: self.warmup, duration: self.duration, max_operations: self.max_operations }
    }
}

/// Gateway workers in the [`Part::Workers`] rows.
pub const WIDE_WORKERS: usize = 2;
