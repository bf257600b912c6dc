//! A local, stateful mock of the Intelliprint v1 print-and-post API.
//!
//! Print jobs created against it are stored per API key, and the letters of a
//! confirmed job move from `waiting_to_print` to `sent` over simulated time,
//! every change checked by the `ip-status` crate.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use std::time::Duration;
//! use ip_mock::{ClockMode, MockServer};
//!
//! let server = MockServer::builder().clock(ClockMode::Manual).start().await;
//! // Point the client under test at `server.uri()`, create and confirm a job,
//! // then move time on by three days: every letter is `sent` by then.
//! server.advance(Duration::from_secs(3 * 24 * 3600));
//! # }
//! ```
//!
//! Run it standalone with `cargo run -p ip-mock -- --help`.

mod api;
mod calendar;
mod clock;
mod config;
mod faults;
mod jobs;
pub mod magic;
mod prices;
mod server;
mod sim;
mod state;
mod webhook;

pub use clock::ClockStatus;
pub use config::{ClockMode, Config, DEFAULT_PORT, DEFAULT_SPEED};
pub use faults::{Faults, Latency, FORCE_HEADER, RATE_LIMIT_PER_MINUTE};
pub use server::{MockServer, MockServerBuilder};
pub use state::{Cause, EventFilter, JournalEntry, ReturnDetails, StatusChange};
pub use webhook::{DeliveryAttempt, WebhookEndpoint, WebhookStats, RETRY_SCHEDULE};

/// A control call that cannot be carried out.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use ip_mock::{ControlError, MockServer};
///
/// let server = MockServer::start().await;
/// let err = server.advance_letter("ltr_missing").unwrap_err();
/// assert!(matches!(err, ControlError::NotFound(_)));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// No letter or job has that id.
    #[error("{0}")]
    NotFound(String),
    /// The move is not allowed from the current status; `reachable` lists the
    /// statuses that are.
    #[error("{message}")]
    Conflict {
        /// What failed and why.
        message: String,
        /// The statuses reachable from the current one.
        reachable: Vec<ip_status::Status>,
    },
}

/// Runs a server until `shutdown` completes, printing
/// `listening on http://HOST:PORT` on stdout once it accepts requests.
///
/// # Errors
///
/// When the address cannot be bound.
pub async fn run(
    config: Config,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use std::io::Write;

    let clock = config.clock;
    let speed = config.speed;
    let running = server::spawn(config).await?;
    tracing::info!(address = %running.address, %clock, speed, seed = running.shared.seed, "ip-mock started");

    // One machine-readable line, so scripts can wait for it instead of sleeping.
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on http://{}", running.address)?;
    stdout.flush()?;

    shutdown.await;
    tracing::info!("shutting down");
    running.shutdown.cancel();
    let _ = running.task.await;
    tracing::info!("ip-mock stopped");
    Ok(())
}
