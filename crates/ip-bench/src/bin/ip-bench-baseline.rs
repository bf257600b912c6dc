//! The baseline server of the throughput benchmark: axum on the same Tokio
//! runtime as `ip-mock`. It responds to `GET /v1/prints/{id}` and
//! `POST /v1/prints` with constant bytes and the mock's response headers, so
//! the difference between the two servers is the mock's own work.
//!
//! ```text
//! ip-bench-baseline --port 0 --retrieve-body retrieve.json --create-body create.json
//! ```

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use clap::Parser;
use ip_bench::fixtures::DEFAULT_JOB_RESPONSE;
use tokio::net::TcpListener;

/// An HTTP server with constant responses, to compare ip-mock with.
#[derive(Debug, Parser)]
#[command(name = "ip-bench-baseline", about)]
struct Args {
    /// Loopback address to bind.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,

    /// TCP port; 0 picks a free one (read it from the "listening on" line).
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// File with the response body of `GET /v1/prints/{id}`. Default: a
    /// built-in one-letter job.
    #[arg(long)]
    retrieve_body: Option<PathBuf>,

    /// File with the response body of `POST /v1/prints`. Default: a built-in
    /// one-letter job.
    #[arg(long)]
    create_body: Option<PathBuf>,
}

/// `request-id` as the mock sends it: `req_` and 16 hex digits. A constant,
/// since the baseline does no work of its own.
const REQUEST_ID: &str = "req_0123456789abcdef";
/// The mock's `ip-mock-version` header.
const MOCK_VERSION: &str = "0.1.0";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let retrieve = match body_from(args.retrieve_body.as_ref()) {
        Ok(body) => body,
        Err(message) => return fail(&message),
    };
    let create = match body_from(args.create_body.as_ref()) {
        Ok(body) => body,
        Err(message) => return fail(&message),
    };

    let app = Router::new()
        .route(
            "/v1/prints/{id}",
            get(move || std::future::ready(json(retrieve.clone()))),
        )
        // The body is read in full, as the mock reads it, then ignored.
        .route(
            "/v1/prints",
            post(move |_body: Bytes| std::future::ready(json(create.clone()))),
        )
        .route(
            "/_mock/health",
            get(|| std::future::ready(json(Bytes::from_static(br#"{"status":"ok"}"#)))),
        );

    let listener = match TcpListener::bind((args.host, args.port)).await {
        Ok(listener) => listener,
        Err(err) => {
            return fail(&format!(
                "failed to bind {}:{}: {err}",
                args.host, args.port
            ))
        }
    };
    match listener.local_addr() {
        Ok(address) => println!("listening on http://{address}"),
        Err(err) => return fail(&format!("failed to read the bound address: {err}")),
    }
    if let Err(err) = axum::serve(listener, app).await {
        return fail(&format!("server failed: {err}"));
    }
    std::process::ExitCode::SUCCESS
}

/// Builds a 200 response with `body` and the mock's response headers.
fn json(body: Bytes) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("request-id", HeaderValue::from_static(REQUEST_ID));
    headers.insert("ip-mock-version", HeaderValue::from_static(MOCK_VERSION));
    response
}

fn body_from(path: Option<&PathBuf>) -> Result<Bytes, String> {
    match path {
        Some(path) => std::fs::read(path)
            .map(Bytes::from)
            .map_err(|err| format!("failed to read {}: {err}", path.display())),
        None => Ok(Bytes::from_static(DEFAULT_JOB_RESPONSE.as_bytes())),
    }
}

fn fail(message: &str) -> std::process::ExitCode {
    eprintln!("ip-bench-baseline: {message}");
    std::process::ExitCode::FAILURE
}
