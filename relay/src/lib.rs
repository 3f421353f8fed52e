//! atrium-relay: holds the partner's Atrium key pair and lets each browser, by its relay
//! token, reach only the allowed endpoints and only for its own user.
//!
//! The token a browser uses is a standard HS256 JWT (`sub` = the Atrium user GUID, `exp`),
//! which a partner's backend mints with any JWT library, or in Rust in two lines:
//!
//! ```
//! use std::time::Duration;
//! use atrium_relay::SigningKey;
//!
//! let key = SigningKey::new(b"the same 32+ bytes as RELAY_SIGNING_KEY".to_vec()).unwrap();
//! let minted = key.mint("USR-fa7537f3-48aa-a683-a02a-b18940482f54", Duration::from_secs(900)).unwrap();
//! assert_eq!(minted.token.split('.').count(), 3);
//! ```
//!
//! Or the relay admits the partner's identity provider's own tokens: see [`Jwks`].

use std::sync::Arc;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;

mod allow;
mod auth;
mod config;
pub mod error;
mod guid;
pub mod metrics;
mod observe;
mod proxy;
pub mod push;
mod ratelimit;
mod router;
mod session;
mod state;
pub mod token;
mod upstream;
mod workers;

pub use allow::{describe as routes, Group};
pub use config::Config;
pub use error::RelayError;
pub use push::redis::Redis;
pub use push::webhook;
pub use ratelimit::Rate;
pub use router::app;
pub use state::AppState;
pub use token::{Claims, Expect, Jwks, JwksConfig, Minted, SigningKey, TokenError, Verifier};
pub use upstream::{Limits, Upstream};
pub use workers::{serve_threads, Workers};

/// Where a relay in sandbox mode serves the sandbox's logos (the sandbox is told to point there).
pub const SANDBOX_LOGOS: &str = "/sandbox/logos";

/// Serves the relay on `listener` until `shutdown` resolves; requests in flight then finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let closing = state.clone();
    let shutdown = async move {
        shutdown.await;
        // Open event streams would keep the graceful shutdown waiting forever.
        closing.closing.send_replace(true);
    };
    // A make-service clones the router (an Arc) for each connection; the router itself
    // would rebuild its route table per connection, 7 KiB an open event stream (heaptrack).
    // Nagle off: a response or an h2 frame written in parts must not wait for the peer's
    // ACK (measured: the relay spent ~8 us more kernel time a request with it on).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app(state).into_make_service())
        .with_graceful_shutdown(shutdown)
        .await
}
