//! Faults for client retry logic: latency, injected 500 and 503 answers,
//! dropped connections, the rate limit, the forcing header, run-time changes
//! and seeded replay.

use std::time::{Duration, Instant};

use e2e_tests::{manual_mock, one_letter_job, Api};
use ip_mock::{Faults, MockServer};
use serde_json::{json, Value};

const KEY: &str = "key_faults";

async fn list_status(api: &Api) -> u16 {
    api.http
        .get(format!("{}/v1/prints", api.base))
        .header("Authorization", &api.key)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn fixed_latency_delays_answers() {
    let faults = Faults {
        latency: Some("150ms".parse().unwrap()),
        ..Faults::default()
    };
    let server = manual_mock().faults(faults).start().await;
    let api = Api::new(&server, KEY);

    let started = Instant::now();
    assert_eq!(list_status(&api).await, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "answered after {:?}",
        started.elapsed()
    );

    let health_started = Instant::now();
    api.http
        .get(format!("{}/_mock/health", api.base))
        .send()
        .await
        .unwrap();
    assert!(
        health_started.elapsed() < Duration::from_millis(150),
        "the control API is not delayed"
    );
}

#[tokio::test]
async fn random_latency_stays_in_range() {
    let faults = Faults {
        latency: Some("20ms..60ms".parse().unwrap()),
        ..Faults::default()
    };
    let server = manual_mock().faults(faults).start().await;
    let api = Api::new(&server, KEY);
    for _ in 0..5 {
        let started = Instant::now();
        assert_eq!(list_status(&api).await, 200);
        assert!(started.elapsed() >= Duration::from_millis(20));
    }
}

#[tokio::test]
async fn error_rate_answers_internal_error() {
    let server = manual_mock()
        .faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        })
        .start()
        .await;
    let api = Api::new(&server, KEY);
    let (status, body) = api.get("/v1/prints").await;
    assert_eq!(status, 500);
    assert_eq!(body["error"]["type"], "internal_error");
    assert_eq!(body["error"]["code"], "internal_error");
}

#[tokio::test]
async fn unavailable_rate_answers_503() {
    let server = manual_mock()
        .faults(Faults {
            unavailable_rate: 1.0,
            ..Faults::default()
        })
        .start()
        .await;
    let api = Api::new(&server, KEY);
    let (status, body) = api.get("/v1/prints").await;
    assert_eq!(status, 503);
    assert_eq!(body["error"]["type"], "internal_error");
}

#[tokio::test]
async fn drop_rate_closes_connection() {
    let server = manual_mock()
        .faults(Faults {
            drop_rate: 1.0,
            ..Faults::default()
        })
        .start()
        .await;
    let api = Api::new(&server, KEY);
    let result = async {
        let response = api
            .http
            .get(format!("{}/v1/prints", api.base))
            .header("Authorization", KEY)
            .send()
            .await?;
        response.bytes().await
    }
    .await;
    assert!(
        result.is_err(),
        "expected a broken connection, got {result:?}"
    );
}

#[tokio::test]
async fn rate_limit_allows_hundred_per_minute() {
    let server = manual_mock()
        .faults(Faults {
            rate_limit: true,
            ..Faults::default()
        })
        .start()
        .await;
    let api = Api::new(&server, KEY);
    for i in 0..ip_mock::RATE_LIMIT_PER_MINUTE {
        assert_eq!(list_status(&api).await, 200, "request {i}");
    }
    let response = api
        .http
        .get(format!("{}/v1/prints", api.base))
        .header("Authorization", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");

    let other = Api::new(&server, "key_other_account");
    assert_eq!(
        list_status(&other).await,
        200,
        "each account has its own limit"
    );
}

#[tokio::test]
async fn force_header_outcomes() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, KEY);
    let cases = [
        ("internal_error", 500, "internal_error"),
        ("service_unavailable", 503, "internal_error"),
        ("rate_limited", 429, "rate_limited"),
        ("payment_error", 402, "payment_error"),
    ];
    for (value, status, code) in cases {
        let response = api
            .http
            .get(format!("{}/v1/prints", api.base))
            .header("Authorization", KEY)
            .header(ip_mock::FORCE_HEADER, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{value}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{value}");
    }

    let dropped = api
        .http
        .get(format!("{}/v1/prints", api.base))
        .header("Authorization", KEY)
        .header(ip_mock::FORCE_HEADER, "drop_connection")
        .send()
        .await;
    let dropped = match dropped {
        Ok(response) => response.bytes().await.map(|_| ()),
        Err(err) => Err(err),
    };
    assert!(dropped.is_err());

    let response = api
        .http
        .get(format!("{}/v1/prints", api.base))
        .header("Authorization", KEY)
        .header(ip_mock::FORCE_HEADER, "explode")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["param"], ip_mock::FORCE_HEADER);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("internal_error, service_unavailable"));

    assert_eq!(
        list_status(&api).await,
        200,
        "only the request with the header is affected"
    );
}

#[tokio::test]
async fn faults_change_at_run_time() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, KEY);
    let set = |body: Value| {
        let api = api.clone();
        async move {
            let response = api
                .http
                .post(format!("{}/_mock/faults", api.base))
                .json(&body)
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };

    let (status, faults) = set(json!({"error_rate": 1.0, "latency": "10ms"})).await;
    assert_eq!(status, 200);
    assert_eq!(faults["latency"], "10ms");
    assert_eq!(list_status(&api).await, 500);

    let (_, current) = api.get("/_mock/faults").await;
    assert_eq!(current["error_rate"], 1.0);

    let (status, _) = set(json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(
        list_status(&api).await,
        200,
        "an empty body switches every fault off"
    );

    let (status, error) = set(json!({"error_rate": 2})).await;
    assert_eq!(status, 400);
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("error_rate must be from 0 to 1"));
    let (status, _) = set(json!({"eror_rate": 0.5})).await;
    assert_eq!(status, 400, "unknown fault names are rejected");
}

#[tokio::test]
async fn same_seed_replays_faults() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let server = MockServer::builder()
            .seed(1234)
            .faults(Faults {
                error_rate: 0.5,
                ..Faults::default()
            })
            .start()
            .await;
        let api = Api::new(&server, KEY);
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(list_status(&api).await);
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains(&500) && runs[0].contains(&200),
        "{:?}",
        runs[0]
    );
}

#[tokio::test]
async fn faults_leave_stored_jobs_intact() {
    let server = manual_mock().start().await;
    let api = Api::new(&server, KEY);
    let job = api
        .create(one_letter_job("SW1A 1AA", "uk_second_class"))
        .await;
    server.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    assert_eq!(list_status(&api).await, 500);
    server.set_faults(Faults::default());
    assert_eq!(api.job(job["id"].as_str().unwrap()).await["id"], job["id"]);
}
