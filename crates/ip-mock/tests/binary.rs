//! The `ip-mock` binary as CI scripts use it: start on a free port, read the
//! "listening on" line, check health, stop with SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_ip-mock");

#[tokio::test]
async fn binary_reports_address_and_stops_on_sigterm() {
    let mut child = Command::new(BINARY)
        .args(["--port", "0", "--seed", "5", "--log", "debug"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ip-mock");

    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .expect("read the listening line");
    let address = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    assert!(address.starts_with("http://127.0.0.1:"), "{address}");

    let health = reqwest::get(format!("{address}/_mock/health"))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let created = reqwest::Client::new()
        .post(format!("{address}/v1/prints"))
        .header("Authorization", "Bearer sk_secret_value")
        .json(&serde_json::json!({"content": "x", "recipients": [{"address": {"line": "1 High St"}}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);

    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let status = wait_with_timeout(&mut child, Duration::from_secs(10));
    assert!(status.success(), "exit status {status}");

    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(logs.contains("ip-mock started"), "{logs}");
    assert!(logs.contains("seed=5"), "{logs}");
    assert!(logs.contains("ip-mock stopped"), "{logs}");
    assert!(
        logs.contains("path=/v1/prints"),
        "requests are logged at debug level"
    );
    assert!(
        !logs.contains("sk_secret_value"),
        "the API key must never be logged"
    );
}

#[test]
fn help_names_every_environment_variable() {
    let output = Command::new(BINARY).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for variable in [
        "IP_MOCK_HOST",
        "IP_MOCK_PORT",
        "IP_MOCK_CLOCK",
        "IP_MOCK_SPEED",
        "IP_MOCK_START_TIME",
        "IP_MOCK_SEED",
        "IP_MOCK_API_KEY",
        "IP_MOCK_BODY_LIMIT",
        "IP_MOCK_RETURN_RATE",
        "IP_MOCK_INVALID_ADDRESS_RATE",
        "IP_MOCK_LOG",
    ] {
        assert!(
            help.contains(variable),
            "--help does not mention {variable}"
        );
    }
}

#[test]
fn environment_variable_sets_flag() {
    let output = Command::new(BINARY)
        .env("IP_MOCK_SPEED", "-3")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let errors = String::from_utf8(output.stderr).unwrap();
    assert!(errors.contains("is not a positive number"), "{errors}");
}

fn wait_with_timeout(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("ip-mock did not stop within {limit:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
