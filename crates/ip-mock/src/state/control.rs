//! Control operations of the control API and the embedded server: move
//! letters and jobs along their lifecycle, read the logs, reset.
//!
//! Moves go through [`State::change_status`] one transition at a time, so a
//! jump from `waiting_to_print` to `sent` leaves the same trail (and the same
//! webhooks) as the timeline would.

use ip_status::{Returned, Status, StatusSet, TransitionContext};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::engine::next_step;
use super::log::{
    Cause, EventFilter, IdSuffix, JournalEntry, LoggedChange, LoggedRequest, StatusChange,
};
use super::{AccountHash, Fate, JobKey, State, StoredLetter};
use crate::ControlError;

/// The reason a control call returns a letter with when none is given.
pub const DEFAULT_RETURN_REASON: &str = "Addressee Gone Away";

/// Optional details for a move to `returned`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnDetails {
    /// The return reason; defaults to the letter's drawn reason, or
    /// "Addressee Gone Away".
    pub reason: Option<String>,
    /// The return date, unix seconds; defaults to the current virtual time.
    pub date: Option<i64>,
}

impl State {
    /// Finds a letter anywhere, whatever its account.
    fn letter_key(&self, id: &str) -> Result<(JobKey, u32), ControlError> {
        IdSuffix::of(id, super::stored::LETTER_PREFIX)
            .and_then(|suffix| self.letters.get(&suffix).copied())
            .ok_or_else(|| ControlError::NotFound(format!("No such letter: {id}")))
    }

    /// Finds a job anywhere, whatever its account.
    fn job_key(&self, id: &str) -> Result<JobKey, ControlError> {
        self.accounts
            .iter()
            .enumerate()
            .find_map(|(account, stored)| {
                IdSuffix::of(id, super::stored::JOB_PREFIX)
                    .and_then(|suffix| stored.by_id.get(&suffix))
                    .map(|seq| JobKey { account, seq: *seq })
            })
            .ok_or_else(|| ControlError::NotFound(format!("No such print job: {id}")))
    }

    /// Finds letter number `letter` of a stored job.
    fn stored_letter(&self, key: JobKey, letter: u32) -> Result<&StoredLetter, ControlError> {
        self.record(key)
            .and_then(|record| record.job.letters.get(letter as usize))
            .ok_or_else(|| ControlError::NotFound("No such letter".to_owned()))
    }

    fn letter_status(&self, key: JobKey, letter: u32) -> Status {
        self.stored_letter(key, letter)
            .map_or(Status::Draft, |item| item.status)
    }

    /// Moves a letter one step along its normal path, ignoring a "stuck in
    /// printing" postcode. A `sent` letter moves on only if it was chosen to
    /// be returned.
    pub fn advance_letter(&mut self, id: &str) -> Result<Vec<StatusChange>, ControlError> {
        let (key, letter) = self.letter_key(id)?;
        let status = self.letter_status(key, letter);
        if status == Status::Draft {
            return Err(draft_letter(id));
        }
        self.step_letter(key, letter)?;
        Ok(self.latest_changes(1))
    }

    fn step_letter(&mut self, key: JobKey, letter: u32) -> Result<(), ControlError> {
        let now = self.clock.now_ms();
        let item = self.stored_letter(key, letter)?;
        let status = item.status;
        let mut fate = item.fate.clone();
        if fate == Fate::StuckInPrinting {
            fate = Fate::Delivered;
        }

        let Some((event, _)) = next_step(status, &fate, Some(item.postage_service), now, None)
        else {
            let message = if status.is_terminal() {
                format!("Letter {} is {status}, which is terminal", item.id())
            } else {
                format!(
                    "Letter {} is {status} and has no further step on its normal path; \
                     move it to one of its reachable statuses instead",
                    item.id()
                )
            };
            return Err(ControlError::Conflict {
                message,
                reachable: status.reachable().iter().collect(),
            });
        };
        self.change_status(key, letter, event, now, Cause::Control, None)
            .map(|_| ())
            .map_err(|err| ControlError::Conflict {
                message: err.to_string(),
                reachable: status.reachable().iter().collect(),
            })
    }

    /// Moves a letter to `target`, applying and recording every transition on
    /// the way in order.
    pub fn move_letter(
        &mut self,
        id: &str,
        target: Status,
        details: &ReturnDetails,
    ) -> Result<Vec<StatusChange>, ControlError> {
        let (key, letter) = self.letter_key(id)?;
        if self.letter_status(key, letter) == Status::Draft && target != Status::Draft {
            return Err(draft_letter(id));
        }
        self.check_move(key, letter, target, details)?;
        let applied = self.apply_move(key, letter, target, details);
        Ok(self.latest_changes(applied))
    }

    /// Checks that `target` is reachable and every guard on the way holds,
    /// before anything changes.
    fn check_move(
        &self,
        key: JobKey,
        letter: u32,
        target: Status,
        details: &ReturnDetails,
    ) -> Result<(), ControlError> {
        let item = self.stored_letter(key, letter)?;
        let from = item.status;

        let Some(path) = from.path_to(target) else {
            let reachable: Vec<Status> = from.reachable().iter().collect();
            let message = format!(
                "Cannot move letter {} from {from} to {target}: {target} is not reachable from {from}; reachable: {}",
                item.id(),
                describe(from.reachable())
            );
            return Err(ControlError::Conflict { message, reachable });
        };

        let returned = self.return_details(key, letter, details);
        let context = TransitionContext {
            postage_service: Some(item.postage_service),
            returned: Some(&returned),
        };
        let passes = |target: Status| {
            from.path_to(target).is_some_and(|path| {
                path.iter()
                    .all(|transition| transition.check(&context).is_ok())
            })
        };
        for transition in path.iter() {
            if let Err(err) = transition.check(&context) {
                // Only the statuses whose every guard this letter meets.
                let reachable: Vec<Status> =
                    from.reachable().iter().filter(|s| passes(*s)).collect();
                let message = format!(
                    "Cannot move letter {} from {from} to {target}: {err}",
                    item.id()
                );
                return Err(ControlError::Conflict { message, reachable });
            }
        }

        // A return cannot come back before the letter was handed over; a
        // letter not sent yet is sent now, on the way.
        if target == Status::Returned {
            let shipped = item.shipped_date.unwrap_or(self.clock.now_ms() / 1000);
            if returned.date < shipped {
                let message = format!(
                    "Cannot return letter {} on {}: it was sent on {shipped}, so the return date must be {shipped} or later",
                    item.id(), returned.date
                );
                return Err(ControlError::Conflict {
                    message,
                    reachable: from.reachable().iter().collect(),
                });
            }
        }
        Ok(())
    }

    /// Applies a checked move; returns the number of transitions applied.
    fn apply_move(
        &mut self,
        key: JobKey,
        letter: u32,
        target: Status,
        details: &ReturnDetails,
    ) -> usize {
        let from = self.letter_status(key, letter);
        let Some(path) = from.path_to(target) else {
            return 0;
        };
        let returned = self.return_details(key, letter, details);
        let now = self.clock.now_ms();

        let mut applied = 0;
        for transition in path.iter() {
            let details = (transition.to == Status::Returned).then(|| returned.clone());
            match self.change_status(key, letter, transition.event, now, Cause::Control, details) {
                Ok(_) => applied += 1,
                Err(err) => {
                    tracing::warn!(%err, "checked control move failed part-way");
                    break;
                }
            }
        }
        applied
    }

    fn return_details(&self, key: JobKey, letter: u32, details: &ReturnDetails) -> Returned {
        let drawn = match self.stored_letter(key, letter) {
            Ok(StoredLetter {
                fate: Fate::Returned { reason },
                ..
            }) => Some((*reason).to_owned()),
            _ => None,
        };
        Returned {
            date: details.date.unwrap_or(self.clock.now_ms() / 1000),
            reason: details
                .reason
                .clone()
                .or(drawn)
                .unwrap_or_else(|| DEFAULT_RETURN_REASON.to_owned()),
        }
    }

    /// Moves every letter of a job one step; a draft job is confirmed.
    pub fn advance_job(&mut self, id: &str) -> Result<Vec<StatusChange>, ControlError> {
        let key = self.job_key(id)?;
        let letters = self
            .record(key)
            .map_or(0, |record| record.job.letters.len()) as u32;
        if self.letter_status(key, 0) == Status::Draft {
            self.confirm_by_control(key)?;
            return Ok(self.latest_changes(letters as usize));
        }

        let mut applied = 0;
        let mut last_error = None;
        for letter in 0..letters {
            match self.step_letter(key, letter) {
                Ok(()) => applied += 1,
                Err(err) => last_error = Some(err),
            }
        }
        match (applied, last_error) {
            (0, Some(err)) => Err(err),
            _ => Ok(self.latest_changes(applied)),
        }
    }

    /// Moves every letter of a job to `target`; a draft job is confirmed
    /// first. Nothing changes unless every letter can get there.
    pub fn move_job(
        &mut self,
        id: &str,
        target: Status,
        details: &ReturnDetails,
    ) -> Result<Vec<StatusChange>, ControlError> {
        let key = self.job_key(id)?;
        let letters = self
            .record(key)
            .map_or(0, |record| record.job.letters.len()) as u32;
        for letter in 0..letters {
            self.check_move(key, letter, target, details)?;
        }

        let mut applied = 0;
        if target != Status::Draft && self.letter_status(key, 0) == Status::Draft {
            self.confirm_by_control(key)?;
            applied += letters as usize;
        }
        for letter in 0..letters {
            applied += self.apply_move(key, letter, target, details);
        }
        Ok(self.latest_changes(applied))
    }

    fn confirm_by_control(&mut self, key: JobKey) -> Result<(), ControlError> {
        self.confirm(key, Cause::Control)
            .map_err(|failure| ControlError::Conflict {
                message: failure.body.error.message,
                reachable: vec![Status::WaitingToPrint],
            })
    }

    /// Returns the last `count` status changes, oldest first.
    fn latest_changes(&self, count: usize) -> Vec<StatusChange> {
        let mut changes: Vec<StatusChange> = self
            .events
            .iter()
            .rev()
            .take(count)
            .map(|change| self.describe_change(change))
            .collect();
        changes.reverse();
        changes
    }

    fn describe_change(&self, change: &LoggedChange) -> StatusChange {
        StatusChange {
            letter: change.letter.with_prefix(super::stored::LETTER_PREFIX),
            print_id: change.job.with_prefix(super::stored::JOB_PREFIX),
            account: self
                .accounts
                .get(change.account)
                .map(|a| a.id.clone())
                .unwrap_or_default(),
            from: change.from,
            to: change.to,
            event: change.event,
            cause: change.cause,
            time: change.at_ms / 1000,
            time_ms: change.at_ms,
        }
    }

    /// Returns the status changes that match `filter`, oldest first.
    pub fn status_changes(&self, filter: &EventFilter) -> Vec<StatusChange> {
        let job = filter
            .print_id
            .as_deref()
            .map(|id| IdSuffix::of(id, "print_"));
        let letter = filter.letter.as_deref().map(|id| IdSuffix::of(id, "ltr_"));
        self.events
            .iter()
            .filter(|change| job.is_none_or(|job| job == Some(change.job)))
            .filter(|change| letter.is_none_or(|letter| letter == Some(change.letter)))
            .filter(|change| filter.since_ms.is_none_or(|since| change.at_ms >= since))
            .filter(|change| filter.until_ms.is_none_or(|until| change.at_ms <= until))
            .map(|change| self.describe_change(change))
            .collect()
    }

    /// Returns the journaled API requests, oldest first, of one account if given.
    pub fn journal_entries(&self, account: Option<&str>) -> Vec<JournalEntry> {
        self.journal
            .iter()
            .map(LoggedRequest::describe)
            .filter(|entry| account.is_none_or(|account| entry.account.as_deref() == Some(account)))
            .collect()
    }

    /// Forgets every account, job, pending change and log entry, and reseeds
    /// the generator so a reset run replays. The clock keeps its time.
    pub fn reset(&mut self) {
        self.accounts.clear();
        self.account_by_key.clear();
        self.schedule.clear();
        self.earliest_due_ms = None;
        self.letters.clear();
        self.events.clear();
        self.journal.clear();
        self.rate_limiter.clear();
        self.webhooks.clear_records();
        self.rng = StdRng::seed_from_u64(self.seed);
        tracing::info!("state reset");
    }

    /// Forgets one account's jobs and log entries; the account id stays valid.
    /// Returns whether the account existed.
    pub fn reset_account(&mut self, account_id: &str) -> bool {
        let Some(index) = self.accounts.iter().position(|a| a.id == account_id) else {
            return false;
        };
        let seqs: Vec<u64> = self.accounts[index].jobs.keys().copied().collect();
        for seq in seqs {
            self.remove_job(JobKey {
                account: index,
                seq,
            });
        }
        self.events.retain(|change| change.account != index);
        self.journal
            .retain(|entry| entry.account.map(AccountHash::id).as_deref() != Some(account_id));
        tracing::info!(account = account_id, "account reset");
        true
    }
}

fn draft_letter(id: &str) -> ControlError {
    ControlError::Conflict {
        message: format!("Letter {id} belongs to a draft print job; confirm the job first, or move the whole job"),
        reachable: vec![Status::WaitingToPrint],
    }
}

fn describe(set: StatusSet) -> String {
    if set.is_empty() {
        "none".to_owned()
    } else {
        set.to_string()
    }
}
