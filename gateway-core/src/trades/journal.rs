//! The trade store's SQLite connection, with group commit: concurrent writes share one commit to disk.
//!
//! Every trading call with a `client_id` writes its record before it goes to the terminal and again with its
//! outcome, and neither may be answered on before the write is on disk (a trade must never run twice, even after a
//! power cut). One fsync per write made every such call wait for the disk twice, and concurrent calls wait for each
//! other's fsyncs in turn. Here a write goes into an open transaction and gets a number; [`Journal::durable`] then
//! waits until a commit covers that number. The first waiter commits everything written so far, and writes that
//! arrive meanwhile are covered by the next commit, so many calls share each fsync.
//!
//! Reads see writes not yet on disk (one connection); a caller that acts on what it read waits with the number
//! [`Journal::read`] returns, so nothing it answers is lost by a crash.

use std::sync::{Condvar, Mutex, MutexGuard};

use rusqlite::Connection;

use crate::error::GatewayError;

/// How far writes are: numbered in order, and how many of them a commit has made durable.
#[derive(Debug, Default)]
struct Commits {
    /// The number of the last write made (0: none yet).
    written: u64,
    /// Every write up to this number is on disk.
    durable: u64,
    /// A commit is under way; waiters wait for it instead of starting one.
    committing: bool,
    /// Writes lost to a failed commit, as `(after, through]` ranges, with the error.
    lost: Vec<(u64, u64, String)>,
    /// Commits made, for tests.
    count: u64,
}

/// Which writes a caller depends on: every write up to this number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a write is not durable until `Journal::durable` returns for it"]
pub(super) struct Written(u64);

/// The connection and its commit state.
pub(super) struct Journal {
    connection: Mutex<Connection>,
    commits: Mutex<Commits>,
    committed: Condvar,
    /// Makes the next commit fail, to test what a failed commit does to its writes.
    #[cfg(test)]
    pub(super) fail_next_commit: std::sync::atomic::AtomicBool,
}

impl Journal {
    /// Takes over `connection`, which must not be inside a transaction.
    pub(super) fn new(connection: Connection) -> Journal {
        Journal {
            connection: Mutex::new(connection),
            commits: Mutex::new(Commits::default()),
            committed: Condvar::new(),
            #[cfg(test)]
            fail_next_commit: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    fn commits(&self) -> MutexGuard<'_, Commits> {
        self.commits.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// Runs `read` on the connection. The number returned covers every write `read` could have seen.
    pub(super) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<(T, Written)> {
        let connection = self.connection();
        let value = read(&connection)?;
        let written = self.commits().written;
        Ok((value, Written(written)))
    }

    /// Runs `write` (which may read first) in the open transaction, as one step: all of it or, when it fails, none
    /// of it. The number returned covers it and every write before it.
    pub(super) fn write<T>(
        &self,
        write: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<(T, Written)> {
        let connection = self.connection();
        let began = connection.is_autocommit();
        if began {
            connection.execute_batch("BEGIN IMMEDIATE")?;
        }
        // A savepoint undoes a write that fails halfway without touching the writes before it.
        connection.execute_batch("SAVEPOINT step")?;
        match write(&connection) {
            Ok(value) => {
                connection.execute_batch("RELEASE step")?;
                let mut commits = self.commits();
                commits.written += 1;
                Ok((value, Written(commits.written)))
            }
            Err(error) => {
                // A transaction this step began holds nothing else, and no waiter would ever commit it: end it
                // now, or it keeps the database's write lock. One that holds earlier writes is their waiters' to
                // commit.
                let undo = if began { "ROLLBACK" } else { "ROLLBACK TO step; RELEASE step" };
                connection.execute_batch(undo)?;
                Err(error)
            }
        }
    }

    /// Returns once every write up to `written` is on disk, committing them if no commit under way covers them.
    pub(super) fn durable(&self, written: Written) -> Result<(), GatewayError> {
        let Written(wanted) = written;
        let mut commits = self.commits();
        loop {
            if let Some((_, _, error)) =
                commits.lost.iter().find(|(after, through, _)| *after < wanted && wanted <= *through)
            {
                return Err(GatewayError::Commit(error.clone()));
            }
            if commits.durable >= wanted {
                return Ok(());
            }
            if commits.committing {
                commits = self.committed.wait(commits).unwrap_or_else(|poison| poison.into_inner());
                continue;
            }
            commits.committing = true;
            drop(commits);
            let committed = self.commit();
            commits = self.commits();
            commits.committing = false;
            commits.count += 1;
            if let Some(through) = committed {
                commits.durable = commits.durable.max(through);
            }
            self.committed.notify_all();
        }
    }

    /// Commits the open transaction. Returns the number of the last write it made durable, or `None` when the
    /// commit failed: then its writes are rolled back and recorded as lost.
    fn commit(&self) -> Option<u64> {
        let connection = self.connection();
        // Read under the connection's lock: writes take it too, so this is exactly what the transaction holds.
        let through = self.commits().written;
        if connection.is_autocommit() {
            return Some(through);
        }
        #[cfg(test)]
        let injected = self.fail_next_commit.swap(false, std::sync::atomic::Ordering::SeqCst);
        #[cfg(not(test))]
        let injected = false;
        let outcome = if injected {
            Err("a commit failure injected by a test".to_owned())
        } else {
            connection.execute_batch("COMMIT").map_err(|error| error.to_string())
        };
        let Err(error) = outcome else { return Some(through) };
        tracing::error!(%error, "trade store commit failed; its writes are rolled back");
        // A failed COMMIT can leave the transaction open; its writes must not ride on a later commit after their
        // callers were told they were lost.
        if !connection.is_autocommit() {
            let _ = connection.execute_batch("ROLLBACK");
        }
        // Still under the connection's lock, so no write or read comes between: the lost writes are settled (as
        // lost), and one more number marks the state after the rollback, which a later read sees and which needs
        // no commit.
        let mut commits = self.commits();
        let after = commits.durable;
        commits.lost.push((after, through, error));
        commits.written += 1;
        commits.durable = commits.written;
        None
    }

    /// How many commits were made.
    #[cfg(test)]
    pub(super) fn commit_count(&self) -> u64 {
        self.commits().count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal() -> (tempfile::TempDir, Journal) {
        let dir = tempfile::tempdir().unwrap();
        let connection = Connection::open(dir.path().join("j.sqlite3")).unwrap();
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (v INTEGER PRIMARY KEY);",
            )
            .unwrap();
        (dir, Journal::new(connection))
    }

    fn on_disk(dir: &tempfile::TempDir) -> Vec<i64> {
        let connection = Connection::open(dir.path().join("j.sqlite3")).unwrap();
        let mut statement = connection.prepare("SELECT v FROM t ORDER BY v").unwrap();
        statement.query_map([], |row| row.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    fn insert(journal: &Journal, value: i64) -> Written {
        journal.write(|connection| connection.execute("INSERT INTO t VALUES (?1)", [value])).unwrap().1
    }

    #[test]
    fn one_commit_makes_every_write_before_it_durable() {
        let (dir, journal) = journal();
        let first = insert(&journal, 1);
        let second = insert(&journal, 2);
        assert_eq!(on_disk(&dir), Vec::<i64>::new(), "nothing is on disk before a commit");
        journal.durable(second).unwrap();
        assert_eq!(on_disk(&dir), [1, 2]);
        journal.durable(first).unwrap();
        assert_eq!(journal.commit_count(), 1, "the first write rode on the second's commit");
        // A read covers what it saw: here nothing new, so it needs no commit.
        let (count, seen) = journal
            .read(|connection| connection.query_row("SELECT count(*) FROM t", [], |row| row.get::<_, i64>(0)))
            .unwrap();
        assert_eq!(count, 2);
        journal.durable(seen).unwrap();
        assert_eq!(journal.commit_count(), 1);
    }

    #[test]
    fn a_failed_step_leaves_the_writes_before_it() {
        let (dir, journal) = journal();
        let first = insert(&journal, 1);
        let failed = journal.write(|connection| {
            connection.execute("INSERT INTO t VALUES (2)", [])?;
            connection.execute("INSERT INTO t VALUES (1)", [])
        });
        assert!(failed.is_err(), "a duplicate key fails the step");
        journal.durable(first).unwrap();
        assert_eq!(on_disk(&dir), [1], "the step's first insert was undone with it");
        // A failed step that began the transaction ends it: another connection can write at once.
        let failed = journal.write(|connection| connection.execute("INSERT INTO t VALUES (1)", []));
        assert!(failed.is_err());
        let other = Connection::open(dir.path().join("j.sqlite3")).unwrap();
        other.execute("INSERT INTO t VALUES (9)", []).expect("no write lock is left held");
        assert_eq!(on_disk(&dir), [1, 9]);
    }

    #[test]
    fn a_failed_commit_reports_every_write_it_held_as_lost_and_later_writes_commit() {
        let (dir, journal) = journal();
        let first = insert(&journal, 1);
        let second = insert(&journal, 2);
        journal.fail_next_commit.store(true, std::sync::atomic::Ordering::SeqCst);
        let error = journal.durable(second).unwrap_err();
        assert!(error.to_string().contains("injected"), "{error}");
        assert!(journal.durable(first).is_err(), "the first write was in the failed commit too");
        let third = insert(&journal, 3);
        journal.durable(third).unwrap();
        assert_eq!(on_disk(&dir), [3]);
    }

    #[test]
    fn writes_from_many_threads_are_all_durable_when_their_waits_return() {
        let (dir, journal) = journal();
        std::thread::scope(|scope| {
            for thread in 0..8 {
                let journal = &journal;
                scope.spawn(move || {
                    for index in 0..25 {
                        let written = insert(journal, thread * 100 + index);
                        journal.durable(written).unwrap();
                    }
                });
            }
        });
        assert_eq!(on_disk(&dir).len(), 200);
        assert!(journal.commit_count() <= 200);
    }
}
