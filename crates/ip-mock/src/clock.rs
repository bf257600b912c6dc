//! The virtual clock that drives every mail item.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::ClockMode;

/// Virtual time in unix milliseconds, derived from wall time and a speed, or
/// paused until advanced.
///
/// Virtual time never goes backwards: changing the speed, pausing or resuming
/// re-anchors the clock at the current virtual instant.
#[derive(Debug, Clone)]
pub(crate) struct VirtualClock {
    /// Virtual time at `anchor_wall`, unix milliseconds.
    anchor_virtual_ms: i64,
    /// The wall instant of the last re-anchoring.
    anchor_wall: Instant,
    /// Virtual milliseconds per wall millisecond while running.
    speed: f64,
    /// Whether virtual time stands still (manual mode, or paused).
    paused: bool,
}

/// The clock as the control API reports it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use ip_mock::{ClockMode, MockServer};
///
/// let server = MockServer::builder().clock(ClockMode::Manual).start_time_ms(1_700_000_000_000).start().await;
/// let clock = server.clock();
/// assert_eq!(clock.now, 1_700_000_000);
/// assert!(clock.paused);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClockStatus {
    /// Virtual time, unix seconds.
    pub now: i64,
    /// Virtual time, unix milliseconds.
    pub now_ms: i64,
    /// Virtual seconds per wall second while running.
    pub speed: f64,
    /// Whether virtual time stands still until advanced.
    pub paused: bool,
}

impl VirtualClock {
    pub(crate) fn new(mode: ClockMode, speed: f64, start_time_ms: Option<i64>) -> Self {
        VirtualClock {
            anchor_virtual_ms: start_time_ms.unwrap_or_else(wall_clock_ms),
            anchor_wall: Instant::now(),
            speed,
            paused: mode == ClockMode::Manual,
        }
    }

    /// The current virtual time, unix milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        if self.paused {
            return self.anchor_virtual_ms;
        }
        let elapsed = self.anchor_wall.elapsed().as_secs_f64() * 1000.0 * self.speed;
        self.anchor_virtual_ms.saturating_add(elapsed as i64)
    }

    pub(crate) fn status(&self) -> ClockStatus {
        let now_ms = self.now_ms();
        ClockStatus {
            now: now_ms.div_euclid(1000),
            now_ms,
            speed: self.speed,
            paused: self.paused,
        }
    }

    /// Moves virtual time forward to `target_ms`; earlier targets are ignored.
    pub(crate) fn advance_to(&mut self, target_ms: i64) {
        let now = self.now_ms();
        self.anchor_virtual_ms = now.max(target_ms);
        self.anchor_wall = Instant::now();
    }

    pub(crate) fn set_paused(&mut self, paused: bool) {
        self.advance_to(self.now_ms());
        self.paused = paused;
    }

    pub(crate) fn set_speed(&mut self, speed: f64) {
        self.advance_to(self.now_ms());
        self.speed = speed;
    }

    /// The wall-clock wait until virtual time reaches `due_ms`, or `None` when
    /// the clock is paused.
    pub(crate) fn wall_wait_until(&self, due_ms: i64) -> Option<Duration> {
        if self.paused {
            return None;
        }
        let virtual_wait = due_ms.saturating_sub(self.now_ms()).max(0) as f64;
        Some(Duration::from_secs_f64(virtual_wait / self.speed / 1000.0))
    }
}

fn wall_clock_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    since_epoch.as_millis() as i64
}
