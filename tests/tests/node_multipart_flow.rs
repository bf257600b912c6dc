//! The flow of the official Node SDK: a Bearer key and multipart bodies with
//! bracket-nested names, a PDF uploaded as the `file` part.

use e2e_tests::{all_in, fast_mock, json_of, poll_until, statuses, StatusLog};
use ip_status::Status;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

const KEY: &str = "key_node_sdk";

/// A minimal two-page PDF: only its page objects matter to the mock.
const TWO_PAGE_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj\n\
3 0 obj << /Type /Page /Parent 2 0 R >> endobj\n4 0 obj << /Type/Page /Parent 2 0 R >> endobj\n%%EOF\n";

fn recipient_form(form: Form, index: usize, name: &str, line: &str, postcode: &str) -> Form {
    form.text(
        format!("recipients[{index}][address][name]"),
        name.to_owned(),
    )
    .text(
        format!("recipients[{index}][address][line]"),
        line.to_owned(),
    )
    .text(
        format!("recipients[{index}][address][postcode]"),
        postcode.to_owned(),
    )
    .text(format!("recipients[{index}][address][country]"), "GB")
}

#[tokio::test]
async fn node_multipart_flow() {
    let server = fast_mock().await;
    let base = server.uri();
    let http = reqwest::Client::new();
    let bearer = format!("Bearer {KEY}");
    let mut log = StatusLog::default();

    // Create a draft from an uploaded PDF, posted with a tracked service.
    let form = Form::new()
        .text("testmode", "true")
        .text("postage[service]", "uk_first_class_signed_for")
        .text("postage[ideal_envelope]", "c4")
        .text("printing[double_sided]", "yes")
        .part(
            "file",
            Part::bytes(TWO_PAGE_PDF)
                .file_name("letter.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let form = recipient_form(form, 0, "Grace Hopper", "5 Harbour Way, Bristol", "BS1 1AA");
    let form = recipient_form(
        form,
        1,
        "Edsger Dijkstra",
        "6 Canal Street, Birmingham",
        "B1 1AA",
    );
    let created: Value = json_of(
        http.post(format!("{base}/v1/prints"))
            .header("Authorization", &bearer)
            .multipart(form),
    )
    .await;
    log.record(&created);
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created["letters"][0]["pages"], 2,
        "pages come from the uploaded PDF"
    );
    assert_eq!(created["letters"][0]["sheets"], 1, "double-sided");
    assert_eq!(created["letters"][0]["envelope"], "c4");
    assert_eq!(created["letters"][1]["address"]["name"], "Edsger Dijkstra");
    assert_eq!(created["postage"]["service"], "uk_first_class_signed_for");

    // Update, then confirm, both as multipart.
    let updated: Value = json_of(
        http.post(format!("{base}/v1/prints/{id}"))
            .header("Authorization", &bearer)
            .multipart(Form::new().text("reference", "node-flow")),
    )
    .await;
    assert_eq!(updated["reference"], "node-flow");
    let confirmed: Value = json_of(
        http.post(format!("{base}/v1/prints/{id}"))
            .header("Authorization", &bearer)
            .multipart(Form::new().text("confirmed", "true")),
    )
    .await;
    log.record(&confirmed);
    assert_eq!(
        statuses(&confirmed),
        [Status::WaitingToPrint, Status::WaitingToPrint]
    );

    let url = format!("{base}/v1/prints/{id}");
    let sent = poll_until(
        || http.get(&url).header("Authorization", &bearer),
        &mut log,
        |job| all_in(job, Status::Sent),
    )
    .await;
    for letter in sent["letters"].as_array().unwrap() {
        let tracking = letter["tracking_number"]
            .as_str()
            .expect("tracked service has a tracking number");
        assert_eq!(tracking.len(), 13);
        assert!(tracking.ends_with("GB"));
    }
    log.assert_legal();

    // List with bracketed filters.
    let listed: Value = json_of(http
        .get(format!("{base}/v1/prints?testmode=true&letters[status]=sent&fields[]=reference&sort_field=cost.amount&sort_order=asc"))
        .header("Authorization", &bearer)).await;
    assert_eq!(listed["total_available"], 1);
    assert_eq!(listed["data"][0]["reference"], "node-flow");

    // Cancel a confirmed job before its print run, then delete a draft.
    let form = Form::new()
        .text("testmode", "true")
        .text("confirmed", "true")
        .text("content", "Later")
        .text("postage[mail_date]", "1800000000");
    let form = recipient_form(
        form,
        0,
        "Barbara Liskov",
        "7 Mill Lane, Cambridge",
        "CB1 1AA",
    );
    let later: Value = json_of(
        http.post(format!("{base}/v1/prints"))
            .header("Authorization", &bearer)
            .multipart(form),
    )
    .await;
    let later_id = later["id"].as_str().unwrap();
    let cancelled: Value = json_of(
        http.delete(format!("{base}/v1/prints/{later_id}"))
            .header("Authorization", &bearer),
    )
    .await;
    assert_eq!(statuses(&cancelled), [Status::Cancelled]);

    let form = recipient_form(
        Form::new()
            .text("testmode", "true")
            .text("content", "Draft"),
        0,
        "Ken",
        "8 Road, Hull",
        "HU1 1AA",
    );
    let draft: Value = json_of(
        http.post(format!("{base}/v1/prints"))
            .header("Authorization", &bearer)
            .multipart(form),
    )
    .await;
    let draft_id = draft["id"].as_str().unwrap();
    let deleted: Value = json_of(
        http.delete(format!("{base}/v1/prints/{draft_id}"))
            .header("Authorization", &bearer),
    )
    .await;
    assert_eq!(deleted["deleted"], true);
    assert_eq!(deleted["id"], draft_id);
}
