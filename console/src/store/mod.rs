//! The store: the narrow set of operations the console needs from its database.
//!
//! [`Store`] is deliberately small and speaks in records, not SQL: [`SqliteStore`] (the embedded default) and
//! [`PostgresStore`] (for several replicas on one database) implement it, and [`open`] picks one by the database
//! URL. Every write is one transaction and is durable when the call returns: the console
//! acknowledges nothing that a crash could take back. Calls block; async callers run them on blocking threads.

mod interface;
mod postgres;
mod sqlite;

pub use interface::{AccountUpdate, DeviceRecord, Expiry, Store, TokenRecord, UserRecord};
pub use postgres::{PG_MIGRATIONS, PoolLimits, PostgresStore};
pub use sqlite::{MIGRATIONS, SqliteStore};

use std::path::Path;
use std::sync::Arc;

use crate::error::ConsoleError;

/// Which database the console uses: `sqlite://<data dir>` or `postgres://user:password@host:port/dbname`.
///
/// Its `Debug` shows the scheme only, since the URL may carry a password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub String);

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.0.split_once("://").map_or("(no scheme)", |(scheme, _)| scheme);
        write!(formatter, "DatabaseUrl({scheme}://...)")
    }
}

/// An opened store, and the same store as PostgreSQL when it is one.
pub type Opened = (Arc<dyn Store>, Option<Arc<PostgresStore>>);

/// Opens the store `url` names, or the SQLite file in `data_dir` when there is no URL. A PostgreSQL store is also
/// answered by its own type, for the revocation feed replicas share.
pub fn open(url: Option<&DatabaseUrl>, data_dir: &Path, limits: PoolLimits) -> Result<Opened, ConsoleError> {
    let Some(DatabaseUrl(url)) = url else {
        return Ok((Arc::new(SqliteStore::open(data_dir)?), None));
    };
    if let Some(directory) = url.strip_prefix("sqlite://") {
        if directory.is_empty() {
            return Err(ConsoleError::Config("sqlite:// needs a data directory, for example sqlite://./data".into()));
        }
        return Ok((Arc::new(SqliteStore::open(Path::new(directory))?), None));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = Arc::new(PostgresStore::open(url, limits)?);
        return Ok((store.clone(), Some(store)));
    }
    let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
    Err(ConsoleError::Config(format!(
        "database URL scheme {scheme:?} is not supported; use sqlite://<data dir> or postgres://user@host:port/db"
    )))
}
