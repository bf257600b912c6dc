//! `cargo xtask bench`: builds `ip-mock` and `ip-bench` and runs every
//! benchmark, the `ip-status` criterion benchmarks first, then the ip-mock
//! scenarios of `ip-bench`, and prints one table of the figures.
//!
//! ```text
//! cargo xtask bench                    # release build, full sizes (minutes)
//! cargo xtask bench --quick            # tiny sizes (seconds): checks that each scenario works
//! cargo xtask bench --quick --debug    # the same on the debug build, as `cargo xtask ci` runs it
//! cargo xtask bench scale sim          # only these ip-bench scenarios
//! ```
//!
//! Binaries come from `$CARGO_TARGET_DIR` when it is set, else from
//! `<workspace>/target`. The Markdown table goes to `<target>/bench/report.md`.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The `ip-bench` scenarios; `status` is the criterion benchmarks.
const SCENARIOS: [&str; 5] = ["ready", "throughput", "scale", "sim", "status"];

/// The options given on the command line.
struct Options {
    quick: bool,
    /// Build and run the debug profile instead of release.
    debug: bool,
    /// Scenarios to run; empty runs all of them.
    scenarios: Vec<String>,
}

/// Runs the task with the arguments after `bench`.
pub fn run(args: impl Iterator<Item = String>) -> ExitCode {
    let options = match parse(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}\n\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    match run_checked(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("==> bench failed: {err}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask bench [--quick] [--debug] [SCENARIO...]

  --quick    tiny sizes, seconds in total: checks that each scenario still works
  --debug    build and run the debug profile instead of release
  SCENARIO   ready, throughput, scale, sim or status (the ip-status criterion
             benchmarks); default: all";

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        quick: false,
        debug: false,
        scenarios: Vec::new(),
    };
    for arg in args {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--debug" => options.debug = true,
            name if SCENARIOS.contains(&name) => options.scenarios.push(arg),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

fn run_checked(options: &Options) -> Result<(), String> {
    let root = workspace_root();
    let target = target_dir(&root);
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let profile = if options.debug { "debug" } else { "release" };
    let release: &[&str] = if options.debug { &[] } else { &["--release"] };
    let wanted =
        |name: &str| options.scenarios.is_empty() || options.scenarios.iter().any(|s| s == name);

    let mut build = vec![
        "build",
        "--package",
        "ip-mock",
        "--package",
        "ip-bench",
        "--bins",
    ];
    build.extend_from_slice(release);
    run_cargo(&cargo, &root, &build)?;

    // The criterion benchmarks. Quick mode runs each benchmark once as a test
    // (criterion's test mode), which checks it without measuring.
    let with_criterion = wanted("status");
    if with_criterion && options.quick {
        let mut test = vec!["test", "--package", "ip-status", "--bench", "status"];
        test.extend_from_slice(release);
        run_cargo(&cargo, &root, &test)?;
    } else if with_criterion {
        run_cargo(
            &cargo,
            &root,
            &["bench", "--package", "ip-status", "--bench", "status"],
        )?;
    }

    let binaries = target.join(profile);
    let report = target.join("bench").join("report.md");
    std::fs::create_dir_all(target.join("bench"))
        .map_err(|err| format!("failed to create {}: {err}", target.join("bench").display()))?;
    let mut bench = Command::new(binaries.join(executable("ip-bench")));
    bench
        .arg("--mock")
        .arg(binaries.join(executable("ip-mock")))
        .arg("--baseline")
        .arg(binaries.join(executable("ip-bench-baseline")))
        .arg("--work-dir")
        .arg(target.join("bench").join("work"))
        .arg("--report")
        .arg(&report)
        .current_dir(&root);
    if options.quick {
        bench.arg("--quick");
    } else if with_criterion {
        bench.arg("--criterion-dir").arg(target.join("criterion"));
    }
    let scenarios: Vec<&String> = options
        .scenarios
        .iter()
        // Quick mode checked the criterion benchmarks above; it has no
        // estimates for ip-bench to read.
        .filter(|name| !(options.quick && *name == "status"))
        .collect();
    if !options.scenarios.is_empty() && scenarios.is_empty() {
        return Ok(());
    }
    bench.args(scenarios);

    eprintln!("==> ip-bench ({profile} build)");
    let status = bench
        .status()
        .map_err(|err| format!("failed to start ip-bench: {err}"))?;
    if !status.success() {
        return Err(format!("ip-bench failed ({status})"));
    }
    Ok(())
}

/// Runs `cargo ARGS` in the workspace root and fails unless it succeeds.
fn run_cargo(cargo: &OsString, root: &Path, args: &[&str]) -> Result<(), String> {
    eprintln!("==> cargo {}", args.join(" "));
    let status = Command::new(cargo)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|err| format!("failed to start cargo: {err}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo {} failed ({status})", args.join(" ")))
    }
}

/// Returns the workspace root, the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(manifest_dir)
}

/// Returns `$CARGO_TARGET_DIR`, relative to the current directory as cargo
/// reads it, or `<workspace>/target`.
fn target_dir(root: &Path) -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                env::current_dir().map(|cwd| cwd.join(&dir)).unwrap_or(dir)
            }
        }
        _ => root.join("target"),
    }
}

fn executable(name: &str) -> String {
    format!("{name}{}", env::consts::EXE_SUFFIX)
}
