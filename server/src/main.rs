//! `lost-device`: the server binary. Run it from the project folder after
//! `cargo leptos build --release` (./scripts/run.sh does both), then open <http://127.0.0.1:3000>.
//!
//! Flags (or environment): `--bind` (`LOST_DEVICE_BIND`, default 127.0.0.1), `--port`
//! (`LOST_DEVICE_PORT`, default 3000), `--data-dir` (`LOST_DEVICE_DATA_DIR`, default `data`),
//! `--site-root` (`LOST_DEVICE_SITE_ROOT`, default `target/site`), `--worker` (`LOST_DEVICE_WORKER`,
//! `rust` or `js`, default `js`).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use tracing_subscriber::EnvFilter;

/// The Lost Device server.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Config {
    /// Address to listen on.
    #[arg(long, env = "LOST_DEVICE_BIND", default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port to listen on (0 picks a free one and prints it).
    #[arg(long, env = "LOST_DEVICE_PORT", default_value_t = 3000)]
    port: u16,
    /// Where the server keeps its data; created if missing.
    #[arg(long, env = "LOST_DEVICE_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// The built site (cargo-leptos output) to serve.
    #[arg(long, env = "LOST_DEVICE_SITE_ROOT", default_value = "target/site")]
    site_root: String,
    /// The offline worker's implementation. Both behave the same; `scripts/bench.sh` compares
    /// their cold starts, and JavaScript is the default because Rust measured over 10 ms slower.
    #[arg(long, env = "LOST_DEVICE_WORKER", value_enum, default_value_t = Worker::Js)]
    worker: Worker,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Worker {
    Rust,
    Js,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "could not create the data directory {}",
            config.data_dir.display()
        )
    })?;

    let mut options = leptos::config::get_configuration(None)
        .context("could not read the Leptos settings")?
        .leptos_options;
    options.site_root = config.site_root.into();
    // The server is always built by cargo-leptos with hashed file names (see Cargo.toml): a page
    // must never be hydrated by the WebAssembly of another build.
    options.hash_files = true;
    let worker = match config.worker {
        Worker::Rust => service_worker::WorkerKind::Rust,
        Worker::Js => service_worker::WorkerKind::Js,
    };
    let database = config.data_dir.join("reports.sqlite3");
    let store = report_store::ReportStore::open(&database)
        .with_context(|| format!("could not open the report database {}", database.display()))?;
    let state = server::AppState::new(options, &server::build_id(), worker, store)?;

    let listener = tokio::net::TcpListener::bind(SocketAddr::new(config.bind, config.port))
        .await
        .with_context(|| format!("could not listen on {}:{}", config.bind, config.port))?;
    let address = listener.local_addr()?;
    // Tests read this line to learn the port.
    println!("Lost Device is running at http://{address}/");
    axum::serve(listener, server::app(state))
        .with_graceful_shutdown(async {
            // If the signal handler cannot be installed the server simply runs until killed.
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the server stopped with an error")
}
