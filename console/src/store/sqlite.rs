//! The SQLite store: one file in the data directory, WAL journal, `synchronous=FULL`, ordered migrations.
//!
//! With WAL and `synchronous=FULL` a transaction is on disk when `COMMIT` returns, so every answered write survives
//! `kill -9` and power loss. One connection sits behind a mutex: SQLite serializes writers anyway, and the console's
//! load (token management and cached verifications) is far below what one connection handles.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use metaapi_protocol::console::DeviceStatus;
use metaapi_protocol::types::TimeMs;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::interface::{AccountUpdate, DeviceRecord, Expiry, Store, TokenRecord, UserRecord};
use crate::error::ConsoleError;

/// Schema migrations, applied in order; `schema_version` holds how many ran. Never edit a shipped entry: append.
pub const MIGRATIONS: &[&str] = &[
    // 1: users, credentials, tokens, devices.
    "CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        expires_at INTEGER,
        auto_approve_devices INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE api_keys (
        key_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        created_at INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        name TEXT NOT NULL,
        terminal_id TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        last_used_at INTEGER,
        revoked_at INTEGER,
        replaced_by TEXT REFERENCES tokens(id)
    );
    CREATE INDEX tokens_by_user ON tokens(user_id, created_at);
    CREATE INDEX tokens_by_expiry ON tokens(expires_at) WHERE expires_at IS NOT NULL;
    CREATE TABLE devices (
        user_id TEXT NOT NULL REFERENCES users(id),
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'revoked')),
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, id)
    );",
];

/// The file name of the database inside the data directory.
pub const DATABASE_FILE: &str = "console.db";

/// [`Store`] on an SQLite file.
pub struct SqliteStore {
    connection: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SqliteStore").field("path", &self.path).finish()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) `console.db` in `data_dir` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, ConsoleError> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(DATABASE_FILE);
        let mut connection = Connection::open(&path)?;
        // Other processes (the CLI in offline mode) may hold the write lock briefly.
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite refused WAL mode; durability still holds with synchronous=FULL");
        }
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut connection)?;
        Ok(SqliteStore { connection: Mutex::new(connection), path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a transaction drops (rolls back) it, so the connection stays consistent.
        self.connection.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Applies the migrations that have not run yet. All of them run in one immediate transaction together with the
/// version bump, so two processes opening the same file at once cannot both migrate, and a crash leaves either the
/// old or the new schema.
fn migrate(connection: &mut Connection) -> Result<(), ConsoleError> {
    let transaction = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    transaction.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let current: Option<i64> =
        transaction.query_row("SELECT version FROM schema_version", [], |row| row.get(0)).optional()?;
    if current.is_none() {
        transaction.execute("INSERT INTO schema_version (version) VALUES (0)", [])?;
    }
    let current = current.unwrap_or(0);
    let supported = MIGRATIONS.len() as i64;
    if current > supported {
        return Err(ConsoleError::SchemaTooNew { found: current, supported });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        transaction.execute_batch(sql)?;
        tracing::info!(version = index + 1, "applying console database migration");
    }
    transaction.execute("UPDATE schema_version SET version = ?1", params![supported])?;
    transaction.commit()?;
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

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: row.get(0)?,
        email: row.get(1)?,
        password_hash: row.get(2)?,
        disabled: row.get(3)?,
        expires_at: row.get(4)?,
        auto_approve_devices: row.get(5)?,
        created_at: row.get(6)?,
    })
}

const TOKEN_COLUMNS: &str =
    "id, user_id, name, terminal_id, token_hash, created_at, expires_at, last_used_at, revoked_at, replaced_by";

fn token_from_row(row: &Row<'_>) -> rusqlite::Result<TokenRecord> {
    Ok(TokenRecord {
        id: row.get(0)?,
        user_id: row.get(1)?,
        name: row.get(2)?,
        terminal_id: row.get(3)?,
        token_hash: row.get(4)?,
        created_at: row.get(5)?,
        expires_at: row.get(6)?,
        last_used_at: row.get(7)?,
        revoked_at: row.get(8)?,
        replaced_by: row.get(9)?,
    })
}

const DEVICE_COLUMNS: &str = "user_id, id, name, status, first_seen_at, last_seen_at";

fn device_from_row(row: &Row<'_>) -> rusqlite::Result<DeviceRecord> {
    let status: String = row.get(3)?;
    Ok(DeviceRecord {
        user_id: row.get(0)?,
        id: row.get(1)?,
        name: row.get(2)?,
        status: status_from_sql(&status),
        first_seen_at: row.get(4)?,
        last_seen_at: row.get(5)?,
    })
}

fn insert_token_sql(connection: &Connection, token: &TokenRecord) -> rusqlite::Result<usize> {
    connection.execute(
        &format!("INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
        params![
            token.id,
            token.user_id,
            token.name,
            token.terminal_id,
            token.token_hash,
            token.created_at,
            token.expires_at,
            token.last_used_at,
            token.revoked_at,
            token.replaced_by
        ],
    )
}

impl Store for SqliteStore {
    fn insert_user(&self, user: &UserRecord) -> Result<(), ConsoleError> {
        let result = self.connection().execute(
            &format!("INSERT INTO users ({USER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
            params![
                user.id,
                user.email,
                user.password_hash,
                user.disabled,
                user.expires_at,
                user.auto_approve_devices,
                user.created_at
            ],
        );
        match result {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(ConsoleError::Conflict {
                    code: "email_taken",
                    message: format!("a user with email {} exists", user.email),
                })
            }
            Err(error) => Err(error.into()),
        }
    }

    fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, ConsoleError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
        Ok(self.connection().query_row(&sql, params![id], user_from_row).optional()?)
    }

    fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, ConsoleError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?1");
        Ok(self.connection().query_row(&sql, params![email], user_from_row).optional()?)
    }

    fn update_account(&self, user_id: &str, update: &AccountUpdate) -> Result<Option<UserRecord>, ConsoleError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        if let Some(disabled) = update.disabled {
            transaction.execute("UPDATE users SET disabled = ?1 WHERE id = ?2", params![disabled, user_id])?;
        }
        if let Some(expires_at) = update.expires_at {
            transaction.execute("UPDATE users SET expires_at = ?1 WHERE id = ?2", params![expires_at, user_id])?;
        }
        if let Some(auto_approve) = update.auto_approve_devices {
            transaction
                .execute("UPDATE users SET auto_approve_devices = ?1 WHERE id = ?2", params![auto_approve, user_id])?;
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
        let user = transaction.query_row(&sql, params![user_id], user_from_row).optional()?;
        transaction.commit()?;
        Ok(user)
    }

    fn insert_api_key(&self, user_id: &str, key_hash: &str, now: TimeMs) -> Result<(), ConsoleError> {
        self.connection().execute(
            "INSERT INTO api_keys (key_hash, user_id, created_at) VALUES (?1, ?2, ?3)",
            params![key_hash, user_id, now],
        )?;
        Ok(())
    }

    fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<(String, String)>, ConsoleError> {
        Ok(self
            .connection()
            .query_row("SELECT key_hash, user_id FROM api_keys WHERE key_hash = ?1", params![key_hash], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?)
    }

    fn insert_session(
        &self,
        id_hash: &str,
        user_id: &str,
        now: TimeMs,
        expires_at: TimeMs,
    ) -> Result<(), ConsoleError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        // Expired sessions are swept on sign-in so the table does not grow without bound.
        transaction.execute("DELETE FROM sessions WHERE expires_at <= ?1", params![now])?;
        transaction.execute(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![id_hash, user_id, now, expires_at],
        )?;
        transaction.commit()?;
        Ok(())
    }

    fn session_by_hash(&self, id_hash: &str, now: TimeMs) -> Result<Option<(String, String)>, ConsoleError> {
        Ok(self
            .connection()
            .query_row(
                "SELECT id_hash, user_id FROM sessions WHERE id_hash = ?1 AND expires_at > ?2",
                params![id_hash, now],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    fn delete_session(&self, id_hash: &str) -> Result<(), ConsoleError> {
        self.connection().execute("DELETE FROM sessions WHERE id_hash = ?1", params![id_hash])?;
        Ok(())
    }

    fn insert_token(&self, token: &TokenRecord) -> Result<(), ConsoleError> {
        insert_token_sql(&self.connection(), token)?;
        Ok(())
    }

    fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenRecord>, ConsoleError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE token_hash = ?1");
        Ok(self.connection().query_row(&sql, params![token_hash], token_from_row).optional()?)
    }

    fn token(&self, user_id: &str, id: &str) -> Result<Option<TokenRecord>, ConsoleError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?1 AND user_id = ?2");
        Ok(self.connection().query_row(&sql, params![id, user_id], token_from_row).optional()?)
    }

    fn token_by_id(&self, id: &str) -> Result<Option<TokenRecord>, ConsoleError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?1");
        Ok(self.connection().query_row(&sql, params![id], token_from_row).optional()?)
    }

    fn list_tokens(&self, user_id: &str) -> Result<Vec<TokenRecord>, ConsoleError> {
        let connection = self.connection();
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE user_id = ?1 ORDER BY created_at DESC, rowid DESC");
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map(params![user_id], token_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn revoke_token(&self, user_id: &str, id: &str, now: TimeMs) -> Result<bool, ConsoleError> {
        let changed = self.connection().execute(
            "UPDATE tokens SET revoked_at = ?1
             WHERE id = ?2 AND user_id = ?3 AND revoked_at IS NULL AND replaced_by IS NULL",
            params![now, id, user_id],
        )?;
        Ok(changed == 1)
    }

    fn replace_token(&self, user_id: &str, old_id: &str, new: &TokenRecord) -> Result<bool, ConsoleError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        insert_token_sql(&transaction, new)?;
        let changed = transaction.execute(
            "UPDATE tokens SET replaced_by = ?1
             WHERE id = ?2 AND user_id = ?3 AND revoked_at IS NULL AND replaced_by IS NULL",
            params![new.id, old_id, user_id],
        )?;
        if changed != 1 {
            // Dropping the transaction rolls the new token back: nothing half-written.
            return Ok(false);
        }
        transaction.commit()?;
        Ok(true)
    }

    fn mark_token_used(&self, id: &str, now: TimeMs) -> Result<(), ConsoleError> {
        self.connection().execute("UPDATE tokens SET last_used_at = ?1 WHERE id = ?2", params![now, id])?;
        Ok(())
    }

    fn observe_device(
        &self,
        user_id: &str,
        id: &str,
        name: &str,
        status_if_new: DeviceStatus,
        now: TimeMs,
    ) -> Result<DeviceRecord, ConsoleError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        transaction.execute(
            "INSERT INTO devices (user_id, id, name, status, first_seen_at, last_seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (user_id, id) DO UPDATE SET name = excluded.name, last_seen_at = excluded.last_seen_at",
            params![user_id, id, name, status_to_sql(status_if_new), now],
        )?;
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = ?1 AND id = ?2");
        let device = transaction.query_row(&sql, params![user_id, id], device_from_row)?;
        transaction.commit()?;
        Ok(device)
    }

    fn set_device_status(
        &self,
        user_id: &str,
        id: &str,
        status: DeviceStatus,
    ) -> Result<Option<DeviceRecord>, ConsoleError> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        transaction.execute(
            "UPDATE devices SET status = ?1 WHERE user_id = ?2 AND id = ?3",
            params![status_to_sql(status), user_id, id],
        )?;
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = ?1 AND id = ?2");
        let device = transaction.query_row(&sql, params![user_id, id], device_from_row).optional()?;
        transaction.commit()?;
        Ok(device)
    }

    fn list_devices(&self, user_id: &str) -> Result<Vec<DeviceRecord>, ConsoleError> {
        let connection = self.connection();
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = ?1 ORDER BY last_seen_at DESC, id");
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map(params![user_id], device_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn expiries_between(&self, after: TimeMs, until: TimeMs) -> Result<Vec<Expiry>, ConsoleError> {
        let connection = self.connection();
        let mut expiries = Vec::new();
        let mut statement = connection.prepare(
            "SELECT id FROM tokens WHERE expires_at > ?1 AND expires_at <= ?2
             AND revoked_at IS NULL AND replaced_by IS NULL ORDER BY expires_at",
        )?;
        for id in statement.query_map(params![after, until], |row| row.get::<_, String>(0))? {
            expiries.push(Expiry::Token { id: id? });
        }
        let mut statement = connection.prepare(
            "SELECT id, expires_at FROM users WHERE expires_at > ?1 AND expires_at <= ?2 AND disabled = 0
             ORDER BY expires_at",
        )?;
        for account in statement
            .query_map(params![after, until], |row| Ok((row.get::<_, String>(0)?, row.get::<_, TimeMs>(1)?)))?
        {
            let (user_id, at) = account?;
            expiries.push(Expiry::Account { user_id, at });
        }
        Ok(expiries)
    }

    fn next_expiry_after(&self, after: TimeMs) -> Result<Option<TimeMs>, ConsoleError> {
        Ok(self.connection().query_row(
            "SELECT MIN(earliest) FROM (
                SELECT MIN(expires_at) AS earliest FROM tokens
                    WHERE expires_at > ?1 AND revoked_at IS NULL AND replaced_by IS NULL
                UNION ALL
                SELECT MIN(expires_at) AS earliest FROM users WHERE expires_at > ?1 AND disabled = 0
            )",
            params![after],
            |row| row.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str, email: &str) -> UserRecord {
        UserRecord {
            id: id.into(),
            email: email.into(),
            password_hash: "x".into(),
            disabled: false,
            expires_at: None,
            auto_approve_devices: false,
            created_at: 1,
        }
    }

    fn token(id: &str, user_id: &str, hash: &str) -> TokenRecord {
        TokenRecord {
            id: id.into(),
            user_id: user_id.into(),
            name: "T".into(),
            terminal_id: "term".into(),
            token_hash: hash.into(),
            created_at: 1,
            expires_at: None,
            last_used_at: None,
            revoked_at: None,
            replaced_by: None,
        }
    }

    #[test]
    fn migrations_run_once_and_reopen_keeps_data() {
        let directory = tempfile::tempdir().unwrap();
        {
            let store = SqliteStore::open(directory.path()).unwrap();
            store.insert_user(&user("u1", "a@example.com")).unwrap();
        }
        let store = SqliteStore::open(directory.path()).unwrap();
        let version: i64 =
            store.connection().query_row("SELECT version FROM schema_version", [], |row| row.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let rows: i64 =
            store.connection().query_row("SELECT COUNT(*) FROM schema_version", [], |row| row.get(0)).unwrap();
        assert_eq!(rows, 1);
        assert!(store.user_by_email("A@EXAMPLE.COM").unwrap().is_some(), "emails match ignoring case");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let directory = tempfile::tempdir().unwrap();
        drop(SqliteStore::open(directory.path()).unwrap());
        let connection = Connection::open(directory.path().join(DATABASE_FILE)).unwrap();
        connection.execute("UPDATE schema_version SET version = 999", []).unwrap();
        drop(connection);
        match SqliteStore::open(directory.path()) {
            Err(ConsoleError::SchemaTooNew { found: 999, .. }) => {}
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
    }

    #[test]
    fn durability_pragmas_are_set() {
        let directory = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(directory.path()).unwrap();
        let mode: String = store.connection().query_row("PRAGMA journal_mode", [], |row| row.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let synchronous: i64 = store.connection().query_row("PRAGMA synchronous", [], |row| row.get(0)).unwrap();
        assert_eq!(synchronous, 2, "2 is FULL");
    }

    #[test]
    fn duplicate_email_is_a_conflict() {
        let directory = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(directory.path()).unwrap();
        store.insert_user(&user("u1", "a@example.com")).unwrap();
        let error = store.insert_user(&user("u2", "A@example.com")).unwrap_err();
        assert!(matches!(error, ConsoleError::Conflict { code: "email_taken", .. }), "{error:?}");
    }

    #[test]
    fn failed_replace_writes_nothing() {
        let directory = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(directory.path()).unwrap();
        store.insert_user(&user("u1", "a@example.com")).unwrap();
        store.insert_token(&token("t1", "u1", "h1")).unwrap();
        assert!(store.revoke_token("u1", "t1", 5).unwrap());
        assert!(!store.revoke_token("u1", "t1", 6).unwrap(), "second revoke changes nothing");
        assert!(!store.replace_token("u1", "t1", &token("t2", "u1", "h2")).unwrap());
        assert!(store.token("u1", "t2").unwrap().is_none(), "the new token was rolled back");
        assert_eq!(store.list_tokens("u1").unwrap().len(), 1);
    }

    #[test]
    fn tokens_are_scoped_to_their_user() {
        let directory = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(directory.path()).unwrap();
        store.insert_user(&user("u1", "a@example.com")).unwrap();
        store.insert_user(&user("u2", "b@example.com")).unwrap();
        store.insert_token(&token("t1", "u1", "h1")).unwrap();
        assert!(store.token("u2", "t1").unwrap().is_none());
        assert!(!store.revoke_token("u2", "t1", 5).unwrap());
        assert!(store.list_tokens("u2").unwrap().is_empty());
    }

    #[test]
    fn expiries_find_only_usable_tokens_and_enabled_accounts() {
        let directory = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(directory.path()).unwrap();
        let mut account = user("u1", "a@example.com");
        account.expires_at = Some(150);
        store.insert_user(&account).unwrap();
        let mut usable = token("t1", "u1", "h1");
        usable.expires_at = Some(100);
        let mut revoked = token("t2", "u1", "h2");
        revoked.expires_at = Some(120);
        store.insert_token(&usable).unwrap();
        store.insert_token(&revoked).unwrap();
        store.revoke_token("u1", "t2", 50).unwrap();
        assert_eq!(store.next_expiry_after(0).unwrap(), Some(100));
        assert_eq!(store.next_expiry_after(100).unwrap(), Some(150));
        assert_eq!(store.next_expiry_after(150).unwrap(), None);
        assert_eq!(
            store.expiries_between(0, 200).unwrap(),
            vec![Expiry::Token { id: "t1".into() }, Expiry::Account { user_id: "u1".into(), at: 150 }]
        );
    }
}
