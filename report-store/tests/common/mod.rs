//! Test databases: a SQLite one in memory (or in a file, for the tests that reach past the store
//! into the database as someone with the file or the schema owner's rights could), or a fresh
//! database on a PostgreSQL server that this test process starts once
//! (`scripts/postgres-for-tests.sh`, which stops and removes it when the process ends).

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
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

/// A test store's database, reached directly rather than through the store.
pub enum Direct {
    /// A SQLite file, in a directory removed when this is dropped.
    Sqlite {
        /// The file.
        path: PathBuf,
        /// Its directory, kept until the test ends.
        _dir: tempfile::TempDir,
    },
    /// A PostgreSQL database's URL.
    Postgres(String),
}

impl Direct {
    /// Runs `sqlite` or `postgres`, whichever this database is, as one batch of statements.
    pub async fn run(&self, sqlite: &str, postgres: &str) -> Result<(), String> {
        match self {
            Self::Sqlite { path, .. } => rusqlite::Connection::open(path)
                .and_then(|connection| connection.execute_batch(sqlite))
                .map_err(|e| e.to_string()),
            Self::Postgres(url) => self::connect(url)
                .await
                .batch_execute(postgres)
                .await
                .map_err(|e| {
                    e.as_db_error()
                        .map_or(e.to_string(), |db| db.message().to_owned())
                }),
        }
    }

    /// Runs `sql`, the same on either backend.
    pub async fn run_on_both(&self, sql: &str) -> Result<(), String> {
        self.run(sql, sql).await
    }

    /// The first column of the first row `sql` gives, as a number.
    pub async fn number(&self, sql: &str) -> i64 {
        match self {
            Self::Sqlite { path, .. } => rusqlite::Connection::open(path)
                .expect("open")
                .query_row(sql, [], |row| row.get(0))
                .expect("query"),
            Self::Postgres(url) => self::connect(url)
                .await
                .query_one(sql, &[])
                .await
                .expect("query")
                .get(0),
        }
    }

    /// A new store on this database (migrating it first, as a server starting does).
    pub async fn open(&self) -> ReportStore {
        match self {
            Self::Sqlite { path, .. } => {
                ReportStore::open_sqlite(path).expect("open the SQLite store")
            }
            Self::Postgres(url) => ReportStore::open_postgres(url)
                .await
                .expect("open the PostgreSQL store"),
        }
    }
}

/// A connection of our own to the PostgreSQL database at `url`.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
}

/// A store on a new SQLite file, and the file.
#[allow(clippy::unused_async)] // Called like `postgres_direct()`.
pub async fn sqlite_direct() -> (ReportStore, Direct) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("reports.sqlite3");
    let store = ReportStore::open_sqlite(&path).expect("store");
    (store, Direct::Sqlite { path, _dir: dir })
}

/// A store on a new PostgreSQL database, and the database.
pub async fn postgres_direct() -> (ReportStore, Direct) {
    let url = postgres_database().await;
    let store = ReportStore::open_postgres(&url)
        .await
        .expect("open the PostgreSQL store");
    (store, Direct::Postgres(url))
}
