//! The PostgreSQL schema: its numbered migrations and the one transaction that applies those not yet run.

use deadpool_postgres::Pool;

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

/// Applies the migrations that have not run yet, in one transaction together with the version bump and under an
/// advisory lock, so replicas starting together migrate one at a time and a crash leaves the old or the new schema.
pub(super) async fn migrate(pool: &Pool) -> Result<(), ConsoleError> {
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
