//! The `sim` scenario, on an embedded [`MockServer`] with a manual clock:
//! 1,000 jobs of 1,000 recipients each are created and confirmed over HTTP,
//! then the clock is advanced through the letters' whole lifecycle. It
//! measures transitions per second, and the cost of a 1 ms clock tick with
//! none of the letters due, against the same tick on an empty server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ip_mock::{ClockMode, MockServer};

use crate::fixtures::{self, API_KEY, START_TIME_S, WHOLE_LIFECYCLE};
use crate::load::{self, Limit, Load, RequestTemplate};
use crate::report::Figure;
use crate::stats::{format_count, format_duration, median_duration, nearest_rank};
use crate::{Context, Error};

const SCENARIO: &str = "sim";

/// Transitions per second that a whole lifecycle must exceed.
const TRANSITIONS_TARGET: f64 = 1_000_000.0;
/// Scheduled steps per letter after confirmation: `printing`, `enclosing`,
/// `shipping`, `sent`.
const STEPS_PER_LETTER: usize = 4;
/// The maximum cost of a tick with every letter pending, as a multiple of the
/// tick on an empty server. More would mean that a tick visits pending
/// changes that are not due.
const TICK_GROWTH_LIMIT: f64 = 2.0;

/// Runs the scenario with 1,000 × 1,000 letters (10 × 100 in quick mode).
///
/// # Errors
///
/// When the server does not start, a request fails, or the lifecycle applies
/// another number of transitions than expected.
pub fn run(context: &Context) -> Result<Vec<Figure>, Error> {
    let jobs = context.size(1_000, 10);
    let recipients = context.size(1_000, 100);
    let ticks = context.size(2_000, 100);
    let letters = jobs * recipients;

    // Two workers, as the binary has on this machine; the load generator runs
    // on them too, as tasks.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let start = || {
        MockServer::builder()
            .clock(ClockMode::Manual)
            .start_time_ms(START_TIME_S * 1000)
            .seed(1)
            .start()
    };

    let empty = runtime.block_on(start());
    let server = runtime.block_on(start());
    let create = Load {
        address: server.address(),
        api_key: API_KEY.to_owned(),
        requests: Arc::from(vec![RequestTemplate::post_json(
            "/v1/prints",
            fixtures::job_body(recipients, true),
        )]),
        connections: 2,
    };
    let created = runtime.block_on(load::run(&create, Limit::Count(jobs as u64)))?;
    if created.succeeded != jobs as u64 {
        return Err(format!(
            "created {} of {jobs} jobs; {} requests failed",
            created.succeeded, created.failed
        )
        .into());
    }
    let letters_per_second = letters as f64 / created.elapsed.as_secs_f64();

    let (empty_tick, pending_tick) = alternate_ticks(&empty, &server, ticks);

    let began = Instant::now();
    let applied = server.advance(WHOLE_LIFECYCLE);
    let lifecycle = began.elapsed();
    let expected = letters * STEPS_PER_LETTER;
    if applied != expected {
        return Err(
            format!("the lifecycle applied {applied} transitions, expected {expected}").into(),
        );
    }
    let per_second = applied as f64 / lifecycle.as_secs_f64();

    let (empty_tick_after, settled_tick) = alternate_ticks(&empty, &server, ticks);
    drop(server);
    drop(empty);

    let empty_p50 = median_duration(&empty_tick);
    let pending_p50 = median_duration(&pending_tick);
    let settled_p50 = median_duration(&settled_tick);
    let tick_ratio = pending_p50.as_secs_f64() / empty_p50.as_secs_f64().max(f64::EPSILON);
    let settled_ratio = settled_p50.as_secs_f64()
        / median_duration(&empty_tick_after)
            .as_secs_f64()
            .max(f64::EPSILON);
    let letter_count = format_count(letters as u64);
    let tick_detail = |costs: &[Duration]| {
        let mut sorted = costs.to_vec();
        sorted.sort_unstable();
        format!(
            "median of {} ticks, in batches alternating with the other server; p99 {}",
            costs.len(),
            format_duration(nearest_rank(&sorted, 99.0))
        )
    };

    Ok(vec![
        Figure::with_target(
            SCENARIO,
            format!("lifecycle of {letter_count} letters: transitions per second"),
            format_count(per_second as u64),
            "above 1,000,000",
            per_second > TRANSITIONS_TARGET,
        )
        .detail(format!(
            "{} transitions in {}; {jobs} jobs x {recipients} recipients created and confirmed over HTTP at {} letters/s",
            format_count(applied as u64),
            format_duration(lifecycle),
            format_count(letters_per_second as u64),
        )),
        Figure::context(SCENARIO, "1 ms tick, empty server", format_duration(empty_p50))
            .detail(tick_detail(&empty_tick)),
        Figure::with_target(
            SCENARIO,
            format!("1 ms tick, {letter_count} letters pending, none due"),
            format_duration(pending_p50),
            format!("at most {TICK_GROWTH_LIMIT:.1} x empty"),
            tick_ratio <= TICK_GROWTH_LIMIT,
        )
        .detail(format!("{}; {tick_ratio:.2} x empty", tick_detail(&pending_tick))),
        Figure::context(
            SCENARIO,
            format!("1 ms tick, {letter_count} letters sent, none pending"),
            format_duration(settled_p50),
        )
        .detail(format!("{}; {settled_ratio:.2} x empty", tick_detail(&settled_tick))),
    ])
}

/// Ticks per batch in [`alternate_ticks`].
const TICK_BATCH: usize = 100;

/// Times about `count` calls of `MockServer::advance` by 1 ms on each of `a`
/// and `b`, in batches that alternate between them. One batch each comes
/// first and is not counted, because the first ticks after a burst of
/// requests are several times slower while the runtime's threads settle.
fn alternate_ticks(a: &MockServer, b: &MockServer, count: usize) -> (Vec<Duration>, Vec<Duration>) {
    let batches = count.div_ceil(TICK_BATCH);
    let mut a_costs = Vec::with_capacity(batches * TICK_BATCH);
    let mut b_costs = Vec::with_capacity(batches * TICK_BATCH);
    tick_batch(a);
    tick_batch(b);
    for _ in 0..batches {
        a_costs.extend(tick_batch(a));
        b_costs.extend(tick_batch(b));
    }
    (a_costs, b_costs)
}

/// Times [`TICK_BATCH`] calls of `MockServer::advance` by 1 ms each.
fn tick_batch(server: &MockServer) -> Vec<Duration> {
    (0..TICK_BATCH)
        .map(|_| {
            let began = Instant::now();
            server.advance(Duration::from_millis(1));
            began.elapsed()
        })
        .collect()
}
