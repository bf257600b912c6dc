//! The flow of a Python client: the raw key as the Authorization header,
//! JSON bodies, and unencoded query strings with `True`/`False`.

use e2e_tests::{all_in, fast_mock, poll_until, statuses, Api, StatusLog};
use ip_status::Status;
use reqwest::Method;
use serde_json::{json, Value};

const KEY: &str = "key_python_client";

#[tokio::test]
async fn python_json_flow() {
    let server = fast_mock().await;
    let base = server.uri();
    let api = Api::new(&server, KEY);
    let http = &api.http;
    let mut log = StatusLog::default();

    // Create a draft test job with two recipients.
    let response = http
        .post(format!("{base}/v1/prints"))
        .header("Authorization", KEY)
        .json(&json!({
            "testmode": true,
            "content": "<p>Hello {{name}}</p>",
            "recipients": [
                {"address": {"name": "Ada Lovelace", "line": "1 High Street, London", "postcode": "SW1A 1AA", "country": "GB"}, "variables": {"name": "Ada"}},
                {"address": {"name": "Alan Turing", "line": "2 Low Road, Manchester", "postcode": "M1 1AA", "country": "GB"}}
            ],
            "metadata": {"order": "1234"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("request-id"));
    let created: Value = response.json().await.unwrap();
    log.record(&created);
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("print_"));
    assert_eq!(created["object"], "print");
    assert_eq!(created["confirmed"], false);
    assert_eq!(created["confirmed_at"], Value::Null);
    assert_eq!(created["pages"], 2);
    assert_eq!(created["sheets"], 2);
    assert_eq!(created["cost"]["amount"], 0, "test jobs are free");
    assert_eq!(statuses(&created), [Status::Draft, Status::Draft]);

    // Update the reference.
    let updated = api
        .expect_ok(
            Method::POST,
            &format!("/v1/prints/{id}"),
            Some(json!({"reference": "python-flow", "metadata": {"batch": "7"}})),
        )
        .await;
    assert_eq!(updated["reference"], "python-flow");
    assert_eq!(updated["metadata"], json!({"order": "1234", "batch": "7"}));

    // Confirm and poll until every letter is sent.
    let confirmed = api
        .expect_ok(
            Method::POST,
            &format!("/v1/prints/{id}"),
            Some(json!({"confirmed": true})),
        )
        .await;
    log.record(&confirmed);
    assert_eq!(confirmed["confirmed"], true);
    assert!(confirmed["confirmed_at"].is_i64());

    let url = format!("{base}/v1/prints/{id}");
    let sent = poll_until(
        || http.get(&url).header("Authorization", KEY),
        &mut log,
        |job| all_in(job, Status::Sent),
    )
    .await;
    for letter in sent["letters"].as_array().unwrap() {
        assert!(letter["shipped_date"].is_i64());
        assert!(
            letter.get("tracking_number").is_none(),
            "second class is untracked"
        );
    }
    log.assert_legal();
    for history in log.histories.values() {
        assert_eq!(history.first(), Some(&Status::Draft));
        assert_eq!(history.last(), Some(&Status::Sent));
    }

    // List with filters, the query unencoded as a Python client sends it.
    let listed = api.expect_ok(Method::GET, "/v1/prints?testmode=True&letters.status=sent,returned&reference=python-flow&fields=id,letters.status", None).await;
    assert_eq!(listed["object"], "list");
    assert_eq!(listed["total_available"], 1);
    assert_eq!(listed["data"][0]["id"], id.as_str());
    assert_eq!(listed["data"][0]["letters"][0], json!({"status": "sent"}));
    assert!(
        listed["data"][0].get("cost").is_none(),
        "fields projects the job"
    );

    let live_only = api
        .expect_ok(Method::GET, "/v1/prints?testmode=False", None)
        .await;
    assert_eq!(
        live_only["total_available"], 0,
        "test jobs are hidden from live lists"
    );

    // Cancel a confirmed job whose mail date is a year away.
    let later = api
        .expect_ok(
            Method::POST,
            "/v1/prints",
            Some(json!({
                "testmode": true,
                "confirmed": true,
                "content": "Later",
                "recipients": [{"address": {"line": "3 Side Street, Leeds", "country": "GB"}}],
                "postage": {"mail_date": 1_800_000_000}
            })),
        )
        .await;
    assert_eq!(statuses(&later), [Status::WaitingToPrint]);
    let later_id = later["id"].as_str().unwrap();
    let cancelled = api
        .expect_ok(Method::DELETE, &format!("/v1/prints/{later_id}"), None)
        .await;
    assert_eq!(cancelled["object"], "print");
    assert_eq!(statuses(&cancelled), [Status::Cancelled]);

    // Delete a draft.
    let draft = api.expect_ok(Method::POST, "/v1/prints", Some(json!({"testmode": true, "content": "Draft", "recipients": [{"address": {"line": "4 Lane, York"}}]}))).await;
    let draft_id = draft["id"].as_str().unwrap();
    let deleted = api
        .expect_ok(Method::DELETE, &format!("/v1/prints/{draft_id}"), None)
        .await;
    assert_eq!(
        deleted,
        json!({"object": "print", "id": draft_id, "deleted": true})
    );
    let gone = http
        .get(format!("{base}/v1/prints/{draft_id}"))
        .header("Authorization", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
}
