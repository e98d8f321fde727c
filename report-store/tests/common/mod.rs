//! Test databases: a SQLite one in memory, or a fresh database on a PostgreSQL server that this
//! test process starts once (`scripts/postgres-for-tests.sh`, which stops and removes it when the
//! process ends).

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use report_store::ReportStore;

/// The URL of this process's PostgreSQL server (without a database name).
pub fn postgres_server() -> &'static str {
    static SERVER: OnceLock<String> = OnceLock::new();
    SERVER.get_or_init(|| {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scripts/postgres-for-tests.sh"
        );
        let mut child = Command::new(script)
            .arg(std::process::id().to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start PostgreSQL (scripts/setup.sh --tests installs it)");
        let mut url = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut url)
            .expect("the server's URL");
        child
            .wait()
            .expect("the start script ends once the server is up");
        assert!(
            url.starts_with("postgres://"),
            "PostgreSQL did not start: {url:?}"
        );
        url.trim().to_owned()
    })
}

/// A new, empty database on this process's PostgreSQL server; returns its URL.
pub async fn postgres_database() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let server = postgres_server();
    let name = format!(
        "test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let (client, connection) =
        tokio_postgres::connect(&format!("{server}/postgres"), tokio_postgres::NoTls)
            .await
            .expect("connect to the test server");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
    format!("{server}/{name}")
}

/// A store on a new PostgreSQL database.
pub async fn postgres() -> ReportStore {
    ReportStore::open_postgres(&postgres_database().await)
        .await
        .expect("open the PostgreSQL store")
}

/// A store on a new SQLite database in memory.
#[allow(clippy::unused_async)] // Called like `postgres()` by the tests run on every backend.
pub async fn sqlite() -> ReportStore {
    ReportStore::sqlite_in_memory().expect("store")
}
