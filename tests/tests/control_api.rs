//! Every control call over HTTP, and the scenario a client team cares about,
//! checked against the exact event log.

use std::time::Duration;

use e2e_tests::{manual_mock, one_letter_job, statuses, Api, WEDNESDAY_1030_MS};
use ip_mock::{EventFilter, MockServer, ReturnDetails};
use ip_status::{Event, Status};
use reqwest::Method;
use serde_json::{json, Value};

const KEY: &str = "key_control";

async fn control(api: &Api, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = api.http.request(method, format!("{}{path}", api.base));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The `to` of each change in a control or event-log response.
fn targets(changes: &Value) -> Vec<Status> {
    changes["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Status::parse(c["to"].as_str().unwrap()).unwrap())
        .collect()
}

/// Asserts that consecutive changes of each letter chain without gaps.
fn assert_chained(changes: &Value) {
    let mut last: std::collections::HashMap<String, Status> = Default::default();
    for change in changes["data"].as_array().unwrap() {
        let letter = change["letter"].as_str().unwrap().to_owned();
        let from = Status::parse(change["from"].as_str().unwrap()).unwrap();
        let to = Status::parse(change["to"].as_str().unwrap()).unwrap();
        assert!(from.can_transition_to(to), "{change}");
        if let Some(previous) = last.get(&letter) {
            assert_eq!(*previous, from, "gap in the log of {letter}");
        }
        last.insert(letter, to);
    }
}

#[tokio::test]
async fn clock_read_advance_pause_resume_speed() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, KEY);

    let (status, clock) = control(&api, Method::GET, "/_mock/clock", None).await;
    assert_eq!(status, 200);
    assert_eq!(clock["now_ms"], WEDNESDAY_1030_MS);
    assert_eq!(clock["paused"], true);

    let job = api
        .create(one_letter_job("SW1A 1AA", "uk_second_class"))
        .await;
    let (status, advanced) = control(
        &api,
        Method::POST,
        "/_mock/clock/advance",
        Some(json!({"by": "70m"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(advanced["clock"]["now_ms"], WEDNESDAY_1030_MS + 4_200_000);
    assert_eq!(
        advanced["applied"], 3,
        "printing, enclosing, shipping fell due"
    );
    assert_eq!(
        statuses(&api.job(job["id"].as_str().unwrap()).await),
        [Status::Shipping],
        "applied before the answer"
    );

    let (_, advanced) = control(
        &api,
        Method::POST,
        "/_mock/clock/advance",
        Some(json!({"seconds": 60})),
    )
    .await;
    assert_eq!(advanced["clock"]["now_ms"], WEDNESDAY_1030_MS + 4_260_000);

    let (status, speed) = control(
        &api,
        Method::POST,
        "/_mock/clock/speed",
        Some(json!({"speed": 1_000_000})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(speed["speed"], 1_000_000.0);
    let (_, resumed) = control(&api, Method::POST, "/_mock/clock/resume", None).await;
    assert_eq!(resumed["paused"], false);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (_, paused) = control(&api, Method::POST, "/_mock/clock/pause", None).await;
    assert_eq!(paused["paused"], true);
    assert!(
        paused["now_ms"].as_i64().unwrap() > WEDNESDAY_1030_MS + 4_260_000,
        "time ran while resumed"
    );
    let (_, still) = control(&api, Method::GET, "/_mock/clock", None).await;
    assert_eq!(
        still["now_ms"], paused["now_ms"],
        "time stands while paused"
    );
}

#[tokio::test]
async fn clock_advance_rejects_bad_input() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, KEY);
    let cases = [
        (json!({"by": "soon"}), "by"),
        (json!({"seconds": -5}), "seconds"),
        (json!({}), "by"),
        (json!({"by": "1h", "seconds": 5}), "by"),
    ];
    for (body, param) in cases {
        let (status, error) = control(
            &api,
            Method::POST,
            "/_mock/clock/advance",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error["error"]["param"], param, "{body}");
    }
    let (status, _) = control(
        &api,
        Method::POST,
        "/_mock/clock/speed",
        Some(json!({"speed": 0})),
    )
    .await;
    assert_eq!(status, 400);
}

/// A manual-clock mock holding one confirmed one-letter job.
struct OneLetter {
    server: MockServer,
    api: Api,
    job_id: String,
    letter: String,
}

impl OneLetter {
    async fn start(service: &str) -> OneLetter {
        let server = manual_mock().start().await;
        let api = Api::new(&server, KEY);
        let job = api.create(one_letter_job("SW1A 1AA", service)).await;
        OneLetter {
            job_id: job["id"].as_str().unwrap().to_owned(),
            letter: job["letters"][0]["id"].as_str().unwrap().to_owned(),
            server,
            api,
        }
    }

    /// Sends `POST /_mock/letters/{id}/status` with `body`.
    async fn move_letter(&self, body: Value) -> (u16, Value) {
        let path = format!("/_mock/letters/{}/status", self.letter);
        control(&self.api, Method::POST, &path, Some(body)).await
    }

    async fn job(&self) -> Value {
        self.api.job(&self.job_id).await
    }
}

#[tokio::test]
async fn letter_advance_steps_once() {
    let mock = OneLetter::start("uk_second_class").await;

    let path = format!("/_mock/letters/{}/advance", mock.letter);
    let (status, changes) = control(&mock.api, Method::POST, &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(targets(&changes), [Status::Printing]);
    assert_eq!(changes["data"][0]["cause"], "control");
    assert_eq!(changes["data"][0]["event"], "start_printing");
}

#[tokio::test]
async fn letter_move_applies_every_step() {
    let mock = OneLetter::start("tracked_24").await;

    let (status, changes) = mock.move_letter(json!({"status": "sent"})).await;
    assert_eq!(status, 200);
    assert_eq!(
        targets(&changes),
        [
            Status::Printing,
            Status::Enclosing,
            Status::Shipping,
            Status::Sent
        ]
    );
    assert_chained(&changes);
    let stored = mock.job().await;
    assert_eq!(statuses(&stored), [Status::Sent]);
    assert!(stored["letters"][0]["tracking_number"].is_string());
    assert_eq!(
        stored["letters"][0]["shipped_date"],
        WEDNESDAY_1030_MS / 1000
    );
}

#[tokio::test]
async fn letter_return_takes_reason_and_date() {
    let mock = OneLetter::start("uk_second_class").await;

    let body = json!({"status": "returned", "reason": "Delivery Refused", "date": 1_768_500_000});
    let (status, changes) = mock.move_letter(body).await;
    assert_eq!(status, 200);
    assert_eq!(targets(&changes).last(), Some(&Status::Returned));
    assert_eq!(
        mock.job().await["letters"][0]["returned"],
        json!({"date": 1_768_500_000, "reason": "Delivery Refused"})
    );
}

#[tokio::test]
async fn return_before_sending_is_conflict() {
    let mock = OneLetter::start("uk_second_class").await;

    let early = WEDNESDAY_1030_MS / 1000 - 3600;
    let body = json!({"status": "returned", "reason": "Delivery Refused", "date": early});
    let (status, error) = mock.move_letter(body).await;
    assert_eq!(status, 409);
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("return date"));
    assert_eq!(
        statuses(&mock.job().await),
        [Status::WaitingToPrint],
        "nothing changed"
    );
}

#[tokio::test]
async fn unreachable_target_is_conflict() {
    let mock = OneLetter::start("uk_second_class").await;
    mock.server
        .move_letter(&mock.letter, Status::Sent, ReturnDetails::default())
        .unwrap();

    let (status, error) = mock.move_letter(json!({"status": "printing"})).await;
    assert_eq!(status, 409);
    assert_eq!(error["error"]["code"], "transition_not_allowed");
    assert_eq!(error["error"]["reachable"], json!(["returned"]));
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("printing is not reachable from sent"),
        "{message}"
    );
    assert_eq!(
        statuses(&mock.job().await),
        [Status::Sent],
        "nothing changed"
    );
}

#[tokio::test]
async fn guard_failure_is_conflict() {
    let mock = OneLetter::start("uk_second_class").await;

    let (status, error) = mock.move_letter(json!({"status": "invalid_address"})).await;
    assert_eq!(status, 409);
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("tracked postage service"));
    let reachable = error["error"]["reachable"].as_array().unwrap();
    assert!(
        !reachable.contains(&json!("invalid_address")),
        "{reachable:?}"
    );
    assert!(reachable.contains(&json!("sent")), "{reachable:?}");
    assert_eq!(
        statuses(&mock.job().await),
        [Status::WaitingToPrint],
        "checked before any step"
    );
}

#[tokio::test]
async fn unknown_letter_and_bad_status() {
    let mock = OneLetter::start("uk_second_class").await;
    let (status, error) = control(
        &mock.api,
        Method::POST,
        "/_mock/letters/ltr_nope/advance",
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(error["error"]["code"], "not_found");

    let (status, error) = mock.move_letter(json!({"status": "posted"})).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["param"], "status");
}

#[tokio::test]
async fn job_advance_confirms_draft() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, KEY);
    let mut body = one_letter_job("SW1A 1AA", "uk_second_class");
    body["confirmed"] = json!(false);
    let job = api.create(body).await;
    let id = job["id"].as_str().unwrap();

    let (status, changes) = control(
        &api,
        Method::POST,
        &format!("/_mock/prints/{id}/advance"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(targets(&changes), [Status::WaitingToPrint]);
    let stored = api.job(id).await;
    assert_eq!(stored["confirmed"], true);

    let (_, changes) = control(
        &api,
        Method::POST,
        &format!("/_mock/prints/{id}/advance"),
        None,
    )
    .await;
    assert_eq!(targets(&changes), [Status::Printing]);
}

#[tokio::test]
async fn job_move_is_all_or_nothing() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, KEY);
    let body = json!({
        "confirmed": true, "content": "x",
        "recipients": [{"address": {"line": "1 A St"}}, {"address": {"line": "2 B St"}}]
    });
    let job = api.create(body).await;
    let id = job["id"].as_str().unwrap();
    let first = job["letters"][0]["id"].as_str().unwrap();
    server
        .move_letter(first, Status::Cancelled, ReturnDetails::default())
        .unwrap();

    let (status, _) = control(
        &api,
        Method::POST,
        &format!("/_mock/prints/{id}/status"),
        Some(json!({"status": "sent"})),
    )
    .await;
    assert_eq!(status, 409, "the cancelled letter cannot be sent");
    assert_eq!(
        statuses(&api.job(id).await),
        [Status::Cancelled, Status::WaitingToPrint]
    );

    let (status, changes) = control(
        &api,
        Method::POST,
        &format!("/_mock/prints/{id}/status"),
        Some(json!({"status": "cancelled"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(targets(&changes), [Status::Cancelled]);
}

#[tokio::test]
async fn events_filter_by_job_letter_time() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, KEY);
    let first = api
        .create(one_letter_job("SW1A 1AA", "uk_second_class"))
        .await;
    let second = api
        .create(one_letter_job("SW1A 1AA", "uk_second_class"))
        .await;
    server.advance(Duration::from_secs(8 * 3600));

    let first_id = first["id"].as_str().unwrap();
    let (_, by_job) = control(
        &api,
        Method::GET,
        &format!("/_mock/events?print_id={first_id}"),
        None,
    )
    .await;
    assert_eq!(
        targets(&by_job),
        [
            Status::WaitingToPrint,
            Status::Printing,
            Status::Enclosing,
            Status::Shipping,
            Status::Sent
        ]
    );
    assert_eq!(by_job["data"][0]["cause"], "api_request");
    assert_eq!(by_job["data"][1]["cause"], "schedule");
    assert_chained(&by_job);

    let letter = second["letters"][0]["id"].as_str().unwrap();
    let (_, by_letter) = control(
        &api,
        Method::GET,
        &format!("/_mock/events?letter={letter}"),
        None,
    )
    .await;
    assert_eq!(by_letter["data"].as_array().unwrap().len(), 5);
    assert!(by_letter["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["letter"] == letter));

    // 11:00 to 11:40 UTC holds printing, enclosing and shipping of both jobs.
    let since = WEDNESDAY_1030_MS / 1000 + 30 * 60;
    let until = since + 40 * 60;
    let (_, window) = control(
        &api,
        Method::GET,
        &format!("/_mock/events?since={since}&until={until}"),
        None,
    )
    .await;
    assert_eq!(window["data"].as_array().unwrap().len(), 6);

    let embedded = server.events(&EventFilter {
        print_id: Some(first_id.to_owned()),
        ..EventFilter::default()
    });
    assert_eq!(embedded.len(), 5);
    assert_eq!(embedded[4].event, Event::HandToCarrier);

    let (status, _) = control(&api, Method::GET, "/_mock/events?job=x", None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn request_journal_records_api_calls() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, KEY);
    let job = api
        .create(one_letter_job("SW1A 1AA", "uk_second_class"))
        .await;
    let (status, _) = api.get("/v1/prints/print_missing").await;
    assert_eq!(status, 404);

    let (_, journal) = control(
        &api,
        Method::GET,
        &format!("/_mock/requests?api_key={KEY}"),
        None,
    )
    .await;
    let entries = journal["data"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["method"], "POST");
    assert_eq!(entries[0]["path"], "/v1/prints");
    assert_eq!(entries[0]["status"], 200);
    assert_eq!(entries[0]["account"], job["account"]);
    assert!(entries[0]["request_id"]
        .as_str()
        .unwrap()
        .starts_with("req_"));
    assert_eq!(entries[1]["status"], 404);
    assert_eq!(entries[1]["error_code"], "not_found");
    assert_eq!(
        server.requests().len(),
        2,
        "control calls are not journaled"
    );
}

#[tokio::test]
async fn reset_one_account_or_all() {
    let server = manual_mock().start().await;
    let alice = Api::new(&server, "key_alice");
    let bob = Api::new(&server, "key_bob");
    let alice_job = alice
        .create(one_letter_job("SW1A 1AA", "uk_second_class"))
        .await;
    let bob_job = bob
        .create(one_letter_job("SW1A 1AA", "uk_second_class"))
        .await;

    let (status, _) = control(
        &alice,
        Method::POST,
        "/_mock/reset",
        Some(json!({"api_key": "key_alice"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = alice
        .get(&format!("/v1/prints/{}", alice_job["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        bob.job(bob_job["id"].as_str().unwrap()).await["id"],
        bob_job["id"]
    );

    let (status, _) = control(&alice, Method::POST, "/_mock/reset", None).await;
    assert_eq!(status, 200);
    let (status, _) = bob
        .get(&format!("/v1/prints/{}", bob_job["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 404);
    assert!(server.events(&EventFilter::default()).is_empty());

    let (status, _) = control(
        &alice,
        Method::POST,
        "/_mock/reset",
        Some(json!({"account": "acc_unknown"})),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn control_token_guards_control_api() {
    let server = manual_mock().control_token("s3cret").start().await;
    let api = Api::new(&server, KEY);
    let (status, error) = control(&api, Method::GET, "/_mock/clock", None).await;
    assert_eq!(status, 401);
    assert_eq!(error["error"]["type"], "authentication_error");

    let with_bearer = api
        .http
        .get(format!("{}/_mock/clock", api.base))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(with_bearer.status(), 200);
    let with_header = api
        .http
        .get(format!("{}/_mock/clock", api.base))
        .header("x-control-token", "s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(with_header.status(), 200);
    let health = api
        .http
        .get(format!("{}/_mock/health", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "health stays open");
}

/// Three letters: one returned days after `sent`, one failing on address, one
/// cancelled before printing, reached by advancing the clock.
#[tokio::test]
async fn three_letter_scenario_event_log() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, KEY);
    let job = api
        .create(json!({
            "confirmed": true,
            "content": "Your statement",
            "postage": {"service": "tracked_48"},
            "recipients": [
                {"address": {"name": "Returns", "line": "1 Return Road", "postcode": "ZZ1 1DR"}},
                {"address": {"name": "Nowhere", "line": "2 Missing Lane", "postcode": "ZZ2 1IA"}},
                {"address": {"name": "Changed mind", "line": "3 Cancel Close", "postcode": "SW1A 1AA"}}
            ]
        }))
        .await;
    let id = job["id"].as_str().unwrap();
    let letters: Vec<String> = job["letters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    let (status, _) = control(
        &api,
        Method::POST,
        &format!("/_mock/letters/{}/status", letters[2]),
        Some(json!({"status": "cancelled"})),
    )
    .await;
    assert_eq!(status, 200);

    server.advance(Duration::from_secs(3 * 24 * 3600));

    let t0 = WEDNESDAY_1030_MS;
    let run = 1_768_388_400_000; // 11:00
    let collection = 1_768_411_800_000; // 17:30
    let minute = 60_000;
    let expected: Vec<(usize, Status, Status, Event, &str, i64)> = vec![
        (
            0,
            Status::Draft,
            Status::WaitingToPrint,
            Event::Confirm,
            "api_request",
            t0,
        ),
        (
            1,
            Status::Draft,
            Status::WaitingToPrint,
            Event::Confirm,
            "api_request",
            t0,
        ),
        (
            2,
            Status::Draft,
            Status::WaitingToPrint,
            Event::Confirm,
            "api_request",
            t0,
        ),
        (
            2,
            Status::WaitingToPrint,
            Status::Cancelled,
            Event::Cancel,
            "control",
            t0,
        ),
        (
            0,
            Status::WaitingToPrint,
            Status::Printing,
            Event::StartPrinting,
            "schedule",
            run,
        ),
        (
            1,
            Status::WaitingToPrint,
            Status::Printing,
            Event::StartPrinting,
            "schedule",
            run,
        ),
        (
            0,
            Status::Printing,
            Status::Enclosing,
            Event::Enclose,
            "schedule",
            run + 20 * minute,
        ),
        (
            1,
            Status::Printing,
            Status::Enclosing,
            Event::Enclose,
            "schedule",
            run + 20 * minute,
        ),
        (
            0,
            Status::Enclosing,
            Status::Shipping,
            Event::Dispatch,
            "schedule",
            run + 40 * minute,
        ),
        (
            1,
            Status::Enclosing,
            Status::Shipping,
            Event::Dispatch,
            "schedule",
            run + 40 * minute,
        ),
        (
            0,
            Status::Shipping,
            Status::Sent,
            Event::HandToCarrier,
            "schedule",
            collection,
        ),
        (
            1,
            Status::Shipping,
            Status::InvalidAddress,
            Event::RejectAddress,
            "schedule",
            collection,
        ),
        (
            0,
            Status::Sent,
            Status::Returned,
            Event::Return,
            "schedule",
            collection + 28 * 60 * minute,
        ),
    ];

    let (_, log_body) = control(
        &api,
        Method::GET,
        &format!("/_mock/events?print_id={id}"),
        None,
    )
    .await;
    assert_chained(&log_body);
    let log = log_body["data"].as_array().unwrap();
    assert_eq!(log.len(), expected.len(), "{log:#?}");
    for (entry, (letter, from, to, event, cause, time_ms)) in log.iter().zip(&expected) {
        assert_eq!(entry["letter"], letters[*letter].as_str(), "{entry}");
        assert_eq!(entry["from"], from.as_str(), "{entry}");
        assert_eq!(entry["to"], to.as_str(), "{entry}");
        assert_eq!(entry["event"], event.as_str(), "{entry}");
        assert_eq!(entry["cause"], *cause, "{entry}");
        assert_eq!(entry["time_ms"], *time_ms, "{entry}");
    }

    let stored = api.job(id).await;
    assert_eq!(
        statuses(&stored),
        [Status::Returned, Status::InvalidAddress, Status::Cancelled]
    );
    assert_eq!(
        stored["letters"][0]["returned"]["reason"],
        "Delivery Refused"
    );
}
