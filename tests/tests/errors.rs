//! Rejected requests: each gets the API's error JSON with the right status,
//! type, code and param, and a `request-id` header.

use e2e_tests::manual_mock;
use ip_mock::MockServer;
use serde_json::{json, Value};

const KEY: &str = "key_errors";

/// One rejected request and the error it must get.
struct Case {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    content_type: Option<&'static str>,
    body: &'static str,
    status: u16,
    error_type: &'static str,
    code: &'static str,
    param: Option<&'static str>,
    message_contains: &'static str,
}

const VALID_RECIPIENTS: &str = r#""recipients": [{"address": {"line": "1 High St"}}]"#;

fn cases() -> Vec<Case> {
    let json = Some("application/json");
    let case = |name,
                method,
                path,
                content_type,
                body,
                status,
                error_type,
                code,
                param,
                message_contains| Case {
        name,
        method,
        path,
        content_type,
        body,
        status,
        error_type,
        code,
        param,
        message_contains,
    };
    vec![
        case(
            "unknown parameter",
            "POST",
            "/v1/prints",
            json,
            r#"{"confimred": true}"#,
            400,
            "invalid_request_error",
            "parameter_unknown",
            Some("confimred"),
            "Received unknown parameter: confimred (Did you mean confirmed?)",
        ),
        case(
            "nested unknown parameter",
            "POST",
            "/v1/prints",
            json,
            r#"{"postage": {"sevice": "uk_first_class"}}"#,
            400,
            "invalid_request_error",
            "parameter_unknown",
            Some("postage.sevice"),
            "Did you mean service?",
        ),
        case(
            "bad postage service",
            "POST",
            "/v1/prints",
            json,
            r#"{"content": "x", "postage": {"service": "pigeon"}}"#,
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("postage.service"),
            "Valid options are: uk_second_class, uk_second_class_signed_for",
        ),
        case(
            "bad job type",
            "POST",
            "/v1/prints",
            json,
            r#"{"type": "parcel"}"#,
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("type"),
            "Valid options are: letter, postcard",
        ),
        case(
            "no content",
            "POST",
            "/v1/prints",
            json,
            r#"{"recipients": [{"address": {"line": "1 High St"}}]}"#,
            400,
            "invalid_request_error",
            "parameter_missing",
            Some("content"),
            "You must provide either 'content', 'file', or 'template'",
        ),
        case(
            "missing address line",
            "POST",
            "/v1/prints",
            json,
            r#"{"content": "x", "recipients": [{"address": {"name": "Ada"}}]}"#,
            400,
            "invalid_request_error",
            "parameter_missing",
            Some("recipients.0.address.line"),
            "recipients.0.address.line",
        ),
        case(
            "wrong type nested",
            "POST",
            "/v1/prints",
            json,
            r#"{"content": "x", "printing": {"double_sided": true}}"#,
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("printing.double_sided"),
            "expected a string",
        ),
        case(
            "bad boolean",
            "POST",
            "/v1/prints",
            json,
            r#"{"content": "x", "testmode": "yes"}"#,
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("testmode"),
            "expected true or false",
        ),
        case(
            "postcard tracked",
            "POST",
            "/v1/prints",
            json,
            r#"{"type": "postcard", "content": "x", "postage": {"service": "tracked_24"}}"#,
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("postage.service"),
            "Postcards can only use",
        ),
        case(
            "envelope for postcard",
            "POST",
            "/v1/prints",
            json,
            r#"{"content": "x", "postage": {"ideal_envelope": "postcard_a6"}}"#,
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("postage.ideal_envelope"),
            "does not fit a letter",
        ),
        case(
            "unknown mailing list",
            "POST",
            "/v1/prints",
            json,
            r#"{"content": "x", "mailing_list": "mal_123"}"#,
            404,
            "invalid_request_error",
            "not_found",
            Some("mailing_list"),
            "No such mailing list: mal_123",
        ),
        case(
            "invalid json",
            "POST",
            "/v1/prints",
            json,
            r#"{"content": "#,
            400,
            "invalid_request_error",
            "body_incorrect_format",
            None,
            "Invalid JSON",
        ),
        case(
            "json not an object",
            "POST",
            "/v1/prints",
            json,
            r#"["content"]"#,
            400,
            "invalid_request_error",
            "body_incorrect_format",
            None,
            "must be a JSON object",
        ),
        case(
            "unsupported content type",
            "POST",
            "/v1/prints",
            Some("text/plain"),
            "content=x",
            400,
            "invalid_request_error",
            "body_incorrect_format",
            None,
            "Unsupported Content-Type text/plain",
        ),
        case(
            "unknown route",
            "POST",
            "/v0/prints",
            json,
            "{}",
            404,
            "invalid_request_error",
            "not_found",
            None,
            "No such resource exists: POST /v0/prints",
        ),
        case(
            "wrong method",
            "PUT",
            "/v1/prints/print_abc",
            json,
            "{}",
            404,
            "invalid_request_error",
            "not_found",
            None,
            "No such resource exists: PUT /v1/prints/print_abc",
        ),
        case(
            "missing job",
            "GET",
            "/v1/prints/print_doesnotexist",
            None,
            "",
            404,
            "invalid_request_error",
            "not_found",
            Some("id"),
            "No such print job: print_doesnotexist",
        ),
        case(
            "malformed id",
            "GET",
            "/v1/prints/ltr_abc",
            None,
            "",
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("id"),
            "print job ids start with print_",
        ),
        case(
            "list limit zero",
            "GET",
            "/v1/prints?limit=0",
            None,
            "",
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("limit"),
            "from 1 to 1000",
        ),
        case(
            "list limit too big",
            "GET",
            "/v1/prints?limit=1001",
            None,
            "",
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("limit"),
            "from 1 to 1000",
        ),
        case(
            "list negative skip",
            "GET",
            "/v1/prints?skip=-1",
            None,
            "",
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("skip"),
            "0 or more",
        ),
        case(
            "list bad sort field",
            "GET",
            "/v1/prints?sort_field=colour",
            None,
            "",
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("sort_field"),
            "Valid options are: created, mail_date",
        ),
        case(
            "list bad status",
            "GET",
            "/v1/prints?letters.status=sent,posted",
            None,
            "",
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("letters.status"),
            "\"posted\"",
        ),
        case(
            "list unknown field",
            "GET",
            "/v1/prints?fields=letters.colour",
            None,
            "",
            400,
            "invalid_request_error",
            "parameter_invalid",
            Some("fields"),
            "not a field of a print job",
        ),
        case(
            "list unknown parameter",
            "GET",
            "/v1/prints?refrence=x",
            None,
            "",
            400,
            "invalid_request_error",
            "parameter_unknown",
            Some("refrence"),
            "Did you mean reference?",
        ),
    ]
}

async fn send(server: &MockServer, case: &Case) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{}", server.uri(), case.path))
        .header("Authorization", KEY)
        .body(case.body);
    if let Some(content_type) = case.content_type {
        request = request.header("Content-Type", content_type);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn rejected_requests_get_api_errors() {
    let server = manual_mock().start().await;
    for case in cases() {
        let response = send(&server, &case).await;
        let name = case.name;
        assert_eq!(response.status().as_u16(), case.status, "{name}: status");
        assert!(
            response.headers().contains_key("request-id"),
            "{name}: request-id header"
        );
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|err| panic!("{name}: body is not JSON: {err}"));
        let error = &body["error"];
        assert_eq!(error["type"], case.error_type, "{name}: type in {body}");
        assert_eq!(error["code"], case.code, "{name}: code in {body}");
        assert_eq!(error["param"], json!(case.param), "{name}: param in {body}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(case.message_contains),
            "{name}: message {message:?}"
        );
    }
}

#[tokio::test]
async fn confirmed_job_cannot_be_updated() {
    let server = manual_mock().start().await;
    let http = reqwest::Client::new();
    let created: Value = http
        .post(format!("{}/v1/prints", server.uri()))
        .header("Authorization", KEY)
        .json(
            &serde_json::from_str::<Value>(&format!(
                r#"{{"confirmed": true, "content": "x", {VALID_RECIPIENTS}}}"#
            ))
            .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();

    let response = http
        .post(format!("{}/v1/prints/{id}", server.uri()))
        .header("Authorization", KEY)
        .json(&json!({"reference": "too late"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("can no longer be updated"));
}

#[tokio::test]
async fn body_over_limit_is_rejected() {
    let server = manual_mock().body_limit(1024).start().await;
    let content = "x".repeat(2048);
    let response = reqwest::Client::new()
        .post(format!("{}/v1/prints", server.uri()))
        .header("Authorization", KEY)
        .json(&json!({"content": content}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "body_too_large");
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn chunked_body_over_limit_is_rejected() {
    let server = manual_mock().body_limit(1024).start().await;
    // A streamed body has no Content-Length, so the limit applies while reading.
    let chunks = (0..8).map(|_| Ok::<_, std::io::Error>(vec![b' '; 512]));
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let response = reqwest::Client::new()
        .post(format!("{}/v1/prints", server.uri()))
        .header("Authorization", KEY)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}
