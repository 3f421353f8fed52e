//! A child process the tests start, stopped and reaped when dropped, even by a failing test.

use std::process::Child;

pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
