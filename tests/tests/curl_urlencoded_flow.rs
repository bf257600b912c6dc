//! The flow of a shell script using curl: HTTP Basic with the key as the user
//! name, urlencoded bodies nested with dots and brackets.

use e2e_tests::{all_in, fast_mock, json_of, poll_until, statuses, StatusLog};
use ip_status::Status;
use serde_json::Value;

const KEY: &str = "key_curl_script";
const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn curl_urlencoded_flow() {
    let server = fast_mock().await;
    let base = server.uri();
    let http = reqwest::Client::new();
    let mut log = StatusLog::default();
    let post = |url: String, body: &'static str| {
        http.post(url)
            .basic_auth(KEY, Some(""))
            .header("Content-Type", FORM)
            .body(body)
    };

    let created: Value = json_of(post(
        format!("{base}/v1/prints"),
        "testmode=true&content=Hello%20there&recipients[0][address][name]=Ada&recipients[0][address][line]=1+High+St%2C+London\
         &recipients[0][address][postcode]=SW1A+1AA&postage.service=uk_first_class&confirmation_email=false",
    )).await;
    log.record(&created);
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created["letters"][0]["address"]["line"],
        "1 High St, London"
    );
    assert_eq!(
        created["letters"][0]["address"]["country"], "GB",
        "country defaults to GB"
    );
    assert_eq!(created["postage"]["service"], "uk_first_class");
    assert_eq!(created["confirmation_email"], false);

    let updated: Value = json_of(post(
        format!("{base}/v1/prints/{id}"),
        "reference=curl-flow",
    ))
    .await;
    assert_eq!(updated["reference"], "curl-flow");

    let confirmed: Value = json_of(post(format!("{base}/v1/prints/{id}"), "confirmed=true")).await;
    log.record(&confirmed);
    assert_eq!(confirmed["confirmed"], true);

    let url = format!("{base}/v1/prints/{id}");
    poll_until(
        || http.get(&url).basic_auth(KEY, Some("")),
        &mut log,
        |job| all_in(job, Status::Sent),
    )
    .await;
    log.assert_legal();

    let listed: Value = json_of(
        http.get(format!(
            "{base}/v1/prints?testmode=true&confirmed=true&reference=curl-flow"
        ))
        .basic_auth(KEY, Some("")),
    )
    .await;
    assert_eq!(listed["total_available"], 1);

    let later: Value = json_of(post(
        format!("{base}/v1/prints"),
        "testmode=true&confirmed=true&content=Later&recipients[0][address][line]=2+Low+Rd&postage[mail_date]=1800000000",
    )).await;
    let later_id = later["id"].as_str().unwrap();
    let cancelled: Value = json_of(
        http.delete(format!("{base}/v1/prints/{later_id}"))
            .basic_auth(KEY, Some("")),
    )
    .await;
    assert_eq!(statuses(&cancelled), [Status::Cancelled]);

    let draft: Value = json_of(post(
        format!("{base}/v1/prints"),
        "testmode=true&content=Draft&recipients[0][address][line]=3+Lane",
    ))
    .await;
    let draft_id = draft["id"].as_str().unwrap();
    let deleted: Value = json_of(
        http.delete(format!("{base}/v1/prints/{draft_id}"))
            .basic_auth(KEY, Some("")),
    )
    .await;
    assert_eq!(deleted["deleted"], true);
}
