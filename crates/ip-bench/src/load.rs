//! A closed-loop HTTP/1.1 load generator: a fixed number of keep-alive
//! connections, each sending its next request as soon as the previous
//! response body is read, for a fixed duration or request count.
//!
//! Built on hyper's low-level connection API, so the client adds little CPU
//! of its own to the two cores it shares with the server under test.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::stats::Latencies;
use crate::Error;

/// One request the generator sends: method, origin-form path and body.
#[derive(Debug, Clone)]
pub struct RequestTemplate {
    pub method: Method,
    /// The path and query, such as `/v1/prints/print_…`.
    pub path: String,
    /// Sent as `application/json` when not empty.
    pub body: Bytes,
}

impl RequestTemplate {
    /// Creates a `GET` of `path`.
    pub fn get(path: impl Into<String>) -> Self {
        RequestTemplate {
            method: Method::GET,
            path: path.into(),
            body: Bytes::new(),
        }
    }

    /// Creates a `POST` of a JSON `body` to `path`.
    pub fn post_json(path: impl Into<String>, body: Bytes) -> Self {
        RequestTemplate {
            method: Method::POST,
            path: path.into(),
            body,
        }
    }
}

/// When a run stops.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    /// Stop sending after this wall time; requests in flight still complete.
    Duration(Duration),
    /// Send this many requests in total, over all connections.
    Count(u64),
}

/// The load to apply: where, what and over how many connections.
#[derive(Debug, Clone)]
pub struct Load {
    pub address: SocketAddr,
    /// Sent in the `Authorization` header of every request.
    pub api_key: String,
    /// Sent in turn, shared by all connections, so consecutive requests of
    /// one connection may use different templates.
    pub requests: Arc<[RequestTemplate]>,
    /// Concurrent keep-alive connections, each with one request in flight.
    pub connections: usize,
}

/// The measurements of one run.
#[derive(Debug, Clone)]
pub struct LoadReport {
    /// Responses with a 2xx status.
    pub succeeded: u64,
    /// Responses with any other status.
    pub failed: u64,
    /// Wall time from the first request to the last response.
    pub elapsed: Duration,
    /// Latency of each 2xx response: request sent to body read.
    pub latencies: Latencies,
    /// Body bytes of the last 2xx response, to compare with a baseline.
    pub last_body_len: usize,
}

impl LoadReport {
    /// Successful responses per wall second.
    pub fn requests_per_second(&self) -> f64 {
        self.succeeded as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// The measurements of one connection.
#[derive(Default)]
struct WorkerReport {
    succeeded: u64,
    failed: u64,
    latencies_us: Vec<u32>,
    last_body_len: usize,
}

/// Opens the connections, then sends requests until `limit` is reached.
///
/// # Errors
///
/// When a connection cannot be opened or fails mid-run; a non-2xx response
/// is counted in [`LoadReport::failed`] instead.
pub async fn run(load: &Load, limit: Limit) -> Result<LoadReport, Error> {
    let mut senders = Vec::with_capacity(load.connections);
    for _ in 0..load.connections.max(1) {
        senders.push(connect(load.address).await?);
    }

    let next_template = Arc::new(AtomicUsize::new(0));
    let issued = Arc::new(AtomicU64::new(0));
    let host = load.address.to_string();
    let start = Instant::now();
    let deadline = match limit {
        Limit::Duration(duration) => Some(start + duration),
        Limit::Count(_) => None,
    };
    let count = match limit {
        Limit::Count(count) => Some(count),
        Limit::Duration(_) => None,
    };

    let mut workers = Vec::with_capacity(senders.len());
    for sender in senders {
        let worker = Worker {
            sender,
            host: host.clone(),
            api_key: load.api_key.clone(),
            requests: load.requests.clone(),
            next_template: next_template.clone(),
            issued: issued.clone(),
            deadline,
            count,
        };
        workers.push(tokio::spawn(worker.run()));
    }

    let mut merged = WorkerReport::default();
    for worker in workers {
        let report = worker.await??;
        merged.succeeded += report.succeeded;
        merged.failed += report.failed;
        merged.latencies_us.extend(report.latencies_us);
        merged.last_body_len = merged.last_body_len.max(report.last_body_len);
    }
    Ok(LoadReport {
        succeeded: merged.succeeded,
        failed: merged.failed,
        elapsed: start.elapsed(),
        latencies: Latencies::from_unsorted(merged.latencies_us),
        last_body_len: merged.last_body_len,
    })
}

/// Opens one loopback connection with Nagle's algorithm off, as HTTP
/// clients do, and drives it on the current runtime.
async fn connect(address: SocketAddr) -> Result<SendRequest<Full<Bytes>>, Error> {
    let stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // The connection ends when its sender is dropped at the end of the
        // run; an error then is the expected close.
        let _ = connection.await;
    });
    Ok(sender)
}

struct Worker {
    sender: SendRequest<Full<Bytes>>,
    host: String,
    api_key: String,
    requests: Arc<[RequestTemplate]>,
    next_template: Arc<AtomicUsize>,
    issued: Arc<AtomicU64>,
    deadline: Option<Instant>,
    count: Option<u64>,
}

impl Worker {
    async fn run(mut self) -> Result<WorkerReport, Error> {
        let mut report = WorkerReport::default();
        loop {
            if self
                .deadline
                .is_some_and(|deadline| Instant::now() >= deadline)
            {
                break;
            }
            if let Some(count) = self.count {
                if self.issued.fetch_add(1, Ordering::Relaxed) >= count {
                    break;
                }
            }

            let index = self.next_template.fetch_add(1, Ordering::Relaxed) % self.requests.len();
            let request = build_request(&self.requests[index], &self.host, &self.api_key)?;
            self.sender.ready().await?;

            let sent = Instant::now();
            let response = self.sender.send_request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            let latency = sent.elapsed();

            if status.is_success() {
                report.succeeded += 1;
                report.latencies_us.push(micros(latency));
                report.last_body_len = body.len();
            } else {
                report.failed += 1;
            }
        }
        Ok(report)
    }
}

fn build_request(
    template: &RequestTemplate,
    host: &str,
    api_key: &str,
) -> Result<Request<Full<Bytes>>, Error> {
    let mut builder = Request::builder()
        .method(template.method.clone())
        .uri(template.path.as_str())
        .header(HOST, host)
        .header(AUTHORIZATION, api_key);
    if !template.body.is_empty() {
        builder = builder.header(CONTENT_TYPE, "application/json");
    }
    Ok(builder.body(Full::new(template.body.clone()))?)
}

/// Whole microseconds, saturating at about 71 minutes.
fn micros(duration: Duration) -> u32 {
    u32::try_from(duration.as_micros()).unwrap_or(u32::MAX)
}

/// Sends `count` requests to each of `loads`, one at a time, taking the
/// loads in turn request by request, so that a change in the machine's load
/// affects every load alike. Uses one connection per load and ignores
/// [`Load::connections`].
/// Returns the latencies of each load, in the order given.
///
/// # Errors
///
/// When a connection fails or a response is not a 2xx.
pub async fn alternate(loads: &[&Load], count: u64) -> Result<Vec<Latencies>, Error> {
    let mut senders = Vec::with_capacity(loads.len());
    for load in loads {
        senders.push(connect(load.address).await?);
    }
    let hosts: Vec<String> = loads.iter().map(|load| load.address.to_string()).collect();
    let mut samples: Vec<Vec<u32>> = vec![Vec::with_capacity(count as usize); loads.len()];

    for round in 0..count as usize {
        for (index, load) in loads.iter().enumerate() {
            let template = &load.requests[round % load.requests.len()];
            let request = build_request(template, &hosts[index], &load.api_key)?;
            let sender = &mut senders[index];
            sender.ready().await?;

            let sent = Instant::now();
            let response = sender.send_request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            let latency = sent.elapsed();
            if !status.is_success() {
                return Err(format!(
                    "{} {} on {} answered {status}: {}",
                    template.method,
                    template.path,
                    load.address,
                    String::from_utf8_lossy(&body)
                )
                .into());
            }
            samples[index].push(micros(latency));
        }
    }
    Ok(samples.into_iter().map(Latencies::from_unsorted).collect())
}

/// Sends one request on a new connection and returns the status and body.
///
/// # Errors
///
/// When the connection or the request fails; any status is returned.
pub async fn send_once(
    address: SocketAddr,
    api_key: &str,
    template: &RequestTemplate,
) -> Result<(hyper::StatusCode, Bytes), Error> {
    let mut sender = connect(address).await?;
    let request = build_request(template, &address.to_string(), api_key)?;
    sender.ready().await?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}
