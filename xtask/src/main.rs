//! Developer tasks for the workspace, run as `cargo xtask <task>`.
//!
//! | task | runs |
//! |---|---|
//! | `ci` | format check, clippy with warnings denied, every test and doctest, docs with warnings denied, `bench --quick` on the debug build, then `conformance` |
//! | `conformance` | intelliprint-py, a third-party Python SDK, against the ip-mock binary |
//! | `bench` | every benchmark, printed as one table; `--quick` checks them in seconds |

mod bench;
mod conformance;

use std::process::{Command, ExitCode};

/// One step of a task: a description and the cargo arguments that run it.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    /// Extra environment variables for this step.
    env: &'static [(&'static str, &'static str)],
}

const CI: &[Step] = &[
    Step {
        name: "format check",
        args: &["fmt", "--all", "--", "--check"],
        env: &[],
    },
    Step {
        name: "clippy",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "tests and doctests",
        args: &["test", "--workspace", "--all-features"],
        env: &[],
    },
    Step {
        name: "docs",
        args: &["doc", "--workspace", "--no-deps", "--all-features"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
    // Debug profile: it reuses the test build, where a release build would
    // add minutes on two cores.
    Step {
        name: "bench quick mode",
        args: &["xtask", "bench", "--quick", "--debug"],
        env: &[],
    },
];

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    match task.as_deref() {
        Some("ci") => match run_steps(CI) {
            code if code == ExitCode::SUCCESS => conformance::run(),
            code => code,
        },
        Some("conformance") => conformance::run(),
        Some("bench") => bench::run(std::env::args().skip(2)),
        _ => {
            eprintln!("usage: cargo xtask <task>\n\ntasks:\n  ci             format check, clippy, every test and doctest, docs, bench --quick, then conformance\n  conformance    intelliprint-py and schemathesis against the ip-mock binary\n  bench          every benchmark; --quick checks them in seconds");
            ExitCode::FAILURE
        }
    }
}

/// Runs each step in order and stops at the first failure.
fn run_steps(steps: &[Step]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for step in steps {
        eprintln!("==> {}: cargo {}", step.name, step.args.join(" "));
        let status = Command::new(&cargo)
            .args(step.args)
            .envs(step.env.iter().copied())
            .status();
        match status {
            Ok(status) if status.success() => {}
            Ok(status) => {
                eprintln!("==> {} failed ({status})", step.name);
                return ExitCode::FAILURE;
            }
            Err(err) => {
                eprintln!("==> {} could not start cargo: {err}", step.name);
                return ExitCode::FAILURE;
            }
        }
    }
    eprintln!("==> cargo steps passed");
    ExitCode::SUCCESS
}
