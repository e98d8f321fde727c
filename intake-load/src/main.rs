//! A bounded load run against a running server on loopback: `POST /api/v1/reports` with new ids,
//! then the same ids again (repeats), then `GET /healthz` as the baseline of the same run.
//! Prints requests per second and p50/p99 latency for each. Used by `scripts/bench-intake.sh`.
//!
//! `cargo run --release -p intake-load -- http://127.0.0.1:PORT [REQUESTS] [CONNECTIONS]`
//!
//! A crate of its own, without Leptos, so building it never invalidates the server's build.

use std::time::{Duration, Instant};

use incident_report::ReportId;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
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
        let (elapsed, mut latencies, wrong) =
            run(&address, &ids, connections, kind, expect).await?;
        latencies.sort();
        let pick = |percent: usize| {
            latencies[(latencies.len() - 1) * percent / 100].as_secs_f64() * 1000.0
        };
        let count = u32::try_from(latencies.len()).unwrap_or(u32::MAX);
        println!(
            "{name:<22} {:>10.0} {:>10.2} {:>10.2} {:>8}",
            f64::from(count) / elapsed.as_secs_f64(),
            pick(50),
            pick(99),
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

async fn run(
    address: &str,
    ids: &[ReportId],
    connections: usize,
    kind: Kind,
    expect: u16,
) -> anyhow::Result<(Duration, Vec<Duration>, usize)> {
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
            let mut stream = BufReader::new(stream);
            let mut latencies = Vec::with_capacity(chunk.len());
            let mut wrong = 0;
            for id in chunk {
                let request = match kind {
                    Kind::Report => {
                        let body = format!(r#"{{"id":"{id}","form":{form}}}"#);
                        format!(
                            "POST /api/v1/reports HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
                             Idempotency-Key: \"{id}\"\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        )
                    }
                    Kind::Health => format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\n\r\n"),
                };
                let sent = Instant::now();
                stream.get_mut().write_all(request.as_bytes()).await?;
                let status = read_response(&mut stream).await?;
                latencies.push(sent.elapsed());
                wrong += usize::from(status != expect);
            }
            anyhow::Ok((latencies, wrong))
        }));
    }
    let mut all = Vec::new();
    let mut wrong = 0;
    for task in tasks {
        let (latencies, w) = task.await??;
        all.extend(latencies);
        wrong += w;
    }
    Ok((started.elapsed(), all, wrong))
}

/// Reads one HTTP/1.1 response with a Content-Length body; returns its status.
async fn read_response(stream: &mut BufReader<TcpStream>) -> anyhow::Result<u16> {
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("no status line"))?
        .parse()?;
    let mut length = 0;
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse()?;
            }
            anyhow::ensure!(
                !name.eq_ignore_ascii_case("transfer-encoding"),
                "chunked answers are not read"
            );
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok(status)
}
