//! API keys: the three ways clients send them, missing and wrong keys, and
//! one account per key.

use e2e_tests::{json_of, manual_mock};
use serde_json::{json, Value};

async fn create_with(server_uri: &str, auth: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{server_uri}/v1/prints"))
        .json(&json!({"content": "x", "recipients": [{"address": {"line": "1 High St"}}]}));
    if let Some(auth) = auth {
        request = request.header("Authorization", auth);
    }
    request.send().await.unwrap()
}

async fn error_code(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (status, body["error"].clone())
}

#[tokio::test]
async fn missing_key_is_no_api_key() {
    let server = manual_mock().start().await;
    let (status, error) = error_code(create_with(&server.uri(), None).await).await;
    assert_eq!(status, 401);
    assert_eq!(error["type"], "authentication_error");
    assert_eq!(error["code"], "no_api_key");
}

#[tokio::test]
async fn empty_bearer_is_no_api_key() {
    let server = manual_mock().start().await;
    let (status, error) = error_code(create_with(&server.uri(), Some("Bearer ")).await).await;
    assert_eq!(status, 401);
    assert_eq!(error["code"], "no_api_key");
}

#[tokio::test]
async fn malformed_basic_is_invalid_api_key() {
    let server = manual_mock().start().await;
    let (status, error) = error_code(create_with(&server.uri(), Some("Basic !!!")).await).await;
    assert_eq!(status, 401);
    assert_eq!(error["code"], "invalid_api_key");
}

#[tokio::test]
async fn three_key_forms_share_one_account() {
    use base64::Engine;

    let server = manual_mock().start().await;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("key_same:")
    );
    let mut accounts = Vec::new();
    for auth in ["key_same", "Bearer key_same", basic.as_str()] {
        let response = create_with(&server.uri(), Some(auth)).await;
        assert_eq!(response.status(), 200, "{auth}");
        let job: Value = response.json().await.unwrap();
        accounts.push(job["account"].clone());
    }
    assert_eq!(accounts[0], accounts[1]);
    assert_eq!(accounts[1], accounts[2]);
}

#[tokio::test]
async fn one_key_never_sees_another_keys_jobs() {
    let server = manual_mock().start().await;
    let job: Value = create_with(&server.uri(), Some("key_alice"))
        .await
        .json()
        .await
        .unwrap();
    let id = job["id"].as_str().unwrap();

    let http = reqwest::Client::new();
    let response = http
        .get(format!("{}/v1/prints/{id}", server.uri()))
        .header("Authorization", "key_bob")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let list: Value = json_of(
        http.get(format!("{}/v1/prints?confirmed=false", server.uri()))
            .header("Authorization", "key_bob"),
    )
    .await;
    assert_eq!(list["total_available"], 0);
}

#[tokio::test]
async fn listed_keys_only() {
    let server = manual_mock().api_key("key_allowed").start().await;
    let allowed = create_with(&server.uri(), Some("Bearer key_allowed")).await;
    assert_eq!(allowed.status(), 200);

    let (status, error) =
        error_code(create_with(&server.uri(), Some("Bearer key_other")).await).await;
    assert_eq!(status, 401);
    assert_eq!(error["code"], "invalid_api_key");
}
