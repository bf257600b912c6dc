//! Shared helpers for the end-to-end tests: starting a mock with a fixed
//! calendar, recording the statuses a client observes, and checking them
//! against `ip-status`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ip_mock::{ClockMode, MockServer};
use ip_status::{Observation, Status};
use serde_json::Value;

/// Wednesday 2026-01-14 10:30 UTC (GMT): before the 11:00 print run.
pub const WEDNESDAY_1030_MS: i64 = 1_768_386_600_000;

/// A mock whose clock starts on a fixed Wednesday morning and runs fast
/// enough that a whole lifecycle takes a fraction of a second.
pub async fn fast_mock() -> MockServer {
    MockServer::builder()
        .start_time_ms(WEDNESDAY_1030_MS)
        .speed(2_000_000.0)
        .seed(1)
        .start()
        .await
}

/// Returns a builder for a mock whose clock is paused until the test advances it.
pub fn manual_mock() -> ip_mock::MockServerBuilder {
    MockServer::builder()
        .clock(ClockMode::Manual)
        .start_time_ms(WEDNESDAY_1030_MS)
        .seed(1)
}

/// The statuses each letter was seen in, in the order the client saw them,
/// with repeats collapsed.
#[derive(Debug, Default)]
pub struct StatusLog {
    pub histories: BTreeMap<String, Vec<Status>>,
}

impl StatusLog {
    /// Records every letter of a print job object.
    pub fn record(&mut self, job: &Value) {
        for letter in job["letters"].as_array().into_iter().flatten() {
            let id = letter["id"].as_str().expect("letter id").to_owned();
            let name = letter["status"].as_str().expect("letter status");
            let status = Status::parse(name).unwrap_or_else(|err| panic!("{err}"));
            let history = self.histories.entry(id).or_default();
            if history.last() != Some(&status) {
                history.push(status);
            }
        }
    }

    /// Asserts that every history moves forward only, as a polling client may
    /// see it: each observed status is reachable from the one before.
    pub fn assert_legal(&self) {
        for (letter, history) in &self.histories {
            for pair in history.windows(2) {
                let observation = pair[0].observe(pair[1]);
                assert!(
                    matches!(observation, Ok(Observation::Advanced { .. })),
                    "letter {letter} went {} -> {}: {observation:?}; history {history:?}",
                    pair[0],
                    pair[1]
                );
            }
        }
    }
}

/// Fetches `url` until `done` holds for the JSON body, recording statuses.
/// Gives up after ten wall seconds.
pub async fn poll_until(
    request: impl Fn() -> reqwest::RequestBuilder,
    log: &mut StatusLog,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let response = request().send().await.expect("poll request");
        assert_eq!(response.status(), 200, "poll failed");
        let job: Value = response.json().await.expect("poll body");
        log.record(&job);
        if done(&job) {
            return job;
        }
        assert!(
            Instant::now() < deadline,
            "gave up polling; last body {job}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The statuses of a job's letters.
pub fn statuses(job: &Value) -> Vec<Status> {
    job["letters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|letter| {
            Status::parse(letter["status"].as_str().unwrap_or_default()).expect("known status")
        })
        .collect()
}

/// Whether every letter has reached `status`.
pub fn all_in(job: &Value, status: Status) -> bool {
    let statuses = statuses(job);
    !statuses.is_empty() && statuses.iter().all(|s| *s == status)
}

/// A thin HTTP client for one API key, as the tests use it.
#[derive(Debug, Clone)]
pub struct Api {
    pub base: String,
    pub key: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(server: &MockServer, key: &str) -> Api {
        Api {
            base: server.uri(),
            key: key.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// Sends a JSON request with the key and returns the status and body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", &self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let body = response.json().await.expect("JSON body");
        (status, body)
    }

    /// Sends a request that must succeed and returns its JSON body.
    pub async fn expect_ok(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let (status, body) = self.send(method.clone(), path, body).await;
        assert_eq!(status, 200, "{method} {path} failed: {body}");
        body
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// Creates a job and returns it, failing the test unless it succeeds.
    pub async fn create(&self, body: Value) -> Value {
        let (status, job) = self.post("/v1/prints", body).await;
        assert_eq!(status, 200, "create failed: {job}");
        job
    }

    /// Retrieves a job, failing the test unless it exists.
    pub async fn job(&self, id: &str) -> Value {
        let (status, job) = self.get(&format!("/v1/prints/{id}")).await;
        assert_eq!(status, 200, "retrieve failed: {job}");
        job
    }
}

/// Sends `request` and parses its JSON body, failing the test on any error.
pub async fn json_of(request: reqwest::RequestBuilder) -> Value {
    let response = request.send().await.expect("request");
    response.json().await.expect("JSON body")
}

/// A confirmed one-letter job body for `postcode` and `service`.
pub fn one_letter_job(postcode: &str, service: &str) -> Value {
    serde_json::json!({
        "confirmed": true,
        "content": "Hello",
        "recipients": [{"address": {"name": "Test", "line": "1 Test Street", "postcode": postcode, "country": "GB"}}],
        "postage": {"service": service}
    })
}
