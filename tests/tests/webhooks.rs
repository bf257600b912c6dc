//! Signed `letter.updated` webhooks, delivered to real receivers on
//! 127.0.0.1 and verified with the `svix` crate's own verifier.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use e2e_tests::{json_of, manual_mock, one_letter_job, Api};
use ip_mock::MockServer;
use ip_status::Status;
use serde_json::{json, Value};
use tokio::net::TcpListener;

/// The fields of a real `letter.updated` payload, and no others.
const PAYLOAD_FIELDS: [&str; 11] = [
    "account",
    "envelope",
    "id",
    "postage_service",
    "print_id",
    "reference",
    "returned",
    "shipped_date",
    "status",
    "testmode",
    "type",
];

/// One delivery as the receiver saw it.
#[derive(Debug, Clone)]
struct Delivery {
    headers: HeaderMap,
    body: Bytes,
}

impl Delivery {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn event_id(&self) -> String {
        self.headers["svix-id"].to_str().unwrap().to_owned()
    }
}

/// A webhook receiver that records every request and responds 500 to the
/// first `failures` of them.
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<Delivery>>>,
    failures: Arc<Mutex<usize>>,
}

impl Receiver {
    async fn start(failures: usize) -> (Receiver, String) {
        let receiver = Receiver {
            failures: Arc::new(Mutex::new(failures)),
            ..Receiver::default()
        };
        let app = Router::new()
            .route("/hooks", post(receive))
            .with_state(receiver.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, url)
    }

    fn deliveries(&self) -> Vec<Delivery> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits for `count` deliveries accepted with 2xx, the requests after the configured failures.
    async fn wait_for(&self, count: usize, failures: usize) -> Vec<Delivery> {
        for _ in 0..1000 {
            let seen = self.deliveries();
            if seen.len() >= count + failures {
                return seen[failures..].to_vec();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "expected {count} deliveries after {failures} failures, saw {}",
            self.deliveries().len()
        );
    }
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    receiver
        .seen
        .lock()
        .unwrap()
        .push(Delivery { headers, body });
    let mut failures = receiver.failures.lock().unwrap();
    if *failures > 0 {
        *failures -= 1;
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

fn verify(secret: &str, delivery: &Delivery) {
    let verifier = svix::webhooks::Webhook::new(secret).expect("secret accepted by svix");
    verifier
        .verify(&delivery.body, &delivery.headers)
        .unwrap_or_else(|err| panic!("svix rejected a delivery: {err:?}"));
}

/// The statuses each letter was reported in, in delivery order.
fn statuses_by_letter(deliveries: &[Delivery]) -> BTreeMap<String, Vec<Status>> {
    let mut by_letter: BTreeMap<String, Vec<Status>> = BTreeMap::new();
    for delivery in deliveries {
        let payload = delivery.json();
        let status = Status::parse(payload["status"].as_str().unwrap()).unwrap();
        by_letter
            .entry(payload["id"].as_str().unwrap().to_owned())
            .or_default()
            .push(status);
    }
    by_letter
}

fn mock_with_webhook(url: &str) -> ip_mock::MockServerBuilder {
    manual_mock().speed(1_000_000.0).webhook(url)
}

#[tokio::test]
async fn lifecycle_delivered_signed_and_in_order() {
    let (receiver, url) = Receiver::start(0).await;
    let server = mock_with_webhook(&url).start().await;
    let secret = server.webhooks()[0].secret.clone();
    assert!(secret.starts_with("whsec_"));
    let api = Api::new(&server, "key_hooks");

    let job = api
        .create(json!({
            "confirmed": true, "content": "x", "reference": "hooks",
            "recipients": [{"address": {"line": "1 A St", "postcode": "ZZ1 1GA"}}, {"address": {"line": "2 B St"}}]
        }))
        .await;
    server.advance(Duration::from_secs(3 * 24 * 3600));

    let deliveries = receiver.wait_for(11, 0).await;
    for delivery in &deliveries {
        verify(&secret, delivery);
        let payload = delivery.json();
        let mut fields: Vec<&str> = payload
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort_unstable();
        assert_eq!(fields, PAYLOAD_FIELDS);
        assert_eq!(payload["type"], "letter.updated");
        assert_eq!(payload["print_id"], job["id"]);
        assert_eq!(payload["reference"], "hooks");
        assert_eq!(payload["testmode"], false);
    }

    let returned = job["letters"][0]["id"].as_str().unwrap();
    let sent = job["letters"][1]["id"].as_str().unwrap();
    let by_letter = statuses_by_letter(&deliveries);
    let path = [
        Status::WaitingToPrint,
        Status::Printing,
        Status::Enclosing,
        Status::Shipping,
        Status::Sent,
    ];
    assert_eq!(by_letter[sent], path);
    assert_eq!(by_letter[returned][..5], path);
    assert_eq!(by_letter[returned][5], Status::Returned);

    let events = server.events(&ip_mock::EventFilter::default());
    assert_eq!(
        events.len(),
        deliveries.len(),
        "one webhook per status change"
    );
    let last = deliveries
        .iter()
        .map(Delivery::json)
        .find(|p| p["status"] == "returned")
        .unwrap();
    assert_eq!(last["returned"]["reason"], "Addressee Gone Away");
}

#[tokio::test]
async fn control_jump_sends_every_step() {
    let (receiver, url) = Receiver::start(0).await;
    let server = mock_with_webhook(&url).start().await;
    let secret = server.webhooks()[0].secret.clone();
    let api = Api::new(&server, "key_hooks");
    let job = api.create(one_letter_job("SW1A 1AA", "tracked_24")).await;
    let letter = job["letters"][0]["id"].as_str().unwrap();

    server
        .move_letter(letter, Status::Sent, ip_mock::ReturnDetails::default())
        .unwrap();

    let deliveries = receiver.wait_for(5, 0).await;
    deliveries.iter().for_each(|d| verify(&secret, d));
    let by_letter = statuses_by_letter(&deliveries);
    assert_eq!(
        by_letter[letter],
        [
            Status::WaitingToPrint,
            Status::Printing,
            Status::Enclosing,
            Status::Shipping,
            Status::Sent
        ]
    );
}

#[tokio::test]
async fn failing_receiver_gets_every_event() {
    let (receiver, url) = Receiver::start(3).await;
    let server = mock_with_webhook(&url).start().await;
    let secret = server.webhooks()[0].secret.clone();
    let api = Api::new(&server, "key_hooks");
    let job = api
        .create(one_letter_job("SW1A 1AA", "uk_first_class"))
        .await;
    server.advance(Duration::from_secs(24 * 3600));

    let delivered = receiver.wait_for(5, 3).await;
    delivered.iter().for_each(|d| verify(&secret, d));
    let letter = job["letters"][0]["id"].as_str().unwrap();
    assert_eq!(
        statuses_by_letter(&delivered)[letter],
        [
            Status::WaitingToPrint,
            Status::Printing,
            Status::Enclosing,
            Status::Shipping,
            Status::Sent
        ]
    );

    // The first event was tried four times with one id, and the log records each try.
    let all = receiver.deliveries();
    let first = all[0].event_id();
    assert_eq!(all[..4].iter().filter(|d| d.event_id() == first).count(), 4);
    let attempts: Vec<_> = server
        .deliveries()
        .into_iter()
        .filter(|a| a.event == first)
        .collect();
    assert_eq!(
        attempts.iter().map(|a| a.status).collect::<Vec<_>>(),
        [Some(500), Some(500), Some(500), Some(204)]
    );
    assert_eq!(
        attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(server.webhook_stats().delivered, 5);
}

#[tokio::test]
async fn silent_receiver_does_not_slow_api() {
    // A receiver that accepts connections and never responds.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let held = Arc::new(Mutex::new(Vec::new()));
    let holder = held.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            holder.lock().unwrap().push(socket);
        }
    });
    let server = manual_mock()
        .webhook(&url)
        .webhook_timeout(Duration::from_secs(60))
        .start()
        .await;
    let api = Api::new(&server, "key_hooks");

    let work = async {
        for _ in 0..20 {
            let job = api
                .create(one_letter_job("SW1A 1AA", "uk_first_class"))
                .await;
            api.job(job["id"].as_str().unwrap()).await;
        }
        server.advance(Duration::from_secs(24 * 3600));
    };
    tokio::time::timeout(Duration::from_secs(20), work)
        .await
        .expect("the API answered while deliveries hung");

    assert!(
        !held.lock().unwrap().is_empty(),
        "deliveries were attempted"
    );
    assert!(
        server.deliveries().is_empty(),
        "no attempt has finished yet"
    );
    assert_eq!(server.webhook_stats().delivered, 0);
}

#[tokio::test]
async fn full_queue_drops_and_counts() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let server = manual_mock()
        .webhook(&url)
        .webhook_timeout(Duration::from_secs(60))
        .webhook_queue(4)
        .start()
        .await;
    let api = Api::new(&server, "key_hooks");
    for _ in 0..10 {
        api.create(one_letter_job("SW1A 1AA", "uk_first_class"))
            .await;
    }
    server.advance(Duration::from_secs(24 * 3600));

    let stats = server.webhook_stats();
    assert!(stats.dropped > 0, "{stats:?}");
    assert_eq!(stats.queued + stats.dropped, 50, "{stats:?}");
}

#[tokio::test]
async fn replay_resends_with_same_id() {
    let (receiver, url) = Receiver::start(0).await;
    let server = mock_with_webhook(&url).start().await;
    let api = Api::new(&server, "key_hooks");
    api.create(one_letter_job("SW1A 1AA", "uk_first_class"))
        .await;
    let first = receiver.wait_for(1, 0).await[0].clone();

    let response = api
        .http
        .post(format!(
            "{}/_mock/webhooks/deliveries/{}/replay",
            api.base,
            first.event_id()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["queued"], 1);

    let both = receiver.wait_for(2, 0).await;
    assert_eq!(both[1].event_id(), first.event_id());
    assert_eq!(both[1].body, first.body);

    let missing = api
        .http
        .post(format!(
            "{}/_mock/webhooks/deliveries/msg_nope/replay",
            api.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn endpoints_managed_through_control_api() {
    let (receiver, url) = Receiver::start(0).await;
    let server = manual_mock().start().await;
    let api = Api::new(&server, "key_hooks");
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    let response = api
        .http
        .post(format!("{}/_mock/webhooks", api.base))
        .json(&json!({"url": url, "secret": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let endpoint: Value = response.json().await.unwrap();
    assert!(endpoint["id"].as_str().unwrap().starts_with("ep_"));
    assert_eq!(endpoint["secret"], secret);

    let generated: Value = json_of(
        api.http
            .post(format!("{}/_mock/webhooks", api.base))
            .json(&json!({"url": url})),
    )
    .await;
    assert!(generated["secret"].as_str().unwrap().starts_with("whsec_"));

    let listed: Value = json_of(api.http.get(format!("{}/_mock/webhooks", api.base))).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 2);

    let removed = api
        .http
        .delete(format!(
            "{}/_mock/webhooks/{}",
            api.base,
            generated["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 200);
    assert_eq!(server.webhooks().len(), 1);

    // Test-mode letters send webhooks too.
    let mut body = one_letter_job("SW1A 1AA", "uk_first_class");
    body["testmode"] = json!(true);
    api.create(body).await;
    let delivery = receiver.wait_for(1, 0).await.remove(0);
    verify(secret, &delivery);
    assert_eq!(delivery.json()["testmode"], true);

    let deliveries: Value = json_of(api.http.get(format!(
        "{}/_mock/webhooks/deliveries?endpoint={}",
        api.base,
        endpoint["id"].as_str().unwrap()
    )))
    .await;
    let attempt = &deliveries["data"][0];
    assert_eq!(attempt["event"], delivery.event_id());
    assert_eq!(attempt["delivered"], true);
}

#[tokio::test]
async fn bad_endpoints_are_rejected() {
    let server = MockServer::builder().start().await;
    let api = Api::new(&server, "key_hooks");
    let cases = [
        (json!({"url": "https://127.0.0.1/hooks"}), "url"),
        (json!({"url": "not a url"}), "url"),
        (
            json!({"url": "http://127.0.0.1/hooks", "secret": "plain"}),
            "secret",
        ),
        (json!({}), "url"),
    ];
    for (body, param) in cases {
        let response = api
            .http
            .post(format!("{}/_mock/webhooks", api.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["param"], param, "{body}");
    }
    let missing = api
        .http
        .delete(format!("{}/_mock/webhooks/ep_nope", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn start_up_endpoint_takes_secret_after_hash() {
    let (receiver, url) = Receiver::start(0).await;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let server = manual_mock()
        .webhook(format!("{url}#{secret}"))
        .start()
        .await;
    let endpoints = server.webhooks();
    assert_eq!(endpoints.len(), 1);
    assert_eq!(endpoints[0].url, url);
    assert_eq!(endpoints[0].secret, secret);

    let api = Api::new(&server, "key_hooks");
    api.create(one_letter_job("SW1A 1AA", "uk_first_class"))
        .await;
    let delivery = receiver.wait_for(1, 0).await.remove(0);
    verify(secret, &delivery);
}

#[tokio::test]
async fn start_up_endpoint_rejects_bad_secret() {
    let result = manual_mock()
        .webhook("http://127.0.0.1:9/hooks#not_a_secret")
        .try_start()
        .await;
    let err = result.expect_err("a malformed secret stops the start");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("whsec_"), "{err}");
}
