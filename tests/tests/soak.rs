//! Load without loss: 32 concurrent clients run a few thousand mixed requests
//! against one embedded mock on a fast clock, then every job is accounted for.
//!
//! The checks: no request fails and none gets a 5xx. Every created job is
//! retrievable unless it was a deleted draft, and deleted drafts get 404. Each
//! account lists exactly the jobs its clients created minus the drafts they
//! deleted, and no id is created twice. Every status that a client observed
//! for its own letters, polled one request at a time, is `Advanced` or
//! `Unchanged` according to `ip-status`.
//!
//! The run is bounded: each client makes a fixed number of iterations and
//! stops early at `CLIENT_DEADLINE`, and every request has a timeout.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use e2e_tests::WEDNESDAY_1030_MS;
use ip_mock::MockServer;
use ip_status::{Observation, Status};
use reqwest::Method;
use serde_json::{json, Value};

const CLIENTS: usize = 32;

/// Clients per API key, so that concurrent clients also share accounts.
const CLIENTS_PER_KEY: usize = 2;

/// Iterations per client; most make two or three requests.
const ITERATIONS: usize = 120;

/// Virtual seconds per wall second. A lifecycle spanning a weekend (about
/// three virtual days) takes about a quarter of a wall second. A draft stays
/// confirmable for 30 virtual days, about 2.6 wall seconds, which is far
/// longer than a client waits between creating and confirming one.
const SPEED: f64 = 1_000_000.0;

/// A client starts no new iteration after this much wall time.
const CLIENT_DEADLINE: Duration = Duration::from_secs(25);

/// Maximum wall time of one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Maximum wall time of the whole test, checks included.
const TEST_TIMEOUT: Duration = Duration::from_secs(55);

/// Virtual seconds in a hundred years: a mail date that far ahead keeps a
/// letter waiting to print for the whole run.
const CENTURY_SECONDS: i64 = 100 * 365 * 24 * 3600;

/// Recipient postcodes and services for confirmed jobs: plain delivery, the
/// mock's magic values for a return, an invalid address and a letter stuck in
/// printing, and tracked services, so that clients observe every status.
const FATES: [(&str, &str); 6] = [
    ("SW1A 1AA", "uk_second_class"),
    ("EC1A 1BB", "tracked_24"),
    ("ZZ1 1DR", "uk_first_class"),
    ("ZZ2 1IA", "tracked_48"),
    ("ZZ2 1IA", "uk_second_class"),
    ("ZZ3 1SP", "uk_first_class"),
];

/// SplitMix64, a small deterministic generator for choosing operations.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Returns a number in `0..bound`.
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// What one client did and saw.
#[derive(Debug, Default)]
struct Report {
    key: String,
    requests: usize,
    /// Requests by operation name.
    operations: BTreeMap<&'static str, usize>,
    /// Failures: transport errors, 5xx, unexpected statuses and bodies,
    /// illegal status observations.
    errors: Vec<String>,
    /// Every id this client created, in order.
    created: Vec<String>,
    /// Live jobs that must still exist at the end.
    live: BTreeSet<String>,
    /// Test jobs that must still exist at the end.
    test: BTreeSet<String>,
    /// Drafts this client deleted, which must be gone.
    deleted: BTreeSet<String>,
    /// Confirmed jobs, to poll and to try to cancel.
    confirmed: Vec<String>,
    /// The last status this client observed for each of its letters.
    letters: BTreeMap<String, Status>,
    observations: usize,
}

struct Client {
    http: reqwest::Client,
    base: String,
    rng: SplitMix,
    report: Report,
}

impl Client {
    /// Sends one request and returns its status and JSON body, or records
    /// why it failed. A 5xx is always a failure.
    async fn send(
        &mut self,
        operation: &'static str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Option<(u16, Value)> {
        self.report.requests += 1;
        *self.report.operations.entry(operation).or_default() += 1;

        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .header("Authorization", &self.report.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => {
                self.fail(format!("{operation}: {method} {path} failed: {err}"));
                return None;
            }
        };
        let status = response.status().as_u16();
        let body = match response.json::<Value>().await {
            Ok(body) => body,
            Err(err) => {
                self.fail(format!(
                    "{operation}: {method} {path}: body is not JSON: {err}"
                ));
                return None;
            }
        };
        if status >= 500 {
            self.fail(format!("{operation}: {method} {path}: {status} {body}"));
            return None;
        }
        Some((status, body))
    }

    /// Sends a request that must succeed with 200 and returns its body.
    async fn expect_ok(
        &mut self,
        operation: &'static str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Option<Value> {
        let (status, body) = self.send(operation, method.clone(), path, body).await?;
        if status != 200 {
            self.fail(format!("{operation}: {method} {path}: {status} {body}"));
            return None;
        }
        Some(body)
    }

    fn fail(&mut self, error: String) {
        self.report.errors.push(error);
    }

    /// Classifies every letter of a job against the status last observed for
    /// it: only `Advanced` and `Unchanged` are legal for a client that polls
    /// one request at a time.
    fn observe(&mut self, job: &Value) {
        let Some(letters) = job["letters"].as_array() else {
            self.fail(format!("job without letters: {job}"));
            return;
        };
        for letter in letters {
            let id = letter["id"].as_str().unwrap_or_default().to_owned();
            let observed = match Status::parse(letter["status"].as_str().unwrap_or_default()) {
                Ok(status) => status,
                Err(err) => {
                    self.fail(format!("letter {id}: {err}"));
                    continue;
                }
            };
            self.report.observations += 1;
            let Some(known) = self.report.letters.get(&id).copied() else {
                self.report.letters.insert(id, observed);
                continue;
            };
            match known.observe(observed) {
                Ok(Observation::Advanced { .. }) => {
                    self.report.letters.insert(id, observed);
                }
                Ok(Observation::Unchanged) => {}
                Ok(Observation::Stale) => {
                    self.fail(format!("letter {id}: stale {observed} after {known}"));
                }
                Err(err) => self.fail(format!("letter {id}: {err}")),
            }
        }
    }

    /// Creates a job, records its id and returns it.
    async fn create(&mut self, operation: &'static str, body: Value) -> Option<Value> {
        let job = self
            .expect_ok(operation, Method::POST, "/v1/prints", Some(body))
            .await?;
        let Some(id) = job["id"].as_str() else {
            self.fail(format!("{operation}: created job without id: {job}"));
            return None;
        };
        self.report.created.push(id.to_owned());
        self.observe(&job);
        Some(job)
    }

    fn recipients(postcode: &str) -> Value {
        json!([{"address": {"name": "Soak", "line": "1 Load Street", "postcode": postcode, "country": "GB"}}])
    }

    /// Creates a live draft and confirms it with an update straight away.
    async fn draft_then_confirm(&mut self) {
        let body = json!({"content": "x", "recipients": Self::recipients("SW1A 1AA")});
        let Some(job) = self.create("create draft", body).await else {
            return;
        };
        let id = job["id"].as_str().unwrap_or_default().to_owned();
        self.report.live.insert(id.clone());
        let path = format!("/v1/prints/{id}");
        let confirm = json!({"confirmed": true});
        if let Some(job) = self
            .expect_ok("confirm", Method::POST, &path, Some(confirm))
            .await
        {
            self.observe(&job);
            self.report.confirmed.push(id);
        }
    }

    /// Creates a live job, confirmed on creation, with one of the fates.
    async fn create_confirmed(&mut self) {
        let (postcode, service) = FATES[self.rng.below(FATES.len())];
        let body = json!({
            "confirmed": true,
            "content": "x",
            "recipients": Self::recipients(postcode),
            "postage": {"service": service},
        });
        if let Some(job) = self.create("create confirmed", body).await {
            let id = job["id"].as_str().unwrap_or_default().to_owned();
            self.report.live.insert(id.clone());
            self.report.confirmed.push(id);
        }
    }

    /// Creates a live job with a mail date a century ahead and cancels it
    /// while its letters still wait to print.
    async fn create_and_cancel(&mut self) {
        let mail_date = WEDNESDAY_1030_MS / 1000 + CENTURY_SECONDS;
        let body = json!({
            "confirmed": true,
            "content": "x",
            "recipients": Self::recipients("SW1A 1AA"),
            "postage": {"mail_date": mail_date},
        });
        let Some(job) = self.create("create scheduled", body).await else {
            return;
        };
        let id = job["id"].as_str().unwrap_or_default().to_owned();
        self.report.live.insert(id.clone());
        let path = format!("/v1/prints/{id}");
        let Some(job) = self.expect_ok("cancel", Method::DELETE, &path, None).await else {
            return;
        };
        self.observe(&job);
        let statuses: Vec<&str> = job["letters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|letter| letter["status"].as_str())
            .collect();
        if statuses != ["cancelled"] {
            self.fail(format!("cancel {id}: statuses {statuses:?}"));
        }
    }

    /// Creates a test draft and deletes it straight away on half the runs.
    async fn test_draft(&mut self) {
        let body =
            json!({"testmode": true, "content": "x", "recipients": Self::recipients("SW1A 1AA")});
        let Some(job) = self.create("create test draft", body).await else {
            return;
        };
        let id = job["id"].as_str().unwrap_or_default().to_owned();
        if self.rng.below(2) == 0 {
            self.report.test.insert(id);
            return;
        }
        self.delete_draft(&id).await;
    }

    /// Creates a live draft and deletes it straight away.
    async fn live_draft_deleted(&mut self) {
        let body = json!({"content": "x", "recipients": Self::recipients("SW1A 1AA")});
        let Some(job) = self.create("create draft", body).await else {
            return;
        };
        let id = job["id"].as_str().unwrap_or_default().to_owned();
        self.delete_draft(&id).await;
    }

    async fn delete_draft(&mut self, id: &str) {
        let path = format!("/v1/prints/{id}");
        let Some(deleted) = self
            .expect_ok("delete draft", Method::DELETE, &path, None)
            .await
        else {
            return;
        };
        if deleted != json!({"object": "print", "id": id, "deleted": true}) {
            self.fail(format!("delete {id}: {deleted}"));
        }
        self.report.deleted.insert(id.to_owned());
    }

    /// Retrieves one of this client's confirmed jobs.
    async fn poll(&mut self) {
        if self.report.confirmed.is_empty() {
            return;
        }
        let id = self.report.confirmed[self.rng.below(self.report.confirmed.len())].clone();
        let path = format!("/v1/prints/{id}");
        if let Some(job) = self.expect_ok("poll", Method::GET, &path, None).await {
            self.observe(&job);
        }
    }

    /// Sends DELETE to a confirmed job whose letters may be past waiting:
    /// only letters still waiting to print are cancelled.
    async fn late_cancel(&mut self) {
        if self.report.confirmed.is_empty() {
            return;
        }
        let id = self.report.confirmed[self.rng.below(self.report.confirmed.len())].clone();
        let path = format!("/v1/prints/{id}");
        if let Some(job) = self
            .expect_ok("late cancel", Method::DELETE, &path, None)
            .await
        {
            self.observe(&job);
        }
    }

    /// Lists with a random filter. This client's own jobs in the page count as
    /// observations.
    async fn list(&mut self) {
        let filters = [
            "limit=20",
            "limit=5&skip=3&sort_order=asc",
            "testmode=true",
            "confirmed=true&letters.status=sent,returned",
            "sort_field=cost.after_tax&fields=id,letters.id,letters.status",
        ];
        let path = format!("/v1/prints?{}", filters[self.rng.below(filters.len())]);
        let Some(page) = self.expect_ok("list", Method::GET, &path, None).await else {
            return;
        };
        let own: Vec<Value> = page["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|job| {
                let id = job["id"].as_str().unwrap_or_default();
                self.report.live.contains(id) || self.report.test.contains(id)
            })
            .cloned()
            .collect();
        for job in &own {
            self.observe(job);
        }
    }

    async fn run(mut self, started: Instant) -> Report {
        for _ in 0..ITERATIONS {
            if started.elapsed() > CLIENT_DEADLINE {
                break;
            }
            match self.rng.below(10) {
                0 => self.draft_then_confirm().await,
                1 | 2 => self.create_confirmed().await,
                3 => self.create_and_cancel().await,
                4 => self.test_draft().await,
                5 => self.live_draft_deleted().await,
                6 | 7 => self.poll().await,
                8 => self.list().await,
                _ => self.late_cancel().await,
            }
        }
        self.report
    }
}

/// Lists every job of one account with `testmode`, page by page.
async fn list_all(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    testmode: bool,
) -> (u64, Vec<String>) {
    let mut ids = Vec::new();
    let mut total = 0;
    for page in 0..100 {
        let url = format!(
            "{base}/v1/prints?testmode={testmode}&limit=1000&skip={}",
            page * 1000
        );
        let response = http
            .get(url)
            .header("Authorization", key)
            .send()
            .await
            .expect("list request");
        assert_eq!(response.status(), 200, "list for {key}");
        let body: Value = response.json().await.expect("list body");
        total = body["total_available"].as_u64().expect("total_available");
        for job in body["data"].as_array().expect("data") {
            ids.push(job["id"].as_str().expect("id").to_owned());
        }
        if body["has_more"] != json!(true) {
            break;
        }
    }
    (total, ids)
}

async fn soak(server: &MockServer) {
    let http = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap();
    let started = Instant::now();

    let mut tasks = Vec::new();
    for index in 0..CLIENTS {
        let client = Client {
            http: http.clone(),
            base: server.uri(),
            rng: SplitMix(index as u64 + 1),
            report: Report {
                key: format!("key_soak_{}", index / CLIENTS_PER_KEY),
                ..Report::default()
            },
        };
        tasks.push(tokio::spawn(client.run(started)));
    }
    let mut reports = Vec::new();
    for task in tasks {
        reports.push(task.await.expect("client task"));
    }
    let elapsed = started.elapsed();

    let requests: usize = reports.iter().map(|report| report.requests).sum();
    let mut operations: BTreeMap<&str, usize> = BTreeMap::new();
    for report in &reports {
        for (operation, count) in &report.operations {
            *operations.entry(operation).or_default() += count;
        }
    }
    eprintln!("soak: {requests} requests from {CLIENTS} clients in {elapsed:?}: {operations:?}");
    assert!(requests >= 2_000, "only {requests} requests in {elapsed:?}");

    // Every client's requests succeeded and every observation was legal.
    for (index, report) in reports.iter().enumerate() {
        assert!(
            report.errors.is_empty(),
            "client {index}: {} errors, first {:?}",
            report.errors.len(),
            &report.errors[..report.errors.len().min(10)]
        );
    }

    // No id was handed out twice.
    let created: Vec<&String> = reports.iter().flat_map(|report| &report.created).collect();
    let unique: BTreeSet<&String> = created.iter().copied().collect();
    assert_eq!(unique.len(), created.len(), "duplicate job ids");

    // Every kept job is still there, and is retrieved once more as a final
    // observation; every deleted draft is gone.
    // The last status observed of every letter, deleted drafts included.
    let mut last_statuses: BTreeMap<Status, usize> = BTreeMap::new();
    for report in &mut reports {
        let mut checker = Client {
            http: http.clone(),
            base: server.uri(),
            rng: SplitMix(0),
            report: std::mem::take(report),
        };
        let kept: Vec<String> = checker
            .report
            .live
            .iter()
            .chain(&checker.report.test)
            .cloned()
            .collect();
        for id in kept {
            let path = format!("/v1/prints/{id}");
            if let Some(job) = checker
                .expect_ok("final poll", Method::GET, &path, None)
                .await
            {
                assert_eq!(job["id"], json!(id), "retrieved another job");
                checker.observe(&job);
            }
        }
        for id in checker.report.deleted.clone() {
            let path = format!("/v1/prints/{id}");
            let (status, body) = checker
                .send("final deleted", Method::GET, &path, None)
                .await
                .expect("request for a deleted draft");
            assert_eq!(status, 404, "deleted draft {id}: {body}");
            assert_eq!(body["error"]["code"], "not_found", "deleted draft {id}");
        }
        assert!(
            checker.report.errors.is_empty(),
            "final checks: {:?}",
            &checker.report.errors[..checker.report.errors.len().min(10)]
        );
        for status in checker.report.letters.values() {
            *last_statuses.entry(*status).or_default() += 1;
        }
        *report = checker.report;
    }

    // Each account lists exactly the jobs its clients kept, live and test.
    let mut accounts: BTreeMap<&str, (BTreeSet<&String>, BTreeSet<&String>)> = BTreeMap::new();
    for report in &reports {
        let (live, test) = accounts.entry(&report.key).or_default();
        live.extend(&report.live);
        test.extend(&report.test);
    }
    for (key, (live, test)) in &accounts {
        for (testmode, expected) in [(false, live), (true, test)] {
            let (total, ids) = list_all(&http, &server.uri(), key, testmode).await;
            assert_eq!(
                total,
                expected.len() as u64,
                "{key}: total_available with testmode={testmode}"
            );
            let listed: BTreeSet<&String> = ids.iter().collect();
            assert_eq!(listed.len(), ids.len(), "{key}: a job listed twice");
            assert_eq!(
                &listed, expected,
                "{key}: listed ids with testmode={testmode}"
            );
        }
    }

    // The clients saw the whole range of outcomes.
    let observations: usize = reports.iter().map(|report| report.observations).sum();
    eprintln!("soak: {observations} status observations; last statuses {last_statuses:?}");
    for status in [
        Status::Sent,
        Status::Returned,
        Status::Cancelled,
        Status::InvalidAddress,
        Status::Printing,
    ] {
        assert!(
            last_statuses.contains_key(&status),
            "no letter was last seen in {status}: {last_statuses:?}"
        );
    }

    // The server recorded no 5xx of its own.
    let server_errors = server
        .requests()
        .into_iter()
        .filter(|entry| entry.status >= 500)
        .count();
    assert_eq!(server_errors, 0, "5xx responses in the request journal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_without_loss() {
    let server = MockServer::builder()
        .start_time_ms(WEDNESDAY_1030_MS)
        .speed(SPEED)
        .seed(11)
        .start()
        .await;
    tokio::time::timeout(TEST_TIMEOUT, soak(&server))
        .await
        .unwrap_or_else(|_| panic!("the soak test took longer than {TEST_TIMEOUT:?}"));
}
