//! A child process the tests start, stopped and reaped when it goes out of scope, so that a
//! failing test leaves nothing running.

use std::process::Child;

pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
