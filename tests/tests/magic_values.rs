//! Every magic value: recipient postcodes that choose a letter's fate and job
//! references that choose a request's answer.

use std::time::Duration;

use e2e_tests::{manual_mock, one_letter_job, statuses, Api};
use ip_status::Status;
use reqwest::Method;
use serde_json::json;

const DAY: Duration = Duration::from_secs(24 * 3600);

#[tokio::test]
async fn return_postcodes_choose_reason() {
    let cases = [
        ("ZZ1 1DR", "Delivery Refused"),
        ("ZZ1 1GA", "Addressee Gone Away"),
        ("ZZ1 1NC", "Not Called For"),
        ("ZZ1 1AU", "Addressee Unknown"),
        ("ZZ1 1AI", "Address Inaccessible"),
    ];
    let server = manual_mock().start().await;
    let api = Api::new(&server, "key_magic");
    let mut jobs = Vec::new();
    for (postcode, reason) in cases {
        let job = api
            .create(one_letter_job(postcode, "uk_second_class"))
            .await;
        jobs.push((job["id"].as_str().unwrap().to_owned(), reason));
    }

    server.advance(DAY);
    for (id, _) in &jobs {
        assert_eq!(
            statuses(&api.job(id).await),
            [Status::Sent],
            "{id} is sent first"
        );
    }
    server.advance(2 * DAY);
    for (id, reason) in &jobs {
        let job = api.job(id).await;
        assert_eq!(statuses(&job), [Status::Returned], "{id}");
        assert_eq!(job["letters"][0]["returned"]["reason"], *reason, "{id}");
    }
}

#[tokio::test]
async fn invalid_address_postcode_tracked() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, "key_magic");
    let job = api
        .create(one_letter_job("ZZ2 1IA", "uk_special_delivery"))
        .await;
    let id = job["id"].as_str().unwrap();

    server.advance(DAY);
    let job = api.job(id).await;
    assert_eq!(statuses(&job), [Status::InvalidAddress]);
    assert!(job["letters"][0]["tracking_number"].is_string());
}

#[tokio::test]
async fn invalid_address_postcode_untracked_comes_back() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, "key_magic");
    let job = api
        .create(one_letter_job("ZZ2 1IA", "uk_second_class"))
        .await;
    let id = job["id"].as_str().unwrap();

    server.advance(DAY);
    assert_eq!(statuses(&api.job(id).await), [Status::Sent]);
    server.advance(2 * DAY);
    let job = api.job(id).await;
    assert_eq!(statuses(&job), [Status::Returned]);
    assert_eq!(job["letters"][0]["returned"]["reason"], "Addressee Unknown");
}

#[tokio::test]
async fn stuck_postcode_stays_printing() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, "key_magic");
    let job = api
        .create(one_letter_job("ZZ3 1SP", "uk_first_class"))
        .await;
    let id = job["id"].as_str().unwrap();
    let letter = job["letters"][0]["id"].as_str().unwrap().to_owned();

    server.advance(30 * DAY);
    assert_eq!(statuses(&api.job(id).await), [Status::Printing]);

    let changes = server.advance_letter(&letter).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(
        changes[0].to,
        Status::Enclosing,
        "the control API still moves it"
    );
}

#[tokio::test]
async fn magic_in_address_line_counts() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, "key_magic");
    let mut body = one_letter_job("", "uk_first_class");
    body["recipients"][0]["address"] = json!({"line": "1 Test Street, Testtown, zz3 1sp"});
    let job = api.create(body).await;

    server.advance(DAY);
    assert_eq!(
        statuses(&api.job(job["id"].as_str().unwrap()).await),
        [Status::Printing]
    );
}

#[tokio::test]
async fn payment_error_reference_on_create() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, "key_magic");
    let mut body = one_letter_job("SW1A 1AA", "uk_first_class");
    body["reference"] = json!("mock:payment_error");

    let (status, error) = api.post("/v1/prints", body).await;
    assert_eq!(status, 402);
    assert_eq!(error["error"]["type"], "payment_error");
    assert_eq!(error["error"]["code"], "payment_error");
    let (_, list) = api.get("/v1/prints?confirmed=true").await;
    assert_eq!(list["total_available"], 0, "nothing is stored");
}

#[tokio::test]
async fn payment_error_reference_on_confirm() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, "key_magic");
    let mut body = one_letter_job("SW1A 1AA", "uk_first_class");
    body["confirmed"] = json!(false);
    body["reference"] = json!("mock:payment_error");
    let job = api.create(body).await;
    let id = job["id"].as_str().unwrap();

    let (status, error) = api
        .post(&format!("/v1/prints/{id}"), json!({"confirmed": true}))
        .await;
    assert_eq!(status, 402);
    assert_eq!(error["error"]["code"], "payment_error");
    let job = api.job(id).await;
    assert_eq!(job["confirmed"], false);
    assert_eq!(statuses(&job), [Status::Draft]);
}

#[tokio::test]
async fn internal_error_reference() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, "key_magic");
    let mut body = one_letter_job("SW1A 1AA", "uk_first_class");
    body["reference"] = json!("mock:internal_error");

    let (status, error) = api.post("/v1/prints", body).await;
    assert_eq!(status, 500);
    assert_eq!(error["error"]["type"], "internal_error");
    assert_eq!(error["error"]["code"], "internal_error");
}

#[tokio::test]
async fn rate_limited_reference() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, "key_magic");
    let mut body = one_letter_job("SW1A 1AA", "uk_first_class");
    body["reference"] = json!("mock:rate_limited");

    let response = api
        .http
        .request(Method::POST, format!("{}/v1/prints", api.base))
        .header("Authorization", &api.key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "60");
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["error"]["type"], "rate_limited");
    assert_eq!(error["error"]["code"], "rate_limited");
}
