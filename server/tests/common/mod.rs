//! What the tests that need a server in its own process share: the test binary runs itself
//! again as that server (one of its tests, ignored in an ordinary run so that it is not counted
//! as a test that passed, and doing nothing unless its variable is set).

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

/// A server in a child process, and where it listens.
pub struct ServerProcess {
    /// The child process.
    pub process: Child,
    /// Its address on loopback.
    pub address: SocketAddr,
}

impl ServerProcess {
    /// Runs this binary's test `test` as a child with `variable` set to `value`; it must print
    /// `listening on <address>` once it listens.
    pub fn start(test: &str, variable: &str, value: impl AsRef<OsStr>) -> Self {
        let mut process = Command::new(std::env::current_exe().expect("this test binary"))
            .args(["--exact", test, "--ignored", "--nocapture"])
            .env(variable, value)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the child server");
        let mut lines = BufReader::new(process.stdout.take().expect("stdout")).lines();
        let address = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| line.strip_prefix("listening on ").map(str::to_owned))
            .expect("the child's address")
            .parse()
            .expect("address");
        // Keep reading, so the child can still write its test summary when it stops.
        std::thread::spawn(move || lines.for_each(drop));
        Self { process, address }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
