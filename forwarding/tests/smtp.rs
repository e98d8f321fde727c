//! Forwarding by SMTP to a real SMTP server on loopback (Debian's python3-aiosmtpd, started by
//! the test): delivered once with the right subject, body and Message-ID; retried while the server
//! is down or says 451; parked on 550 and delivered once the operator retries it.

mod common;

use clock::{Clock, SystemClock};
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{forward, forwarder, forwarder_with, id, run_until_delivered, store_with_report};
use forwarding::Destination;
use forwarding::smtp::{Smtp, SmtpSettings, SmtpTls};

/// A running SMTP sink; killed when dropped.
struct Sink {
    child: Child,
    mail: PathBuf,
    mode: PathBuf,
}

impl Sink {
    fn start(dir: &Path, port: u16) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_sink.py");
        let mail = dir.join("mailbox");
        let mode = dir.join("mode");
        // Debian's Python, which has python3-aiosmtpd (scripts/setup.sh --tests installs it).
        let mut child = Command::new("/usr/bin/python3")
            .args([script, &port.to_string()])
            .arg(&mail)
            .arg(&mode)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP sink (needs python3-aiosmtpd: scripts/setup.sh --tests)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("sink output");
        assert_eq!(line.trim(), "ready", "the SMTP sink started");
        Self { child, mail, mode }
    }

    fn answer(&self, mode: &str) {
        std::fs::write(&self.mode, mode).expect("mode");
    }

    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.mail.join("new")) else {
            return Vec::new();
        };
        entries
            .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("message"))
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port (bound, then released for the server under test to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn smtp(port: u16) -> Destination {
    Destination::Smtp(
        Smtp::new(SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            credentials: None,
        })
        .expect("smtp"),
    )
}

#[tokio::test]
async fn a_report_is_delivered_once_with_its_reference_body_and_message_id() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let sink = Sink::start(dir.path(), port);
    let (store, reference) = store_with_report(&["smtp"]).await;
    let forwarder = forwarder(&store, smtp(port));
    forward(&forwarder, 3).await;

    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "one message");
    let message = &messages[0];
    assert!(
        message.contains(&format!(
            "Subject: [{reference}] Stolen laptop, reported 28 November 2026"
        )),
        "{message}"
    );
    assert!(message.contains(&format!("Message-ID: <{}@example.test>", id())));
    assert!(message.contains(&format!("Reference: {reference}")));
    assert!(message.contains("Sam Example"));
    assert!(message.contains("application/json"));
    assert_eq!(store.backlog().await.expect("backlog").undelivered, 0);
}

#[tokio::test]
async fn a_server_that_is_down_then_up_gets_the_report_once() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let (store, _) = store_with_report(&["smtp"]).await;
    let forwarder = forwarder(&store, smtp(port));
    forward(&forwarder, 2).await;
    assert_eq!(
        store.backlog().await.expect("backlog").undelivered,
        1,
        "still waiting"
    );

    let sink = Sink::start(dir.path(), port);
    forward(&forwarder, 3).await;
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(store.backlog().await.expect("backlog").undelivered, 0);
}

#[tokio::test]
async fn a_451_is_tried_again_and_delivered_once() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let sink = Sink::start(dir.path(), port);
    sink.answer("451");
    let (store, _) = store_with_report(&["smtp"]).await;
    let forwarder = forwarder(&store, smtp(port));
    forward(&forwarder, 2).await;
    assert_eq!(sink.messages().len(), 0);
    let backlog = store.backlog().await.expect("backlog");
    assert_eq!(
        (backlog.undelivered, backlog.parked),
        (1, 0),
        "temporary: not parked"
    );

    sink.answer("accept");
    forward(&forwarder, 3).await;
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn a_550_is_parked_with_its_reason_and_delivered_after_the_operator_retries() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let sink = Sink::start(dir.path(), port);
    sink.answer("550");
    let (store, _) = store_with_report(&["smtp"]).await;
    let forwarder = forwarder(&store, smtp(port));
    forward(&forwarder, 3).await;
    let backlog = store.backlog().await.expect("backlog");
    assert_eq!(backlog.parked, 1);
    assert!(
        backlog
            .parked_error
            .as_deref()
            .is_some_and(|e| e.contains("550")),
        "{backlog:?}"
    );
    assert_eq!(sink.messages().len(), 0);

    sink.answer("accept");
    forward(&forwarder, 2).await;
    assert!(
        sink.messages().is_empty(),
        "parked rows wait for the operator"
    );
    assert_eq!(
        store
            .retry_parked(SystemClock.now_ms())
            .await
            .expect("retry"),
        1
    );
    forward(&forwarder, 3).await;
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(store.backlog().await.expect("backlog").undelivered, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_server_slower_than_the_lease_gets_one_copy() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let sink = Sink::start(dir.path(), port);
    // 2.5 s to accept, against a 1 s lease and a look for due rows every 50 ms.
    sink.answer("slow 2.5");
    let (store, _) = store_with_report(&["smtp"]).await;
    let forwarder = forwarder_with(&store, smtp(port), |settings| {
        settings.lease = std::time::Duration::from_secs(1);
        settings.poll = std::time::Duration::from_millis(50);
    });
    run_until_delivered(forwarder, &store, std::time::Duration::from_secs(15)).await;
    assert_eq!(store.backlog().await.expect("backlog").undelivered, 0);
    assert_eq!(
        sink.messages().len(),
        1,
        "one copy, however slow the server"
    );
}
