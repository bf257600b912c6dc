//! The one place a letter's status changes, and the schedule of changes to
//! come.
//!
//! [`State::change_status`] checks each change with `ip-status` (its table
//! and guards), so the mock has no transition rule of its own. Every
//! accepted change is recorded in the event log with its cause, and the
//! letter's next step on its timeline is scheduled.

use bytes::Bytes;
use ip_status::{Event, PostageService, Returned, Status, TransitionContext, TransitionError};
use rand::Rng;

use super::log::{Cause, LoggedChange};
use super::{Due, Fate, JobKey, State};
use crate::calendar;
use crate::webhook::Message;

impl State {
    /// Moves one letter by `event` at virtual time `at_ms`, after `ip-status`
    /// accepts the change for this letter, then schedules its next step.
    /// `returned` overrides the return details that the letter's fate gives.
    pub fn change_status(
        &mut self,
        key: JobKey,
        letter: u32,
        event: Event,
        at_ms: i64,
        cause: Cause,
        returned: Option<Returned>,
    ) -> Result<Status, TransitionError> {
        let Some(record) = self.record(key) else {
            return Err(TransitionError::IllegalEvent {
                from: Status::Draft,
                event,
            });
        };
        let index = letter as usize;
        let Some(item) = record.job.letters.get(index) else {
            return Err(TransitionError::IllegalEvent {
                from: Status::Draft,
                event,
            });
        };
        let from = item.status;
        let service = Some(item.postage_service);
        let fate = item.fate.clone();
        let mail_date_ms = record
            .job
            .settings
            .postage
            .mail_date
            .map(|s| s.saturating_mul(1000));
        let job_id = record.job.id;
        let letter_id = item.id;

        let returned = returned.or_else(|| match &fate {
            Fate::Returned { reason } => Some(Returned {
                date: at_ms / 1000,
                reason: (*reason).to_owned(),
            }),
            _ => None,
        });
        let context = TransitionContext {
            postage_service: service,
            returned: returned.as_ref(),
        };
        let to = from.apply_with(event, &context)?;

        let tracked = service.is_some_and(PostageService::is_tracked);
        let tracking_number = (to == Status::Shipping && tracked).then(|| self.tracking_number());
        let Some(record) = self.record_mut(key) else {
            return Ok(to);
        };
        let item = &mut record.job.letters[index];
        item.status = to;
        match to {
            Status::Shipping => item.tracking_number = tracking_number.map(String::into_boxed_str),
            Status::Sent => item.shipped_date = Some(at_ms / 1000),
            Status::Returned => item.returned = returned.map(Box::new),
            _ => {}
        }
        tracing::debug!(letter = %item.id(), %from, %to, %event, at_ms, ?cause, "status changed");

        self.events.push(LoggedChange {
            account: key.account,
            job: job_id,
            letter: letter_id,
            from,
            to,
            event,
            cause,
            at_ms,
        });
        if self.webhooks.is_active() {
            self.publish_letter_updated(key, index);
        }
        if let Some((next_event, due_ms)) = next_step(to, &fate, service, at_ms, mail_date_ms) {
            self.schedule(
                due_ms,
                Due::Letter {
                    job: key,
                    letter,
                    event: next_event,
                },
            );
        }
        Ok(to)
    }

    /// Queues a `letter.updated` webhook with the letter as it is now.
    fn publish_letter_updated(&mut self, key: JobKey, index: usize) {
        let Some(payload) = self.record(key).and_then(|record| {
            record
                .job
                .letter_updated(index, &self.accounts[key.account].id)
        }) else {
            return;
        };
        let letter = payload.id.clone();
        let body = match serde_json::to_vec(&payload) {
            Ok(body) => Bytes::from(body),
            Err(err) => {
                tracing::error!(%err, %letter, "cannot serialise a webhook payload");
                return;
            }
        };
        let id = self.random_id("msg_");
        self.webhooks.publish(Message { id, letter, body }, None);
    }

    /// Generates a Royal Mail style tracking number, `AB123456789GB`.
    fn tracking_number(&mut self) -> String {
        let letters: String = (0..2)
            .map(|_| char::from(b'A' + self.rng.random_range(0..26u8)))
            .collect();
        let digits: u32 = self.rng.random_range(0..1_000_000_000);
        format!("{letters}{digits:09}GB")
    }

    pub fn schedule(&mut self, due_ms: i64, due: Due) {
        let seq = self.next_seq();
        self.schedule.insert((due_ms, seq), due);
        self.earliest_due_ms = Some(
            self.earliest_due_ms
                .map_or(due_ms, |earliest| earliest.min(due_ms)),
        );
    }

    /// Returns the due time of the earliest pending change.
    pub fn next_due_ms(&self) -> Option<i64> {
        self.earliest_due_ms
    }

    /// Applies, in due order, every pending change due at or before
    /// `until_ms`, including the ones those changes schedule. Returns how many
    /// were applied.
    pub fn run_due(&mut self, until_ms: i64) -> usize {
        // A tick with nothing due touches no tree node, however many changes
        // are pending.
        if self
            .earliest_due_ms
            .is_none_or(|earliest| earliest > until_ms)
        {
            return 0;
        }

        let mut applied = 0;
        while let Some(entry) = self.schedule.first_entry() {
            if entry.key().0 > until_ms {
                break;
            }
            let ((due_ms, _), due) = entry.remove_entry();
            match due {
                Due::Letter { job, letter, event } => {
                    // A letter moved on by a cancellation or a control call
                    // since this step was scheduled no longer accepts it.
                    match self.change_status(job, letter, event, due_ms, Cause::Schedule, None) {
                        Ok(_) => applied += 1,
                        Err(err) => tracing::debug!(%err, "scheduled change no longer applies"),
                    }
                }
                Due::PurgeTestJob { job } => self.purge(job),
            }
        }
        self.earliest_due_ms = self
            .schedule
            .first_key_value()
            .map(|((due_ms, _), _)| *due_ms);
        applied
    }

    /// Deletes a test job a week after its confirmation.
    fn purge(&mut self, key: JobKey) {
        if let Some(record) = self.remove_job(key) {
            tracing::debug!(job = %record.job.id(), "test job deleted a week after confirmation");
        }
    }

    /// Advances the clock by `span_ms`, applying every change that falls due
    /// on the way at its own due time. Returns how many changes were applied.
    pub fn advance(&mut self, span_ms: i64) -> usize {
        let target = self.clock.now_ms().saturating_add(span_ms.max(0));
        let applied = self.run_due(target);
        self.clock.advance_to(target);
        applied
    }
}

/// Returns the event that follows `status` on a letter's timeline, and when.
pub fn next_step(
    status: Status,
    fate: &Fate,
    service: Option<PostageService>,
    at_ms: i64,
    mail_date_ms: Option<i64>,
) -> Option<(Event, i64)> {
    match status {
        Status::WaitingToPrint => Some((
            Event::StartPrinting,
            calendar::next_print_run(at_ms, mail_date_ms),
        )),
        Status::Printing if *fate == Fate::StuckInPrinting => None,
        Status::Printing => Some((Event::Enclose, at_ms + calendar::PRINTING_MS)),
        Status::Enclosing => Some((Event::Dispatch, at_ms + calendar::ENCLOSING_MS)),
        Status::Shipping => {
            let tracked = service.is_some_and(PostageService::is_tracked);
            let event = if tracked && *fate == Fate::InvalidAddress {
                Event::RejectAddress
            } else {
                Event::HandToCarrier
            };
            Some((event, calendar::next_collection(at_ms)))
        }
        Status::Sent => match fate {
            Fate::Returned { .. } => Some((Event::Return, at_ms + calendar::RETURN_AFTER_MS)),
            _ => None,
        },
        _ => None,
    }
}
