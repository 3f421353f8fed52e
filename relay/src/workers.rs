//! Serving on one single-thread runtime per core, each accepting from the same socket.

use std::num::NonZeroUsize;
use std::str::FromStr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::error::RelayError;
use crate::state::AppState;

/// How the relay spreads its connections over threads.
///
/// nginx's model is the default: a connection stays on the thread that accepted it, whose
/// requests and upstream calls are never woken across threads (measured: 0.75× → 0.83×
/// nginx's throughput, BENCHMARKS.md). Behind a proxy that sends everything over one or
/// two HTTP/2 connections, `Shared` spreads one connection's streams over all cores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workers {
    /// This many threads, each with its own runtime and upstream connections.
    Threads(NonZeroUsize),
    /// One work-stealing runtime for all connections.
    Shared,
}

impl Workers {
    /// One thread per core the process may use.
    pub fn per_core() -> Self {
        Workers::Threads(std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN))
    }
}

impl FromStr for Workers {
    type Err = RelayError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Workers::per_core()),
            "shared" => Ok(Workers::Shared),
            n => n
                .parse::<NonZeroUsize>()
                .map(Workers::Threads)
                .map_err(|_| {
                    RelayError::InvalidInput(format!(
                        "workers are `auto`, `shared` or a number of threads from 1, not {n:?}"
                    ))
                }),
        }
    }
}

/// Serves the relay on `threads` threads until `shutdown` resolves, then lets each finish
/// the requests it has in flight. Fails if a thread cannot start, or stops before it is told.
pub async fn serve_threads(
    listener: std::net::TcpListener,
    state: Arc<AppState>,
    threads: NonZeroUsize,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let (done, mut finished) = tokio::sync::mpsc::channel(threads.get());
    for i in 0..threads.get() {
        let listener = listener.try_clone()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (state, done) = (state.clone(), done.clone());
        std::thread::Builder::new()
            .name(format!("relay-worker-{i}"))
            .spawn(move || {
                let served = runtime.block_on(worker(listener, state));
                // Nobody listening any more means the process is already on its way out.
                let _ = done.try_send(served);
            })?;
    }
    drop(done);
    let early = tokio::select! {
        () = shutdown => None,
        stopped = finished.recv() => Some(stopped),
    };
    state.closing.send_replace(true);
    if let Some(stopped) = early {
        stopped.unwrap_or_else(|| Err(std::io::Error::other("a worker thread panicked")))?;
        return Err(std::io::Error::other(
            "a worker thread stopped before shutdown",
        ));
    }
    let mut stopped = 0;
    while let Some(served) = finished.recv().await {
        served?;
        stopped += 1;
    }
    if stopped < threads.get() {
        return Err(std::io::Error::other("a worker thread panicked"));
    }
    Ok(())
}

/// One thread's share: its accept loop on the shared socket, until the state says closing.
async fn worker(listener: std::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    let listener = TcpListener::from_std(listener)?;
    let mut closing = state.closing.subscribe();
    let closed = async move {
        // An error means the state is gone, which is a shutdown too.
        let _ = closing.wait_for(|closing| *closing).await;
    };
    crate::serve(listener, state, closed).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_are_auto_shared_or_a_count() {
        assert_eq!("shared".parse::<Workers>().ok(), Some(Workers::Shared));
        assert_eq!(
            "3".parse::<Workers>().ok(),
            NonZeroUsize::new(3).map(Workers::Threads)
        );
        assert_eq!("auto".parse::<Workers>().ok(), Some(Workers::per_core()));
        for bad in ["0", "-1", "two", ""] {
            let err = bad.parse::<Workers>().err();
            assert!(
                matches!(&err, Some(RelayError::InvalidInput(m)) if m.contains("`auto`")),
                "{bad:?}: {err:?}"
            );
        }
    }
}
