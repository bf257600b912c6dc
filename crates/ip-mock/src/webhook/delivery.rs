//! One delivery lane: posts its endpoint's messages in order, retrying each
//! on the back-off schedule until it is delivered or the schedule runs out.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::signing::Secret;
use super::{DeliveryAttempt, Message, RETRY_SCHEDULE};
use crate::sim::Shared;

/// Everything a lane needs, so that it locks the state only to log.
pub struct Lane {
    pub shared: Arc<Shared>,
    pub endpoint: String,
    pub url: reqwest::Url,
    pub secret: Secret,
    pub client: reqwest::Client,
    pub timeout: Duration,
    pub stop: CancellationToken,
}

impl Lane {
    pub async fn run(self, mut queue: mpsc::Receiver<Message>) {
        loop {
            let message = tokio::select! {
                _ = self.stop.cancelled() => break,
                message = queue.recv() => match message {
                    Some(message) => message,
                    None => break,
                },
            };
            if !self.deliver(&message).await {
                break;
            }
        }
    }

    /// Tries `message` until it is delivered or the schedule runs out.
    /// Returns false when the lane was stopped meanwhile.
    async fn deliver(&self, message: &Message) -> bool {
        let attempts = RETRY_SCHEDULE.len() + 1;
        for attempt in 1..=attempts {
            if attempt > 1 {
                let wait = self.scaled(RETRY_SCHEDULE[attempt - 2]);
                tokio::select! {
                    _ = self.stop.cancelled() => return false,
                    _ = tokio::time::sleep(wait) => {}
                }
            }

            let outcome = self.attempt(message).await;
            let delivered = matches!(outcome, Ok(status) if (200..300).contains(&status));
            self.record(message, attempt as u32, &outcome, delivered);
            if delivered {
                return true;
            }
            let detail = match &outcome {
                Ok(status) => format!("HTTP {status}"),
                Err(err) => err.clone(),
            };
            if attempt < attempts {
                tracing::warn!(endpoint = %self.endpoint, event = %message.id, attempt, %detail, "webhook delivery failed; will retry");
            } else {
                tracing::warn!(endpoint = %self.endpoint, event = %message.id, attempt, %detail, "webhook delivery failed; giving up");
                self.shared.lock().webhooks.stats.failed += 1;
            }
        }
        true
    }

    /// A retry wait in wall time: the virtual wait divided by the clock speed.
    fn scaled(&self, wait: Duration) -> Duration {
        let speed = self.shared.lock().clock.status().speed;
        wait.div_f64(speed.max(f64::MIN_POSITIVE))
    }

    /// One signed POST; the HTTP status, or why there was none.
    async fn attempt(&self, message: &Message) -> Result<u16, String> {
        let timestamp = unix_seconds();
        let signature = self.secret.sign(&message.id, timestamp, &message.body);
        let request = self
            .client
            .post(self.url.clone())
            .header("content-type", "application/json")
            .header("svix-id", &message.id)
            .header("svix-timestamp", timestamp.to_string())
            .header("svix-signature", signature)
            .timeout(self.timeout)
            .body(message.body.clone());

        let sent = tokio::select! {
            _ = self.stop.cancelled() => return Err("endpoint removed".to_owned()),
            sent = request.send() => sent,
        };
        match sent {
            Ok(response) => Ok(response.status().as_u16()),
            Err(err) if err.is_timeout() => Err(format!("timed out after {:?}", self.timeout)),
            Err(err) if err.is_connect() => Err(format!("connection failed: {err}")),
            Err(err) => Err(err.to_string()),
        }
    }

    fn record(
        &self,
        message: &Message,
        attempt: u32,
        outcome: &Result<u16, String>,
        delivered: bool,
    ) {
        let entry = DeliveryAttempt {
            endpoint: self.endpoint.clone(),
            event: message.id.clone(),
            letter: message.letter.clone(),
            attempt,
            status: outcome.as_ref().ok().copied(),
            error: outcome.as_ref().err().cloned(),
            delivered,
            time_ms: unix_millis(),
        };
        let mut state = self.shared.lock();
        if delivered {
            state.webhooks.stats.delivered += 1;
        }
        state.webhooks.attempts.push(entry);
    }
}

/// The wall clock, not the virtual one: receivers check `svix-timestamp`
/// against their own clock.
fn unix_seconds() -> i64 {
    unix_millis() / 1000
}

fn unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
