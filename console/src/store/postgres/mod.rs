//! The PostgreSQL store: the same records and guarantees as the SQLite file, for several console replicas.
//!
//! The [`Store`](super::Store) interface is blocking (the console calls it from blocking threads, the CLI and tests
//! call it from anywhere), while tokio-postgres is async. The store therefore owns a small runtime of its own that
//! runs the pool's connections, and each call hands its query to that runtime and waits on a plain channel. Waiting
//! on a channel rather than `block_on` keeps the store usable from inside another runtime's tasks as well.
//!
//! Every write is one statement or one transaction committed before the call returns; PostgreSQL's default
//! `synchronous_commit = on` makes a committed transaction durable, which is what the console acknowledges.
//!
//! This file opens the store and runs its calls; the schema is in `migrations.rs`, the [`Store`](super::Store)
//! operations on users, credentials, tokens and devices in `records.rs`, and the replicas' revocation feed in
//! `revocations.rs`.

mod migrations;
mod records;
mod revocations;

pub use migrations::PG_MIGRATIONS;

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use crate::error::ConsoleError;

/// Pool limits of a [`PostgresStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolLimits {
    /// Most connections the replica holds open.
    pub max_connections: usize,
    /// How long a call waits for a free connection (and for a new one to connect) before it fails.
    pub acquire_timeout: Duration,
}

impl Default for PoolLimits {
    fn default() -> PoolLimits {
        PoolLimits { max_connections: 16, acquire_timeout: Duration::from_secs(5) }
    }
}

/// [`Store`](super::Store) on a PostgreSQL database.
pub struct PostgresStore {
    pool: Pool,
    runtime: Option<tokio::runtime::Runtime>,
    /// The parsed URL, for connections outside the pool (the revocation listener).
    config: tokio_postgres::Config,
    /// The target without credentials, for logs and `Debug`.
    described: String,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("PostgresStore").field("database", &self.described).finish_non_exhaustive()
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // A runtime dropped normally blocks on its tasks, which panics inside another runtime; the pool's
        // connection tasks end on their own once their sockets close.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Where a parsed configuration points, without user or password.
fn describe(config: &tokio_postgres::Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            // Unix sockets exist only in unix builds of tokio-postgres (the Windows console is TCP only).
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    format!("{} port {} database {}", hosts.join(","), ports.join(","), config.get_dbname().unwrap_or("(default)"))
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/dbname`) and brings its schema up to
    /// date.
    pub fn open(url: &str, limits: PoolLimits) -> Result<PostgresStore, ConsoleError> {
        let config: tokio_postgres::Config =
            url.parse().map_err(|error| ConsoleError::Config(format!("the PostgreSQL URL does not parse: {error}")))?;
        if limits.max_connections == 0 {
            return Err(ConsoleError::Config("the PostgreSQL pool needs at least one connection".into()));
        }
        let described = describe(&config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("console-postgres")
            .enable_all()
            .build()?;
        let manager =
            Manager::from_config(config.clone(), NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(limits.max_connections)
            .wait_timeout(Some(limits.acquire_timeout))
            .create_timeout(Some(limits.acquire_timeout))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(ConsoleError::database)?;
        let store = PostgresStore { pool, runtime: Some(runtime), config, described };
        store.run(|pool| async move { migrations::migrate(&pool).await })?;
        tracing::info!(database = %store.described, max_connections = limits.max_connections, "PostgreSQL store open");
        Ok(store)
    }

    /// The connection settings, for the revocation listener's own connection.
    pub(crate) fn config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    /// Runs `call` on the store's runtime and waits for its answer on this thread.
    fn run<T, Call, Answer>(&self, call: Call) -> Result<T, ConsoleError>
    where
        T: Send + 'static,
        Call: FnOnce(Pool) -> Answer,
        Answer: Future<Output = Result<T, ConsoleError>> + Send + 'static,
    {
        let runtime = self.runtime.as_ref().ok_or_else(|| ConsoleError::Task("store closed".into()))?;
        let (answer_sender, answer_receiver) = std::sync::mpsc::sync_channel(1);
        let answer = call(self.pool.clone());
        runtime.spawn(async move {
            let _ = answer_sender.send(answer.await);
        });
        answer_receiver.recv().map_err(|_| ConsoleError::Task("PostgreSQL call was dropped".into()))?
    }
}
