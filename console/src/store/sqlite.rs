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
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) `console.db` in `data_dir` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, ConsoleError> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(DATABASE_FILE);
        let mut conn = Connection::open(&path)?;
        // Other processes (the CLI in offline mode) may hold the write lock briefly.
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "SQLite refused WAL mode; durability still holds with synchronous=FULL");
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        Ok(SqliteStore { conn: Mutex::new(conn), path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a transaction drops (rolls back) it, so the connection stays consistent.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Applies the migrations that have not run yet. All of them run in one immediate transaction together with the
/// version bump, so two processes opening the same file at once cannot both migrate, and a crash leaves either the
/// old or the new schema.
fn migrate(conn: &mut Connection) -> Result<(), ConsoleError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let current: Option<i64> = tx.query_row("SELECT version FROM schema_version", [], |r| r.get(0)).optional()?;
    if current.is_none() {
        tx.execute("INSERT INTO schema_version (version) VALUES (0)", [])?;
    }
    let current = current.unwrap_or(0);
    let supported = MIGRATIONS.len() as i64;
    if current > supported {
        return Err(ConsoleError::SchemaTooNew { found: current, supported });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tracing::info!(version = index + 1, "applying console database migration");
    }
    tx.execute("UPDATE schema_version SET version = ?1", params![supported])?;
    tx.commit()?;
    Ok(())
}

fn status_to_sql(status: DeviceStatus) -> &'static str {
    match status {
        DeviceStatus::Pending => "pending",
        DeviceStatus::Approved => "approved",
        DeviceStatus::Revoked => "revoked",
    }
}

fn status_from_sql(s: &str) -> DeviceStatus {
    match s {
        "approved" => DeviceStatus::Approved,
        "revoked" => DeviceStatus::Revoked,
        // The CHECK constraint admits only the three; an unexpected value fails closed.
        _ => DeviceStatus::Pending,
    }
}

const USER_COLUMNS: &str = "id, email, password_hash, disabled, expires_at, auto_approve_devices, created_at";

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: r.get(0)?,
        email: r.get(1)?,
        password_hash: r.get(2)?,
        disabled: r.get(3)?,
        expires_at: r.get(4)?,
        auto_approve_devices: r.get(5)?,
        created_at: r.get(6)?,
    })
}

const TOKEN_COLUMNS: &str =
    "id, user_id, name, terminal_id, token_hash, created_at, expires_at, last_used_at, revoked_at, replaced_by";

fn token_from_row(r: &Row<'_>) -> rusqlite::Result<TokenRecord> {
    Ok(TokenRecord {
        id: r.get(0)?,
        user_id: r.get(1)?,
        name: r.get(2)?,
        terminal_id: r.get(3)?,
        token_hash: r.get(4)?,
        created_at: r.get(5)?,
        expires_at: r.get(6)?,
        last_used_at: r.get(7)?,
        revoked_at: r.get(8)?,
        replaced_by: r.get(9)?,
    })
}

const DEVICE_COLUMNS: &str = "user_id, id, name, status, first_seen_at, last_seen_at";

fn device_from_row(r: &Row<'_>) -> rusqlite::Result<DeviceRecord> {
    let status: String = r.get(3)?;
    Ok(DeviceRecord {
        user_id: r.get(0)?,
        id: r.get(1)?,
        name: r.get(2)?,
        status: status_from_sql(&status),
        first_seen_at: r.get(4)?,
        last_seen_at: r.get(5)?,
    })
}

fn insert_token_sql(conn: &Connection, t: &TokenRecord) -> rusqlite::Result<usize> {
    conn.execute(
        &format!("INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
        params![
            t.id,
            t.user_id,
            t.name,
            t.terminal_id,
            t.token_hash,
            t.created_at,
            t.expires_at,
            t.last_used_at,
            t.revoked_at,
            t.replaced_by
        ],
    )
}

impl Store for SqliteStore {
    fn insert_user(&self, u: &UserRecord) -> Result<(), ConsoleError> {
        let result = self.conn().execute(
            &format!("INSERT INTO users ({USER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
            params![u.id, u.email, u.password_hash, u.disabled, u.expires_at, u.auto_approve_devices, u.created_at],
        );
        match result {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                Err(ConsoleError::Conflict {
                    code: "email_taken",
                    message: format!("a user with email {} exists", u.email),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, ConsoleError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
        Ok(self.conn().query_row(&sql, params![id], user_from_row).optional()?)
    }

    fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, ConsoleError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?1");
        Ok(self.conn().query_row(&sql, params![email], user_from_row).optional()?)
    }

    fn update_account(&self, user_id: &str, update: &AccountUpdate) -> Result<Option<UserRecord>, ConsoleError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if let Some(disabled) = update.disabled {
            tx.execute("UPDATE users SET disabled = ?1 WHERE id = ?2", params![disabled, user_id])?;
        }
        if let Some(expires_at) = update.expires_at {
            tx.execute("UPDATE users SET expires_at = ?1 WHERE id = ?2", params![expires_at, user_id])?;
        }
        if let Some(auto) = update.auto_approve_devices {
            tx.execute("UPDATE users SET auto_approve_devices = ?1 WHERE id = ?2", params![auto, user_id])?;
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
        let user = tx.query_row(&sql, params![user_id], user_from_row).optional()?;
        tx.commit()?;
        Ok(user)
    }

    fn insert_api_key(&self, user_id: &str, key_hash: &str, now: TimeMs) -> Result<(), ConsoleError> {
        self.conn().execute(
            "INSERT INTO api_keys (key_hash, user_id, created_at) VALUES (?1, ?2, ?3)",
            params![key_hash, user_id, now],
        )?;
        Ok(())
    }

    fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<(String, String)>, ConsoleError> {
        Ok(self
            .conn()
            .query_row("SELECT key_hash, user_id FROM api_keys WHERE key_hash = ?1", params![key_hash], |r| {
                Ok((r.get(0)?, r.get(1)?))
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
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        // Expired sessions are swept on sign-in so the table does not grow without bound.
        tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", params![now])?;
        tx.execute(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![id_hash, user_id, now, expires_at],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn session_by_hash(&self, id_hash: &str, now: TimeMs) -> Result<Option<(String, String)>, ConsoleError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id_hash, user_id FROM sessions WHERE id_hash = ?1 AND expires_at > ?2",
                params![id_hash, now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    fn delete_session(&self, id_hash: &str) -> Result<(), ConsoleError> {
        self.conn().execute("DELETE FROM sessions WHERE id_hash = ?1", params![id_hash])?;
        Ok(())
    }

    fn insert_token(&self, token: &TokenRecord) -> Result<(), ConsoleError> {
        insert_token_sql(&self.conn(), token)?;
        Ok(())
    }

    fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenRecord>, ConsoleError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE token_hash = ?1");
        Ok(self.conn().query_row(&sql, params![token_hash], token_from_row).optional()?)
    }

    fn token(&self, user_id: &str, id: &str) -> Result<Option<TokenRecord>, ConsoleError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?1 AND user_id = ?2");
        Ok(self.conn().query_row(&sql, params![id, user_id], token_from_row).optional()?)
    }

    fn token_by_id(&self, id: &str) -> Result<Option<TokenRecord>, ConsoleError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?1");
        Ok(self.conn().query_row(&sql, params![id], token_from_row).optional()?)
    }

    fn list_tokens(&self, user_id: &str) -> Result<Vec<TokenRecord>, ConsoleError> {
        let conn = self.conn();
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE user_id = ?1 ORDER BY created_at DESC, rowid DESC");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params![user_id], token_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn revoke_token(&self, user_id: &str, id: &str, now: TimeMs) -> Result<bool, ConsoleError> {
        let changed = self.conn().execute(
            "UPDATE tokens SET revoked_at = ?1
             WHERE id = ?2 AND user_id = ?3 AND revoked_at IS NULL AND replaced_by IS NULL",
            params![now, id, user_id],
        )?;
        Ok(changed == 1)
    }

    fn replace_token(&self, user_id: &str, old_id: &str, new: &TokenRecord) -> Result<bool, ConsoleError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        insert_token_sql(&tx, new)?;
        let changed = tx.execute(
            "UPDATE tokens SET replaced_by = ?1
             WHERE id = ?2 AND user_id = ?3 AND revoked_at IS NULL AND replaced_by IS NULL",
            params![new.id, old_id, user_id],
        )?;
        if changed != 1 {
            // Dropping the transaction rolls the new token back: nothing half-written.
            return Ok(false);
        }
        tx.commit()?;
        Ok(true)
    }

    fn mark_token_used(&self, id: &str, now: TimeMs) -> Result<(), ConsoleError> {
        self.conn().execute("UPDATE tokens SET last_used_at = ?1 WHERE id = ?2", params![now, id])?;
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
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO devices (user_id, id, name, status, first_seen_at, last_seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (user_id, id) DO UPDATE SET name = excluded.name, last_seen_at = excluded.last_seen_at",
            params![user_id, id, name, status_to_sql(status_if_new), now],
        )?;
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = ?1 AND id = ?2");
        let device = tx.query_row(&sql, params![user_id, id], device_from_row)?;
        tx.commit()?;
        Ok(device)
    }

    fn set_device_status(
        &self,
        user_id: &str,
        id: &str,
        status: DeviceStatus,
    ) -> Result<Option<DeviceRecord>, ConsoleError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE devices SET status = ?1 WHERE user_id = ?2 AND id = ?3",
            params![status_to_sql(status), user_id, id],
        )?;
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = ?1 AND id = ?2");
        let device = tx.query_row(&sql, params![user_id, id], device_from_row).optional()?;
        tx.commit()?;
        Ok(device)
    }

    fn list_devices(&self, user_id: &str) -> Result<Vec<DeviceRecord>, ConsoleError> {
        let conn = self.conn();
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = ?1 ORDER BY last_seen_at DESC, id");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params![user_id], device_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn expiries_between(&self, after: TimeMs, until: TimeMs) -> Result<Vec<Expiry>, ConsoleError> {
        let conn = self.conn();
        let mut out = Vec::new();
        let mut stmt = conn.prepare(
            "SELECT id FROM tokens WHERE expires_at > ?1 AND expires_at <= ?2
             AND revoked_at IS NULL AND replaced_by IS NULL ORDER BY expires_at",
        )?;
        for id in stmt.query_map(params![after, until], |r| r.get::<_, String>(0))? {
            out.push(Expiry::Token { id: id? });
        }
        let mut stmt = conn.prepare(
            "SELECT id, expires_at FROM users WHERE expires_at > ?1 AND expires_at <= ?2 AND disabled = 0
             ORDER BY expires_at",
        )?;
        for row in stmt.query_map(params![after, until], |r| Ok((r.get::<_, String>(0)?, r.get::<_, TimeMs>(1)?)))? {
            let (user_id, at) = row?;
            out.push(Expiry::Account { user_id, at });
        }
        Ok(out)
    }

    fn next_expiry_after(&self, after: TimeMs) -> Result<Option<TimeMs>, ConsoleError> {
        Ok(self.conn().query_row(
            "SELECT MIN(t) FROM (
                SELECT MIN(expires_at) AS t FROM tokens
                    WHERE expires_at > ?1 AND revoked_at IS NULL AND replaced_by IS NULL
                UNION ALL
                SELECT MIN(expires_at) AS t FROM users WHERE expires_at > ?1 AND disabled = 0
            )",
            params![after],
            |r| r.get(0),
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
        let dir = tempfile::tempdir().unwrap();
        {
            let store = SqliteStore::open(dir.path()).unwrap();
            store.insert_user(&user("u1", "a@example.com")).unwrap();
        }
        let store = SqliteStore::open(dir.path()).unwrap();
        let version: i64 = store.conn().query_row("SELECT version FROM schema_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let rows: i64 = store.conn().query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 1);
        assert!(store.user_by_email("A@EXAMPLE.COM").unwrap().is_some(), "emails match ignoring case");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(SqliteStore::open(dir.path()).unwrap());
        let conn = Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
        conn.execute("UPDATE schema_version SET version = 999", []).unwrap();
        drop(conn);
        match SqliteStore::open(dir.path()) {
            Err(ConsoleError::SchemaTooNew { found: 999, .. }) => {}
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
    }

    #[test]
    fn durability_pragmas_are_set() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let mode: String = store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = store.conn().query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(sync, 2, "2 is FULL");
    }

    #[test]
    fn duplicate_email_is_a_conflict() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        store.insert_user(&user("u1", "a@example.com")).unwrap();
        let err = store.insert_user(&user("u2", "A@example.com")).unwrap_err();
        assert!(matches!(err, ConsoleError::Conflict { code: "email_taken", .. }), "{err:?}");
    }

    #[test]
    fn failed_replace_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
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
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        store.insert_user(&user("u1", "a@example.com")).unwrap();
        store.insert_user(&user("u2", "b@example.com")).unwrap();
        store.insert_token(&token("t1", "u1", "h1")).unwrap();
        assert!(store.token("u2", "t1").unwrap().is_none());
        assert!(!store.revoke_token("u2", "t1", 5).unwrap());
        assert!(store.list_tokens("u2").unwrap().is_empty());
    }

    #[test]
    fn expiries_find_only_usable_tokens_and_enabled_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let mut u = user("u1", "a@example.com");
        u.expires_at = Some(150);
        store.insert_user(&u).unwrap();
        let mut t1 = token("t1", "u1", "h1");
        t1.expires_at = Some(100);
        let mut t2 = token("t2", "u1", "h2");
        t2.expires_at = Some(120);
        store.insert_token(&t1).unwrap();
        store.insert_token(&t2).unwrap();
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
