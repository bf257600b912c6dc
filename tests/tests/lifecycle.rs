//! The simulated timeline under a manual clock: print runs, the carrier's
//! collection, returns, address failures, cancellation and test-job expiry.

use std::time::Duration;

use e2e_tests::{manual_mock, statuses, WEDNESDAY_1030_MS};
use ip_mock::MockServer;
use ip_status::Status;
use serde_json::{json, Value};

const KEY: &str = "key_lifecycle";
const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

async fn create(server: &MockServer, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/prints", server.uri()))
        .header("Authorization", KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn get(server: &MockServer, id: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}/v1/prints/{id}", server.uri()))
        .header("Authorization", KEY)
        .send()
        .await
        .unwrap()
}

async fn fetch(server: &MockServer, id: &str) -> Value {
    get(server, id).await.json().await.unwrap()
}

fn confirmed_job(service: &str) -> Value {
    json!({
        "confirmed": true,
        "content": "Hello",
        "recipients": [{"address": {"name": "Ada", "line": "1 High St, London", "postcode": "SW1A 1AA", "country": "GB"}}],
        "postage": {"service": service}
    })
}

#[tokio::test]
async fn letter_follows_print_run_and_collection() {
    let server = manual_mock().start().await;
    let job = create(&server, confirmed_job("uk_second_class")).await;
    let id = job["id"].as_str().unwrap();
    assert_eq!(job["confirmed_at"], WEDNESDAY_1030_MS / 1000);

    // The 11:00 print run, then 20 minutes printing and 20 enclosing.
    let steps = [
        (29 * MINUTE, Status::WaitingToPrint),
        (MINUTE, Status::Printing),
        (20 * MINUTE, Status::Enclosing),
        (20 * MINUTE, Status::Shipping),
    ];
    for (span, expected) in steps {
        server.advance(span);
        assert_eq!(statuses(&fetch(&server, id).await), [expected]);
    }

    // Royal Mail collects at 17:30.
    server.advance(5 * HOUR + 49 * MINUTE);
    assert_eq!(statuses(&fetch(&server, id).await), [Status::Shipping]);
    server.advance(MINUTE);
    let sent = fetch(&server, id).await;
    assert_eq!(statuses(&sent), [Status::Sent]);
    assert_eq!(
        sent["letters"][0]["shipped_date"],
        (WEDNESDAY_1030_MS + 7 * 3_600_000) / 1000
    );
}

#[tokio::test]
async fn polling_does_not_change_a_job() {
    let server = manual_mock().start().await;
    let job = create(&server, confirmed_job("uk_second_class")).await;
    let id = job["id"].as_str().unwrap();
    let first = fetch(&server, id).await;
    let second = fetch(&server, id).await;
    assert_eq!(first, second);
    assert_eq!(first, job);
}

#[tokio::test]
async fn job_after_cutoff_waits_for_monday() {
    // Friday 2026-01-16 16:00 GMT.
    let friday_4pm = WEDNESDAY_1030_MS + 2 * 86_400_000 + 5 * 3_600_000 + 30 * 60_000;
    let server = MockServer::builder()
        .clock(ip_mock::ClockMode::Manual)
        .start_time_ms(friday_4pm)
        .start()
        .await;
    let job = create(&server, confirmed_job("uk_second_class")).await;
    let id = job["id"].as_str().unwrap();

    server.advance(64 * HOUR);
    assert_eq!(
        statuses(&fetch(&server, id).await),
        [Status::WaitingToPrint],
        "Monday 08:00"
    );
    server.advance(HOUR);
    assert_eq!(
        statuses(&fetch(&server, id).await),
        [Status::Printing],
        "Monday 09:00"
    );
}

#[tokio::test]
async fn mail_date_delays_printing() {
    let server = manual_mock().start().await;
    let mut body = confirmed_job("uk_second_class");
    // Monday 2026-01-19 00:00 UTC.
    body["postage"]["mail_date"] = json!(1_768_780_800);
    let job = create(&server, body).await;
    let id = job["id"].as_str().unwrap();

    server.advance(4 * 24 * HOUR);
    assert_eq!(
        statuses(&fetch(&server, id).await),
        [Status::WaitingToPrint],
        "Sunday 10:30"
    );
    server.advance(24 * HOUR);
    assert_eq!(
        statuses(&fetch(&server, id).await),
        [Status::Shipping],
        "Monday 10:30"
    );
    server.advance(7 * HOUR);
    assert_eq!(
        statuses(&fetch(&server, id).await),
        [Status::Sent],
        "Monday 17:30"
    );
}

#[tokio::test]
async fn returned_letter_carries_date_and_reason() {
    let server = manual_mock().return_rate(1.0).start().await;
    let job = create(&server, confirmed_job("uk_second_class")).await;
    let id = job["id"].as_str().unwrap();

    server.advance(7 * HOUR);
    let sent = fetch(&server, id).await;
    assert_eq!(statuses(&sent), [Status::Sent]);
    assert!(sent["letters"][0].get("returned").is_none());

    server.advance(28 * HOUR);
    let returned = fetch(&server, id).await;
    assert_eq!(statuses(&returned), [Status::Returned]);
    let details = &returned["letters"][0]["returned"];
    let shipped = returned["letters"][0]["shipped_date"].as_i64().unwrap();
    assert_eq!(details["date"], shipped + 28 * 3600);
    let reason = details["reason"].as_str().unwrap();
    assert!([
        "Addressee Gone Away",
        "Delivery Refused",
        "Not Called For",
        "Addressee Unknown",
        "Address Inaccessible"
    ]
    .contains(&reason));
}

#[tokio::test]
async fn tracked_letter_can_fail_on_address() {
    let server = manual_mock().invalid_address_rate(1.0).start().await;
    let job = create(&server, confirmed_job("tracked_48")).await;
    let id = job["id"].as_str().unwrap();

    server.advance(2 * HOUR);
    let shipping = fetch(&server, id).await;
    assert_eq!(statuses(&shipping), [Status::Shipping]);
    assert!(shipping["letters"][0]["tracking_number"].is_string());

    server.advance(6 * HOUR);
    let failed = fetch(&server, id).await;
    assert_eq!(statuses(&failed), [Status::InvalidAddress]);
    assert_eq!(failed["letters"][0]["shipped_date"], Value::Null);
}

#[tokio::test]
async fn untracked_letter_never_fails_on_address() {
    let server = manual_mock().invalid_address_rate(1.0).start().await;
    let job = create(&server, confirmed_job("uk_first_class")).await;
    let id = job["id"].as_str().unwrap();

    server.advance(8 * HOUR);
    let sent = fetch(&server, id).await;
    assert_eq!(statuses(&sent), [Status::Sent]);
    assert!(sent["letters"][0].get("tracking_number").is_none());
}

#[tokio::test]
async fn cancel_leaves_printed_letters_alone() {
    let server = manual_mock().start().await;
    let job = create(&server, confirmed_job("uk_second_class")).await;
    let id = job["id"].as_str().unwrap();
    server.advance(40 * MINUTE);

    let response = reqwest::Client::new()
        .delete(format!("{}/v1/prints/{id}", server.uri()))
        .header("Authorization", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let job: Value = response.json().await.unwrap();
    assert_eq!(statuses(&job), [Status::Printing]);
}

#[tokio::test]
async fn cancelled_letter_stays_cancelled() {
    let server = manual_mock().start().await;
    let job = create(&server, confirmed_job("uk_second_class")).await;
    let id = job["id"].as_str().unwrap();
    reqwest::Client::new()
        .delete(format!("{}/v1/prints/{id}", server.uri()))
        .header("Authorization", KEY)
        .send()
        .await
        .unwrap();

    server.advance(72 * HOUR);
    assert_eq!(statuses(&fetch(&server, id).await), [Status::Cancelled]);
}

#[tokio::test]
async fn test_job_deleted_a_week_after_confirmation() {
    let server = manual_mock().start().await;
    let mut body = confirmed_job("uk_second_class");
    body["testmode"] = json!(true);
    let job = create(&server, body).await;
    let id = job["id"].as_str().unwrap();

    server.advance(7 * 24 * HOUR - MINUTE);
    assert_eq!(get(&server, id).await.status(), 200);
    server.advance(MINUTE);
    let gone = get(&server, id).await;
    assert_eq!(gone.status(), 404);
    let body: Value = gone.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn expired_draft_cannot_be_confirmed() {
    let server = manual_mock().start().await;
    let mut body = confirmed_job("uk_second_class");
    body["confirmed"] = json!(false);
    let job = create(&server, body).await;
    let id = job["id"].as_str().unwrap();

    server.advance(30 * 24 * HOUR + MINUTE);
    let response = reqwest::Client::new()
        .post(format!("{}/v1/prints/{id}", server.uri()))
        .header("Authorization", KEY)
        .json(&json!({"confirmed": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "forbidden");
    assert_eq!(error["error"]["param"], "confirmed");
    assert_eq!(statuses(&fetch(&server, id).await), [Status::Draft]);
}

#[tokio::test]
async fn same_seed_replays_same_ids() {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let server = manual_mock().seed(99).start().await;
        let job = create(&server, confirmed_job("tracked_24")).await;
        server.advance(2 * HOUR);
        let id = job["id"].as_str().unwrap().to_owned();
        let shipping = fetch(&server, &id).await;
        ids.push((
            id,
            shipping["letters"][0]["id"].clone(),
            shipping["letters"][0]["tracking_number"].clone(),
        ));
    }
    assert_eq!(ids[0], ids[1]);
}

#[tokio::test]
async fn responses_show_the_stored_job() {
    let server = manual_mock().start().await;
    let api = e2e_tests::Api::new(&server, KEY);
    let draft = api
        .create(json!({
            "content": "Hello",
            "reference": "invoice 7",
            "metadata": {"customer": 42, "tags": ["a", "b"]},
            "printing": {"double_sided": "yes", "premium_quality": true},
            "postage": {"service": "tracked_24"},
            "background": {"first_page": "bg_1"},
            "nudge": {"x": 1.5, "y": -2},
            "address_window": "right",
            "recipients": [
                {"address": {"name": "Ada", "line": "1 High St, London", "postcode": "SW1A 1AA", "country": "GB"}},
                {"address": {"line": "2 Rue de Rivoli, Paris", "country": "FR"}},
                {"address": {"name": "Returned", "line": "3 Low St", "postcode": "ZZ1 1DR", "country": "GB"}}
            ]
        }))
        .await;
    let id = draft["id"].as_str().unwrap();
    assert_eq!(api.job(id).await, draft);

    let confirmed = api
        .expect_ok(
            reqwest::Method::POST,
            &format!("/v1/prints/{id}"),
            Some(json!({"confirmed": true, "metadata": {"tags": null}})),
        )
        .await;
    assert_eq!(confirmed["metadata"], json!({"customer": 42}));
    assert_eq!(api.job(id).await, confirmed);

    // Shipping (with tracking numbers), then sent, then one letter returned.
    for span in [2 * HOUR, 24 * HOUR, 48 * HOUR] {
        server.advance(span);
        let job = api.job(id).await;
        let (_, list) = api.get("/v1/prints?limit=1").await;
        assert_eq!(list["data"][0], job);
    }
    let job = api.job(id).await;
    assert_eq!(
        statuses(&job),
        [Status::Sent, Status::Sent, Status::Returned]
    );
    assert!(job["letters"][0]["tracking_number"].is_string());
    assert_eq!(job["letters"][2]["returned"]["reason"], "Delivery Refused");

    let (status, after_delete) = api
        .send(reqwest::Method::DELETE, &format!("/v1/prints/{id}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(after_delete, job);
}
