//! The tokio runtime the gateway runs on. The binary and the benchmark harness both build it here, so the
//! benchmarks measure the gateway as users run it.

/// Worker threads unless `--workers` says otherwise: one.
///
/// tokio's work-stealing scheduler wakes an idle sibling worker to look for work whenever a task is handed over
/// while another waits (a request to the terminal link, a reply back to its caller). A `/rpc` call makes about two
/// such hand-overs, so with two workers about twice as many context switches happen per call, and the woken worker
/// finds nothing to do. On the 2-core benchmark machine one worker gives a faster one-connection round trip and the
/// same 32-connection throughput (BENCHMARKS.md compares its rows with the "2 workers" ones): the gateway shares the
/// machine with the terminal and its clients, and spare cores are theirs. More workers can pay
/// off where one thread is saturated and cores sit idle (many busy clients on a big machine); on the benchmark's two
/// cores they did not, for calls or for the fan-out.
pub const DEFAULT_WORKERS: usize = 1;

/// A multi-threaded runtime builder with `workers` worker threads (at least one), I/O and timers enabled.
///
/// Multi-threaded even with one worker: tasks then run on the worker, not on the thread that called `block_on`, and
/// `spawn_blocking` work (the trade store's commits) never shares a thread with request handling.
pub fn builder(workers: usize) -> tokio::runtime::Builder {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(workers.max(1)).enable_all();
    builder
}
