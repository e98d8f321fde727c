//! A bounded load run against a running server on loopback: `POST /api/v1/reports` with new ids,
//! then the same ids again (repeats), then `GET /healthz` as the baseline of the same run.
//! Prints requests per second and p50/p99 latency for each. Used by `scripts/bench-intake.sh`.
//!
//! `cargo run --release -p intake-load -- http://127.0.0.1:PORT [REQUESTS] [CONNECTIONS]`
//!
//! A crate of its own, without Leptos, so building it never invalidates the server's build.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::{Request, header};
use hyper_util::rt::TokioIo;
use incident_report::ReportId;
use tokio::net::TcpStream;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: intake_load URL [REQUESTS] [CONNECTIONS]"))?;
    let requests: usize = args.next().map_or(Ok(4000), |a| a.parse())?;
    let connections: usize = args.next().map_or(Ok(16), |a| a.parse())?;
    let address = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    anyhow::ensure!(
        address.starts_with("127.") || address.starts_with("localhost"),
        "loopback only"
    );

    // The same ids for both runs: the second is all repeats.
    let ids: Vec<ReportId> = (0..requests)
        .map(|i| {
            let mut bytes = [0x5a; 16];
            bytes[..8].copy_from_slice(&(i as u64).to_le_bytes());
            ReportId::from_random_bytes(bytes)
        })
        .collect();
    println!("{requests} requests per run, {connections} connections, to {address}");
    println!(
        "{:<22} {:>10} {:>10} {:>10} {:>8}",
        "", "req/s", "p50 ms", "p99 ms", "status"
    );
    for (name, kind, expect) in [
        ("new reports", Kind::Report, 201),
        ("repeats of the same", Kind::Report, 200),
        ("GET /healthz (base)", Kind::Health, 200),
    ] {
        let (elapsed, latencies, wrong) = run(&address, &ids, connections, kind, expect).await?;
        #[allow(clippy::cast_precision_loss, reason = "a count of requests")]
        let rate = latencies.len() as f64 / elapsed.as_secs_f64();
        #[allow(clippy::cast_precision_loss, reason = "microseconds of one request")]
        let ms = |quantile: f64| latencies.value_at_quantile(quantile) as f64 / 1000.0;
        println!(
            "{name:<22} {rate:>10.0} {:>10.2} {:>10.2} {:>8}",
            ms(0.5),
            ms(0.99),
            if wrong == 0 {
                format!("all {expect}")
            } else {
                format!("{wrong} not {expect}")
            },
        );
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Kind {
    Report,
    Health,
}

/// Latencies in microseconds, from 1 µs to 60 s, to 3 significant figures.
fn histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::new_with_bounds(1, 60_000_000, 3)?)
}

/// Sends one request per id over `connections` kept-alive connections; returns the time taken,
/// every latency, and how many answers were not `expect`.
async fn run(
    address: &str,
    ids: &[ReportId],
    connections: usize,
    kind: Kind,
    expect: u16,
) -> anyhow::Result<(Duration, Histogram<u64>, usize)> {
    // The one example report every test uses; serialising plain data cannot fail.
    let form = serde_json::to_string(&incident_report::ReportForm::example()).unwrap_or_default();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for chunk in ids.chunks(ids.len().div_ceil(connections)) {
        let chunk = chunk.to_vec();
        let form = form.clone();
        let address = address.to_owned();
        tasks.push(tokio::spawn(async move {
            let stream = TcpStream::connect(&address).await?;
            stream.set_nodelay(true)?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(connection);
            let mut latencies = histogram()?;
            let mut wrong = 0;
            for id in chunk {
                let request = match kind {
                    Kind::Report => Request::post("/api/v1/reports")
                        .header(header::CONTENT_TYPE, "application/json")
                        .header("idempotency-key", format!("\"{id}\""))
                        .body(Full::new(Bytes::from(format!(
                            r#"{{"id":"{id}","form":{form}}}"#
                        )))),
                    Kind::Health => Request::get("/healthz").body(Full::default()),
                }?;
                let (mut parts, body) = request.into_parts();
                parts.headers.insert(header::HOST, address.parse()?);
                let sent = Instant::now();
                let response = sender
                    .send_request(Request::from_parts(parts, body))
                    .await?;
                let status = response.status().as_u16();
                response.into_body().collect().await?;
                latencies.record(u64::try_from(sent.elapsed().as_micros())?)?;
                wrong += usize::from(status != expect);
            }
            anyhow::Ok((latencies, wrong))
        }));
    }
    let mut all = histogram()?;
    let mut wrong = 0;
    for task in tasks {
        let (latencies, w) = task.await??;
        all.add(&latencies)?;
        wrong += w;
    }
    Ok((started.elapsed(), all, wrong))
}
