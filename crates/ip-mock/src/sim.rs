//! The background task that applies status changes as virtual time passes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::state::State;
use crate::{Config, Faults};

/// State shared by the request handlers and the scheduler.
///
/// The state sits behind a `std` mutex, not Tokio's: every critical section
/// is short and never awaits, and a blocking lock is cheaper there.
#[derive(Debug)]
pub struct Shared {
    state: Mutex<State>,
    /// Wakes the scheduler when a change is scheduled or the clock moves, so it
    /// can sleep until the earliest deadline instead of polling.
    pub wake: Notify,
    pub config: Config,
    /// The seed of the run, logged at start so a run can be replayed.
    pub seed: u64,
    /// Whether any fault is configured, read without the lock so that the
    /// fault layer costs nothing when none is.
    pub faults_active: AtomicBool,
}

impl Shared {
    pub fn new(config: Config) -> Self {
        let seed = config.seed.unwrap_or_else(rand::random);
        let faults_active = AtomicBool::new(config.faults != Faults::default());
        Shared {
            faults_active,
            state: Mutex::new(State::new(&config, seed)),
            wake: Notify::new(),
            config,
            seed,
        }
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: Faults) {
        self.faults_active
            .store(faults != Faults::default(), Ordering::Relaxed);
        self.lock().faults = faults;
    }

    /// Locks the state. A handler that panicked while holding the lock left
    /// the state as consistent as any single step, so poisoning is ignored.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Applies due changes until `shutdown` fires: sleeps until the earliest
/// deadline, or until woken because an earlier one was scheduled. With a
/// frozen clock it only waits to be woken.
pub async fn run_scheduler(shared: Arc<Shared>, shutdown: CancellationToken) {
    loop {
        let wait = {
            let mut state = shared.lock();
            let now = state.clock.now_ms();
            state.run_due(now);
            state
                .next_due_ms()
                .and_then(|due| state.clock.wall_wait_until(due))
        };

        let sleep = async {
            match wait {
                Some(duration) => {
                    tokio::time::sleep(duration.max(Duration::from_micros(100))).await
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = shared.wake.notified() => {}
            _ = sleep => {}
        }
    }
    tracing::debug!("scheduler stopped");
}
