//! Request bodies, the virtual start time and the baseline's default response.

use bytes::Bytes;
use serde_json::{json, Value};

/// The API key of every benchmark request; the mock accepts any key.
pub const API_KEY: &str = "sk_bench";

/// Virtual start time, unix seconds: Wednesday 2026-01-14 08:30 UTC (GMT),
/// half an hour before the day's first print run, so that no scenario
/// depends on the weekday of the wall clock.
pub const START_TIME_S: i64 = 1_768_379_400;

/// From [`START_TIME_S`] to inside the 09:00 print run: letters confirmed at
/// the start are `printing` then, and stay so until 09:20.
pub const INTO_PRINTING: &str = "40m";

/// Long enough for a letter confirmed at [`START_TIME_S`] to reach `sent`
/// (at the 17:30 collection the same day) with no step left pending.
pub const WHOLE_LIFECYCLE: std::time::Duration = std::time::Duration::from_secs(3 * 24 * 3600);

/// `POST /v1/prints` with HTML content and one recipient.
pub fn one_letter_job(confirmed: bool) -> Bytes {
    job_body(1, confirmed)
}

/// `POST /v1/prints` with HTML content and `recipients` recipients, each a
/// letter.
pub fn job_body(recipients: usize, confirmed: bool) -> Bytes {
    let recipients: Vec<Value> = (0..recipients)
        .map(|i| {
            json!({"address": {
                "name": "Ada Lovelace",
                "line": format!("{} High Street, London", i + 1),
                "postcode": "SW1A 1AA",
                "country": "GB",
            }})
        })
        .collect();
    let body = json!({
        "content": "<p>Hello</p>",
        "confirmed": confirmed,
        "recipients": recipients,
    });
    Bytes::from(body.to_string())
}

/// The baseline's response body when it is given no file: a draft one-letter
/// job as `ip-mock` 0.1.0 returns it for [`one_letter_job`]. The benchmark
/// passes the mock's real response instead, so that the two match byte for
/// byte.
pub const DEFAULT_JOB_RESPONSE: &str = concat!(
    r#"{"id":"print_0zsMbNLxQh9yYtHhJYiMaDz7","object":"print","account":"acc_af63e64c8601fd8a","#,
    r#""created":1796415508,"testmode":false,"confirmed":false,"confirmed_at":null,"type":"letter","#,
    r#""reference":null,"pages":1,"sheets":1,"letters":[{"id":"ltr_zbJMXJN5fYT4VCfmUQP8nl9o","#,
    r#""status":"draft","envelope":"c5","postage_service":"uk_second_class","shipped_date":null,"#,
    r#""pages":1,"sheets":1,"address":{"name":"Ada Lovelace","line":"1 High Street, London","#,
    r#""postcode":"SW1A 1AA","country":"GB"}}],"cost":{"amount":98000000,"tax":19600000,"#,
    r#""after_tax":117600000,"currency":"GBP"},"splitting":{"method":"none","phrase":null,"pages":null},"#,
    r#""printing":{"double_sided":"no","double_sided_specific_pages":null,"premium_quality":false,"#,
    r#""black_and_white":false,"matt_finish":false},"postage":{"service":"uk_second_class","#,
    r#""ideal_envelope":null,"mail_date":null},"background":{"first_page":null,"other_pages":null},"#,
    r#""confidential":false,"remove_letters":{"with_phrase":null},"nudge":{"x":0.0,"y":0.0},"#,
    r#""confirmation_email":false,"metadata":{},"address_window":"left"}"#
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_body_lists_every_recipient() {
        let body: Value = serde_json::from_slice(&job_body(3, true)).unwrap();
        assert_eq!(body["recipients"].as_array().unwrap().len(), 3);
        assert_eq!(body["confirmed"], true);
        assert_eq!(
            body["recipients"][2]["address"]["line"],
            "3 High Street, London"
        );
    }

    #[test]
    fn default_response_is_json() {
        let job: Value = serde_json::from_str(DEFAULT_JOB_RESPONSE).unwrap();
        assert_eq!(job["letters"].as_array().unwrap().len(), 1);
    }
}
