//! Benchmarks of `ip-mock`: how fast it is and how its cost grows.
//!
//! Run them all with `cargo xtask bench` (or `cargo xtask bench --quick` for
//! tiny sizes that only prove each scenario still works). Each scenario
//! returns [`report::Figure`]s: a value, its target and whether it was met.
//!
//! | scenario | measures |
//! |---|---|
//! | `ready` | process start to the first 200 from `/_mock/health`, against the baseline binary |
//! | `throughput` | requests per second and p99 latency of retrieve and create, against the baseline binary |
//! | `scale` | peak RSS, list latency and retrieve latency with many jobs stored |
//! | `sim` | transitions per second of a whole lifecycle, and the cost of one clock tick |
//! | `status` | the `ip-status` criterion results, read from criterion's output |
//!
//! The machines are shared and noisy, so every figure has a baseline taken in
//! the same run. That is the baseline server (`ip-bench-baseline`, which
//! returns the mock's own bytes from a constant), the same measurement at a
//! small size, or an empty server.

pub mod criterion;
pub mod fixtures;
pub mod load;
pub mod process;
pub mod report;
pub mod scenarios;
pub mod stats;

use std::path::PathBuf;

/// Any failure of a benchmark: a server that does not start, a request that
/// fails, a file that cannot be read.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The inputs of every scenario: the binaries under test and the sizes to use.
#[derive(Debug, Clone)]
pub struct Context {
    /// The `ip-mock` binary.
    pub mock: PathBuf,
    /// The `ip-bench-baseline` binary.
    pub baseline: PathBuf,
    /// A directory for files the scenarios write, such as the response bodies
    /// handed to the baseline server.
    pub work_dir: PathBuf,
    /// Criterion's output directory, `<target>/criterion`, for the `status`
    /// scenario.
    pub criterion_dir: Option<PathBuf>,
    /// Tiny sizes that take seconds in total, to check that each scenario
    /// still works; its figures are not measurements.
    pub quick: bool,
}

impl Context {
    /// `full` normally, `quick` in quick mode.
    pub fn size<T>(&self, full: T, quick: T) -> T {
        if self.quick {
            quick
        } else {
            full
        }
    }
}
