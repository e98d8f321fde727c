//! Prints how many new reports a second the store takes from 16 tasks at once: on a SQLite file
//! with the high-water mark kept and without it, and, given a PostgreSQL server's URL (no
//! database name), on a new database there:
//! `cargo run --release -p report-store --example intake_bench [REPORTS] [ROUNDS] [POSTGRES_URL]`.
//! `scripts/bench-store.sh` runs it beside the same driver built on an older revision's store.

mod common;

use std::time::Instant;

use incident_report::ReportId;
use report_store::{NewReport, ReportStore, StoreError};

const TASKS: u32 = 16;

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> Result<(), StoreError> {
    let mut args = std::env::args().skip(1);
    let reports = args
        .next()
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(4_000);
    let rounds = args.next().and_then(|arg| arg.parse().ok()).unwrap_or(3);
    let postgres = args.next();
    println!("{reports} new reports per run from {TASKS} tasks; reports/s");
    println!(
        "{:>6} {:>14} {:>14} {:>14}",
        "round", "sqlite", "sqlite+mark", "postgres"
    );
    for round in 1..=rounds {
        let without = run(reports, Backend::Sqlite { mark: false }).await?;
        let with = run(reports, Backend::Sqlite { mark: true }).await?;
        let on_postgres = match &postgres {
            Some(server) => format!("{:.0}", run(reports, Backend::Postgres(server)).await?),
            None => "-".to_owned(),
        };
        println!("{round:>6} {without:>14.0} {with:>14.0} {on_postgres:>14}");
    }
    Ok(())
}

enum Backend<'a> {
    Sqlite { mark: bool },
    Postgres(&'a str),
}

/// Stores `reports` new reports on a new database; returns reports per second.
async fn run(reports: u32, backend: Backend<'_>) -> Result<f64, StoreError> {
    let dir = tempfile::tempdir().map_err(|e| StoreError::Io(e.to_string()))?;
    let store = match backend {
        Backend::Sqlite { mark } => {
            let mut store = ReportStore::open_sqlite(&dir.path().join("reports.sqlite3"))?;
            if mark {
                store
                    .keep_high_water(&dir.path().join("high-water"), false, false)
                    .await?;
            }
            store
        }
        Backend::Postgres(server) => {
            ReportStore::open_postgres(&common::new_database(server).await?).await?
        }
    };
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in (0..reports).filter(|n| n % TASKS == task) {
                    let mut bytes = [0x5a; 16];
                    bytes[..4].copy_from_slice(&n.to_le_bytes());
                    store
                        .submit(report(ReportId::from_random_bytes(bytes)))
                        .await?;
                }
                Ok::<(), StoreError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.map_err(|e| StoreError::Task(e.to_string()))??;
    }
    Ok(f64::from(reports) / started.elapsed().as_secs_f64())
}

/// A report the size of a full one's answers, for the forwarder's one destination.
fn report(id: ReportId) -> NewReport {
    NewReport {
        id,
        fingerprint: "fingerprint".to_owned(),
        form_json: "x".repeat(1_200),
        received_at: "2026-12-07T12:00:00Z".to_owned(),
        received_at_ms: 1_796_000_000_000,
        year: 2026,
        destinations: vec!["maildir".to_owned()],
    }
}
