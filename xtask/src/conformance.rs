//! The conformance step of `cargo xtask ci`: intelliprint-py, a third-party
//! Python SDK for the Intelliprint API, runs unmodified against a freshly
//! started ip-mock binary, and then schemathesis tests the same server
//! against its own OpenAPI document.
//!
//! Needs `python3` with pip. The SDK and its pinned dependencies are installed
//! by name from the Python package index into a virtual environment at
//! `<target>/conformance-venv`. Where `python3 -m venv` is unavailable, they
//! go to `<target>/conformance-site` instead, on `PYTHONPATH`.

use std::env;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The script and its `requirements.txt`, relative to the workspace root.
const SCRIPT_DIR: &str = "tests/conformance/python";

/// Virtual start time of the mock: Monday 2026-01-12 08:00 UTC (GMT), an hour
/// before the first print run of a working week, so no run depends on the
/// weekday of the wall clock.
const START_TIME: &str = "1768204800";

/// Virtual seconds per wall second. A lifecycle (at most about three virtual
/// days) then takes under three wall seconds. The mock deletes test jobs seven
/// virtual days after confirmation, so they stay about six wall seconds: long
/// enough for the script to cancel and observe them.
const SPEED: &str = "100000";

/// Maximum wall time for the mock to print its `listening on` line.
const LISTEN_TIMEOUT: Duration = Duration::from_secs(60);

/// Maximum wall time for the script; it bounds its own waits far below this.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs the step and reports it in the style of the other CI steps.
pub fn run() -> ExitCode {
    eprintln!("==> conformance: intelliprint-py against the ip-mock binary");
    match run_checked() {
        Ok(()) => {
            eprintln!("==> conformance passed");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("==> conformance failed: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run_checked() -> Result<(), String> {
    let root = workspace_root();
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    run_command(
        Command::new(&cargo)
            .args(["build", "--package", "ip-mock"])
            .current_dir(&root),
        "cargo build --package ip-mock",
    )?;

    let target = target_dir(&root);
    let binary = target
        .join("debug")
        .join(format!("ip-mock{}", env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        return Err(format!(
            "the ip-mock binary is missing at {} after the build",
            binary.display()
        ));
    }

    let python = install_requirements(&root, &target)?;
    let mut mock = MockProcess::start(&binary)?;
    eprintln!("==> ip-mock (pid {}) listening on {}", mock.pid(), mock.url);

    let mut script = python.command();
    script
        .arg(root.join(SCRIPT_DIR).join("conformance.py"))
        .arg("--base-url")
        .arg(&mock.url)
        .current_dir(&root)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let status = run_with_timeout(&mut script, SCRIPT_TIMEOUT)?;
    if !status.success() {
        return Err(format!("the conformance script failed ({status})"));
    }

    eprintln!("==> schemathesis against {}/openapi.json", mock.url);
    let mut fuzz = python.command();
    fuzz.arg("-c")
        .arg(SCHEMATHESIS_MAIN)
        .arg("run")
        .arg(format!("{}/openapi.json", mock.url))
        .args(SCHEMATHESIS_ARGS)
        .current_dir(&target)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let status = run_with_timeout(&mut fuzz, SCRIPT_TIMEOUT)?;

    // A mock that died during the run failed the step even if the checks
    // somehow passed.
    if let Some(exit) = mock.exited()? {
        return Err(format!("ip-mock exited during the run ({exit})"));
    }
    if !status.success() {
        return Err(format!("schemathesis found failures ({status})"));
    }
    Ok(())
}

/// Starts schemathesis's command line the way its `st` entry point does, so
/// that it also runs from the fallback install without a `bin` directory.
const SCHEMATHESIS_MAIN: &str =
    "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'st'; sys.exit(schemathesis())";

/// A fixed seed and a bounded number of examples per operation, valid and
/// invalid inputs both, and the checks that matter here: no 5xx, and every
/// status, content type and body as the document says.
const SCHEMATHESIS_ARGS: &[&str] = &[
    "--header",
    "Authorization: Bearer key_schemathesis",
    "--checks",
    "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
    "--mode",
    "all",
    "--max-examples",
    "50",
    "--seed",
    "1",
    "--generation-database",
    "none",
    "--workers",
    "1",
    "--no-color",
];

/// Returns the workspace root, the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` if set (relative to the
/// workspace root, where cargo runs here), else `<workspace>/target`.
/// NOTE: a `build.target-dir` set in a cargo config file is not read.
fn target_dir(root: &Path) -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR").filter(|dir| !dir.is_empty()) {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// How to start a Python interpreter that can import the SDK.
struct Python {
    program: PathBuf,
    /// A directory to put on `PYTHONPATH`, for the fallback without a venv.
    path: Option<PathBuf>,
}

impl Python {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        if let Some(path) = &self.path {
            command.env("PYTHONPATH", path);
        }
        command
    }
}

/// Installs the pinned requirements into a virtual environment, made on the
/// first run and reused after, and returns the interpreter to run the script.
fn install_requirements(root: &Path, target: &Path) -> Result<Python, String> {
    let requirements = root.join(SCRIPT_DIR).join("requirements.txt");
    let venv = target.join("conformance-venv");
    let venv_python = venv.join(if cfg!(windows) {
        "Scripts/python.exe"
    } else {
        "bin/python"
    });

    // A venv whose interpreter no longer starts (python3 was upgraded or
    // removed) is made again from scratch.
    let usable = Command::new(&venv_python)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    let python = if usable {
        Python {
            program: venv_python,
            path: None,
        }
    } else {
        eprintln!(
            "==> creating the Python virtual environment {}",
            venv.display()
        );
        let created = Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv)
            .status();
        match created {
            Ok(status) if status.success() => Python {
                program: venv_python,
                path: None,
            },
            Err(err) => {
                return Err(format!(
                    "could not start python3: {err}. The conformance step needs python3 with pip"
                ));
            }
            Ok(_) => {
                let site = target.join("conformance-site");
                eprintln!(
                    "==> python3 -m venv failed; installing into {} instead",
                    site.display()
                );
                return install_into_site(&requirements, site);
            }
        }
    };

    let mut pip = python.command();
    pip.args(pip_install_args()).arg("-r").arg(&requirements);
    run_command(&mut pip, "pip install -r requirements.txt")?;
    Ok(python)
}

/// Installs the requirements with pip into a plain directory, for a python3
/// without the venv module. The script then gets that directory on `PYTHONPATH`.
fn install_into_site(requirements: &Path, site: PathBuf) -> Result<Python, String> {
    let mut pip = Command::new("python3");
    pip.args(pip_install_args())
        .args(["--upgrade", "--target"])
        .arg(&site)
        .arg("-r")
        .arg(requirements);
    run_command(&mut pip, "python3 -m pip install --target")?;
    Ok(Python {
        program: PathBuf::from("python3"),
        path: Some(site),
    })
}

fn pip_install_args() -> [&'static str; 6] {
    [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
    ]
}

/// Runs a command to completion and fails unless it succeeds.
fn run_command(command: &mut Command, name: &str) -> Result<(), String> {
    eprintln!("==> {name}");
    let status = command
        .status()
        .map_err(|err| format!("could not start {name}: {err}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

/// Runs a command and kills it if it has not finished within `timeout`.
fn run_with_timeout(command: &mut Command, timeout: Duration) -> Result<ExitStatus, String> {
    let mut child = command
        .spawn()
        .map_err(|err| format!("could not start the conformance script: {err}"))?;
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
            Ok(None) => {
                // Only this child, by its pid.
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "the conformance script timed out after {} s and was killed",
                    timeout.as_secs()
                ));
            }
            Err(err) => return Err(format!("could not wait for the conformance script: {err}")),
        }
    }
}

/// The ip-mock process of this step. Dropping it kills the process by its pid,
/// so the mock stops on every path out of the step, errors and panics
/// included.
struct MockProcess {
    child: Child,
    url: String,
}

impl MockProcess {
    /// Starts the binary on a free loopback port and reads the address from
    /// its `listening on http://HOST:PORT` line.
    fn start(binary: &Path) -> Result<MockProcess, String> {
        let mut command = Command::new(binary);
        command
            .args(["--host", "127.0.0.1", "--port", "0", "--seed", "1"])
            .args([
                "--speed",
                SPEED,
                "--start-time",
                START_TIME,
                "--log",
                "warn",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        // Settings from the caller's environment (an API key list, fault
        // rates) would change the mock's responses.
        for (name, _) in env::vars_os() {
            if name.to_string_lossy().starts_with("IP_MOCK_") {
                command.env_remove(&name);
            }
        }
        let mut child = command
            .spawn()
            .map_err(|err| format!("could not start {}: {err}", binary.display()))?;

        // A thread reads stdout to its end, so the mock never blocks on a full
        // pipe, and hands each line over until the address is known.
        let stdout = child.stdout.take().ok_or("ip-mock has no stdout pipe")?;
        let (lines_tx, lines_rx) = mpsc::channel::<String>();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // The receiver is gone once the address is known; keep draining.
                let _ = lines_tx.send(line);
            }
        });

        let mut mock = MockProcess {
            child,
            url: String::new(),
        };
        let deadline = Instant::now() + LISTEN_TIMEOUT;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match lines_rx.recv_timeout(remaining) {
                Ok(line) => {
                    if let Some(url) = line.trim().strip_prefix("listening on ") {
                        mock.url = url.to_owned();
                        return Ok(mock);
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "ip-mock printed no \"listening on\" line within {} s",
                        LISTEN_TIMEOUT.as_secs()
                    ));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let exit = mock
                        .exited()?
                        .map_or("still running".to_owned(), |s| s.to_string());
                    return Err(format!(
                        "ip-mock closed its stdout before printing its address ({exit})"
                    ));
                }
            }
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Returns the exit status if the process has ended.
    fn exited(&mut self) -> Result<Option<ExitStatus>, String> {
        self.child
            .try_wait()
            .map_err(|err| format!("could not check on ip-mock: {err}"))
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let pid = self.pid();
        // `Child::kill` signals exactly this pid; a process that already
        // ended makes it fail harmlessly.
        let _ = self.child.kill();
        match self.child.wait() {
            Ok(status) => eprintln!("==> ip-mock (pid {pid}) stopped ({status})"),
            Err(err) => eprintln!("==> could not wait for ip-mock (pid {pid}) to stop: {err}"),
        }
    }
}
