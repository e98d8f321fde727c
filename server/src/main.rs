//! `lost-device`: the server binary. Run it from the project folder after `scripts/build.sh`
//! (`scripts/run.sh` does both), then open <http://127.0.0.1:3000>. Its settings are in
//! [`server::config`] (`lost-device --help` lists them).

use clap::Parser as _;
use server::config::{Config, Task};
use server::startup::{Application, back_up, shutdown_signal};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    let _logging = server::telemetry::init_logging(config.log_format);
    if let Some(Task::Backup { path }) = &config.command {
        return back_up(&config, path).await;
    }
    let application = Application::build(config).await?;
    // Tests read this line to learn the port.
    println!(
        "Lost Device is running at http://{}/",
        application.address()
    );
    application.run_until_stopped(shutdown_signal()).await;
    Ok(())
}
