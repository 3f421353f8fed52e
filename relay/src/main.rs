//! The `atrium-relay` command: serve the relay, mint a token for a partner's backend, or
//! list the routes it forwards.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use atrium_relay::{
    AppState, Config, Expect, Jwks, JwksConfig, Limits, Rate, SigningKey, Upstream, Verifier,
    Workers, SANDBOX_LOGOS,
};
use clap::{Args, Parser, Subcommand};
use tokio::net::TcpListener;

// glibc's allocator showed lock contention between the runtime's threads under load;
// mimalloc's per-thread heaps avoid it (see BENCHMARKS.md). Its `no_thp` feature keeps it
// from asking for transparent huge pages: with them, resident memory grows in 2 MiB steps
// and an open event stream cost twice the memory (issue 16).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    version,
    about = "Keeps the Atrium key pair on the server; lets each browser reach only its own user"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Print a relay token (an HS256 JWT signed with RELAY_SIGNING_KEY) for one Atrium user.
    MintToken {
        #[arg(long)]
        user_guid: String,
        /// How long the token lives, for example 15m or 1h.
        #[arg(long, default_value = "15m", value_parser = humantime::parse_duration)]
        ttl: Duration,
        #[command(flatten)]
        claims: ClaimArgs,
    },
    /// Print every (method, path) the relay forwards.
    Routes,
}

/// The `aud` and `iss` tokens must carry.
#[derive(Args, Clone)]
struct ClaimArgs {
    /// Tokens must carry this `aud` (and the relay's own tokens do).
    #[arg(long, env = "RELAY_TOKEN_AUDIENCE")]
    token_audience: Option<String>,
    /// Tokens must carry this `iss` (and the relay's own tokens do).
    #[arg(long, env = "RELAY_TOKEN_ISSUER")]
    token_issuer: Option<String>,
}

impl ClaimArgs {
    fn expect(&self) -> Expect {
        Expect {
            audience: self.token_audience.clone(),
            issuer: self.token_issuer.clone(),
        }
    }
}

/// Whose tokens admit a browser: the relay's own key's, or the partner's identity provider's.
#[derive(Args)]
struct TokenArgs {
    #[command(flatten)]
    claims: ClaimArgs,
    /// Admit the RS256/ES256 tokens of the partner's identity provider, whose keys are at this
    /// URL, instead of RELAY_SIGNING_KEY's (needs --token-issuer and --token-audience).
    #[arg(long, env = "RELAY_JWKS_URL")]
    jwks_url: Option<String>,
    /// The claim of the identity provider's tokens that holds the Atrium user GUID.
    #[arg(long, env = "RELAY_USER_CLAIM", default_value = "sub")]
    user_claim: String,
}

#[derive(Args)]
struct ServeArgs {
    /// Forward to an embedded sandbox instead of a real Atrium API.
    #[arg(long, env = "RELAY_SANDBOX", conflicts_with = "upstream")]
    sandbox: bool,
    /// The Atrium API to forward to, for example https://vestibule.mx.com.
    #[arg(long, env = "ATRIUM_UPSTREAM")]
    upstream: Option<String>,
    /// Where to listen (port 0 picks a free one; the address is printed).
    #[arg(long, env = "RELAY_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    /// The URL browsers reach this relay at, when not `http://{addr}` (behind a proxy, say);
    /// in sandbox mode the sandbox's logos are served under it.
    #[arg(long, env = "RELAY_PUBLIC_URL")]
    public_url: Option<String>,
    /// The demo page to serve at /.
    #[arg(long, env = "RELAY_WWW", default_value = "www")]
    www: PathBuf,
    /// The wasm-pack output to serve at /pkg/.
    #[arg(long, env = "RELAY_PKG", default_value = "pkg")]
    pkg: PathBuf,
    /// A browser origin allowed to call the relay (CORS, exact match), repeatable.
    #[arg(
        long = "allow-origin",
        env = "RELAY_ALLOW_ORIGINS",
        value_delimiter = ','
    )]
    allow_origins: Vec<String>,
    /// Do not forward the public institution reads.
    #[arg(long, env = "RELAY_NO_PUBLIC_INSTITUTIONS")]
    no_public_institutions: bool,
    /// Do not forward the public merchant reads.
    #[arg(long, env = "RELAY_NO_PUBLIC_MERCHANTS")]
    no_public_merchants: bool,
    /// Do not forward POST /transactions/cleanse_and_categorize.
    #[arg(long, env = "RELAY_NO_CLEANSE")]
    no_cleanse: bool,
    /// Lifetime of the tokens POST /session mints in sandbox mode.
    #[arg(long, env = "RELAY_SESSION_TTL", default_value = "1h", value_parser = humantime::parse_duration)]
    session_ttl: Duration,
    /// End event streams after this long (clients resume with Last-Event-ID), e.g. 5m.
    #[arg(long, env = "RELAY_STREAM_MAX_AGE", value_parser = humantime::parse_duration)]
    stream_max_age: Option<Duration>,
    /// Event streams one user may hold open at once (429 beyond).
    #[arg(long, env = "RELAY_MAX_STREAMS_PER_USER", default_value_t = 8)]
    max_streams_per_user: usize,
    /// Share webhook events and rate limits with other relay instances through this Redis,
    /// e.g. redis://127.0.0.1:6379.
    #[arg(long, env = "RELAY_REDIS_URL")]
    redis: Option<String>,
    /// Largest request body, in bytes (413 beyond).
    #[arg(long, env = "RELAY_BODY_LIMIT", default_value_t = 64 * 1024)]
    body_limit: usize,
    /// Sustained requests per second per token; 0 turns the limit off.
    #[arg(long, env = "RELAY_RATE_LIMIT", default_value_t = 10.0)]
    rate_limit: f64,
    /// Requests a token may make at once after a quiet spell.
    #[arg(long, env = "RELAY_RATE_BURST", default_value_t = 60)]
    rate_burst: u32,
    /// Upstream calls taking longer are answered 504.
    #[arg(long, env = "RELAY_UPSTREAM_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
    upstream_timeout: Duration,
    /// Upstream calls in flight at once, all threads together.
    #[arg(long, env = "RELAY_MAX_UPSTREAM", default_value_t = 64)]
    max_upstream: usize,
    /// Serve Prometheus metrics at /metrics on this address, apart from the browsers' one
    /// (e.g. 127.0.0.1:9464; port 0 picks a free one, printed).
    #[arg(long, env = "RELAY_METRICS_ADDR")]
    metrics_addr: Option<String>,
    /// Threads serving browsers: `auto` (one per core, each keeping the connections it
    /// accepts, as nginx's workers do), a number, or `shared` (one work-stealing pool, for a
    /// proxy in front that sends everything over a few HTTP/2 connections).
    #[arg(long, env = "RELAY_WORKERS", default_value = "auto")]
    workers: Workers,
    #[command(flatten)]
    tokens: TokenArgs,
}

/// `scheme://host[:port]` and nothing else: no wildcard, no path.
fn is_exact_origin(o: &str) -> bool {
    let Some((scheme, rest)) = o.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
}

/// Where a browser on this machine reaches a listener bound to `addr` (an unspecified
/// address such as 0.0.0.0 listens on loopback too).
fn browser_addr(addr: std::net::SocketAddr) -> std::net::SocketAddr {
    if addr.ip().is_unspecified() {
        std::net::SocketAddr::from(([127, 0, 0, 1], addr.port()))
    } else {
        addr
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn signing_key(required: bool) -> Result<SigningKey, String> {
    match env("RELAY_SIGNING_KEY") {
        Some(k) => SigningKey::new(k.into_bytes()).map_err(|e| format!("RELAY_SIGNING_KEY: {e}")),
        None if required => Err("RELAY_SIGNING_KEY must be set (at least 32 bytes)".into()),
        None => SigningKey::random().map_err(|e| e.to_string()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        // Colour codes only for a person at a terminal who has not asked for none (NO_COLOR),
        // never into a log file or collector.
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stdout())
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::MintToken {
            user_guid,
            ttl,
            claims,
        }) => mint(&user_guid, ttl, &claims),
        Some(Command::Routes) => {
            for (method, path, group) in atrium_relay::routes() {
                println!("{method:6} {path}  ({group:?})");
            }
            Ok(())
        }
        None => serve(cli.serve).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("atrium-relay: {e}");
            ExitCode::FAILURE
        }
    }
}

fn mint(user_guid: &str, ttl: Duration, claims: &ClaimArgs) -> Result<(), String> {
    let minted = signing_key(true)?
        .expecting(claims.expect())
        .mint(user_guid, ttl)
        .map_err(|e| e.to_string())?;
    println!("{}", minted.token);
    Ok(())
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    if let Some(bad) = args.allow_origins.iter().find(|o| !is_exact_origin(o)) {
        return Err(format!(
            "--allow-origin takes exact origins like https://app.example, not {bad:?}"
        ));
    }
    let listener = TcpListener::bind(&args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let webhook_secret = webhook_secret(args.sandbox)?;
    let (upstream_base, api_key, client_id) = if args.sandbox {
        embedded_sandbox(&args, addr, webhook_secret.clone()).await?
    } else {
        real_upstream(&args)?
    };
    let limits = Limits {
        timeout: args.upstream_timeout,
        max_in_flight: args.max_upstream,
    };
    let upstream = Upstream::with_limits(&upstream_base, api_key, client_id, limits)
        .map_err(|e| e.to_string())?;
    let verifier = verifier(args.sandbox, &args.tokens).await?;
    if let Some(addr) = &args.metrics_addr {
        metrics(addr).await?;
    }
    let redis = match &args.redis {
        Some(url) => Some(
            atrium_relay::Redis::connect(url)
                .await
                .map_err(|e| format!("redis: {e}"))?,
        ),
        None => None,
    };
    banner(addr, args.sandbox, &upstream_base);
    let workers = args.workers;
    let state = AppState::with_redis(config(args, webhook_secret), upstream, verifier, redis);
    let shutdown = atrium_sandbox::shutdown_signal();
    let served = match workers {
        Workers::Shared => atrium_relay::serve(listener, state, shutdown).await,
        Workers::Threads(n) => match listener.into_std() {
            Ok(listener) => atrium_relay::serve_threads(listener, state, n, shutdown).await,
            Err(e) => Err(e),
        },
    };
    served.map_err(|e| e.to_string())
}

/// The relay's own key (required but in sandbox mode), or the identity provider's keys,
/// fetched now so that a wrong URL shows at once (the relay still starts: 503 until then).
async fn verifier(sandbox: bool, args: &TokenArgs) -> Result<Verifier, String> {
    let expect = args.claims.expect();
    let Some(url) = &args.jwks_url else {
        return Ok(signing_key(!sandbox)?.expecting(expect).into());
    };
    let (Some(issuer), Some(audience)) = (expect.issuer, expect.audience) else {
        return Err(
            "--jwks-url needs --token-issuer and --token-audience: an identity \
            provider signs tokens for other applications too"
                .into(),
        );
    };
    let config = JwksConfig {
        user_claim: args.user_claim.clone(),
        ..JwksConfig::new(url.clone(), issuer, audience)
    };
    let jwks = Jwks::new(config).map_err(|e| e.to_string())?;
    match jwks.prefetch().await {
        Ok(keys) => tracing::info!(keys, "identity provider's keys fetched"),
        Err(e) => {
            tracing::warn!(error = %e, "tokens are refused (503) until the keys can be fetched")
        }
    }
    Ok(jwks.into())
}

/// Installs the recorder and serves its page on `addr`.
async fn metrics(addr: &str) -> Result<(), String> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr} for metrics: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let handle = atrium_relay::metrics::install()?;
    tokio::spawn(async move {
        if let Err(e) = atrium_relay::metrics::serve(listener, handle).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    println!("atrium-relay metrics on http://{bound}/metrics");
    Ok(())
}

/// In sandbox mode the embedded sandbox sends its webhooks to this relay, signed with a
/// secret made for this run, so the demo's flows are pushed to out of the box.
fn webhook_secret(sandbox: bool) -> Result<Option<String>, String> {
    if !sandbox {
        return Ok(env("RELAY_WEBHOOK_SECRET"));
    }
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(Some(bytes.iter().map(|b| format!("{b:02x}")).collect()))
}

/// Starts the embedded sandbox; its URL and the key pair it takes.
async fn embedded_sandbox(
    args: &ServeArgs,
    addr: std::net::SocketAddr,
    webhook_secret: Option<String>,
) -> Result<(String, String, String), String> {
    // The embedded sandbox takes the partner's key pair when it is set, so that the same
    // environment serves both modes; otherwise its defaults, which never leave the process.
    let api_key =
        env("MX_API_KEY").unwrap_or_else(|| atrium_sandbox::Config::DEFAULT_API_KEY.into());
    let client_id =
        env("MX_CLIENT_ID").unwrap_or_else(|| atrium_sandbox::Config::DEFAULT_CLIENT_ID.into());
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", browser_addr(addr)));
    let sandbox = atrium_sandbox::Config {
        // The relay serves the sandbox's logos itself, so that the demo's policy (images
        // from its own origin) admits them and nothing is loaded from beyond the machine.
        logo_url: Some(format!(
            "{}{SANDBOX_LOGOS}",
            public_url.trim_end_matches('/')
        )),
        webhooks: webhook_secret.map(|secret| atrium_sandbox::webhooks::WebhookConfig {
            urls: vec![format!("http://{addr}/webhooks/atrium")],
            secret,
        }),
        ..atrium_sandbox::Config::new(api_key.clone(), client_id.clone())
    };
    let addr = atrium_sandbox::spawn(sandbox)
        .await
        .map_err(|e| format!("sandbox: {e}"))?;
    Ok((format!("http://{addr}"), api_key, client_id))
}

/// A real Atrium API: its URL and the partner's key pair, from the environment.
fn real_upstream(args: &ServeArgs) -> Result<(String, String, String), String> {
    let upstream = args
        .upstream
        .clone()
        .ok_or("give --upstream URL (a real Atrium API) or --sandbox")?;
    let api_key = env("MX_API_KEY").ok_or("MX_API_KEY must be set")?;
    let client_id = env("MX_CLIENT_ID").ok_or("MX_CLIENT_ID must be set")?;
    Ok((upstream, api_key, client_id))
}

fn config(args: ServeArgs, webhook_secret: Option<String>) -> Config {
    Config {
        allow_origins: args.allow_origins,
        public_institutions: !args.no_public_institutions,
        public_merchants: !args.no_public_merchants,
        cleanse: !args.no_cleanse,
        // Tokens come from the identity provider then, even in front of the sandbox.
        open_sessions: args.sandbox && args.tokens.jwks_url.is_none(),
        session_ttl: args.session_ttl,
        body_limit: args.body_limit,
        rate: (args.rate_limit > 0.0).then_some(Rate {
            per_second: args.rate_limit,
            burst: args.rate_burst,
        }),
        sandbox_logos: args.sandbox,
        www_dir: Some(args.www),
        pkg_dir: Some(args.pkg),
        webhook_secret,
        stream_max_age: args.stream_max_age,
        max_streams_per_user: args.max_streams_per_user.max(1),
        heartbeat: Duration::from_secs(15),
    }
}

fn banner(addr: std::net::SocketAddr, sandbox: bool, upstream_base: &str) {
    let mode = if sandbox { "sandbox" } else { "upstream" };
    // Test harnesses read this line to learn the port.
    println!("atrium-relay listening on http://{addr} ({mode}: {upstream_base})");
    if !sandbox {
        return;
    }
    println!("\nDemo: http://{addr}/");
    println!("Sandbox test logins: username test_atrium, MFA answer `correct`; passwords:");
    let passwords: Vec<&str> = atrium_sandbox::logins::TABLE
        .iter()
        .map(|(p, _)| *p)
        .collect();
    for line in passwords.chunks(9) {
        println!("  {}", line.join(", "));
    }
    println!("(what each does: the README's table of test logins)\n");
}
