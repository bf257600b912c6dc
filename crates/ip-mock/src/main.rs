//! The `ip-mock` binary: an Intelliprint v1 mock on loopback.
//!
//! ```text
//! cargo run -p ip-mock                      # http://127.0.0.1:4480
//! cargo run -p ip-mock -- --port 0 --clock manual --seed 7
//! ```

use std::net::IpAddr;

use clap::Parser;
use ip_mock::{ClockMode, Config, Faults, Latency, DEFAULT_PORT};
use tracing_subscriber::EnvFilter;

/// mimalloc keeps allocation cheap in a large, long-lived heap: with glibc's
/// allocator, a retrieve got slower as the number of stored jobs grew.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A local mock of the Intelliprint v1 print-and-post API. Every flag can also
/// be set through the environment variable shown.
#[derive(Debug, Parser)]
#[command(name = "ip-mock", version, about)]
struct Args {
    /// Address to listen on. Loopback by default; use 0.0.0.0 to accept other hosts.
    #[arg(long, env = "IP_MOCK_HOST", default_value = "127.0.0.1")]
    host: IpAddr,

    /// TCP port to listen on; 0 picks a free port (read it from the "listening on" line).
    #[arg(long, env = "IP_MOCK_PORT", default_value_t = DEFAULT_PORT)]
    port: u16,

    /// How virtual time moves: "realtime" runs it --speed times faster than wall
    /// time; "manual" freezes it until a test advances it.
    #[arg(long, env = "IP_MOCK_CLOCK", value_enum, default_value_t = ClockMode::Realtime)]
    clock: ClockMode,

    /// Virtual seconds per wall second in realtime mode. The default runs a
    /// whole lifecycle, weekends included, in under five seconds.
    #[arg(long, env = "IP_MOCK_SPEED", default_value_t = ip_mock::DEFAULT_SPEED, value_parser = positive_speed)]
    speed: f64,

    /// Virtual time at start, in unix seconds. Defaults to the wall clock.
    #[arg(long, env = "IP_MOCK_START_TIME")]
    start_time: Option<i64>,

    /// Seed of the random number generator (ids, tracking numbers, returns).
    /// The same seed and the same requests replay the same run. Random by default.
    #[arg(long, env = "IP_MOCK_SEED")]
    seed: Option<u64>,

    /// Accept only this API key (repeat the flag for several; the variable takes
    /// a comma-separated list). By default any key is accepted, one account per key.
    #[arg(long = "api-key", env = "IP_MOCK_API_KEY", value_delimiter = ',')]
    api_keys: Vec<String>,

    /// Largest request body accepted, in bytes. Larger bodies get 413 body_too_large.
    #[arg(long, env = "IP_MOCK_BODY_LIMIT", default_value_t = 100 * 1024 * 1024)]
    body_limit: usize,

    /// Share of sent letters, from 0 to 1, that come back as returned about 28
    /// virtual hours later, with a random Royal Mail reason.
    #[arg(long, env = "IP_MOCK_RETURN_RATE", default_value_t = 0.0, value_parser = share)]
    return_rate: f64,

    /// Share of letters with a tracked postage service, from 0 to 1, that the
    /// carrier rejects as invalid_address.
    #[arg(long, env = "IP_MOCK_INVALID_ADDRESS_RATE", default_value_t = 0.0, value_parser = share)]
    invalid_address_rate: f64,

    /// Delay added to every /v1 response: a duration such as "50ms", or a range
    /// such as "20ms..200ms" for a uniformly random delay.
    #[arg(long, env = "IP_MOCK_LATENCY")]
    latency: Option<Latency>,

    /// Share of /v1 requests, from 0 to 1, answered with 500 internal_error.
    #[arg(long, env = "IP_MOCK_ERROR_RATE", default_value_t = 0.0, value_parser = share)]
    error_rate: f64,

    /// Share of /v1 requests, from 0 to 1, answered with 503 and an internal_error body.
    #[arg(long, env = "IP_MOCK_UNAVAILABLE_RATE", default_value_t = 0.0, value_parser = share)]
    unavailable_rate: f64,

    /// Share of /v1 requests, from 0 to 1, whose connection is closed with no answer.
    #[arg(long, env = "IP_MOCK_DROP_RATE", default_value_t = 0.0, value_parser = share)]
    drop_rate: f64,

    /// Enforce the real API's limit of 100 requests per minute per account
    /// (429 rate_limited with a Retry-After header in seconds).
    #[arg(long, env = "IP_MOCK_RATE_LIMIT")]
    rate_limit: bool,

    /// Require this token on the control API (/_mock/...), sent as
    /// "Authorization: Bearer TOKEN" or in the X-Control-Token header.
    /// /_mock/health stays open.
    #[arg(long, env = "IP_MOCK_CONTROL_TOKEN")]
    control_token: Option<String>,

    /// Send signed letter.updated webhooks to this http:// URL (repeat the flag
    /// for several; the variable takes a comma-separated list). Append
    /// "#whsec_..." to give the signing secret; otherwise one is generated and
    /// shown by GET /_mock/webhooks.
    #[arg(long = "webhook", env = "IP_MOCK_WEBHOOK", value_delimiter = ',')]
    webhooks: Vec<String>,

    /// Wall-clock limit of one webhook delivery attempt, such as "15s".
    #[arg(long, env = "IP_MOCK_WEBHOOK_TIMEOUT", default_value = "15s", value_parser = humantime::parse_duration)]
    webhook_timeout: std::time::Duration,

    /// Webhook messages per endpoint that may wait for delivery; further ones
    /// are dropped, logged and counted.
    #[arg(long, env = "IP_MOCK_WEBHOOK_QUEUE", default_value_t = 10_000)]
    webhook_queue: usize,

    /// Log filter in tracing's env-filter syntax, for example "debug" to log each
    /// request. Logs go to stderr.
    #[arg(long, env = "IP_MOCK_LOG", default_value = "info")]
    log: String,
}

fn positive_speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(speed) if speed.is_finite() && speed > 0.0 => Ok(speed),
        _ => Err(format!("{text:?} is not a positive number")),
    }
}

fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("{text:?} is not a number from 0 to 1")),
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let filter = EnvFilter::try_new(&args.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .init();

    let config = Config {
        host: args.host,
        port: args.port,
        clock: args.clock,
        speed: args.speed,
        start_time_ms: args.start_time.map(|seconds| seconds.saturating_mul(1000)),
        seed: args.seed,
        api_keys: args.api_keys,
        body_limit: args.body_limit,
        return_rate: args.return_rate,
        invalid_address_rate: args.invalid_address_rate,
        faults: Faults {
            latency: args.latency,
            error_rate: args.error_rate,
            unavailable_rate: args.unavailable_rate,
            drop_rate: args.drop_rate,
            rate_limit: args.rate_limit,
        },
        control_token: args.control_token,
        webhooks: args.webhooks,
        webhook_timeout: args.webhook_timeout,
        webhook_queue: args.webhook_queue,
    };

    match ip_mock::run(config, shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(%err, "ip-mock failed to start");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };

    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}
