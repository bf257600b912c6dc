//! `letter.updated` webhooks: endpoints, signed deliveries with retries, and
//! the delivery log.
//!
//! Every status change of a letter is published here under the state lock,
//! which only copies the payload into each endpoint's bounded queues. Lane
//! tasks deliver it off the request path, so an API call never waits for a
//! receiver. Each endpoint has [`LANES`] lanes, and a letter always uses the
//! same one, so one endpoint receives the events of a letter in order.

mod delivery;
pub mod signing;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::sim::Shared;
use crate::state::log::Bounded;
use signing::Secret;

/// Parallel delivery lanes per endpoint.
pub const LANES: usize = 4;
/// Maximum number of messages kept for replay.
pub const MESSAGE_STORE_CAPACITY: usize = 100_000;
/// Maximum number of delivery attempts kept in the log.
pub const ATTEMPT_LOG_CAPACITY: usize = 100_000;
/// Wait before each retry, in virtual time, after the first attempt fails:
/// Svix's documented schedule. The mock divides each wait by the clock speed.
pub const RETRY_SCHEDULE: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// One event to deliver: its id (`svix-id`), its letter and its JSON body.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub letter: String,
    pub body: Bytes,
}

/// A registered endpoint as the control API shows it, secret included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookEndpoint {
    /// `ep_…`.
    pub id: String,
    /// The URL that deliveries are posted to.
    pub url: String,
    /// The signing secret, `whsec_…`.
    pub secret: String,
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryAttempt {
    /// The endpoint, `ep_…`.
    pub endpoint: String,
    /// The event (`svix-id`), `msg_…`.
    pub event: String,
    /// The letter the event is about.
    pub letter: String,
    /// 1 for the first try.
    pub attempt: u32,
    /// The receiver's HTTP status, if it responded.
    pub status: Option<u16>,
    /// Why the attempt failed without a response (timeout, refused connection, …).
    pub error: Option<String>,
    /// Whether the receiver responded with a 2xx status.
    pub delivered: bool,
    /// Wall-clock time of the attempt, unix milliseconds.
    pub time_ms: i64,
}

/// Counters over the whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WebhookStats {
    /// Messages queued for an endpoint.
    pub queued: u64,
    /// Messages a receiver accepted.
    pub delivered: u64,
    /// Messages given up on after the last retry.
    pub failed: u64,
    /// Messages dropped because an endpoint's queue was full.
    pub dropped: u64,
}

/// An endpoint inside the state: where to send, how to sign, and its lanes.
#[derive(Debug)]
struct Endpoint {
    view: WebhookEndpoint,
    lanes: Vec<mpsc::Sender<Message>>,
    /// Stops this endpoint's lanes when it is removed.
    stop: CancellationToken,
}

/// Every webhook setting and record, kept inside the mock's state.
#[derive(Debug)]
pub struct Registry {
    endpoints: Vec<Endpoint>,
    messages: Bounded<Message>,
    pub attempts: Bounded<DeliveryAttempt>,
    pub stats: WebhookStats,
    /// Messages per endpoint that may wait in its queues.
    queue_capacity: usize,
    /// The HTTP client shared by every lane.
    client: reqwest::Client,
    /// Wall-clock limit of one attempt.
    timeout: Duration,
    /// Stops every lane when the server shuts down.
    pub shutdown: CancellationToken,
}

impl Registry {
    pub fn new(queue_capacity: usize, timeout: Duration) -> Registry {
        Registry {
            endpoints: Vec::new(),
            messages: Bounded::new(MESSAGE_STORE_CAPACITY),
            attempts: Bounded::new(ATTEMPT_LOG_CAPACITY),
            stats: WebhookStats::default(),
            queue_capacity,
            client: reqwest::Client::new(),
            timeout,
            shutdown: CancellationToken::new(),
        }
    }

    /// Returns whether any endpoint is registered, so that callers can skip
    /// building payloads that no endpoint receives.
    pub fn is_active(&self) -> bool {
        !self.endpoints.is_empty()
    }

    pub fn endpoints(&self) -> Vec<WebhookEndpoint> {
        self.endpoints.iter().map(|e| e.view.clone()).collect()
    }

    /// Queues `message` for every endpoint, or only `only` when given.
    /// Returns the number of endpoints it was queued for.
    pub fn publish(&mut self, message: Message, only: Option<&str>) -> usize {
        let lane = lane_of(&message.letter);
        let mut queued = 0;
        for endpoint in &self.endpoints {
            if only.is_some_and(|id| id != endpoint.view.id) {
                continue;
            }
            match endpoint.lanes[lane].try_send(message.clone()) {
                Ok(()) => {
                    self.stats.queued += 1;
                    queued += 1;
                }
                Err(_) => {
                    self.stats.dropped += 1;
                    // One warning per thousand drops keeps a flood readable.
                    if self.stats.dropped % 1000 == 1 {
                        tracing::warn!(endpoint = %endpoint.view.id, event = %message.id, dropped = self.stats.dropped, "webhook queue full; event dropped");
                    }
                }
            }
        }
        if only.is_none() {
            self.messages.push(message);
        }
        queued
    }

    /// Finds a stored message by its event id, for replay.
    pub fn message(&self, id: &str) -> Option<Message> {
        self.messages.iter().rev().find(|m| m.id == id).cloned()
    }

    /// Removes an endpoint and stops its lanes. Returns whether it existed.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(index) = self.endpoints.iter().position(|e| e.view.id == id) else {
            return false;
        };
        let endpoint = self.endpoints.remove(index);
        endpoint.stop.cancel();
        tracing::info!(endpoint = id, "webhook endpoint removed");
        true
    }

    /// Forgets stored messages, attempts and counters; endpoints stay.
    pub fn clear_records(&mut self) {
        self.messages.clear();
        self.attempts.clear();
        self.stats = WebhookStats::default();
    }

    pub fn has_endpoint(&self, id: &str) -> bool {
        self.endpoints.iter().any(|e| e.view.id == id)
    }
}

/// Picks the lane of a letter from a stable hash of its id.
fn lane_of(letter: &str) -> usize {
    let hash = letter.bytes().fold(0usize, |hash, byte| {
        hash.wrapping_mul(31).wrapping_add(usize::from(byte))
    });
    hash % LANES
}

/// Registers an endpoint and starts its lanes. The secret is generated from
/// the seeded generator when not given.
pub fn add_endpoint(
    shared: &Arc<Shared>,
    url: &str,
    secret: Option<&str>,
) -> Result<WebhookEndpoint, String> {
    let parsed =
        reqwest::Url::parse(url).map_err(|err| format!("invalid webhook URL {url:?}: {err}"))?;
    if parsed.scheme() != "http" {
        return Err(format!(
            "invalid webhook URL {url:?}: the mock delivers over plain http:// only"
        ));
    }
    let secret = secret.map(Secret::parse).transpose()?;

    let mut state = shared.lock();
    let secret = match secret {
        Some(secret) => secret,
        None => Secret::generate(&mut state.rng),
    };
    let id = state.random_id("ep_");
    let view = WebhookEndpoint {
        id: id.clone(),
        url: url.to_owned(),
        secret: secret.as_str().to_owned(),
    };

    let registry = &mut state.webhooks;
    let stop = registry.shutdown.child_token();
    let per_lane = registry.queue_capacity.div_ceil(LANES).max(1);
    let mut lanes = Vec::with_capacity(LANES);
    for _ in 0..LANES {
        let (sender, receiver) = mpsc::channel(per_lane);
        lanes.push(sender);
        let lane = delivery::Lane {
            shared: shared.clone(),
            endpoint: id.clone(),
            url: parsed.clone(),
            secret: secret.clone(),
            client: registry.client.clone(),
            timeout: registry.timeout,
            stop: stop.clone(),
        };
        tokio::spawn(lane.run(receiver));
    }
    registry.endpoints.push(Endpoint {
        view: view.clone(),
        lanes,
        stop,
    });
    tracing::info!(endpoint = %id, url, "webhook endpoint added");
    Ok(view)
}
