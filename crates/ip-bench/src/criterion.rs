//! The `status` scenario: the `ip-status` criterion results
//! (`cargo bench -p ip-status --bench status`), read from the estimates that
//! criterion 0.5 writes to `<target>/criterion/<group>/<benchmark>/new/`.

use std::path::Path;

use serde_json::Value;

use crate::report::Figure;
use crate::Error;

const SCENARIO: &str = "status";

/// The benchmarks with a target of their own: under 2 ns each.
const UNDER_2_NS: [&str; 2] = ["status/can_transition_to", "status/can_reach"];
/// The benchmarks given for context.
const CONTEXT: [&str; 2] = ["status/parse", "status/observe"];
/// Parsing a 1,000-letter job into `PrintJob`, and into `Value` as its baseline.
const TYPED: &str = "print_job_1000_letters/PrintJob";
const UNTYPED: &str = "print_job_1000_letters/Value";

/// Reads each benchmark's estimate and compares it with its target.
///
/// # Errors
///
/// When an estimate is missing, as before the first `cargo bench` run.
pub fn figures(criterion_dir: &Path) -> Result<Vec<Figure>, Error> {
    let mut figures = Vec::new();
    for id in UNDER_2_NS {
        let nanos = estimate_ns(criterion_dir, id)?;
        figures.push(Figure::with_target(
            SCENARIO,
            id,
            format_nanos(nanos),
            "under 2 ns",
            nanos < 2.0,
        ));
    }
    for id in CONTEXT {
        let nanos = estimate_ns(criterion_dir, id)?;
        figures.push(Figure::context(SCENARIO, id, format_nanos(nanos)));
    }

    let typed = estimate_ns(criterion_dir, TYPED)?;
    let untyped = estimate_ns(criterion_dir, UNTYPED)?;
    let ratio = typed / untyped;
    figures.push(
        Figure::with_target(
            SCENARIO,
            "PrintJob / Value parse time",
            format!("{ratio:.2}"),
            "at most 2.0",
            ratio <= 2.0,
        )
        .detail(format!(
            "{TYPED} {}, {UNTYPED} {}",
            format_nanos(typed),
            format_nanos(untyped)
        )),
    );
    Ok(figures)
}

/// Reads the time criterion prints for a benchmark, in nanoseconds: the
/// slope estimate when it sampled linearly, else the mean.
fn estimate_ns(criterion_dir: &Path, id: &str) -> Result<f64, Error> {
    let path = criterion_dir.join(id).join("new").join("estimates.json");
    let text = std::fs::read_to_string(&path).map_err(|err| {
        format!(
            "failed to read {}: {err}; run `cargo bench -p ip-status --bench status` first",
            path.display()
        )
    })?;
    let estimates: Value = serde_json::from_str(&text)?;
    let nanos = ["slope", "mean"]
        .iter()
        .find_map(|kind| estimates[kind]["point_estimate"].as_f64())
        .ok_or_else(|| format!("{} has no slope or mean estimate", path.display()))?;
    Ok(nanos)
}

/// Formats nanoseconds with three significant digits below a microsecond,
/// where `Duration` would round sub-nanosecond times to zero.
fn format_nanos(nanos: f64) -> String {
    if nanos < 10.0 {
        format!("{nanos:.3} ns")
    } else if nanos < 1_000.0 {
        format!("{nanos:.1} ns")
    } else if nanos < 1_000_000.0 {
        format!("{:.1} µs", nanos / 1e3)
    } else {
        format!("{:.3} ms", nanos / 1e6)
    }
}
