//! The bench's floor: the least a Rust proxy on hyper does (pooled client, key pair added,
//! answer collected), measured beside nginx and the relay to show what the stack itself costs.
//!
//! Usage: `floor ADDR UPSTREAM` (forwards `/atrium/...` to `UPSTREAM/...`). Not a relay: no
//! token, no allow-list; never serve it to anyone.

use std::convert::Infallible;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};

// The relay's allocator, so that the two differ only in what they do.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Upstream = Client<HttpConnector, Full<Bytes>>;

async fn forward(
    up: &Upstream,
    base: &str,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, String> {
    let pq = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let pq = pq.strip_prefix("/atrium").unwrap_or(pq);
    let upstream = Request::get(format!("{base}{pq}"))
        .header("MX-API-Key", "bench-key")
        .header("MX-Client-ID", "bench-client")
        .header("Accept", "application/vnd.mx.atrium.v1+json")
        .body(Full::new(Bytes::new()))
        .map_err(|e| e.to_string())?;
    let answer = up.request(upstream).await.map_err(|e| e.to_string())?;
    let status = answer.status();
    let body = answer
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(body))
        .map_err(|e| e.to_string())
}

async fn serve(
    up: Upstream,
    base: &'static str,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(forward(&up, base, req).await.unwrap_or_else(|e| {
        let mut res = Response::new(Full::new(Bytes::from(e)));
        *res.status_mut() = StatusCode::BAD_GATEWAY;
        res
    }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(base)) = (args.next(), args.next()) else {
        return Err("usage: floor ADDR UPSTREAM".into());
    };
    let addr: SocketAddr = addr.parse()?;
    // Lives as long as the process, as every connection's task borrows it.
    let base: &'static str = base.trim_end_matches('/').to_string().leak();
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let up: Upstream = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(64)
        .build(connector);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("floor listening on http://{}", listener.local_addr()?);
    loop {
        let (tcp, _) = listener.accept().await?;
        tcp.set_nodelay(true)?;
        let up = up.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| serve(up.clone(), base, req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), svc)
                .await;
        });
    }
}
