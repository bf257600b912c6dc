//! Starting the server, standalone or embedded in a test.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::clock::ClockStatus;
use crate::sim::{self, Shared};
use crate::state::{EventFilter, JournalEntry, ReturnDetails, State, StatusChange};
use crate::webhook::{self, DeliveryAttempt, WebhookEndpoint, WebhookStats};
use crate::{api, ClockMode, Config, ControlError, Faults};

/// Advances the clock, applying every change due in `span`, and wakes the
/// scheduler for the new earliest deadline.
pub(crate) fn advance(shared: &Shared, span: Duration) -> usize {
    let span_ms = i64::try_from(span.as_millis()).unwrap_or(i64::MAX);
    let applied = shared.lock().advance(span_ms);
    shared.wake.notify_one();
    applied
}

pub(crate) fn set_paused(shared: &Shared, paused: bool) {
    shared.lock().clock.set_paused(paused);
    shared.wake.notify_one();
}

pub(crate) fn set_speed(shared: &Shared, speed: f64) {
    shared.lock().clock.set_speed(speed);
    shared.wake.notify_one();
}

/// Runs a control operation under the lock and wakes the scheduler, since the
/// operation may have scheduled new steps.
pub(crate) fn control<T>(shared: &Shared, operation: impl FnOnce(&mut State) -> T) -> T {
    let result = operation(&mut shared.lock());
    shared.wake.notify_one();
    result
}

/// A running server: its address, its state, and the token that stops it.
pub(crate) struct Running {
    pub address: SocketAddr,
    pub shared: Arc<Shared>,
    pub shutdown: CancellationToken,
    pub task: JoinHandle<()>,
}

/// Binds the listener and starts the HTTP server and the scheduler. Both stop
/// when the returned token is cancelled.
pub(crate) async fn spawn(config: Config) -> io::Result<Running> {
    let listener = TcpListener::bind((config.host, config.port)).await?;
    let address = listener.local_addr()?;
    let webhooks = config.webhooks.clone();
    let shared = Arc::new(Shared::new(config));
    let shutdown = CancellationToken::new();
    shared.lock().webhooks.shutdown = shutdown.child_token();
    for endpoint in webhooks {
        let (url, secret) = match endpoint.split_once('#') {
            Some((url, secret)) => (url, Some(secret)),
            None => (endpoint.as_str(), None),
        };
        webhook::add_endpoint(&shared, url, secret)
            .map_err(|message| io::Error::new(io::ErrorKind::InvalidInput, message))?;
    }

    let scheduler = tokio::spawn(sim::run_scheduler(shared.clone(), shutdown.clone()));
    let app = api::router(shared.clone());
    let stop = shutdown.clone();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await;
        if let Err(err) = served {
            tracing::error!(%err, "server failed");
        }
        let _ = scheduler.await;
    });

    Ok(Running {
        address,
        shared,
        shutdown,
        task,
    })
}

/// An Intelliprint mock running inside a test, on a random loopback port with
/// its own state. Dropping it shuts the server down.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use ip_mock::MockServer;
///
/// let server = MockServer::start().await;
/// let health = format!("{}/_mock/health", server.uri());
/// assert!(health.starts_with("http://127.0.0.1:"));
/// # }
/// ```
pub struct MockServer {
    address: SocketAddr,
    shared: Arc<Shared>,
    shutdown: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server with the default settings: a random loopback port and
    /// the real-time clock at the default speed.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    pub async fn start() -> MockServer {
        MockServer::builder().start().await
    }

    /// Returns a builder for the same settings as the command line.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use ip_mock::{ClockMode, MockServer};
    ///
    /// let server = MockServer::builder().clock(ClockMode::Manual).seed(7).start().await;
    /// assert_eq!(server.seed(), 7);
    /// # }
    /// ```
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// Returns the base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = ip_mock::MockServer::start().await;
    /// assert!(!server.uri().ends_with('/'));
    /// # }
    /// ```
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Returns the bound socket address.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = ip_mock::MockServer::start().await;
    /// assert!(server.address().ip().is_loopback());
    /// # }
    /// ```
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Returns the seed of the random number generator. Pass it to
    /// [`MockServerBuilder::seed`] to replay the run.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = ip_mock::MockServer::builder().seed(42).start().await;
    /// assert_eq!(server.seed(), 42);
    /// # }
    /// ```
    pub fn seed(&self) -> u64 {
        self.shared.seed
    }

    /// Returns the current virtual time, unix milliseconds.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use ip_mock::{ClockMode, MockServer};
    ///
    /// let server = MockServer::builder().clock(ClockMode::Manual).start_time_ms(1_700_000_000_000).start().await;
    /// assert_eq!(server.now_ms(), 1_700_000_000_000);
    /// # }
    /// ```
    pub fn now_ms(&self) -> i64 {
        self.shared.lock().clock.now_ms()
    }

    /// Moves virtual time forward by `span` and applies every status change
    /// that falls due on the way, each at its own due time, before returning.
    /// Returns how many changes were applied. Works in both clock modes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use ip_mock::{ClockMode, MockServer};
    ///
    /// let server = MockServer::builder().clock(ClockMode::Manual).start_time_ms(1_700_000_000_000).start().await;
    /// server.advance(Duration::from_secs(3600));
    /// assert_eq!(server.now_ms(), 1_700_003_600_000);
    /// # }
    /// ```
    pub fn advance(&self, span: Duration) -> usize {
        advance(&self.shared, span)
    }

    /// Returns the virtual clock: time, speed and whether it is paused.
    pub fn clock(&self) -> ClockStatus {
        self.shared.lock().clock.status()
    }

    /// Stops virtual time until [`MockServer::resume`] or [`MockServer::advance`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = ip_mock::MockServer::start().await;
    /// server.pause();
    /// let frozen = server.now_ms();
    /// std::thread::sleep(std::time::Duration::from_millis(5));
    /// assert_eq!(server.now_ms(), frozen);
    /// # }
    /// ```
    pub fn pause(&self) {
        set_paused(&self.shared, true);
    }

    /// Lets virtual time run at the configured speed, also from manual mode.
    pub fn resume(&self) {
        set_paused(&self.shared, false);
    }

    /// Changes the virtual seconds per wall second.
    ///
    /// # Panics
    ///
    /// When `speed` is not a positive finite number.
    pub fn set_speed(&self, speed: f64) {
        assert!(
            speed.is_finite() && speed > 0.0,
            "the clock speed must be positive, got {speed}"
        );
        set_speed(&self.shared, speed);
    }

    /// Moves a letter one step along its normal path.
    ///
    /// # Errors
    ///
    /// [`ControlError::NotFound`] for an unknown letter,
    /// [`ControlError::Conflict`] when it has no next step.
    pub fn advance_letter(&self, letter_id: &str) -> Result<Vec<StatusChange>, ControlError> {
        control(&self.shared, |state| state.advance_letter(letter_id))
    }

    /// Moves a letter to `target`, applying and recording every transition on
    /// the way.
    ///
    /// # Errors
    ///
    /// [`ControlError::NotFound`] for an unknown letter,
    /// [`ControlError::Conflict`] when `ip-status` reports the target as
    /// unreachable or a guard fails; nothing changes then.
    pub fn move_letter(
        &self,
        letter_id: &str,
        target: ip_status::Status,
        details: ReturnDetails,
    ) -> Result<Vec<StatusChange>, ControlError> {
        control(&self.shared, |state| {
            state.move_letter(letter_id, target, &details)
        })
    }

    /// Moves every letter of a job one step; a draft job is confirmed.
    ///
    /// # Errors
    ///
    /// As [`MockServer::advance_letter`], when no letter can move.
    pub fn advance_job(&self, print_id: &str) -> Result<Vec<StatusChange>, ControlError> {
        control(&self.shared, |state| state.advance_job(print_id))
    }

    /// Moves every letter of a job to `target`, confirming a draft first.
    ///
    /// # Errors
    ///
    /// As [`MockServer::move_letter`]; nothing changes unless every letter
    /// can reach the target.
    pub fn move_job(
        &self,
        print_id: &str,
        target: ip_status::Status,
        details: ReturnDetails,
    ) -> Result<Vec<StatusChange>, ControlError> {
        control(&self.shared, |state| {
            state.move_job(print_id, target, &details)
        })
    }

    /// Returns the status changes that match `filter`, oldest first.
    pub fn events(&self, filter: &EventFilter) -> Vec<StatusChange> {
        self.shared.lock().status_changes(filter)
    }

    /// Returns the API requests received, oldest first.
    pub fn requests(&self) -> Vec<JournalEntry> {
        self.shared.lock().journal_entries(None)
    }

    /// Forgets every account, job, pending change and log entry.
    pub fn reset(&self) {
        control(&self.shared, State::reset);
    }

    /// Forgets the jobs and log entries of one API key's account. Returns
    /// whether the account existed.
    pub fn reset_account(&self, api_key: &str) -> bool {
        let account = crate::state::account_id(api_key);
        control(&self.shared, |state| state.reset_account(&account))
    }

    /// Returns the faults in force.
    pub fn faults(&self) -> Faults {
        self.shared.lock().faults.clone()
    }

    /// Registers a webhook endpoint; the secret (`whsec_…`) is generated
    /// when not given.
    ///
    /// # Errors
    ///
    /// When the URL is not an `http://` URL or the secret is malformed.
    pub fn add_webhook(&self, url: &str, secret: Option<&str>) -> Result<WebhookEndpoint, String> {
        webhook::add_endpoint(&self.shared, url, secret)
    }

    /// Returns the registered webhook endpoints, secrets included.
    pub fn webhooks(&self) -> Vec<WebhookEndpoint> {
        self.shared.lock().webhooks.endpoints()
    }

    /// Removes a webhook endpoint; returns whether it existed.
    pub fn remove_webhook(&self, endpoint_id: &str) -> bool {
        self.shared.lock().webhooks.remove(endpoint_id)
    }

    /// Returns every delivery attempt so far, oldest first.
    pub fn deliveries(&self) -> Vec<DeliveryAttempt> {
        self.shared
            .lock()
            .webhooks
            .attempts
            .iter()
            .cloned()
            .collect()
    }

    /// Counts of queued, delivered, failed and dropped webhook messages.
    pub fn webhook_stats(&self) -> WebhookStats {
        self.shared.lock().webhooks.stats
    }

    /// Sends a stored event again, with its original id, to every endpoint.
    /// Returns the number of endpoints it was queued for, or `None` for an
    /// unknown event.
    pub fn replay_webhook(&self, event_id: &str) -> Option<usize> {
        let mut state = self.shared.lock();
        let message = state.webhooks.message(event_id)?;
        Some(state.webhooks.publish(message, None))
    }

    /// Replaces the faults in force.
    ///
    /// # Panics
    ///
    /// When a rate is outside 0 to 1.
    pub fn set_faults(&self, faults: Faults) {
        if let Err(message) = faults.validate() {
            panic!("invalid faults: {message}");
        }
        self.shared.set_faults(faults);
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
        // The task ends by itself once cancelled; detaching it avoids blocking
        // a runtime that may already be shutting down.
        drop(self.task.take());
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("address", &self.address)
            .field("seed", &self.shared.seed)
            .finish()
    }
}

/// Settings for an embedded [`MockServer`]; the same as the command-line
/// flags, except that the port defaults to 0 (a free port).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use ip_mock::MockServer;
///
/// let server = MockServer::builder().api_key("sk_test_1").speed(1_000_000.0).start().await;
/// assert!(server.uri().starts_with("http://"));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    config: Config,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            config: Config {
                port: 0,
                ..Config::default()
            },
        }
    }
}

impl MockServerBuilder {
    /// The address to bind (default `127.0.0.1`).
    pub fn host(mut self, host: IpAddr) -> Self {
        self.config.host = host;
        self
    }

    /// The port to bind (default 0: a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self
    }

    /// How the virtual clock moves (default real time).
    pub fn clock(mut self, clock: ClockMode) -> Self {
        self.config.clock = clock;
        self
    }

    /// Virtual seconds per wall second in real-time mode.
    pub fn speed(mut self, speed: f64) -> Self {
        self.config.speed = speed;
        self
    }

    /// The virtual time at start, unix milliseconds (default: the wall clock).
    pub fn start_time_ms(mut self, start_ms: i64) -> Self {
        self.config.start_time_ms = Some(start_ms);
        self
    }

    /// The seed of the random number generator (default: random).
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.seed = Some(seed);
        self
    }

    /// Adds an accepted API key; once any is added, other keys get 401.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config.api_keys.push(key.into());
        self
    }

    /// The largest request body, in bytes (default 100 MiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.config.body_limit = bytes;
        self
    }

    /// The share (0 to 1) of sent letters that come back as returned.
    pub fn return_rate(mut self, rate: f64) -> Self {
        self.config.return_rate = rate;
        self
    }

    /// The share (0 to 1) of tracked letters rejected for their address.
    pub fn invalid_address_rate(mut self, rate: f64) -> Self {
        self.config.invalid_address_rate = rate;
        self
    }

    /// The faults to inject into `/v1` requests.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.config.faults = faults;
        self
    }

    /// Registers a webhook endpoint at start: `URL`, or `URL#whsec_…`.
    pub fn webhook(mut self, endpoint: impl Into<String>) -> Self {
        self.config.webhooks.push(endpoint.into());
        self
    }

    /// The wall-clock limit of one webhook delivery attempt (default 15 s).
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.config.webhook_timeout = timeout;
        self
    }

    /// Messages per endpoint that may wait for delivery (default 10,000).
    pub fn webhook_queue(mut self, capacity: usize) -> Self {
        self.config.webhook_queue = capacity;
        self
    }

    /// Requires this token on the control API.
    pub fn control_token(mut self, token: impl Into<String>) -> Self {
        self.config.control_token = Some(token.into());
        self
    }

    /// Replaces every setting at once.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Starts the server.
    ///
    /// # Panics
    ///
    /// When the address cannot be bound; use [`MockServerBuilder::try_start`]
    /// to handle that.
    pub async fn start(self) -> MockServer {
        match self.try_start().await {
            Ok(server) => server,
            Err(err) => panic!("failed to start the Intelliprint mock: {err}"),
        }
    }

    /// Starts the server, returning the bind error if any.
    ///
    /// # Errors
    ///
    /// When the address cannot be bound.
    pub async fn try_start(self) -> io::Result<MockServer> {
        let running = spawn(self.config).await?;
        Ok(MockServer {
            address: running.address,
            shared: running.shared,
            shutdown: running.shutdown,
            task: Some(running.task),
        })
    }
}
