//! The virtual clock that drives every mail item.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::ClockMode;

/// Virtual time in unix milliseconds, derived from wall time and a speed, or
/// frozen until advanced.
///
/// Virtual time never goes backwards: changing the speed or pausing re-anchors
/// the clock at the current virtual instant.
#[derive(Debug, Clone)]
pub(crate) struct VirtualClock {
    /// Virtual time at `anchor_wall`, unix milliseconds.
    anchor_virtual_ms: i64,
    /// The wall instant of the last re-anchoring.
    anchor_wall: Instant,
    /// Virtual milliseconds per wall millisecond; 0 when frozen.
    speed: f64,
}

impl VirtualClock {
    pub(crate) fn new(mode: ClockMode, speed: f64, start_time_ms: Option<i64>) -> Self {
        let start = start_time_ms.unwrap_or_else(wall_clock_ms);
        let speed = match mode {
            ClockMode::Realtime => speed,
            ClockMode::Manual => 0.0,
        };
        VirtualClock {
            anchor_virtual_ms: start,
            anchor_wall: Instant::now(),
            speed,
        }
    }

    /// The current virtual time, unix milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        let elapsed = self.anchor_wall.elapsed().as_secs_f64() * 1000.0 * self.speed;
        self.anchor_virtual_ms + elapsed as i64
    }

    /// Returns whether virtual time moves by itself.
    pub(crate) fn is_running(&self) -> bool {
        self.speed > 0.0
    }

    /// Moves virtual time forward to `target_ms`; earlier targets are ignored.
    pub(crate) fn advance_to(&mut self, target_ms: i64) {
        let now = self.now_ms();
        self.anchor_virtual_ms = now.max(target_ms);
        self.anchor_wall = Instant::now();
    }

    /// The wall-clock wait until virtual time reaches `due_ms`, or `None` when
    /// the clock is frozen.
    pub(crate) fn wall_wait_until(&self, due_ms: i64) -> Option<Duration> {
        if !self.is_running() {
            return None;
        }
        let virtual_wait = (due_ms - self.now_ms()).max(0) as f64;
        Some(Duration::from_secs_f64(virtual_wait / self.speed / 1000.0))
    }
}

fn wall_clock_ms() -> i64 {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    since_epoch.as_millis() as i64
}
