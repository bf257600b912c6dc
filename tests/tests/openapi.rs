//! The OpenAPI documents list exactly the routes the server serves.

use e2e_tests::{json_of, manual_mock};
use serde_json::Value;

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Whether the server answered `method path` with its fallback 404, the
/// answer to a route it does not serve.
async fn is_fallback(http: &reqwest::Client, base: &str, method: &str, path: &str) -> bool {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let response = http
        .request(method, format!("{base}{path}"))
        .header("Authorization", "key_openapi")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    if response.status() != 404 {
        return false;
    }
    let body: Value = response.json().await.unwrap_or(Value::Null);
    body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("No such resource exists"))
}

/// A concrete path for a templated one.
fn sample(path: &str) -> String {
    path.replace("{id}", "print_sample")
        .replace("{event}", "msg_sample")
}

async fn check_document(document_path: &str) {
    let server = manual_mock().start().await;
    let base = server.uri();
    let http = reqwest::Client::new();
    let document: Value = json_of(http.get(format!("{base}{document_path}"))).await;
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());

    for (path, item) in paths {
        for method in METHODS {
            let documented = item.get(method.to_lowercase()).is_some();
            let served = !is_fallback(&http, &base, method, &sample(path)).await;
            assert_eq!(
                served, documented,
                "{method} {path}: served {served}, documented {documented}"
            );
        }
    }
}

#[tokio::test]
async fn api_document_matches_router() {
    check_document("/openapi.json").await;
}

#[tokio::test]
async fn control_document_matches_router() {
    check_document("/_mock/openapi.json").await;
}

#[tokio::test]
async fn api_document_describes_print_job() {
    let server = manual_mock().start().await;
    let document: Value = reqwest::get(format!("{}/openapi.json", server.uri()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &document["components"]["schemas"];
    let print_job = &schemas["PrintJob"]["properties"];
    for field in ["id", "object", "letters", "cost", "postage", "confirmed_at"] {
        assert!(
            print_job[field].is_object(),
            "PrintJob.{field} is not documented"
        );
    }
    let create = &document["paths"]["/v1/prints"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"];
    assert_eq!(create["additionalProperties"], false);
    assert!(create["properties"]["recipients"]["items"]["properties"]["address"].is_object());
}
