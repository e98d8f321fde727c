//! What a client can hold, on a real socket (`server::serve::serve` with a small router): slow
//! headers and slow bodies are cut off at their limits, and hundreds of slow connections against
//! a server with few file descriptors do not stop it answering a well-behaved client.

mod common;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::routing::{get, post};
use common::ServerProcess;
use server::serve::{Limits, serve};

/// A router with a health check that needs a file descriptor of its own (as the real one needs
/// the database), and an endpoint that reads its whole body.
fn router() -> Router {
    Router::new()
        .route(
            "/healthz",
            get(|| async {
                match std::fs::File::open("/proc/self/stat") {
                    Ok(_) => (axum::http::StatusCode::OK, "ok"),
                    Err(_) => (
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        "out of descriptors",
                    ),
                }
            }),
        )
        .route(
            "/echo",
            post(|body: Bytes| async move { body.len().to_string() }),
        )
}

fn limits(header_s: u64, body_s: u64) -> Limits {
    Limits {
        header: Duration::from_secs(header_s),
        body: Duration::from_secs(body_s),
        ..Limits::default()
    }
}

/// Serves `router()` on a free loopback port with `limits`, in the background.
async fn start(limits: Limits) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(serve(listener, router(), limits, std::future::pending()));
    address
}

/// Reads until the server closes the connection (or 10 s pass); returns what came and when.
fn read_until_closed(mut stream: TcpStream) -> (String, Duration) {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

/// Sends `bytes` to a server with `limits` and waits until it closes the connection.
async fn send_and_wait(limits: Limits, bytes: &'static [u8]) -> (String, Duration) {
    let address = start(limits).await;
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(address).expect("connect");
        stream.write_all(bytes).expect("send");
        read_until_closed(stream)
    })
    .await
    .expect("task")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off_at_the_header_limit() {
    // Half the headers, then nothing.
    let closed = send_and_wait(limits(1, 30), b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await;
    assert!(
        closed.1 < Duration::from_secs(3),
        "closed after {:?}",
        closed.1
    );
    assert!(!closed.0.contains("200 OK"), "{}", closed.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed_at_the_header_limit() {
    // A whole request, then nothing more on the kept-alive connection.
    let closed = send_and_wait(limits(1, 30), b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(closed.0.contains("200 OK"), "{}", closed.0);
    assert!(closed.1 < Duration::from_secs(3), "open for {:?}", closed.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_body_is_cut_off_at_the_body_limit() {
    // The headers and a tenth of the body, then nothing.
    let closed = send_and_wait(
        limits(10, 1),
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789",
    )
    .await;
    assert!(
        closed.1 < Duration::from_secs(4),
        "closed after {:?}",
        closed.1
    );
    assert!(!closed.0.contains("200 OK"), "{}", closed.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_sent_a_byte_at_a_time_is_cut_off_at_the_body_limit_too() {
    let address = start(limits(10, 1)).await;
    let (answer, took) = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let mut stream = TcpStream::connect(address).expect("connect");
        stream
            .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
            .expect("headers");
        // A byte every 200 ms: each chunk arrives well within any per-chunk timeout.
        for _ in 0..50 {
            std::thread::sleep(Duration::from_millis(200));
            if stream.write_all(b"x").is_err() {
                break;
            }
        }
        let (answer, _) = read_until_closed(stream);
        (answer, started.elapsed())
    })
    .await
    .expect("task");
    assert!(!answer.contains("200 OK"), "{answer}");
    // Cut at 1 s: the writer notices at its next byte, 10 s if it was never cut.
    assert!(took < Duration::from_secs(4), "closed after {took:?}");
}

/// Run by `slow_connections_do_not_stop_a_server_with_few_descriptors` as a child process:
/// a server whose file descriptor limit is 256. Does nothing when run as a test on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child server that a test in this file starts"]
async fn server_with_256_descriptors() {
    if std::env::var_os("LIMITS_CHILD").is_none() {
        return;
    }
    let low = rustix::process::Rlimit {
        current: Some(256),
        maximum: Some(256),
    };
    rustix::process::setrlimit(rustix::process::Resource::Nofile, low).expect("lower the limit");
    assert_eq!(
        Limits::default().connection_cap(),
        96,
        "64 descriptors kept back, two for each connection"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    println!("listening on {}", listener.local_addr().expect("address"));
    serve(listener, router(), limits(2, 2), std::future::pending()).await;
}

#[test]
fn slow_connections_do_not_stop_a_server_with_few_descriptors() {
    let mut child = ServerProcess::start("server_with_256_descriptors", "LIMITS_CHILD", "1");
    let address = child.address;

    // 300 clients that send their headers a byte at a time and never finish.
    let slow: Vec<TcpStream> = (0..300)
        .filter_map(|_| {
            let mut stream = TcpStream::connect(address).ok()?;
            stream.write_all(b"GET /healthz HTTP/1.1\r\n").ok()?;
            Some(stream)
        })
        .collect();
    assert_eq!(
        slow.len(),
        300,
        "every slow client connected (the kernel queues them)"
    );

    let started = Instant::now();
    let mut stream = TcpStream::connect(address).expect("a well-behaved client connects");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("request");
    let (answer, _) = read_until_closed(stream);
    let waited = started.elapsed();
    let alive = child.process.try_wait().expect("status").is_none();
    drop(child);
    drop(slow);
    assert!(alive, "the server survived");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(waited < Duration::from_secs(8), "answered after {waited:?}");
}

/// The size of the big file the slow downloads fetch.
const BIG_FILE: usize = 1024 * 1024;

/// Run by `short_of_descriptors_every_file_that_exists_is_served_and_every_request_answered` as a
/// child process: the real app on a small site with a 1 MiB WebAssembly file, with 256 file
/// descriptors. Does nothing when run as a test on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a child server that a test in this file starts"]
async fn app_with_256_descriptors() {
    let Some(site) = std::env::var_os("DESCRIPTORS_CHILD_SITE") else {
        return;
    };
    let low = rustix::process::Rlimit {
        current: Some(256),
        maximum: Some(256),
    };
    rustix::process::setrlimit(rustix::process::Resource::Nofile, low).expect("lower the limit");
    let data_dir = tempfile::tempdir().expect("data dir");
    let application =
        server::startup::Application::build(common::test_config(data_dir.path(), Path::new(&site)))
            .await
            .expect("the server starts");
    println!("listening on {}", application.address());
    application.run_until_stopped(std::future::pending()).await;
}

/// GETs `path`, reading the answer `chunk` bytes at a time with `pause` between reads; returns
/// the status line and how many bytes came in all (`None` if no answer came within 60 s).
fn download(
    address: SocketAddr,
    path: &str,
    chunk: usize,
    pause: Duration,
) -> Option<(String, usize)> {
    let mut stream = TcpStream::connect(address).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = Vec::new();
    let mut buffer = vec![0; chunk];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
            Err(_) => return None,
        }
        std::thread::sleep(pause);
    }
    let status = String::from_utf8_lossy(answer.get(..12)?).into_owned();
    Some((status, answer.len()))
}

#[test]
fn short_of_descriptors_every_file_that_exists_is_served_and_every_request_answered() {
    let site = tempfile::tempdir().expect("site");
    std::fs::create_dir_all(site.path().join("pkg")).expect("pkg");
    std::fs::write(
        site.path().join("pkg/lost-device.wasm"),
        vec![7u8; BIG_FILE],
    )
    .expect("wasm");
    std::fs::write(site.path().join("pkg/lost-device.css"), "body{}").expect("css");
    std::fs::write(site.path().join("manifest.webmanifest"), "{}").expect("manifest");
    let child = ServerProcess::start(
        "app_with_256_descriptors",
        "DESCRIPTORS_CHILD_SITE",
        site.path(),
    );
    let address = child.address;

    // 190 slow downloads of the WebAssembly (16 KiB every 20 ms: about 1.3 s each), each holding
    // its socket and the open file, while others ask for small files and pages.
    let slow: Vec<_> = (0..190)
        .map(|_| {
            std::thread::spawn(move || {
                download(
                    address,
                    "/pkg/lost-device.wasm",
                    16 * 1024,
                    Duration::from_millis(20),
                )
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let others: Vec<_> = [
        "/pkg/lost-device.css",
        "/manifest.webmanifest",
        "/",
        "/report",
    ]
    .into_iter()
    .cycle()
    .take(20)
    .map(|path| {
        std::thread::spawn(move || (path, download(address, path, 64 * 1024, Duration::ZERO)))
    })
    .collect();

    let mut unanswered = 0;
    for download in slow {
        match download.join().expect("thread") {
            Some((status, length)) => {
                assert_eq!(status, "HTTP/1.1 200", "the WebAssembly");
                assert!(length > BIG_FILE, "all of it came: {length}");
            }
            None => unanswered += 1,
        }
    }
    for other in others {
        let (path, answer) = other.join().expect("thread");
        match answer {
            Some((status, _)) => assert_eq!(status, "HTTP/1.1 200", "{path}"),
            None => unanswered += 1,
        }
    }
    assert_eq!(unanswered, 0, "every request was answered");
    drop(child);
}
