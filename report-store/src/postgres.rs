//! The PostgreSQL backend, for several server instances sharing one database: a connection pool
//! (`deadpool-postgres` over `tokio-postgres`), migrations under an advisory lock so instances
//! starting together take turns (`schema_history` lists the versions of `crate::schema`
//! applied), and references from a sequence every instance draws from. How instances take turns
//! at a report, an audit row or a sign-in is in `crate::sql`.

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use crate::StoreError;
use crate::schema::MIGRATIONS;
use crate::sql::{LOCKS, Postgres};

/// The most connections one instance opens.
const POOL_SIZE: usize = 16;

#[derive(Debug, Clone)]
pub(crate) struct PostgresStore {
    pool: Pool,
}

impl PostgresStore {
    pub(crate) async fn open(url: &str) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| StoreError::Postgres(e.to_string()))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StoreError::Postgres(e.to_string()))?;
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    pub(crate) async fn client(&self) -> Result<Object, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Unavailable(format!("no database connection: {e}")))
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let transaction = client.transaction().await?;
        // Two instances starting together: the second waits here until the first committed.
        transaction
            .execute("SELECT pg_advisory_xact_lock($1, 0)", &[&LOCKS])
            .await?;
        let version = applied_versions(&transaction).await?;
        let supported = i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX);
        if version > supported {
            return Err(StoreError::NewerSchema {
                found: i64::from(version),
                supported: i64::from(supported),
            });
        }
        for (next, migration) in (1..=supported)
            .zip(MIGRATIONS)
            .skip(usize::try_from(version).unwrap_or(0))
        {
            transaction.batch_execute(migration.sql.postgres).await?;
            if let Some(step) = migration.step {
                crate::queries::run_step(
                    &Postgres {
                        client: &transaction,
                    },
                    step,
                )
                .await?;
            }
            if !migration.then.postgres.is_empty() {
                transaction.batch_execute(migration.then.postgres).await?;
            }
            transaction
                .execute("INSERT INTO schema_history (version) VALUES ($1)", &[&next])
                .await?;
        }
        // Servers before `schema_history` read `schema_version`, whose versions were one lower
        // (its first held both the reports and the deliveries): kept in step, so that such a
        // server refuses this schema when it is newer than its own instead of migrating again.
        transaction
            .execute(
                "INSERT INTO schema_version (version)
                 SELECT $1 WHERE $1 > (SELECT COALESCE(MAX(version), 0) FROM schema_version)",
                &[&supported.max(version).saturating_sub(1)],
            )
            .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Makes new references start above `floor`: the sequence every instance draws from is
    /// moved on if it is behind (a database restored from an older backup carries its older
    /// sequence too).
    pub(crate) async fn raise_floor(&self, floor: i64) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "SELECT setval('report_references', $1) FROM report_references
                 WHERE CASE WHEN is_called THEN last_value ELSE last_value - 1 END < $1",
                &[&floor],
            )
            .await?;
        Ok(())
    }

    /// Writes one row version through the server's log and disk: whether the database can take
    /// writes.
    pub(crate) async fn try_write(&self) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute(
                "UPDATE schema_history SET version = version
                 WHERE version = (SELECT MAX(version) FROM schema_history)",
                &[],
            )
            .await?;
        Ok(())
    }
}

/// How many versions of the schema the database has (in `schema_history`, made from an older
/// server's `schema_version` the first time).
async fn applied_versions(
    transaction: &deadpool_postgres::Transaction<'_>,
) -> Result<i32, StoreError> {
    transaction
        .batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        .await?;
    let history_exists: bool = transaction
        .query_one("SELECT to_regclass('schema_history') IS NOT NULL", &[])
        .await?
        .try_get(0)?;
    if !history_exists {
        let older: i32 = transaction
            .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])
            .await?
            .try_get(0)?;
        transaction
            .batch_execute("CREATE TABLE schema_history (version INTEGER PRIMARY KEY)")
            .await?;
        // An older server's version n is version n + 1 here.
        let now = if older > 0 { older + 1 } else { 0 };
        transaction
            .execute(
                "INSERT INTO schema_history (version) SELECT generate_series(1, $1)",
                &[&now],
            )
            .await?;
    }
    Ok(transaction
        .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_history", &[])
        .await?
        .try_get(0)?)
}
