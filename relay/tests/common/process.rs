//! The relay's binary as the tests start it, stopped and reaped when dropped, even by a failing test.

use std::process::{Child, Command};
use std::time::Duration;

use super::{API_KEY, CLIENT_ID, SIGNING_KEY};

pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The relay's process and the address it printed.
pub struct Running {
    pub child: Reaped,
    pub base: String,
}

/// Starts the binary with its output in a file; resolves once it listens.
pub fn start(args: &[&str], log: &std::path::Path) -> Running {
    let file = std::fs::File::create(log).expect("a log file");
    let mut running = Running {
        child: Reaped(
            Command::new(env!("CARGO_BIN_EXE_atrium-relay"))
                .args(args)
                .env("MX_API_KEY", API_KEY)
                .env("MX_CLIENT_ID", CLIENT_ID)
                .env(
                    "RELAY_SIGNING_KEY",
                    std::str::from_utf8(SIGNING_KEY).expect("text"),
                )
                .env("RUST_LOG", "debug")
                .stdout(file.try_clone().expect("a handle"))
                .stderr(file)
                .spawn()
                .expect("the binary starts"),
        ),
        base: String::new(),
    };
    for _ in 0..200 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(rest) = text.split("listening on ").nth(1) {
            running.base = rest
                .split_whitespace()
                .next()
                .expect("an address")
                .to_string();
            return running;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    // Dropping `running` stops the process.
    panic!(
        "the relay did not start: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}
