//! The SQLite backend: one connection behind a lock (SQLite allows one writer at a time anyway),
//! created and migrated on open (`user_version` counts the versions of `crate::schema` applied),
//! and what only SQLite does: checkpoints, a page cap for tests, backups by `VACUUM INTO`.

use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;
use crate::schema::MIGRATIONS;
use crate::sql::{Sqlite, at_once};

/// Pages the write-ahead log may grow to before SQLite checkpoints it by itself (1 MiB).
const WAL_PAGES: i64 = 256;

/// Prepared statements kept per connection: more than the store has queries.
const STATEMENTS_KEPT: usize = 64;

#[derive(Debug)]
pub(crate) struct SqliteStore {
    connection: Mutex<Connection>,
    /// New references are above this (see [`crate::Mark::floor`]).
    floor: AtomicI64,
}

impl SqliteStore {
    /// Opens the database at `path`, readable and writable by this user only (SQLite gives its
    /// journal files the same mode): it holds names, emails and phone numbers.
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .and_then(|_| std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)))
            .map_err(|e| StoreError::Io(format!("{}: {e}", path.display())))?;
        Self::prepare(Connection::open(path)?)
    }

    pub(crate) fn open_in_memory() -> Result<Self, StoreError> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(mut connection: Connection) -> Result<Self, StoreError> {
        // WAL lets readers work during a write; synchronous=FULL makes every commit durable
        // (with NORMAL, WAL mode may lose the last commits on power loss).
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        // A checkpoint at most this many pages (4 KiB each) into the log: the database file,
        // not only the log, holds all but the last few hundred reports (see `checkpoint`).
        connection.pragma_update(None, "wal_autocheckpoint", WAL_PAGES)?;
        connection.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        migrate(&mut connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
            floor: AtomicI64::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `call` on the connection (reads: the lock alone keeps them consistent).
    pub(crate) fn read<T>(
        &self,
        call: impl FnOnce(&Sqlite<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let connection = self.lock();
        call(&Sqlite {
            connection: &connection,
            floor: self.floor.load(Ordering::Relaxed),
        })
    }

    /// Runs `call` in one IMMEDIATE transaction (holding the write lock from its start),
    /// committed if it succeeds.
    pub(crate) fn write<T>(
        &self,
        call: impl FnOnce(&Sqlite<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = call(&Sqlite {
            connection: &transaction,
            floor: self.floor.load(Ordering::Relaxed),
        })?;
        transaction.commit()?;
        Ok(out)
    }

    /// Makes new references start above `floor`.
    pub(crate) fn raise_floor(&self, floor: i64) {
        self.floor.fetch_max(floor, Ordering::Relaxed);
    }

    /// Copies what the write-ahead log holds into the database file, as far as readers allow
    /// (`PASSIVE`: never waits). Until then the log alone holds the newest reports, and SQLite
    /// takes a damaged log frame as the log's end.
    pub(crate) fn checkpoint(&self) -> Result<(), StoreError> {
        self.lock()
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Caps the database's size in pages (`PRAGMA max_page_count`).
    pub(crate) fn cap_pages(&self, pages: u64) -> Result<(), StoreError> {
        self.lock()
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
        Ok(())
    }

    /// Writes one page through the log and the disk: whether the database can take writes.
    pub(crate) fn try_write(&self) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Setting the schema version to itself still rewrites the page that holds it.
        let version: i64 = transaction.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        transaction.pragma_update(None, "user_version", version)?;
        transaction.commit()?;
        Ok(())
    }

    pub(crate) fn back_up(&self, to: &Path) -> Result<(), StoreError> {
        use std::os::unix::fs::OpenOptionsExt as _;
        // VACUUM INTO fills an empty file it is given, keeping its mode: made private first.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(to)
            .map_err(|e| StoreError::Io(format!("{}: {e}", to.display())))?;
        let target = to.to_string_lossy().into_owned();
        self.lock().execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }
}

fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = transaction.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let supported = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if version > supported {
        return Err(StoreError::NewerSchema {
            found: version,
            supported,
        });
    }
    for (next, migration) in (1..=supported)
        .zip(MIGRATIONS)
        .skip(usize::try_from(version).unwrap_or(0))
    {
        transaction.execute_batch(migration.sql.sqlite)?;
        if let Some(step) = migration.step {
            at_once(crate::queries::run_step(
                &Sqlite {
                    connection: &transaction,
                    floor: 0,
                },
                step,
            ))?;
        }
        transaction.execute_batch(migration.then.sqlite)?;
        transaction.pragma_update(None, "user_version", next)?;
    }
    transaction.commit()?;
    Ok(())
}
