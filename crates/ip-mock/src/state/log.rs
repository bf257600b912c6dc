//! The event log (every status change) and the request journal (every API
//! request), both bounded so that a long run cannot exhaust memory.

use std::collections::VecDeque;

use axum::http::Method;
use ip_status::{ErrorCode, Event, Status};

use super::AccountHash;
use serde::Serialize;

/// Maximum number of status changes the event log keeps; older ones are
/// dropped first and counted.
pub const EVENT_LOG_CAPACITY: usize = 1_000_000;
/// Maximum number of requests the journal keeps.
pub const JOURNAL_CAPACITY: usize = 100_000;

/// The cause of a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The simulated timeline (a print run, the carrier's collection, …).
    Schedule,
    /// A call to the control API or to the embedded server's methods.
    Control,
    /// An API request: confirming or cancelling a job.
    ApiRequest,
}

/// The 24 random characters after an id's prefix, stored inline so a log
/// entry needs no allocation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct IdSuffix(pub [u8; 24]);

impl IdSuffix {
    /// Extracts the suffix of `id` after `prefix`, if it has the mock's shape.
    pub fn of(id: &str, prefix: &str) -> Option<IdSuffix> {
        let rest = id.strip_prefix(prefix)?;
        let bytes: [u8; 24] = rest.as_bytes().try_into().ok()?;
        Some(IdSuffix(bytes))
    }

    pub fn with_prefix(&self, prefix: &str) -> String {
        let mut id = String::with_capacity(prefix.len() + 24);
        id.push_str(prefix);
        id.extend(self.0.iter().map(|b| char::from(*b)));
        id
    }
}

/// One status change of one letter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoggedChange {
    pub account: usize,
    pub job: IdSuffix,
    pub letter: IdSuffix,
    pub from: Status,
    pub to: Status,
    pub event: Event,
    pub cause: Cause,
    /// Virtual time, unix milliseconds.
    pub at_ms: i64,
}

/// A status change as the control API and the embedded server report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    /// The letter, `ltr_…`.
    pub letter: String,
    /// The print job, `print_…`.
    pub print_id: String,
    /// The account, `acc_…`.
    pub account: String,
    pub from: Status,
    pub to: Status,
    pub event: Event,
    pub cause: Cause,
    /// Virtual time of the change, unix seconds.
    pub time: i64,
    /// Virtual time of the change, unix milliseconds.
    pub time_ms: i64,
}

/// A selection of status changes; every field narrows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only changes of this print job.
    pub print_id: Option<String>,
    /// Only changes of this letter.
    pub letter: Option<String>,
    /// Only changes at or after this virtual time, unix milliseconds.
    pub since_ms: Option<i64>,
    /// Only changes at or before this virtual time, unix milliseconds.
    pub until_ms: Option<i64>,
}

/// A bounded first-in, first-out buffer that counts what it drops.
#[derive(Debug)]
pub struct Bounded<T> {
    items: VecDeque<T>,
    capacity: usize,
    pub dropped: u64,
}

impl<T> Bounded<T> {
    pub fn new(capacity: usize) -> Self {
        Bounded {
            items: VecDeque::new(),
            capacity,
            dropped: 0,
        }
    }

    pub fn push(&mut self, item: T) {
        if self.items.len() == self.capacity {
            self.items.pop_front();
            self.dropped += 1;
        }
        self.items.push_back(item);
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.items.iter()
    }

    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.dropped = 0;
    }
}

/// One API request as the journal stores it: no field but the path needs the
/// heap, so a full journal does not churn the allocator on every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: Method,
    pub path: Box<str>,
    pub status: u16,
    /// The number behind the `request-id`, see [`request_id`].
    pub number: u64,
    pub account: Option<AccountHash>,
    pub error_code: Option<ErrorCode>,
    /// Virtual time of the request, unix milliseconds.
    pub time_ms: i64,
}

impl LoggedRequest {
    pub fn describe(&self) -> JournalEntry {
        JournalEntry {
            method: self.method.to_string(),
            path: self.path.to_string(),
            status: self.status,
            request_id: request_id(self.number),
            account: self.account.map(AccountHash::id),
            error_code: self.error_code.map(|code| code.to_string()),
            time_ms: self.time_ms,
        }
    }
}

/// The `request-id` of the request numbered `number`: `req_` and 16 hex
/// digits, the number scrambled by a SplitMix64 step so ids look unrelated
/// but never repeat within a process.
pub fn request_id(number: u64) -> String {
    let mut z = number.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    format!("req_{z:016x}")
}

/// One API request as the control API and the embedded server report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub request_id: String,
    /// The account of the API key, `acc_…`; `null` when no key was sent.
    pub account: Option<String>,
    /// The error code of a failed request.
    pub error_code: Option<String>,
    /// Virtual time of the request, unix milliseconds.
    pub time_ms: i64,
}
