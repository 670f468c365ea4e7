//! The [`Store`] operations on PostgreSQL: users, API keys, sessions, tokens, devices and expiries, with the
//! mapping between their rows and the store's records.

use metaapi_protocol::console::DeviceStatus;
use metaapi_protocol::types::TimeMs;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

use super::PostgresStore;
use crate::error::ConsoleError;
use crate::store::interface::{AccountUpdate, DeviceRecord, Expiry, Store, TokenRecord, UserRecord};

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
                    "SELECT MIN(earliest) FROM (
                        SELECT MIN(expires_at) AS earliest FROM tokens
                            WHERE expires_at > $1 AND revoked_at IS NULL AND replaced_by IS NULL
                        UNION ALL
                        SELECT MIN(expires_at) AS earliest FROM users WHERE expires_at > $1 AND NOT disabled
                    ) AS candidates",
                    &[&after],
                )
                .await
                .map_err(ConsoleError::database)?;
            Ok(row.get(0))
        })
    }
}
