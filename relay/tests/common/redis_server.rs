//! A Redis server of the test's own (Debian's `redis-server`), on a free port.

use std::process::{Command, Stdio};
use std::time::Duration;

use super::Reaped;

/// A Redis server of its own on a free port, stopped with the test.
pub struct RedisServer {
    child: Option<Reaped>,
    port: u16,
    pub url: String,
}

impl RedisServer {
    /// Kills it and starts it again on the same port, empty (as after a crash).
    pub async fn restart(&mut self) {
        drop(self.child.take());
        self.child = Some(spawn(self.port));
        wait_listening(self.port).await;
    }
}

pub async fn redis_server() -> RedisServer {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // Owned at once, so that a failed start below still stops (and reaps) it.
    let server = RedisServer {
        child: Some(spawn(port)),
        port,
        url: format!("redis://127.0.0.1:{port}/"),
    };
    wait_listening(port).await;
    server
}

fn spawn(port: u16) -> Reaped {
    let binary = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("redis-server is installed (npm test's bootstrap installs Debian's package)");
    let child = Command::new(binary)
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server starts");
    Reaped(child)
}

async fn wait_listening(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("redis-server did not listen on {port}");
}
