//! Settings shared by the command line and the embedded builder.

use std::net::IpAddr;
use std::time::Duration;

use crate::Faults;

/// How the virtual clock moves.
///
/// ```
/// use ip_mock::ClockMode;
///
/// assert_eq!("manual".parse::<ClockMode>().unwrap(), ClockMode::Manual);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ClockMode {
    /// Virtual time runs `speed` times faster than wall time.
    #[default]
    Realtime,
    /// Virtual time stands still until a test advances it.
    Manual,
}

impl std::str::FromStr for ClockMode {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        <ClockMode as clap::ValueEnum>::from_str(value, true)
    }
}

impl std::fmt::Display for ClockMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClockMode::Realtime => f.write_str("realtime"),
            ClockMode::Manual => f.write_str("manual"),
        }
    }
}

/// Every setting of a mock server. The defaults are the command line's.
///
/// ```
/// use ip_mock::Config;
///
/// let config = Config::default();
/// assert_eq!(config.port, 4480);
/// assert_eq!(config.body_limit, 100 * 1024 * 1024);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The address to bind; loopback unless changed.
    pub host: IpAddr,
    /// The TCP port; 0 picks a free one.
    pub port: u16,
    /// How the virtual clock moves.
    pub clock: ClockMode,
    /// Virtual seconds per wall second in [`ClockMode::Realtime`].
    pub speed: f64,
    /// Virtual time at start, unix milliseconds; `None` starts at the wall clock.
    pub start_time_ms: Option<i64>,
    /// Seed of the random number generator; `None` picks one at start.
    pub seed: Option<u64>,
    /// The accepted API keys; empty accepts any key, one account per key.
    pub api_keys: Vec<String>,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Share (0 to 1) of sent letters that come back as returned.
    pub return_rate: f64,
    /// Share (0 to 1) of tracked letters that the carrier rejects for their address.
    pub invalid_address_rate: f64,
    /// Faults injected into `/v1` requests.
    pub faults: Faults,
    /// A token the control API requires; `None` leaves it open.
    pub control_token: Option<String>,
    /// Webhook endpoints registered at start: `URL`, or `URL#whsec_…` to give
    /// the signing secret.
    pub webhooks: Vec<String>,
    /// Wall-clock limit of one webhook delivery attempt.
    pub webhook_timeout: Duration,
    /// Messages per endpoint that may wait for delivery; more are dropped and
    /// counted.
    pub webhook_queue: usize,
}

/// The default port, chosen to be unlikely to clash with common dev servers.
pub const DEFAULT_PORT: u16 = 4480;

/// The default clock speed: a full lifecycle spanning a weekend (about 75
/// virtual hours) takes under five wall seconds.
pub const DEFAULT_SPEED: f64 = 60_000.0;

impl Default for Config {
    fn default() -> Self {
        Config {
            host: IpAddr::from([127, 0, 0, 1]),
            port: DEFAULT_PORT,
            clock: ClockMode::Realtime,
            speed: DEFAULT_SPEED,
            start_time_ms: None,
            seed: None,
            api_keys: Vec::new(),
            body_limit: 100 * 1024 * 1024,
            return_rate: 0.0,
            invalid_address_rate: 0.0,
            faults: Faults::default(),
            control_token: None,
            webhooks: Vec::new(),
            webhook_timeout: Duration::from_secs(15),
            webhook_queue: 10_000,
        }
    }
}

impl Config {
    /// The wall time that `virtual_span` of virtual time takes at this speed.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let config = ip_mock::Config { speed: 1000.0, ..Default::default() };
    /// assert_eq!(config.wall_time_for(Duration::from_secs(1000)), Duration::from_secs(1));
    /// ```
    pub fn wall_time_for(&self, virtual_span: Duration) -> Duration {
        virtual_span.div_f64(self.speed)
    }
}
