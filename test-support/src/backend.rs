//! The database a test console runs on: SQLite in its data directory, or, with `METAAPI_CONSOLE_TEST_PG_URL` set
//! (by console/tests/with-postgres.sh, which starts a real PostgreSQL), a fresh PostgreSQL database per directory.

use std::path::Path;

/// The environment variable naming the PostgreSQL server's admin URL; unset or empty means SQLite.
pub const PG_URL_VAR: &str = "METAAPI_CONSOLE_TEST_PG_URL";

/// File in a data directory naming the PostgreSQL database paired with it, so a restart (or a replica given a copy
/// of the file) finds the same data.
pub const PG_DATABASE_FILE: &str = "test-postgres-database";

/// The admin URL of the PostgreSQL server the tests run against, if any.
pub fn pg_admin_url() -> Option<String> {
    std::env::var(PG_URL_VAR).ok().filter(|url| !url.is_empty())
}

/// The database URL for `data_dir` on the tests' backend: `None` on SQLite (the data directory is the database);
/// on PostgreSQL a database created for this directory on first use.
pub fn database_url(data_dir: &Path) -> Option<String> {
    let admin = pg_admin_url()?;
    let marker = data_dir.join(PG_DATABASE_FILE);
    let name = match std::fs::read_to_string(&marker) {
        Ok(name) => name,
        Err(_) => {
            let name = format!("console_test_{}", uuid::Uuid::new_v4().simple());
            create_database(&admin, &name);
            std::fs::write(&marker, &name).unwrap();
            name
        }
    };
    let (base, _) = admin.rsplit_once('/').expect("the admin URL names a database");
    Some(format!("{base}/{name}"))
}

/// `--database-url` arguments for a child console process on the tests' backend.
pub fn database_args(data_dir: &Path) -> Vec<String> {
    database_url(data_dir).map(|url| vec!["--database-url".to_owned(), url]).unwrap_or_default()
}

fn create_database(admin: &str, name: &str) {
    let (admin, name) = (admin.to_owned(), name.to_owned());
    // A thread of its own, so this works from sync and async callers alike.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
        });
    })
    .join()
    .unwrap();
}
