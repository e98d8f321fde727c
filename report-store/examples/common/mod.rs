//! What the store's benchmarks share: a new database on a PostgreSQL server.

use report_store::StoreError;

/// Creates a new, empty database on the PostgreSQL server at `server` (a URL without a database
/// name); returns its URL.
pub async fn new_database(server: &str) -> Result<String, StoreError> {
    let failed = |e: tokio_postgres::Error| StoreError::Postgres(e.to_string());
    let (client, connection) =
        tokio_postgres::connect(&format!("{server}/postgres"), tokio_postgres::NoTls)
            .await
            .map_err(failed)?;
    tokio::spawn(connection);
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let name = format!("bench_{}_{since_epoch}", std::process::id());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(failed)?;
    Ok(format!("{server}/{name}"))
}
