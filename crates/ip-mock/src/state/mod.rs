//! The mock's whole state: accounts, their print jobs, the virtual clock, the
//! random number generator and the schedule of pending status changes.
//!
//! Every status change goes through [`State::change_status`] (in `engine`),
//! which checks the change with `ip-status`, so the mock has no transition
//! rule of its own.

mod control;
mod engine;
pub mod log;
mod stored;

pub use control::ReturnDetails;
pub use log::{Cause, EventFilter, JournalEntry, StatusChange};
pub use stored::{JobSettings, StoredJob, StoredLetter};

use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;

use ip_status::{Deleted, Event, JobType, PostageService, PrintJob, Status, StatusSet};
use rand::distr::Alphanumeric;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::api::body::UploadedFile;
use crate::api::error::ApiFailure;
use crate::clock::VirtualClock;
use crate::faults::{Faults, RateLimiter};
use crate::jobs::{self, PrintRequest};
use crate::magic::{self, LetterMagic};
use crate::webhook::Registry;
use crate::Config;
use ip_status::ErrorCode;
use log::{Bounded, IdSuffix, LoggedChange, LoggedRequest};
use stored::SettingsPool;

/// A draft can be confirmed up to 30 days after it was created.
pub const DRAFT_LIFETIME_MS: i64 = 30 * DAY_MS;
/// Test jobs are deleted a week after confirmation.
pub const TEST_JOB_LIFETIME_MS: i64 = 7 * DAY_MS;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Return reasons Royal Mail gives, drawn for letters chosen to come back.
pub const RETURN_REASONS: [&str; 5] = [
    "Addressee Gone Away",
    "Delivery Refused",
    "Not Called For",
    "Addressee Unknown",
    "Address Inaccessible",
];

/// The outcome of a confirmed letter, chosen at confirmation by a magic
/// postcode or drawn from the seeded generator.
#[derive(Debug, Clone, PartialEq)]
pub enum Fate {
    Delivered,
    Returned { reason: &'static str },
    InvalidAddress,
    StuckInPrinting,
}

/// A stored job and its JSON cache.
#[derive(Debug, Clone)]
pub struct JobRecord {
    pub job: StoredJob,
    /// The job's JSON as last served, so that polling an unchanged job does
    /// not serialise it again. Every mutable access clears it.
    json: Option<Bytes>,
}

/// A stored job: the few fields list filters read, kept inline in the tree
/// so that a list scans them densely, and the record behind a pointer.
#[derive(Debug, Clone)]
pub struct JobSlot {
    summary: JobSummary,
    /// Whether the record changed since `summary` was computed. Marking it
    /// costs nothing on a status change; the next list recomputes it.
    stale: bool,
    pub record: Box<JobRecord>,
}

impl JobSlot {
    /// Brings the summary up to date with the record.
    pub fn refresh(&mut self) {
        if self.stale {
            self.summary = JobSummary::of(&self.record.job);
            self.stale = false;
        }
    }

    /// The summary as of the last [`JobSlot::refresh`].
    pub fn summary(&self) -> &JobSummary {
        &self.summary
    }
}

/// What the list filters need to know of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobSummary {
    pub testmode: bool,
    pub confirmed: bool,
    pub job_type: Option<JobType>,
    /// The statuses its letters are in.
    pub statuses: StatusSet,
}

impl JobSummary {
    fn of(job: &StoredJob) -> JobSummary {
        JobSummary {
            testmode: job.testmode,
            confirmed: job.confirmed,
            job_type: job.settings.job_type.known(),
            statuses: job.letters.iter().map(|letter| letter.status).collect(),
        }
    }
}

/// The jobs of one API key.
#[derive(Debug, Default)]
pub struct Account {
    /// `acc_…`, derived from the key so that it is the same on every run.
    pub id: String,
    /// Jobs by creation sequence number, so iteration is in creation order.
    pub jobs: BTreeMap<u64, JobSlot>,
    /// Sequence numbers by job id.
    pub by_id: HashMap<IdSuffix, u64>,
}

/// The location of a job: its account's index and its sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct JobKey {
    pub account: usize,
    pub seq: u64,
}

/// A pending change, due at a virtual time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Due {
    /// Apply `event` to letter `letter` of the job.
    Letter {
        job: JobKey,
        letter: u32,
        event: Event,
    },
    /// Delete a test job a week after confirmation.
    PurgeTestJob { job: JobKey },
}

/// Everything behind the server's mutex.
#[derive(Debug)]
pub struct State {
    pub clock: VirtualClock,
    /// The only source of randomness, so that a seed replays a run.
    pub(crate) rng: StdRng,
    pub accounts: Vec<Account>,
    account_by_key: HashMap<String, usize>,
    /// Pending changes keyed by (due time in unix ms, insertion number); the
    /// number keeps simultaneous changes in the order they were scheduled.
    schedule: BTreeMap<(i64, u64), Due>,
    /// The first key of `schedule`, kept beside it so that a tick with
    /// nothing due costs the same whatever the schedule holds.
    earliest_due_ms: Option<i64>,
    next_seq: u64,
    /// Every letter by id, for the control API, which is not scoped by key.
    letters: HashMap<IdSuffix, (JobKey, u32)>,
    /// Every status change, oldest first.
    pub events: Bounded<LoggedChange>,
    /// Every API request, oldest first.
    pub journal: Bounded<LoggedRequest>,
    seed: u64,
    return_rate: f64,
    invalid_address_rate: f64,
    /// The faults in force for `/v1` requests.
    pub faults: Faults,
    /// Webhook endpoints, their queues and delivery log.
    pub webhooks: Registry,
    pub rate_limiter: RateLimiter,
    /// Settings that recent jobs share.
    settings: SettingsPool,
}

impl State {
    pub fn new(config: &Config, seed: u64) -> Self {
        State {
            clock: VirtualClock::new(config.clock, config.speed, config.start_time_ms),
            rng: StdRng::seed_from_u64(seed),
            accounts: Vec::new(),
            account_by_key: HashMap::new(),
            schedule: BTreeMap::new(),
            earliest_due_ms: None,
            next_seq: 0,
            letters: HashMap::new(),
            events: Bounded::new(log::EVENT_LOG_CAPACITY),
            journal: Bounded::new(log::JOURNAL_CAPACITY),
            seed,
            return_rate: config.return_rate,
            invalid_address_rate: config.invalid_address_rate,
            faults: config.faults.clone(),
            webhooks: Registry::new(config.webhook_queue, config.webhook_timeout),
            rate_limiter: RateLimiter::default(),
            settings: SettingsPool::default(),
        }
    }

    /// Returns the account index of `key`, creating the account on first use.
    pub fn account_for_key(&mut self, key: &str) -> usize {
        if let Some(index) = self.account_by_key.get(key) {
            return *index;
        }
        let index = self.accounts.len();
        self.accounts.push(Account {
            id: account_id(key),
            ..Account::default()
        });
        self.account_by_key.insert(key.to_owned(), index);
        index
    }

    fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub(crate) fn random_id(&mut self, prefix: &str) -> String {
        let suffix: String = (0..24)
            .map(|_| char::from(self.rng.sample(Alphanumeric)))
            .collect();
        format!("{prefix}{suffix}")
    }

    /// Looks up a job by id within one account.
    pub fn find(&self, account: usize, id: &str) -> Result<JobKey, ApiFailure> {
        IdSuffix::of(id, stored::JOB_PREFIX)
            .and_then(|suffix| self.accounts[account].by_id.get(&suffix))
            .map(|seq| JobKey { account, seq: *seq })
            .ok_or_else(|| {
                ApiFailure::not_found(format!("No such print job: {id}")).with_param("id")
            })
    }

    pub fn record(&self, key: JobKey) -> Option<&JobRecord> {
        self.accounts
            .get(key.account)?
            .jobs
            .get(&key.seq)
            .map(|slot| &*slot.record)
    }

    /// Builds the job as the API sends it.
    pub fn wire_job(&self, key: JobKey) -> Option<PrintJob> {
        let account = self.accounts.get(key.account)?;
        let slot = account.jobs.get(&key.seq)?;
        Some(slot.record.job.to_wire(&account.id))
    }

    fn record_mut(&mut self, key: JobKey) -> Option<&mut JobRecord> {
        self.accounts
            .get_mut(key.account)?
            .jobs
            .get_mut(&key.seq)
            .map(|slot| {
                slot.record.json = None;
                slot.stale = true;
                &mut *slot.record
            })
    }

    /// Returns the job's JSON, serialised once per change of the job.
    pub fn job_json(&mut self, key: JobKey) -> Option<Bytes> {
        let account = self.accounts.get_mut(key.account)?;
        let record = &mut account.jobs.get_mut(&key.seq)?.record;
        if let Some(json) = &record.json {
            return Some(json.clone());
        }
        let json = Bytes::from(serde_json::to_vec(&record.job.to_wire(&account.id)).ok()?);
        record.json = Some(json.clone());
        Some(json)
    }

    /// Removes a job and its letters from every index.
    fn remove_job(&mut self, key: JobKey) -> Option<Box<JobRecord>> {
        let account = self.accounts.get_mut(key.account)?;
        let record = account.jobs.remove(&key.seq)?.record;
        account.by_id.remove(&record.job.id);
        for letter in &record.job.letters {
            self.letters.remove(&letter.id);
        }
        Some(record)
    }

    /// Creates a job (and confirms it when asked) for `POST /v1/prints`.
    pub fn create(
        &mut self,
        account: usize,
        request: PrintRequest,
        upload: Option<&UploadedFile>,
    ) -> Result<PrintJob, ApiFailure> {
        check_reference_magic(request.reference.as_deref(), request.confirmed)?;
        let document = jobs::document(&request, upload)?;
        let settings = jobs::settings(&request)?;
        let addresses = jobs::addresses(&request, &document, &settings.splitting)?;

        let now = self.clock.now_ms();
        let id = self.random_id(stored::JOB_PREFIX);
        let letters = addresses
            .into_iter()
            .map(|(address, pages)| {
                let letter_id = self.random_id(stored::LETTER_PREFIX);
                jobs::draft_letter(letter_id, address, pages)
            })
            .collect();

        let mut job = PrintJob {
            id,
            object: "print".to_owned(),
            account: self.accounts[account].id.clone(),
            created: now / 1000,
            testmode: request.testmode,
            confirmed: false,
            confirmed_at: None,
            job_type: settings.job_type.into(),
            reference: request.reference,
            letters,
            postage: settings.postage.clone(),
            printing: settings.printing.clone(),
            splitting: settings.splitting.clone(),
            background: request.background.unwrap_or_default(),
            confidential: request.confidential.unwrap_or(false),
            remove_letters: request.remove_letters.unwrap_or_default(),
            nudge: request.nudge.unwrap_or_default(),
            confirmation_email: request.confirmation_email.unwrap_or(false),
            metadata: request.metadata.unwrap_or_default(),
            address_window: request.address_window.unwrap_or_default().into(),
            ..PrintJob::default()
        };
        jobs::refresh_derived_fields(&mut job, &settings);

        let seq = self.next_seq();
        let key = JobKey { account, seq };
        let settings = self.settings.share(JobSettings::of(&job));
        let record = JobRecord {
            job: StoredJob::from_wire(&job, now, settings),
            json: None,
        };
        for (index, letter) in record.job.letters.iter().enumerate() {
            self.letters.insert(letter.id, (key, index as u32));
        }
        let stored = &mut self.accounts[account];
        stored.by_id.insert(record.job.id, seq);
        let summary = JobSummary::of(&record.job);
        stored.jobs.insert(
            seq,
            JobSlot {
                summary,
                stale: false,
                record: Box::new(record),
            },
        );

        if request.confirmed {
            self.confirm(key, Cause::ApiRequest)?;
            if let Some(record) = self.record(key) {
                record.job.write_progress(&mut job);
            }
        }
        Ok(job)
    }

    /// Applies `POST /v1/prints/{id}` to a draft; `confirmed: true` submits it.
    pub fn update(
        &mut self,
        key: JobKey,
        params: Map<String, Value>,
    ) -> Result<PrintJob, ApiFailure> {
        let now = self.clock.now_ms();
        let Some(record) = self.record(key) else {
            return Err(ApiFailure::not_found("No such print job"));
        };
        if record.job.confirmed {
            return Err(ApiFailure::new(
                ErrorCode::Forbidden,
                format!(
                    "Print job {} is confirmed and can no longer be updated",
                    record.job.id()
                ),
            ));
        }
        let created_ms = record.job.created_ms;

        // Merge the update into the stored settings, then check the result as
        // a whole, as if the job were created with it.
        let Some(mut updated) = self.wire_job(key) else {
            return Err(ApiFailure::not_found("No such print job"));
        };
        let confirm = params
            .get("confirmed")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        for (name, value) in params {
            apply_setting(&mut updated, &name, value)?;
        }
        let request = PrintRequest {
            job_type: updated.job_type.known(),
            postage: Some(updated.postage.clone()),
            printing: Some(updated.printing.clone()),
            splitting: Some(updated.splitting.clone()),
            ..PrintRequest::default()
        };
        let settings = jobs::settings(&request)?;
        updated.postage = settings.postage.clone();
        jobs::refresh_derived_fields(&mut updated, &settings);

        check_reference_magic(updated.reference.as_deref(), confirm)?;
        if confirm {
            check_not_expired(created_ms, now, &updated.id)?;
        }
        let settings = self.settings.share(JobSettings::of(&updated));
        if let Some(record) = self.record_mut(key) {
            record.job = StoredJob::from_wire(&updated, created_ms, settings);
        }
        if confirm {
            self.confirm(key, Cause::ApiRequest)?;
            if let Some(record) = self.record(key) {
                record.job.write_progress(&mut updated);
            }
        }
        Ok(updated)
    }

    /// Confirms a draft: every letter goes to `waiting_to_print`, its fate is
    /// drawn, and its print run is scheduled.
    fn confirm(&mut self, key: JobKey, cause: Cause) -> Result<(), ApiFailure> {
        let now = self.clock.now_ms();
        let return_rate = self.return_rate;
        let invalid_rate = self.invalid_address_rate;
        let Some(record) = self.record(key) else {
            return Ok(());
        };
        check_not_expired(record.job.created_ms, now, &record.job.id())?;
        let tracked = record
            .job
            .settings
            .postage
            .service
            .known()
            .is_some_and(PostageService::is_tracked);
        let letter_count = record.job.letters.len();
        let testmode = record.job.testmode;

        let magic: Vec<Option<LetterMagic>> = record
            .job
            .letters
            .iter()
            .map(|l| magic::letter_magic(l.address.line(), l.address.postcode()))
            .collect();
        let fates: Vec<Fate> = magic
            .into_iter()
            .map(|magic| {
                if let Some(magic) = magic {
                    return fate_from_magic(magic, tracked);
                }
                if tracked && self.rng.random_bool(invalid_rate.clamp(0.0, 1.0)) {
                    Fate::InvalidAddress
                } else if self.rng.random_bool(return_rate.clamp(0.0, 1.0)) {
                    let reason = RETURN_REASONS[self.rng.random_range(0..RETURN_REASONS.len())];
                    Fate::Returned { reason }
                } else {
                    Fate::Delivered
                }
            })
            .collect();

        if let Some(record) = self.record_mut(key) {
            record.job.confirmed = true;
            record.job.confirmed_at = Some(now / 1000);
            for (letter, fate) in record.job.letters.iter_mut().zip(fates) {
                letter.fate = fate;
            }
        }
        for letter in 0..letter_count {
            self.change_status(key, letter as u32, Event::Confirm, now, cause, None)
                .map_err(|err| ApiFailure::new(ErrorCode::InternalError, err.to_string()))?;
        }
        if testmode {
            self.schedule(now + TEST_JOB_LIFETIME_MS, Due::PurgeTestJob { job: key });
        }
        Ok(())
    }

    /// Handles `DELETE /v1/prints/{id}`: a draft is removed; on a confirmed
    /// job the letters still `waiting_to_print` are cancelled.
    pub fn delete(&mut self, key: JobKey) -> Result<Result<PrintJob, Deleted>, ApiFailure> {
        let now = self.clock.now_ms();
        let Some(record) = self.record(key) else {
            return Err(ApiFailure::not_found("No such print job"));
        };

        if !record.job.confirmed {
            let id = record.job.id();
            self.remove_job(key);
            return Ok(Err(Deleted::print(&id)));
        }

        let waiting: Vec<u32> = record
            .job
            .letters
            .iter()
            .enumerate()
            .filter(|(_, letter)| letter.status == Status::WaitingToPrint)
            .map(|(i, _)| i as u32)
            .collect();
        for letter in waiting {
            self.change_status(key, letter, Event::Cancel, now, Cause::ApiRequest, None)
                .map_err(|err| ApiFailure::new(ErrorCode::InternalError, err.to_string()))?;
        }
        Ok(Ok(self.wire_job(key).unwrap_or_default()))
    }
}

/// Converts a magic postcode into a fate. An untracked letter with an invalid address
/// is not checked by the carrier, so it is sent and comes back instead.
fn fate_from_magic(magic: LetterMagic, tracked: bool) -> Fate {
    match magic {
        LetterMagic::Returned(reason) => Fate::Returned { reason },
        LetterMagic::InvalidAddress if tracked => Fate::InvalidAddress,
        LetterMagic::InvalidAddress => Fate::Returned {
            reason: magic::UNTRACKED_INVALID_ADDRESS_REASON,
        },
        LetterMagic::StuckInPrinting => Fate::StuckInPrinting,
    }
}

/// Fails a create or update whose `reference` is a magic value: the error
/// references always, the payment one only when the request confirms.
fn check_reference_magic(reference: Option<&str>, confirming: bool) -> Result<(), ApiFailure> {
    match magic::reference_magic(reference) {
        Some(ErrorCode::PaymentError) if confirming => Err(ApiFailure::new(
            ErrorCode::PaymentError,
            "The payment for this print job failed; the job was not confirmed",
        )),
        Some(ErrorCode::InternalError) => Err(ApiFailure::new(
            ErrorCode::InternalError,
            "An internal error occurred",
        )),
        Some(ErrorCode::RateLimited) => Err(ApiFailure::rate_limited(
            "Too many requests; retry after the Retry-After delay",
            60,
        )),
        _ => Ok(()),
    }
}

fn check_not_expired(created_ms: i64, now_ms: i64, id: &str) -> Result<(), ApiFailure> {
    if now_ms - created_ms > DRAFT_LIFETIME_MS {
        return Err(ApiFailure::new(
            ErrorCode::Forbidden,
            format!(
                "Print job {id} was created more than 30 days ago and can no longer be confirmed"
            ),
        )
        .with_param("confirmed"));
    }
    Ok(())
}

/// Applies one checked update parameter to a stored job. Objects merge field
/// by field; `null` clears a field, and a `null` metadata value removes its key.
fn apply_setting(job: &mut PrintJob, name: &str, value: Value) -> Result<(), ApiFailure> {
    match name {
        "confirmed" => {}
        "reference" => job.reference = value.as_str().map(str::to_owned),
        "confidential" => job.confidential = value.as_bool().unwrap_or(false),
        "confirmation_email" => job.confirmation_email = value.as_bool().unwrap_or(false),
        "address_window" => job.address_window = merged(&job.address_window, value, name)?,
        "splitting" => job.splitting = merged(&job.splitting, value, name)?,
        "printing" => job.printing = merged(&job.printing, value, name)?,
        "postage" => job.postage = merged(&job.postage, value, name)?,
        "background" => job.background = merged(&job.background, value, name)?,
        "remove_letters" => job.remove_letters = merged(&job.remove_letters, value, name)?,
        "nudge" => job.nudge = merged(&job.nudge, value, name)?,
        "metadata" => match value {
            Value::Object(entries) => {
                for (key, entry) in entries {
                    if entry.is_null() {
                        job.metadata.remove(&key);
                    } else {
                        job.metadata.insert(key, entry);
                    }
                }
            }
            _ => job.metadata.clear(),
        },
        other => {
            return Err(ApiFailure::new(
                ErrorCode::ParameterUnknown,
                format!("Received unknown parameter: {other}"),
            )
            .with_param(other))
        }
    }
    Ok(())
}

/// `current` with the fields of `patch` written over it.
fn merged<T: Serialize + DeserializeOwned + Default>(
    current: &T,
    patch: Value,
    param: &str,
) -> Result<T, ApiFailure> {
    let mut base = serde_json::to_value(current).unwrap_or(Value::Null);
    match (&mut base, patch) {
        (Value::Object(fields), Value::Object(changes)) => {
            for (key, value) in changes {
                fields.insert(key, value);
            }
        }
        (_, Value::Null) => return Ok(T::default()),
        (slot, other) => *slot = other,
    }
    serde_json::from_value(base)
        .map_err(|err| ApiFailure::invalid(param, format!("Invalid value for {param}: {err}")))
}

/// `acc_` and a 64-bit FNV-1a hash of the key: stable, so an API key maps to
/// the same account id on every run and every platform.
pub fn account_id(key: &str) -> String {
    AccountHash::of_key(key).id()
}

/// The hash an account id is made from; logs keep it instead of the id text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountHash(pub u64);

impl AccountHash {
    pub fn of_key(key: &str) -> AccountHash {
        AccountHash(fnv1a(key.as_bytes()))
    }

    /// The account id, `acc_` and 16 hex digits.
    pub fn id(self) -> String {
        format!("acc_{:016x}", self.0)
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}
