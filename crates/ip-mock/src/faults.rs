//! Faults for testing client retry logic: added latency, injected 500 and 503
//! responses, dropped connections, the real rate limit, and an outcome forced
//! by a request header.
//!
//! Random choices come from the server's seeded generator, so a run with the
//! same seed and the same request order replays the same faults.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ip_status::ErrorCode;
use rand::Rng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::api::error::ApiFailure;
use crate::api::RequestAccount;
use crate::sim::Shared;
use crate::state::AccountHash;
use std::sync::atomic::Ordering;

/// The request header that forces one outcome on a single request.
pub const FORCE_HEADER: &str = "ip-mock-force";

/// The outcomes [`FORCE_HEADER`] takes.
const FORCED_OUTCOMES: [&str; 5] = [
    "internal_error",
    "service_unavailable",
    "rate_limited",
    "payment_error",
    "drop_connection",
];

/// The real API's rate limit: requests per minute per account.
pub const RATE_LIMIT_PER_MINUTE: usize = 100;
const RATE_WINDOW: Duration = Duration::from_secs(60);

/// A fixed or random delay: `50ms`, or `20ms..200ms` for a uniform range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Latency {
    pub min: Duration,
    pub max: Duration,
}

impl FromStr for Latency {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parse = |part: &str| {
            humantime::parse_duration(part.trim())
                .map_err(|err| format!("invalid duration {part:?}: {err}"))
        };
        let (min, max) = match text.split_once("..") {
            Some((min, max)) => (parse(min)?, parse(max)?),
            None => {
                let fixed = parse(text)?;
                (fixed, fixed)
            }
        };
        if min > max {
            return Err(format!("latency range {text:?} ends before it starts"));
        }
        Ok(Latency { min, max })
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let min = humantime::format_duration(self.min);
        if self.min == self.max {
            write!(f, "{min}")
        } else {
            write!(f, "{min}..{}", humantime::format_duration(self.max))
        }
    }
}

impl Serialize for Latency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Latency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The faults in force. Rates are shares of `/v1` requests, from 0 to 1.
///
/// ```
/// use ip_mock::Faults;
///
/// let faults = Faults { error_rate: 0.1, latency: Some("20ms..200ms".parse().unwrap()), ..Faults::default() };
/// assert_eq!(faults.latency.unwrap().to_string(), "20ms..200ms");
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Delay added before every `/v1` response.
    pub latency: Option<Latency>,
    /// Share of requests that get 500 `internal_error`.
    pub error_rate: f64,
    /// Share of requests that get 503 with an `internal_error` body.
    pub unavailable_rate: f64,
    /// Share of requests whose connection is closed with no answer.
    pub drop_rate: f64,
    /// Whether the real limit of 100 requests per minute per account applies.
    pub rate_limit: bool,
}

impl Faults {
    /// Checks that every rate is a share from 0 to 1.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("unavailable_rate", self.unavailable_rate),
            ("drop_rate", self.drop_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be from 0 to 1, got {rate}"));
            }
        }
        Ok(())
    }
}

/// Request times per account over the last minute of wall time.
#[derive(Debug, Default)]
pub struct RateLimiter {
    recent: HashMap<AccountHash, VecDeque<Instant>>,
}

impl RateLimiter {
    /// Counts a request; returns the seconds to wait when over the limit.
    pub fn check(&mut self, account: AccountHash, now: Instant) -> Option<u64> {
        let times = self.recent.entry(account).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= RATE_WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= RATE_LIMIT_PER_MINUTE {
            let oldest = times.front().copied().unwrap_or(now);
            let wait = RATE_WINDOW.saturating_sub(now.duration_since(oldest));
            return Some(wait.as_secs_f64().ceil().max(1.0) as u64);
        }
        times.push_back(now);
        None
    }

    pub fn clear(&mut self) {
        self.recent.clear();
    }
}

/// The fault layer's decision for one request.
enum Outcome {
    Pass,
    Fail(ApiFailure),
    Drop,
}

/// Middleware on the `/v1` routes that applies the faults in force.
pub async fn inject(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let forced = request
        .headers()
        .get(FORCE_HEADER)
        .map(|value| value.to_str().unwrap_or_default().trim().to_owned());
    if forced.is_none() && !shared.faults_active.load(Ordering::Relaxed) {
        return next.run(request).await;
    }
    let account = request
        .extensions()
        .get::<RequestAccount>()
        .and_then(|known| known.0);

    let (delay, outcome) = match forced {
        Some(name) => (None, forced_outcome(&name)),
        None => shared.lock().draw_faults(account),
    };

    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    match outcome {
        Outcome::Pass => next.run(request).await,
        Outcome::Fail(failure) => failure.into_response(),
        Outcome::Drop => dropped_connection(),
    }
}

fn forced_outcome(name: &str) -> Outcome {
    match name {
        "internal_error" => Outcome::Fail(ApiFailure::new(
            ErrorCode::InternalError,
            "An internal error occurred",
        )),
        "service_unavailable" => Outcome::Fail(ApiFailure::unavailable()),
        "rate_limited" => Outcome::Fail(ApiFailure::rate_limited(
            "Too many requests; retry after the Retry-After delay",
            60,
        )),
        "payment_error" => Outcome::Fail(ApiFailure::new(
            ErrorCode::PaymentError,
            "The payment for this request failed",
        )),
        "drop_connection" => Outcome::Drop,
        other => Outcome::Fail(ApiFailure::invalid(
            FORCE_HEADER,
            format!(
                "Invalid value for the {FORCE_HEADER} header: {other:?}. Valid options are: {}",
                FORCED_OUTCOMES.join(", ")
            ),
        )),
    }
}

/// Builds a response whose body fails before its first byte, so the server
/// closes the connection without a complete response.
fn dropped_connection() -> Response {
    tracing::debug!("dropping the connection");
    let failing = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("injected dropped connection"))
    });
    Response::new(Body::from_stream(failing))
}

impl crate::state::State {
    /// Draws this request's faults from the seeded generator.
    fn draw_faults(&mut self, account: Option<AccountHash>) -> (Option<Duration>, Outcome) {
        let faults = self.faults.clone();
        let delay = faults.latency.map(|latency| {
            if latency.min == latency.max {
                latency.min
            } else {
                self.rng.random_range(latency.min..=latency.max)
            }
        });

        if faults.drop_rate > 0.0 && self.rng.random_bool(faults.drop_rate) {
            return (delay, Outcome::Drop);
        }
        if faults.error_rate > 0.0 && self.rng.random_bool(faults.error_rate) {
            return (
                delay,
                Outcome::Fail(ApiFailure::new(
                    ErrorCode::InternalError,
                    "An internal error occurred",
                )),
            );
        }
        if faults.unavailable_rate > 0.0 && self.rng.random_bool(faults.unavailable_rate) {
            return (delay, Outcome::Fail(ApiFailure::unavailable()));
        }
        if faults.rate_limit {
            if let Some(account) = account {
                if let Some(wait) = self.rate_limiter.check(account, Instant::now()) {
                    let message = format!("Too many requests: the limit is {RATE_LIMIT_PER_MINUTE} per minute; retry in {wait} seconds");
                    return (
                        delay,
                        Outcome::Fail(ApiFailure::rate_limited(message, wait)),
                    );
                }
            }
        }
        (delay, Outcome::Pass)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_parses_fixed_and_range() {
        assert_eq!(
            "50ms".parse::<Latency>().unwrap(),
            Latency {
                min: Duration::from_millis(50),
                max: Duration::from_millis(50)
            }
        );
        let range: Latency = "20ms..1s".parse().unwrap();
        assert_eq!(range.min, Duration::from_millis(20));
        assert_eq!(range.max, Duration::from_secs(1));
    }

    #[test]
    fn latency_rejects_reversed_range() {
        assert!("2s..1s".parse::<Latency>().is_err());
    }

    #[test]
    fn rate_limiter_allows_hundred_then_waits() {
        let mut limiter = RateLimiter::default();
        let start = Instant::now();
        for i in 0..RATE_LIMIT_PER_MINUTE {
            assert_eq!(limiter.check(AccountHash(1), start), None, "request {i}");
        }
        assert_eq!(limiter.check(AccountHash(1), start), Some(60));
        assert_eq!(
            limiter.check(AccountHash(2), start),
            None,
            "accounts are counted apart"
        );
        assert_eq!(limiter.check(AccountHash(1), start + RATE_WINDOW), None);
    }
}
