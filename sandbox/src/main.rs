//! The `atrium-sandbox` command: serves the simulator on its own port.

use atrium_sandbox::Config;
use clap::Parser;
use tokio::net::TcpListener;

#[derive(Parser)]
#[command(version, about = "An offline simulator of the MX Atrium API")]
struct Args {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8090")]
    addr: String,
    /// The MX-API-Key that requests must carry.
    #[arg(long, env = "MX_API_KEY", default_value = Config::DEFAULT_API_KEY)]
    api_key: String,
    /// The MX-Client-ID that requests must carry.
    #[arg(long, env = "MX_CLIENT_ID", default_value = Config::DEFAULT_CLIENT_ID)]
    client_id: String,
    /// The base URL browsers reach this sandbox at, for OAuth window URIs (default: the
    /// Host of the request that asks for one).
    #[arg(long, env = "SANDBOX_PUBLIC_URL")]
    public_url: Option<String>,
    /// Where to POST webhooks (connection-status changes, completed aggregations); repeat
    /// for several receivers.
    #[arg(
        long = "webhook-url",
        env = "SANDBOX_WEBHOOK_URLS",
        value_delimiter = ','
    )]
    webhook_urls: Vec<String>,
    /// The secret webhooks are signed with (README, "Webhooks").
    #[arg(
        long,
        env = "SANDBOX_WEBHOOK_SECRET",
        default_value = "sandbox-webhook-secret"
    )]
    webhook_secret: String,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let listener = match TcpListener::bind(&args.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("atrium-sandbox: cannot listen on {}: {e}", args.addr);
            std::process::exit(1);
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or(args.addr.clone());
    println!("atrium-sandbox listening on http://{addr}");
    println!("  MX-API-Key:   {}", args.api_key);
    println!("  MX-Client-ID: {}", args.client_id);
    if !args.webhook_urls.is_empty() {
        println!("  webhooks to:  {}", args.webhook_urls.join(", "));
    }
    let config = Config {
        public_url: args.public_url,
        webhooks: (!args.webhook_urls.is_empty()).then_some(
            atrium_sandbox::webhooks::WebhookConfig {
                urls: args.webhook_urls,
                secret: args.webhook_secret,
            },
        ),
        ..Config::new(args.api_key, args.client_id)
    };
    if let Err(e) = atrium_sandbox::serve(listener, config, atrium_sandbox::shutdown_signal()).await
    {
        eprintln!("atrium-sandbox: {e}");
        std::process::exit(1);
    }
}
