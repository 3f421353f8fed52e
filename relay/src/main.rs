//! The `atrium-relay` command: serve the relay, or mint a token for a partner's backend.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use atrium_relay::{AppState, Config, SigningKey, Upstream};
use clap::{Args, Parser, Subcommand};
use tokio::net::TcpListener;

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
    /// Print a relay token for one Atrium user (signed with RELAY_SIGNING_KEY).
    MintToken {
        #[arg(long)]
        user_guid: String,
        /// How long the token lives, for example 15m or 1h.
        #[arg(long, default_value = "15m", value_parser = humantime::parse_duration)]
        ttl: Duration,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Forward to an embedded sandbox instead of a real Atrium API.
    #[arg(long, conflicts_with = "upstream")]
    sandbox: bool,
    /// The Atrium API to forward to, for example https://vestibule.mx.com.
    #[arg(long)]
    upstream: Option<String>,
    /// Where to listen (port 0 picks a free one; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// The demo page to serve at /.
    #[arg(long, default_value = "www")]
    www: PathBuf,
    /// The wasm-pack output to serve at /pkg/.
    #[arg(long, default_value = "pkg")]
    pkg: PathBuf,
    /// A browser origin allowed to call the relay (CORS), repeatable; * for any.
    #[arg(long = "allow-origin")]
    allow_origins: Vec<String>,
    /// Do not forward the public institution reads.
    #[arg(long)]
    no_public_institutions: bool,
    /// Lifetime of the tokens POST /session mints in sandbox mode.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    session_ttl: Duration,
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
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::MintToken { user_guid, ttl }) => mint(&user_guid, ttl),
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

fn mint(user_guid: &str, ttl: Duration) -> Result<(), String> {
    let minted = signing_key(true)?
        .mint(user_guid, ttl)
        .map_err(|e| e.to_string())?;
    println!("{}", minted.token);
    Ok(())
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let (upstream_base, api_key, client_id) = if args.sandbox {
        // The embedded sandbox takes the partner's key pair when it is set, so that the same
        // environment serves both modes; otherwise a fresh pair that never leaves the process.
        let api_key =
            env("MX_API_KEY").unwrap_or_else(|| atrium_sandbox::Config::DEFAULT_API_KEY.into());
        let client_id =
            env("MX_CLIENT_ID").unwrap_or_else(|| atrium_sandbox::Config::DEFAULT_CLIENT_ID.into());
        let sandbox = atrium_sandbox::Config::new(api_key.clone(), client_id.clone());
        let addr = atrium_sandbox::spawn(sandbox)
            .await
            .map_err(|e| format!("sandbox: {e}"))?;
        (format!("http://{addr}"), api_key, client_id)
    } else {
        let upstream = args
            .upstream
            .ok_or("give --upstream URL (a real Atrium API) or --sandbox")?;
        let api_key = env("MX_API_KEY").ok_or("MX_API_KEY must be set")?;
        let client_id = env("MX_CLIENT_ID").ok_or("MX_CLIENT_ID must be set")?;
        (upstream, api_key, client_id)
    };
    let upstream = Upstream::new(&upstream_base, api_key, client_id).map_err(|e| e.to_string())?;
    let config = Config {
        allow_origins: args.allow_origins,
        public_institutions: !args.no_public_institutions,
        open_sessions: args.sandbox,
        session_ttl: args.session_ttl,
        www_dir: Some(args.www),
        pkg_dir: Some(args.pkg),
    };
    let key = signing_key(!args.sandbox)?;
    let listener = TcpListener::bind(&args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let mode = if args.sandbox { "sandbox" } else { "upstream" };
    // Test harnesses read this line to learn the port.
    println!("atrium-relay listening on http://{addr} ({mode}: {upstream_base})");
    let state = AppState::new(config, upstream, key);
    atrium_relay::serve(listener, state, atrium_sandbox::shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}
