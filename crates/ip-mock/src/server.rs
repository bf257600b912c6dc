//! Starting the server, standalone or embedded in a test.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::sim::{self, Shared};
use crate::{api, ClockMode, Config};

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
    let shared = Arc::new(Shared::new(config));
    let shutdown = CancellationToken::new();

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

    /// A builder for the same settings as the command line.
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

    /// The base URL, `http://127.0.0.1:PORT`, without a trailing slash.
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

    /// The bound socket address.
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

    /// The seed of the random number generator; pass it to
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

    /// The current virtual time, unix milliseconds.
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
        let span_ms = i64::try_from(span.as_millis()).unwrap_or(i64::MAX);
        let applied = self.shared.lock().advance(span_ms);
        self.shared.wake.notify_one();
        applied
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
