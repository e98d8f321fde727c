//! Prints how long the team's list takes at a given number of reports: the first page, a page
//! deep in the list, a free-text search, a filter by kinds and dates, and the counts for each
//! state (medians of 5, in milliseconds), on a SQLite file and, given a PostgreSQL server's URL
//! (no database name), on a new database there:
//! `cargo run --release -p report-store --example list_bench [REPORTS] [POSTGRES_URL]`.

mod common;

use std::time::Instant;

use incident_report::ReportForm;
use incident_report::form::{DeviceKind, WhatHappened};
use incident_report::{ReportId, progress::ListState};
use report_store::{NewReport, ReportFilter, ReportStore, StoreError};

const TASKS: u32 = 16;
const FIRST_MS: i64 = 1_780_000_000_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> Result<(), StoreError> {
    let mut args = std::env::args().skip(1);
    let reports: u32 = args
        .next()
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(10_000);
    let postgres = args.next();
    let dir = tempfile::tempdir().map_err(|e| StoreError::Io(e.to_string()))?;
    let sqlite = ReportStore::open_sqlite(&dir.path().join("reports.sqlite3"))?;
    println!("{reports} reports; milliseconds, median of 5");
    println!(
        "{:>10} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "backend", "first", "deep", "search", "filter", "counts"
    );
    measure("sqlite", &sqlite, reports).await?;
    if let Some(server) = postgres {
        let store = ReportStore::open_postgres(&common::new_database(&server).await?).await?;
        measure("postgres", &store, reports).await?;
    }
    Ok(())
}

async fn measure(name: &str, store: &ReportStore, reports: u32) -> Result<(), StoreError> {
    fill(store, reports).await?;
    let all = ReportFilter::default();
    let middle = store.list(&all, None, reports / 2).await?.older;
    let search = ReportFilter {
        text: Some(format!("person{}@", reports / 3)),
        ..ReportFilter::default()
    };
    let filter = ReportFilter {
        what_happened: Some("stolen".to_owned()),
        device: Some("laptop".to_owned()),
        state: Some(ListState::New),
        received_from_ms: Some(FIRST_MS),
        received_before_ms: Some(FIRST_MS + i64::from(reports) * 30_000),
        ..ReportFilter::default()
    };
    let first = median(|| async { store.list(&all, None, 50).await.map(|_| ()) }).await?;
    let deep = median(|| async { store.list(&all, middle, 50).await.map(|_| ()) }).await?;
    let searched = median(|| async { store.list(&search, None, 50).await.map(|_| ()) }).await?;
    let filtered = median(|| async { store.list(&filter, None, 50).await.map(|_| ()) }).await?;
    let counted = median(|| async { store.counts(&filter).await.map(|_| ()) }).await?;
    println!("{name:>10} {first:>9.1} {deep:>9.1} {searched:>9.1} {filtered:>9.1} {counted:>9.1}");
    Ok(())
}

/// The median of 5 runs of `run`, in milliseconds.
async fn median<F, R>(run: F) -> Result<f64, StoreError>
where
    F: Fn() -> R,
    R: Future<Output = Result<(), StoreError>>,
{
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        run().await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[2])
}

/// Stores `reports` reports, a minute apart, from 16 tasks.
async fn fill(store: &ReportStore, reports: u32) -> Result<(), StoreError> {
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in (0..reports).filter(|n| n % TASKS == task) {
                    store.submit(report(n)).await?;
                }
                Ok::<(), StoreError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.map_err(|e| StoreError::Task(e.to_string()))??;
    }
    Ok(())
}

fn report(n: u32) -> NewReport {
    let form = ReportForm {
        what_happened: Some(if n.is_multiple_of(2) {
            WhatHappened::Stolen
        } else {
            WhatHappened::Lost
        }),
        device: Some(if n.is_multiple_of(3) {
            DeviceKind::Laptop
        } else {
            DeviceKind::Phone
        }),
        name: format!("Person {n}"),
        email: format!("person{n}@example.org"),
        asset_tag: format!("MOJ-{n:06}"),
        ..ReportForm::default()
    };
    let mut bytes = [0x33; 16];
    bytes[..4].copy_from_slice(&n.to_le_bytes());
    NewReport {
        id: ReportId::from_random_bytes(bytes),
        fingerprint: "f".to_owned(),
        form_json: serde_json::to_string(&form).unwrap_or_default(),
        received_at: "2026-06-01T00:00:00Z".to_owned(),
        received_at_ms: FIRST_MS + i64::from(n) * 60_000,
        year: 2026,
        destinations: vec!["maildir".to_owned()],
    }
}
