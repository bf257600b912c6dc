//! The `scale` scenario: one `ip-mock` process with 100 one-letter jobs and
//! another with 100,000, created over HTTP, confirmed and moved into
//! `printing`. For each it measures the peak RSS, the latency of
//! `GET /v1/prints?limit=10&letters.status=printing` and the latency of
//! `GET /v1/prints/{id}` over ids spread across all jobs.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use tokio::runtime::Runtime;

use super::client_runtime;
use super::throughput::expect_success;
use crate::fixtures::{self, API_KEY, INTO_PRINTING, START_TIME_S};
use crate::load::{self, Limit, Load, RequestTemplate};
use crate::process::ServerProcess;
use crate::report::Figure;
use crate::stats::{format_count, format_duration, Latencies};
use crate::{Context, Error};

const SCENARIO: &str = "scale";

/// The list request whose latency has a target.
const LIST_PRINTING: &str = "/v1/prints?limit=10&letters.status=printing";

/// Peak RSS target, bytes (150 MB, with MB = 10^6 bytes).
const RSS_TARGET_BYTES: u64 = 150_000_000;
/// List latency target for the p50.
const LIST_TARGET: Duration = Duration::from_millis(5);
/// The maximum growth of the retrieve p50 under load from 100 jobs to the
/// large size.
/// More than run-to-run noise on a shared machine would be a cost that grows
/// with the number of jobs.
const RETRIEVE_GROWTH_LIMIT: f64 = 1.25;

/// The ids sampled for retrieve requests, spread evenly over all jobs. Both
/// sizes retrieve the same number of distinct jobs, so the comparison
/// measures what the stored jobs cost a retrieve and not a larger working
/// set for the processor caches.
const SAMPLED_IDS: usize = 100;

/// A mock process with `jobs` jobs in `printing`, and the loads that
/// measure it.
struct Stored {
    server: ServerProcess,
    jobs: usize,
    empty_peak_rss: u64,
    jobs_per_second: f64,
    retrieve_load: Load,
    list_load: Load,
}

/// Measures with 100 jobs and with 100,000 (1,000 in quick mode).
///
/// # Errors
///
/// When the server does not start, a request fails, or the jobs do not reach
/// `printing`.
pub fn run(context: &Context) -> Result<Vec<Figure>, Error> {
    let runtime = client_runtime()?;
    let small = populate(context, &runtime, 100)?;
    let large = populate(context, &runtime, context.size(100_000, 1_000))?;

    // Sequential requests alternate between the two processes one by one, so
    // a change in the machine's load affects both sizes alike. A first tenth
    // warms up the connections, caches and allocators and is not counted.
    let retrieves = context.size(5_000, 100);
    let lists = context.size(300, 10);
    let retrieve_loads = [&small.retrieve_load, &large.retrieve_load];
    let list_loads = [&small.list_load, &large.list_load];
    runtime.block_on(load::alternate(&retrieve_loads, retrieves / 10))?;
    runtime.block_on(load::alternate(&list_loads, lists / 10))?;
    let [small_retrieve, large_retrieve] =
        two(runtime.block_on(load::alternate(&retrieve_loads, retrieves))?)?;
    let [small_list, large_list] = two(runtime.block_on(load::alternate(&list_loads, lists))?)?;
    // Read before the loaded runs, whose hundreds of thousands of requests
    // would fill the request journal of the small process too.
    let small_peak_rss = small.server.peak_rss_bytes()?;
    let large_peak_rss = large.server.peak_rss_bytes()?;

    // Retrieve under load as well, in alternating runs. A sequential latency
    // on this kind of VM is mostly the time to wake an idle core, which
    // varies from run to run; under load the cores stay busy.
    let (small_loaded, large_loaded) = loaded_retrieves(context, &runtime, &small, &large)?;

    let megabytes = |bytes: u64| format!("{:.1} MB", bytes as f64 / 1e6);
    let per_job = (large_peak_rss.saturating_sub(large.empty_peak_rss)) / large.jobs as u64;
    let list_p50 = large_list.percentile(50.0);
    let small_p50 = small_retrieve.percentile(50.0);
    let large_p50 = large_retrieve.percentile(50.0);
    let small_loaded_p50 = small_loaded.percentile(50.0);
    let large_loaded_p50 = large_loaded.percentile(50.0);
    let growth = large_loaded_p50.as_secs_f64() / small_loaded_p50.as_secs_f64().max(f64::EPSILON);
    let sequential_growth = large_p50.as_secs_f64() / small_p50.as_secs_f64().max(f64::EPSILON);
    let large_count = format_count(large.jobs as u64);
    let sequential =
        "sequential requests on one connection, alternating one by one with the other size";

    Ok(vec![
        Figure::with_target(
            SCENARIO,
            format!("peak RSS with {large_count} jobs"),
            megabytes(large_peak_rss),
            "under 150 MB",
            large_peak_rss < RSS_TARGET_BYTES,
        )
        .detail(format!(
            "VmHWM; empty server {}, {} bytes per job; with 100 jobs {}; jobs created at {}/s over HTTP",
            megabytes(large.empty_peak_rss),
            format_count(per_job),
            megabytes(small_peak_rss),
            format_count(large.jobs_per_second as u64),
        )),
        Figure::with_target(
            SCENARIO,
            format!("list p50 with {large_count} jobs"),
            format_duration(list_p50),
            "under 5 ms",
            list_p50 < LIST_TARGET,
        )
        .detail(format!(
            "{LIST_PRINTING}, every job printing; {} {sequential}; p99 {}; with 100 jobs p50 {}",
            large_list.len(),
            format_duration(large_list.percentile(99.0)),
            format_duration(small_list.percentile(50.0)),
        )),
        Figure::context(
            SCENARIO,
            "retrieve p50 under load, 100 jobs",
            format_duration(small_loaded_p50),
        )
        .detail(format!(
            "{} requests, {LOADED_CONNECTIONS} connections, runs alternating with the other size; p99 {}",
            small_loaded.len(),
            format_duration(small_loaded.percentile(99.0))
        )),
        Figure::context(
            SCENARIO,
            format!("retrieve p50 under load, {large_count} jobs"),
            format_duration(large_loaded_p50),
        )
        .detail(format!(
            "{} requests over {} ids spread over all jobs; p99 {}",
            large_loaded.len(),
            large.retrieve_load.requests.len(),
            format_duration(large_loaded.percentile(99.0))
        )),
        Figure::with_target(
            SCENARIO,
            format!("retrieve p50 under load, {large_count} / 100 jobs"),
            format!("{growth:.2}"),
            format!("at most {RETRIEVE_GROWTH_LIMIT:.2}"),
            growth <= RETRIEVE_GROWTH_LIMIT,
        ),
        Figure::context(
            SCENARIO,
            format!("sequential retrieve p50, 100 / {large_count} jobs"),
            format!("{} / {}", format_duration(small_p50), format_duration(large_p50)),
        )
        .detail(format!(
            "{} requests each, {sequential}; p99 {} / {}; ratio {sequential_growth:.2}",
            small_retrieve.len(),
            format_duration(small_retrieve.percentile(99.0)),
            format_duration(large_retrieve.percentile(99.0))
        )),
    ])
}

/// Connections of the loaded retrieve runs, as in the throughput scenario.
const LOADED_CONNECTIONS: usize = 8;

/// Runs retrieve with [`LOADED_CONNECTIONS`] connections on `small` and
/// `large` in alternating runs, after one uncounted run each, and returns the
/// latencies of each.
fn loaded_retrieves(
    context: &Context,
    runtime: &Runtime,
    small: &Stored,
    large: &Stored,
) -> Result<(Latencies, Latencies), Error> {
    let rounds = context.size(5, 1);
    let duration = context.size(Duration::from_secs(1), Duration::from_millis(100));
    let mut measured = [Latencies::default(), Latencies::default()];
    for round in 0..=rounds {
        for (stored, latencies) in [small, large].into_iter().zip(measured.iter_mut()) {
            let load = Load {
                connections: LOADED_CONNECTIONS,
                ..stored.retrieve_load.clone()
            };
            let report = runtime.block_on(load::run(&load, Limit::Duration(duration)))?;
            if report.failed > 0 {
                return Err(format!("{} retrieve requests failed", report.failed).into());
            }
            if round > 0 {
                latencies.merge(&report.latencies);
            }
        }
    }
    let [small_latencies, large_latencies] = measured;
    Ok((small_latencies, large_latencies))
}

/// Splits the results of a two-load [`load::alternate`] into a pair.
fn two(mut latencies: Vec<Latencies>) -> Result<[Latencies; 2], Error> {
    match (latencies.pop(), latencies.pop()) {
        (Some(second), Some(first)) => Ok([first, second]),
        _ => Err("expected latencies of two loads".into()),
    }
}

/// Starts a mock and stores `jobs` confirmed one-letter jobs in it, moved
/// into `printing`.
fn populate(context: &Context, runtime: &Runtime, jobs: usize) -> Result<Stored, Error> {
    let start_time = START_TIME_S.to_string();
    let server = ServerProcess::start(
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
    let empty_peak_rss = server.peak_rss_bytes()?;

    let create = Load {
        address: server.address,
        api_key: API_KEY.to_owned(),
        requests: Arc::from(vec![RequestTemplate::post_json(
            "/v1/prints",
            fixtures::one_letter_job(true),
        )]),
        connections: 4,
    };
    let created = runtime.block_on(load::run(&create, Limit::Count(jobs as u64)))?;
    if created.succeeded != jobs as u64 {
        return Err(format!(
            "created {} of {jobs} jobs; {} requests failed",
            created.succeeded, created.failed
        )
        .into());
    }

    let advance = RequestTemplate::post_json(
        "/_mock/clock/advance",
        Bytes::from(format!(r#"{{"by": "{INTO_PRINTING}"}}"#)),
    );
    let advanced: Value = serde_json::from_slice(&expect_success(runtime, &server, &advance)?)?;
    if advanced["applied"].as_u64() != Some(jobs as u64) {
        return Err(format!("expected {jobs} letters to start printing, got {advanced}").into());
    }
    let listed: Value = serde_json::from_slice(&expect_success(
        runtime,
        &server,
        &RequestTemplate::get(LIST_PRINTING),
    )?)?;
    if listed["total_available"].as_u64() != Some(jobs as u64) {
        return Err(format!(
            "expected {jobs} printing jobs in the list, got {}",
            listed["total_available"]
        )
        .into());
    }

    let ids = sample_ids(runtime, &server, jobs)?;
    let retrieve_load = Load {
        address: server.address,
        api_key: API_KEY.to_owned(),
        requests: ids
            .iter()
            .map(|id| RequestTemplate::get(format!("/v1/prints/{id}")))
            .collect(),
        connections: 1,
    };
    let list_load = Load {
        address: server.address,
        api_key: API_KEY.to_owned(),
        requests: Arc::from(vec![RequestTemplate::get(LIST_PRINTING)]),
        connections: 1,
    };
    Ok(Stored {
        server,
        jobs,
        empty_peak_rss,
        jobs_per_second: created.requests_per_second(),
        retrieve_load,
        list_load,
    })
}

/// Up to [`SAMPLED_IDS`] job ids from ten pages spread evenly over the list.
fn sample_ids(
    runtime: &Runtime,
    server: &ServerProcess,
    jobs: usize,
) -> Result<Vec<String>, Error> {
    let pages = jobs.clamp(1, 10);
    let per_page = (SAMPLED_IDS / pages).min(jobs / pages).max(1);
    let mut ids = Vec::with_capacity(pages * per_page);
    for page in 0..pages {
        let skip = page * (jobs / pages);
        let path = format!("/v1/prints?limit={per_page}&skip={skip}&fields=id");
        let list: Value = serde_json::from_slice(&expect_success(
            runtime,
            server,
            &RequestTemplate::get(path),
        )?)?;
        let data = list["data"]
            .as_array()
            .ok_or("the list has no data array")?;
        ids.extend(
            data.iter()
                .filter_map(|job| job["id"].as_str().map(str::to_owned)),
        );
    }
    if ids.is_empty() {
        return Err("the list returned no job ids".into());
    }
    Ok(ids)
}
