//! The PostgreSQL store: the same records and guarantees as the SQLite file, for several console replicas.
//!
//! The [`Store`] interface is blocking (the console calls it from blocking threads, the CLI and tests call it from
//! anywhere), while tokio-postgres is async. The store therefore owns a small runtime of its own that runs the
//! pool's connections, and each call hands its query to that runtime and waits on a plain channel. Waiting on a
//! channel rather than `block_on` keeps the store usable from inside another runtime's tasks as well.
//!
//! Every write is one statement or one transaction committed before the call returns; PostgreSQL's default
//! `synchronous_commit = on` makes a committed transaction durable, which is what the console acknowledges.

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use metaapi_protocol::console::DeviceStatus;
use metaapi_protocol::types::TimeMs;
use tokio_postgres::error::SqlState;
use tokio_postgres::{NoTls, Row};

use super::interface::{AccountUpdate, DeviceRecord, Expiry, Store, TokenRecord, UserRecord};
use crate::error::ConsoleError;

/// Schema migrations, numbered like the SQLite ones (migration N here is migration N there, in PostgreSQL's
/// dialect); `schema_version` holds how many ran. Never edit a shipped entry: append.
pub const PG_MIGRATIONS: &[&str] = &[
    // 1: users, credentials, tokens, devices. Emails are unique ignoring case through an index on lower(email);
    // `seq` gives tokens created in the same millisecond the insertion order SQLite's rowid gives them.
    "CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled BOOLEAN NOT NULL DEFAULT FALSE,
        expires_at BIGINT,
        auto_approve_devices BOOLEAN NOT NULL DEFAULT FALSE,
        created_at BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX users_email_nocase ON users (lower(email));
    CREATE TABLE api_keys (
        key_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        created_at BIGINT NOT NULL
    );
    CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
    );
    CREATE TABLE tokens (
        seq BIGINT GENERATED ALWAYS AS IDENTITY,
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        name TEXT NOT NULL,
        terminal_id TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        expires_at BIGINT,
        last_used_at BIGINT,
        revoked_at BIGINT,
        replaced_by TEXT REFERENCES tokens(id)
    );
    CREATE INDEX tokens_by_user ON tokens(user_id, created_at);
    CREATE INDEX tokens_by_expiry ON tokens(expires_at) WHERE expires_at IS NOT NULL;
    CREATE TABLE devices (
        user_id TEXT NOT NULL REFERENCES users(id),
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'revoked')),
        first_seen_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        PRIMARY KEY (user_id, id)
    );",
    // 2: the revocation feed shared by replicas (see replicas.rs); SQLite has one process and needs none.
    "CREATE TABLE revocations (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        origin TEXT NOT NULL,
        event TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );",
    // 3: how far the feed was pruned (see `prune_revocations`): a replica that resumes from before it missed rows.
    "CREATE TABLE revocations_pruned (
        one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
        through_seq BIGINT NOT NULL
    );
    INSERT INTO revocations_pruned (through_seq) VALUES (0);",
];

/// Any advisory-lock key, the same in every replica, so that replicas starting together migrate one at a time.
const MIGRATION_LOCK: i64 = 0x4d45_5441_4150_4931;

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

/// [`Store`] on a PostgreSQL database.
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
        store.run(|pool| async move { migrate(&pool).await })?;
        tracing::info!(database = %store.described, max_connections = limits.max_connections, "PostgreSQL store open");
        Ok(store)
    }

    /// The connection settings, for the revocation listener's own connection.
    pub(crate) fn config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    /// The replicas' feed's last sequence number: its newest row's, or the pruned horizon when pruning emptied it
    /// (0 for a new feed).
    pub(crate) fn last_revocation_sequence(&self) -> Result<i64, ConsoleError> {
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let row = client
                .query_one(
                    "SELECT GREATEST((SELECT COALESCE(MAX(seq), 0) FROM revocations), \
                     (SELECT through_seq FROM revocations_pruned))",
                    &[],
                )
                .await
                .map_err(ConsoleError::database)?;
            Ok(row.get(0))
        })
    }

    /// Deletes the feed's rows written before `before` (epoch ms) and moves the pruned horizon past them, in one
    /// transaction; answers how many rows went. A replica whose listener resumes from below the horizon learns that
    /// it missed rows (see `replicas::deliver_after`).
    pub(crate) fn prune_revocations(&self, before: TimeMs) -> Result<u64, ConsoleError> {
        self.run(move |pool| async move {
            let mut client = pool.get().await.map_err(ConsoleError::database)?;
            let transaction = client.transaction().await.map_err(ConsoleError::database)?;
            // The horizon row is locked first, so replicas pruning at once take turns instead of racing.
            transaction
                .execute("SELECT through_seq FROM revocations_pruned FOR UPDATE", &[])
                .await
                .map_err(ConsoleError::database)?;
            let row = transaction
                .query_one("SELECT MAX(seq) FROM revocations WHERE created_at < $1", &[&before])
                .await
                .map_err(ConsoleError::database)?;
            let Some(through) = row.get::<_, Option<i64>>(0) else {
                return Ok(0);
            };
            let deleted = transaction
                .execute("DELETE FROM revocations WHERE seq <= $1", &[&through])
                .await
                .map_err(ConsoleError::database)?;
            transaction
                .execute("UPDATE revocations_pruned SET through_seq = GREATEST(through_seq, $1)", &[&through])
                .await
                .map_err(ConsoleError::database)?;
            transaction.commit().await.map_err(ConsoleError::database)?;
            Ok(deleted)
        })
    }

    /// Appends a revocation to the replicas' feed and notifies `channel` in the same transaction; answers its
    /// sequence number.
    pub(crate) fn append_revocation(&self, origin: &str, event: &str, channel: &str) -> Result<i64, ConsoleError> {
        let (origin, event, channel) = (origin.to_owned(), event.to_owned(), channel.to_owned());
        let now = crate::secret::now_ms();
        self.run(|pool| async move {
            let mut client = pool.get().await.map_err(ConsoleError::database)?;
            let transaction = client.transaction().await.map_err(ConsoleError::database)?;
            let row = transaction
                .query_one(
                    "INSERT INTO revocations (origin, event, created_at) VALUES ($1, $2, $3) RETURNING seq",
                    &[&origin, &event, &now],
                )
                .await
                .map_err(ConsoleError::database)?;
            let sequence: i64 = row.get(0);
            transaction
                .execute("SELECT pg_notify($1, $2)", &[&channel, &sequence.to_string()])
                .await
                .map_err(ConsoleError::database)?;
            transaction.commit().await.map_err(ConsoleError::database)?;
            Ok(sequence)
        })
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

async fn migrate(pool: &Pool) -> Result<(), ConsoleError> {
    let mut client = pool.get().await.map_err(ConsoleError::database)?;
    let transaction = client.transaction().await.map_err(ConsoleError::database)?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(ConsoleError::database)?;
    transaction
        .batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .await
        .map_err(ConsoleError::database)?;
    let current: Option<i64> = transaction
        .query_opt("SELECT version FROM schema_version", &[])
        .await
        .map_err(ConsoleError::database)?
        .map(|row| row.get(0));
    if current.is_none() {
        transaction
            .execute("INSERT INTO schema_version (version) VALUES (0)", &[])
            .await
            .map_err(ConsoleError::database)?;
    }
    let current = current.unwrap_or(0);
    let supported = PG_MIGRATIONS.len() as i64;
    if current > supported {
        return Err(ConsoleError::SchemaTooNew { found: current, supported });
    }
    for (index, sql) in PG_MIGRATIONS.iter().enumerate().skip(current as usize) {
        transaction.batch_execute(sql).await.map_err(ConsoleError::database)?;
        tracing::info!(version = index + 1, "applying console database migration (PostgreSQL)");
    }
    transaction
        .execute("UPDATE schema_version SET version = $1", &[&supported])
        .await
        .map_err(ConsoleError::database)?;
    transaction.commit().await.map_err(ConsoleError::database)?;
    Ok(())
}

fn status_to_sql(status: DeviceStatus) -> &'static str {
    match status {
        DeviceStatus::Pending => "pending",
        DeviceStatus::Approved => "approved",
        DeviceStatus::Revoked => "revoked",
    }
}

fn status_from_sql(text: &str) -> DeviceStatus {
    match text {
        "approved" => DeviceStatus::Approved,
        "revoked" => DeviceStatus::Revoked,
        // The CHECK constraint admits only the three; an unexpected value fails closed.
        _ => DeviceStatus::Pending,
    }
}

const USER_COLUMNS: &str = "id, email, password_hash, disabled, expires_at, auto_approve_devices, created_at";

fn user_from_row(row: &Row) -> UserRecord {
    UserRecord {
        id: row.get(0),
        email: row.get(1),
        password_hash: row.get(2),
        disabled: row.get(3),
        expires_at: row.get(4),
        auto_approve_devices: row.get(5),
        created_at: row.get(6),
    }
}

const TOKEN_COLUMNS: &str =
    "id, user_id, name, terminal_id, token_hash, created_at, expires_at, last_used_at, revoked_at, replaced_by";

fn token_from_row(row: &Row) -> TokenRecord {
    TokenRecord {
        id: row.get(0),
        user_id: row.get(1),
        name: row.get(2),
        terminal_id: row.get(3),
        token_hash: row.get(4),
        created_at: row.get(5),
        expires_at: row.get(6),
        last_used_at: row.get(7),
        revoked_at: row.get(8),
        replaced_by: row.get(9),
    }
}

const DEVICE_COLUMNS: &str = "user_id, id, name, status, first_seen_at, last_seen_at";

fn device_from_row(row: &Row) -> DeviceRecord {
    let status: String = row.get(3);
    DeviceRecord {
        user_id: row.get(0),
        id: row.get(1),
        name: row.get(2),
        status: status_from_sql(&status),
        first_seen_at: row.get(4),
        last_seen_at: row.get(5),
    }
}

async fn insert_token_sql(
    client: &impl deadpool_postgres::GenericClient,
    token: &TokenRecord,
) -> Result<u64, ConsoleError> {
    client
        .execute(
            &format!("INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
            &[
                &token.id,
                &token.user_id,
                &token.name,
                &token.terminal_id,
                &token.token_hash,
                &token.created_at,
                &token.expires_at,
                &token.last_used_at,
                &token.revoked_at,
                &token.replaced_by,
            ],
        )
        .await
        .map_err(ConsoleError::database)
}

impl Store for PostgresStore {
    fn insert_user(&self, user: &UserRecord) -> Result<(), ConsoleError> {
        let user = user.clone();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let result = client
                .execute(
                    &format!("INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
                    &[
                        &user.id,
                        &user.email,
                        &user.password_hash,
                        &user.disabled,
                        &user.expires_at,
                        &user.auto_approve_devices,
                        &user.created_at,
                    ],
                )
                .await;
            match result {
                Ok(_) => Ok(()),
                Err(error) if error.code() == Some(&SqlState::UNIQUE_VIOLATION) => Err(ConsoleError::Conflict {
                    code: "email_taken",
                    message: format!("a user with email {} exists", user.email),
                }),
                Err(error) => Err(ConsoleError::database(error)),
            }
        })
    }

    fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, ConsoleError> {
        let id = id.to_owned();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
            Ok(client.query_opt(&sql, &[&id]).await.map_err(ConsoleError::database)?.as_ref().map(user_from_row))
        })
    }

    fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, ConsoleError> {
        let email = email.to_owned();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($1)");
            Ok(client.query_opt(&sql, &[&email]).await.map_err(ConsoleError::database)?.as_ref().map(user_from_row))
        })
    }

    fn update_account(&self, user_id: &str, update: &AccountUpdate) -> Result<Option<UserRecord>, ConsoleError> {
        let (user_id, update) = (user_id.to_owned(), update.clone());
        self.run(|pool| async move {
            let mut client = pool.get().await.map_err(ConsoleError::database)?;
            let transaction = client.transaction().await.map_err(ConsoleError::database)?;
            if let Some(disabled) = update.disabled {
                transaction
                    .execute("UPDATE users SET disabled = $1 WHERE id = $2", &[&disabled, &user_id])
                    .await
                    .map_err(ConsoleError::database)?;
            }
            if let Some(expires_at) = update.expires_at {
                transaction
                    .execute("UPDATE users SET expires_at = $1 WHERE id = $2", &[&expires_at, &user_id])
                    .await
                    .map_err(ConsoleError::database)?;
            }
            if let Some(auto_approve) = update.auto_approve_devices {
                transaction
                    .execute("UPDATE users SET auto_approve_devices = $1 WHERE id = $2", &[&auto_approve, &user_id])
                    .await
                    .map_err(ConsoleError::database)?;
            }
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
            let user = transaction
                .query_opt(&sql, &[&user_id])
                .await
                .map_err(ConsoleError::database)?
                .as_ref()
                .map(user_from_row);
            transaction.commit().await.map_err(ConsoleError::database)?;
            Ok(user)
        })
    }

    fn insert_api_key(&self, user_id: &str, key_hash: &str, now: TimeMs) -> Result<(), ConsoleError> {
        let (user_id, key_hash) = (user_id.to_owned(), key_hash.to_owned());
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            client
                .execute(
                    "INSERT INTO api_keys (key_hash, user_id, created_at) VALUES ($1, $2, $3)",
                    &[&key_hash, &user_id, &now],
                )
                .await
                .map_err(ConsoleError::database)?;
            Ok(())
        })
    }

    fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<(String, String)>, ConsoleError> {
        let key_hash = key_hash.to_owned();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let row = client
                .query_opt("SELECT key_hash, user_id FROM api_keys WHERE key_hash = $1", &[&key_hash])
                .await
                .map_err(ConsoleError::database)?;
            Ok(row.map(|row| (row.get(0), row.get(1))))
        })
    }

    fn insert_session(
        &self,
        id_hash: &str,
        user_id: &str,
        now: TimeMs,
        expires_at: TimeMs,
    ) -> Result<(), ConsoleError> {
        let (id_hash, user_id) = (id_hash.to_owned(), user_id.to_owned());
        self.run(|pool| async move {
            let mut client = pool.get().await.map_err(ConsoleError::database)?;
            let transaction = client.transaction().await.map_err(ConsoleError::database)?;
            // Expired sessions are swept on sign-in so the table does not grow without bound.
            transaction
                .execute("DELETE FROM sessions WHERE expires_at <= $1", &[&now])
                .await
                .map_err(ConsoleError::database)?;
            transaction
                .execute(
                    "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                    &[&id_hash, &user_id, &now, &expires_at],
                )
                .await
                .map_err(ConsoleError::database)?;
            transaction.commit().await.map_err(ConsoleError::database)?;
            Ok(())
        })
    }

    fn session_by_hash(&self, id_hash: &str, now: TimeMs) -> Result<Option<(String, String)>, ConsoleError> {
        let id_hash = id_hash.to_owned();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let row = client
                .query_opt(
                    "SELECT id_hash, user_id FROM sessions WHERE id_hash = $1 AND expires_at > $2",
                    &[&id_hash, &now],
                )
                .await
                .map_err(ConsoleError::database)?;
            Ok(row.map(|row| (row.get(0), row.get(1))))
        })
    }

    fn delete_session(&self, id_hash: &str) -> Result<(), ConsoleError> {
        let id_hash = id_hash.to_owned();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            client
                .execute("DELETE FROM sessions WHERE id_hash = $1", &[&id_hash])
                .await
                .map_err(ConsoleError::database)?;
            Ok(())
        })
    }

    fn insert_token(&self, token: &TokenRecord) -> Result<(), ConsoleError> {
        let token = token.clone();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            insert_token_sql(&client, &token).await?;
            Ok(())
        })
    }

    fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenRecord>, ConsoleError> {
        let token_hash = token_hash.to_owned();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE token_hash = $1");
            Ok(client
                .query_opt(&sql, &[&token_hash])
                .await
                .map_err(ConsoleError::database)?
                .as_ref()
                .map(token_from_row))
        })
    }

    fn token(&self, user_id: &str, id: &str) -> Result<Option<TokenRecord>, ConsoleError> {
        let (user_id, id) = (user_id.to_owned(), id.to_owned());
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = $1 AND user_id = $2");
            Ok(client
                .query_opt(&sql, &[&id, &user_id])
                .await
                .map_err(ConsoleError::database)?
                .as_ref()
                .map(token_from_row))
        })
    }

    fn token_by_id(&self, id: &str) -> Result<Option<TokenRecord>, ConsoleError> {
        let id = id.to_owned();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = $1");
            Ok(client.query_opt(&sql, &[&id]).await.map_err(ConsoleError::database)?.as_ref().map(token_from_row))
        })
    }

    fn list_tokens(&self, user_id: &str) -> Result<Vec<TokenRecord>, ConsoleError> {
        let user_id = user_id.to_owned();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let sql =
                format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE user_id = $1 ORDER BY created_at DESC, seq DESC");
            Ok(client
                .query(&sql, &[&user_id])
                .await
                .map_err(ConsoleError::database)?
                .iter()
                .map(token_from_row)
                .collect())
        })
    }

    fn revoke_token(&self, user_id: &str, id: &str, now: TimeMs) -> Result<bool, ConsoleError> {
        let (user_id, id) = (user_id.to_owned(), id.to_owned());
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let changed = client
                .execute(
                    "UPDATE tokens SET revoked_at = $1
                     WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL AND replaced_by IS NULL",
                    &[&now, &id, &user_id],
                )
                .await
                .map_err(ConsoleError::database)?;
            Ok(changed == 1)
        })
    }

    fn replace_token(&self, user_id: &str, old_id: &str, new: &TokenRecord) -> Result<bool, ConsoleError> {
        let (user_id, old_id, new) = (user_id.to_owned(), old_id.to_owned(), new.clone());
        self.run(|pool| async move {
            let mut client = pool.get().await.map_err(ConsoleError::database)?;
            let transaction = client.transaction().await.map_err(ConsoleError::database)?;
            insert_token_sql(&transaction, &new).await?;
            let changed = transaction
                .execute(
                    "UPDATE tokens SET replaced_by = $1
                     WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL AND replaced_by IS NULL",
                    &[&new.id, &old_id, &user_id],
                )
                .await
                .map_err(ConsoleError::database)?;
            if changed != 1 {
                // Dropping the transaction rolls the new token back: nothing half-written.
                return Ok(false);
            }
            transaction.commit().await.map_err(ConsoleError::database)?;
            Ok(true)
        })
    }

    fn mark_token_used(&self, id: &str, now: TimeMs) -> Result<(), ConsoleError> {
        let id = id.to_owned();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            client
                .execute("UPDATE tokens SET last_used_at = $1 WHERE id = $2", &[&now, &id])
                .await
                .map_err(ConsoleError::database)?;
            Ok(())
        })
    }

    fn observe_device(
        &self,
        user_id: &str,
        id: &str,
        name: &str,
        status_if_new: DeviceStatus,
        now: TimeMs,
    ) -> Result<DeviceRecord, ConsoleError> {
        let (user_id, id, name) = (user_id.to_owned(), id.to_owned(), name.to_owned());
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            // One statement: the upsert answers the row as it is after it, so no transaction is needed.
            let row = client
                .query_one(
                    &format!(
                        "INSERT INTO devices (user_id, id, name, status, first_seen_at, last_seen_at)
                         VALUES ($1, $2, $3, $4, $5, $5)
                         ON CONFLICT (user_id, id) DO UPDATE
                             SET name = excluded.name, last_seen_at = excluded.last_seen_at
                         RETURNING {DEVICE_COLUMNS}"
                    ),
                    &[&user_id, &id, &name, &status_to_sql(status_if_new), &now],
                )
                .await
                .map_err(ConsoleError::database)?;
            Ok(device_from_row(&row))
        })
    }

    fn set_device_status(
        &self,
        user_id: &str,
        id: &str,
        status: DeviceStatus,
    ) -> Result<Option<DeviceRecord>, ConsoleError> {
        let (user_id, id) = (user_id.to_owned(), id.to_owned());
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let row = client
                .query_opt(
                    &format!(
                        "UPDATE devices SET status = $1 WHERE user_id = $2 AND id = $3 RETURNING {DEVICE_COLUMNS}"
                    ),
                    &[&status_to_sql(status), &user_id, &id],
                )
                .await
                .map_err(ConsoleError::database)?;
            Ok(row.as_ref().map(device_from_row))
        })
    }

    fn list_devices(&self, user_id: &str) -> Result<Vec<DeviceRecord>, ConsoleError> {
        let user_id = user_id.to_owned();
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = $1 ORDER BY last_seen_at DESC, id");
            Ok(client
                .query(&sql, &[&user_id])
                .await
                .map_err(ConsoleError::database)?
                .iter()
                .map(device_from_row)
                .collect())
        })
    }

    fn expiries_between(&self, after: TimeMs, until: TimeMs) -> Result<Vec<Expiry>, ConsoleError> {
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let mut expiries = Vec::new();
            let tokens = client
                .query(
                    "SELECT id FROM tokens WHERE expires_at > $1 AND expires_at <= $2
                     AND revoked_at IS NULL AND replaced_by IS NULL ORDER BY expires_at",
                    &[&after, &until],
                )
                .await
                .map_err(ConsoleError::database)?;
            expiries.extend(tokens.iter().map(|row| Expiry::Token { id: row.get(0) }));
            let users = client
                .query(
                    "SELECT id, expires_at FROM users WHERE expires_at > $1 AND expires_at <= $2 AND NOT disabled
                     ORDER BY expires_at",
                    &[&after, &until],
                )
                .await
                .map_err(ConsoleError::database)?;
            expiries.extend(users.iter().map(|row| Expiry::Account { user_id: row.get(0), at: row.get(1) }));
            Ok(expiries)
        })
    }

    fn next_expiry_after(&self, after: TimeMs) -> Result<Option<TimeMs>, ConsoleError> {
        self.run(|pool| async move {
            let client = pool.get().await.map_err(ConsoleError::database)?;
            let row = client
                .query_one(
                    "SELECT MIN(t) FROM (
                        SELECT MIN(expires_at) AS t FROM tokens
                            WHERE expires_at > $1 AND revoked_at IS NULL AND replaced_by IS NULL
                        UNION ALL
                        SELECT MIN(expires_at) AS t FROM users WHERE expires_at > $1 AND NOT disabled
                    ) AS m",
                    &[&after],
                )
                .await
                .map_err(ConsoleError::database)?;
            Ok(row.get(0))
        })
    }
}
