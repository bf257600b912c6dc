//! Runs the ip-mock benchmark scenarios and prints a table of the figures.
//! `cargo xtask bench` builds the binaries and runs this with their paths.
//!
//! ```text
//! ip-bench --mock target/release/ip-mock --baseline target/release/ip-bench-baseline
//! ip-bench --quick --mock … --baseline … ready scale
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use ip_bench::report::{self, Figure, Machine};
use ip_bench::scenarios::{self, NAMES};
use ip_bench::stats::format_duration;
use ip_bench::Context;

/// Benchmarks ip-mock: ready time, throughput against a baseline server,
/// scale with many jobs, and simulation speed.
#[derive(Debug, Parser)]
#[command(name = "ip-bench", about)]
struct Args {
    /// The ip-mock binary to measure.
    #[arg(long)]
    mock: PathBuf,

    /// The ip-bench-baseline binary to compare with.
    #[arg(long)]
    baseline: PathBuf,

    /// Run each scenario with tiny sizes, in seconds, to check that it still
    /// works. Its figures are not measurements.
    #[arg(long)]
    quick: bool,

    /// Criterion's output directory (`<target>/criterion`), to add the
    /// ip-status results as the `status` scenario.
    #[arg(long)]
    criterion_dir: Option<PathBuf>,

    /// Directory for files the scenarios write. Default: a directory under
    /// the system's temporary directory.
    #[arg(long)]
    work_dir: Option<PathBuf>,

    /// Also write the header and the table as Markdown to this file.
    #[arg(long)]
    report: Option<PathBuf>,

    /// Scenarios to run, in this order: ready, throughput, scale, sim, status.
    /// Default: all of them (status only with --criterion-dir).
    scenarios: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let scenarios: Vec<String> = if args.scenarios.is_empty() {
        NAMES
            .iter()
            .filter(|name| **name != "status" || args.criterion_dir.is_some())
            .map(|name| (*name).to_owned())
            .collect()
    } else {
        args.scenarios.clone()
    };
    // A work directory of our own is removed at the end; a given one is kept.
    let temporary_work_dir = args.work_dir.is_none();
    let context = Context {
        mock: args.mock,
        baseline: args.baseline,
        work_dir: args.work_dir.unwrap_or_else(|| {
            std::env::temp_dir().join(format!("ip-bench-{}", std::process::id()))
        }),
        criterion_dir: args.criterion_dir,
        quick: args.quick,
    };

    let machine = Machine::describe();
    let calibration_before = calibrate();
    let mut figures: Vec<Figure> = Vec::new();
    let mut failures = Vec::new();
    for name in &scenarios {
        eprintln!("==> scenario {name}");
        let began = Instant::now();
        match scenarios::run(name, &context) {
            Ok(found) => figures.extend(found),
            Err(err) => {
                eprintln!("==> scenario {name} failed: {err}");
                failures.push(format!("{name}: {err}"));
            }
        }
        eprintln!(
            "==> scenario {name} took {}",
            format_duration(began.elapsed())
        );
    }
    let calibration_after = calibrate();
    let load_at_end = report::load_average();

    let header = [
        format!("date: {}", machine.date),
        format!("cpu: {} ({} cores)", machine.cpu_model, machine.cores),
        format!(
            "load average (1, 5, 15 min): {} at start, {load_at_end} at end",
            machine.load_at_start
        ),
        format!(
            "calibration (sort 1,000,000 u64): {} at start, {} at end",
            format_duration(calibration_before),
            format_duration(calibration_after)
        ),
        format!(
            "mode: {}",
            if context.quick {
                "quick (tiny sizes; not measurements)"
            } else {
                "full"
            }
        ),
    ];
    println!();
    for line in &header {
        println!("{line}");
    }
    println!();
    print!("{}", report::render_text(&figures));

    if let Some(path) = &args.report {
        let mut markdown: String = header.iter().map(|line| format!("- {line}\n")).collect();
        markdown.push('\n');
        markdown.push_str(&report::render_markdown(&figures));
        if let Err(err) = std::fs::write(path, markdown) {
            eprintln!("failed to write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
        eprintln!("==> report written to {}", path.display());
    }
    if temporary_work_dir {
        let _ = std::fs::remove_dir_all(&context.work_dir);
    }

    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("==> {} scenario(s) failed:", failures.len());
        for failure in &failures {
            eprintln!("    {failure}");
        }
        ExitCode::FAILURE
    }
}

/// Times a fixed CPU-bound task, sorting 1,000,000 pseudo-random numbers, so
/// that readers can tell a slow machine from a slow mock: a run whose
/// calibration is slower than usual was slowed by other load.
fn calibrate() -> Duration {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut values: Vec<u64> = (0..1_000_000)
        .map(|_| {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        })
        .collect();
    let began = Instant::now();
    values.sort_unstable();
    let elapsed = began.elapsed();
    std::hint::black_box(&values);
    elapsed
}
