//! The `ready` scenario: wall time from spawning the binary to the first 200
//! from `GET /_mock/health`, for `ip-mock` and for the baseline binary,
//! started alternately.

use std::path::Path;
use std::time::Duration;

use crate::process::ServerProcess;
use crate::report::Figure;
use crate::stats::{format_duration, median_duration};
use crate::{Context, Error};

const SCENARIO: &str = "ready";
const TARGET: Duration = Duration::from_millis(50);

/// Starts each binary `20` times (3 in quick mode) and compares the medians.
///
/// # Errors
///
/// When a start fails or health never returns 200.
pub fn run(context: &Context) -> Result<Vec<Figure>, Error> {
    let starts = context.size(20, 3);
    let mut mock = Vec::with_capacity(starts);
    let mut baseline = Vec::with_capacity(starts);
    for _ in 0..starts {
        mock.push(time_to_ready(&context.mock)?);
        baseline.push(time_to_ready(&context.baseline)?);
    }

    let mock_median = median_duration(&mock);
    let baseline_median = median_duration(&baseline);
    let range = |times: &[Duration]| {
        let min = times.iter().min().copied().unwrap_or_default();
        let max = times.iter().max().copied().unwrap_or_default();
        format!("min {}, max {}", format_duration(min), format_duration(max))
    };
    let ratio = mock_median.as_secs_f64() / baseline_median.as_secs_f64().max(f64::EPSILON);

    Ok(vec![
        Figure::with_target(
            SCENARIO,
            format!("ip-mock ready, median of {starts} starts"),
            format_duration(mock_median),
            "under 50 ms",
            mock_median < TARGET,
        )
        .detail(range(&mock)),
        Figure::context(
            SCENARIO,
            format!("baseline ready, median of {starts} starts"),
            format_duration(baseline_median),
        )
        .detail(range(&baseline)),
        Figure::context(
            SCENARIO,
            "ip-mock / baseline ready time",
            format!("{ratio:.2}"),
        ),
    ])
}

/// Spawns `binary --port 0`, reads its `listening on` line, polls health and
/// returns the time from spawn to the first 200. The process is killed after.
fn time_to_ready(binary: &Path) -> Result<Duration, Error> {
    let server = ServerProcess::start(binary, &["--port", "0"])?;
    let healthy_at = server.wait_healthy()?;
    Ok(healthy_at - server.spawned_at)
}
