//! The `throughput` scenario: requests per second and latency of
//! `GET /v1/prints/{id}` (a one-letter job) and `POST /v1/prints` (a JSON body
//! with one recipient), for `ip-mock` and for the baseline server, which
//! returns the mock's own bytes, in alternating runs: baseline, mock,
//! baseline, mock…

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::runtime::Runtime;

use super::client_runtime;
use crate::fixtures::{self, API_KEY, START_TIME_S};
use crate::load::{self, Limit, Load, RequestTemplate};
use crate::process::ServerProcess;
use crate::report::Figure;
use crate::stats::{format_count, format_duration, median};
use crate::{Context, Error};

const SCENARIO: &str = "throughput";

/// Concurrent keep-alive connections: enough to keep both server workers
/// busy on a 2-core machine, few enough that the client does not starve them.
const CONNECTIONS: usize = 8;

/// The lowest share of the baseline's requests per second that retrieve must
/// reach.
const RETRIEVE_TARGET: f64 = 0.70;

/// One measured run of one server.
#[derive(Debug, Clone)]
struct Run {
    requests_per_second: f64,
    p50: Duration,
    p99: Duration,
    body_len: usize,
}

/// Measures retrieve, then create, on both servers.
///
/// # Errors
///
/// When a server does not start or a request fails.
pub fn run(context: &Context) -> Result<Vec<Figure>, Error> {
    let runtime = client_runtime()?;
    let start_time = START_TIME_S.to_string();
    let mock = ServerProcess::start(
        &context.mock,
        &[
            "--port",
            "0",
            "--clock",
            "manual",
            "--start-time",
            &start_time,
        ],
    )?;

    // The job to retrieve. Its create and retrieve responses become the
    // baseline's constant responses, so both servers send the same bytes.
    let create = RequestTemplate::post_json("/v1/prints", fixtures::one_letter_job(false));
    let created = expect_success(&runtime, &mock, &create)?;
    let id = job_id(&created)?;
    let retrieve = RequestTemplate::get(format!("/v1/prints/{id}"));
    let retrieved = expect_success(&runtime, &mock, &retrieve)?;

    std::fs::create_dir_all(&context.work_dir)?;
    let retrieve_file = context.work_dir.join("retrieve-response.json");
    let create_file = context.work_dir.join("create-response.json");
    std::fs::write(&retrieve_file, &retrieved)?;
    std::fs::write(&create_file, &created)?;
    let baseline = ServerProcess::start(
        &context.baseline,
        &[
            "--port",
            "0",
            "--retrieve-body",
            &retrieve_file.to_string_lossy(),
            "--create-body",
            &create_file.to_string_lossy(),
        ],
    )?;

    let mut figures = compare(
        context,
        &runtime,
        &baseline,
        &mock,
        "retrieve",
        retrieve,
        Some(RETRIEVE_TARGET),
    )?;
    figures.extend(compare(
        context, &runtime, &baseline, &mock, "create", create, None,
    )?);
    Ok(figures)
}

/// Runs baseline and mock alternately on one endpoint and returns its
/// figures: the median run of each, and their ratio.
fn compare(
    context: &Context,
    runtime: &Runtime,
    baseline: &ServerProcess,
    mock: &ServerProcess,
    endpoint: &str,
    template: RequestTemplate,
    target: Option<f64>,
) -> Result<Vec<Figure>, Error> {
    let pairs = context.size(3, 2);
    let mut baseline_runs = Vec::with_capacity(pairs);
    let mut mock_runs = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        baseline_runs.push(measure(context, runtime, baseline, &template)?);
        mock_runs.push(measure(context, runtime, mock, &template)?);
    }

    let ratios: Vec<f64> = baseline_runs
        .iter()
        .zip(&mock_runs)
        .map(|(b, m)| m.requests_per_second / b.requests_per_second.max(f64::EPSILON))
        .collect();
    let ratio = median(&ratios);
    let (mock_rps, mock_p50, mock_p99) = medians(&mock_runs);
    let (baseline_rps, baseline_p50, baseline_p99) = medians(&baseline_runs);
    let body_note = match (baseline_runs.last(), mock_runs.last()) {
        (Some(b), Some(m)) if b.body_len == m.body_len => format!("{} body bytes each", b.body_len),
        (Some(b), Some(m)) => format!(
            "body sizes differ: baseline {} bytes, ip-mock {} bytes",
            b.body_len, m.body_len
        ),
        _ => String::new(),
    };
    let runs = format!("median of {pairs} runs, {CONNECTIONS} connections");

    let ratio_name = format!("{endpoint}: ip-mock / baseline requests per second");
    let ratio_figure = match target {
        Some(target) => Figure::with_target(
            SCENARIO,
            ratio_name,
            format!("{ratio:.2}"),
            format!("at least {target:.2}"),
            ratio >= target,
        ),
        None => Figure::context(SCENARIO, ratio_name, format!("{ratio:.2}")),
    };
    let per_run: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();

    Ok(vec![
        Figure::context(
            SCENARIO,
            format!("{endpoint}: ip-mock requests per second"),
            format_count(mock_rps as u64),
        )
        .detail(format!("{runs}; {body_note}")),
        Figure::context(
            SCENARIO,
            format!("{endpoint}: baseline requests per second"),
            format_count(baseline_rps as u64),
        )
        .detail(runs.clone()),
        ratio_figure.detail(format!("per pair: {}", per_run.join(", "))),
        Figure::context(
            SCENARIO,
            format!("{endpoint}: ip-mock p99 latency"),
            format_duration(mock_p99),
        )
        .detail(format!(
            "p50 {}; baseline p50 {}, p99 {}",
            format_duration(mock_p50),
            format_duration(baseline_p50),
            format_duration(baseline_p99)
        )),
    ])
}

/// Runs one warm-up, then one measured run of `template` against `server`.
fn measure(
    context: &Context,
    runtime: &Runtime,
    server: &ServerProcess,
    template: &RequestTemplate,
) -> Result<Run, Error> {
    let load = Load {
        address: server.address,
        api_key: API_KEY.to_owned(),
        requests: Arc::from(vec![template.clone()]),
        connections: CONNECTIONS,
    };
    let warm_up = context.size(Duration::from_secs(1), Duration::from_millis(50));
    let measured = context.size(Duration::from_secs(5), Duration::from_millis(200));
    runtime.block_on(load::run(&load, Limit::Duration(warm_up)))?;
    let report = runtime.block_on(load::run(&load, Limit::Duration(measured)))?;
    if report.failed > 0 || report.succeeded == 0 {
        return Err(format!(
            "{} {} on {}: {} of {} responses failed",
            template.method,
            template.path,
            server.address,
            report.failed,
            report.failed + report.succeeded
        )
        .into());
    }
    Ok(Run {
        requests_per_second: report.requests_per_second(),
        p50: report.latencies.percentile(50.0),
        p99: report.latencies.percentile(99.0),
        body_len: report.last_body_len,
    })
}

/// Returns the medians of requests per second, p50 and p99 over `runs`.
fn medians(runs: &[Run]) -> (f64, Duration, Duration) {
    let rps: Vec<f64> = runs.iter().map(|r| r.requests_per_second).collect();
    let p50: Vec<f64> = runs.iter().map(|r| r.p50.as_secs_f64()).collect();
    let p99: Vec<f64> = runs.iter().map(|r| r.p99.as_secs_f64()).collect();
    (
        median(&rps),
        Duration::from_secs_f64(median(&p50)),
        Duration::from_secs_f64(median(&p99)),
    )
}

/// Sends one request and returns the body of its 2xx response.
pub(crate) fn expect_success(
    runtime: &Runtime,
    server: &ServerProcess,
    template: &RequestTemplate,
) -> Result<Bytes, Error> {
    let (status, body) = runtime.block_on(load::send_once(server.address, API_KEY, template))?;
    if !status.is_success() {
        return Err(format!(
            "{} {} answered {status}: {}",
            template.method,
            template.path,
            String::from_utf8_lossy(&body)
        )
        .into());
    }
    Ok(body)
}

/// Reads the `id` of a print job from its JSON.
fn job_id(job: &[u8]) -> Result<String, Error> {
    let job: serde_json::Value = serde_json::from_slice(job)?;
    job["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "the created job has no id".into())
}
