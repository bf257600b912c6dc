//! Print jobs as the mock stores them: compact forms of the wire types,
//! turned back into `ip_status::PrintJob` when a job is sent.
//!
//! A stored job keeps its ids as fixed arrays, shares its settings with the
//! other jobs that use the same ones, and packs each recipient's address into
//! one string. Everything the wire object has that follows from other fields
//! (the account id, `object`, page and sheet totals, tax) is computed when
//! the job is sent.

use std::sync::Arc;

use ip_status::{
    Address, AddressWindow, Background, Cost, Envelope, JobType, KnownOrUnknown, LetterUpdated,
    MailItem, Nudge, Postage, PostageService, PrintJob, Printing, RemoveLetters, Returned,
    Splitting, Status,
};
use serde_json::{Map, Value};

use super::log::IdSuffix;
use super::Fate;

/// The id prefix of print jobs.
pub const JOB_PREFIX: &str = "print_";
/// The id prefix of letters.
pub const LETTER_PREFIX: &str = "ltr_";

/// A print job as stored.
#[derive(Debug, Clone)]
pub struct StoredJob {
    pub id: IdSuffix,
    /// Creation time, unix milliseconds.
    pub created_ms: i64,
    pub confirmed_at: Option<i64>,
    pub testmode: bool,
    pub confirmed: bool,
    pub reference: Option<Box<str>>,
    pub metadata: Map<String, Value>,
    pub settings: Arc<JobSettings>,
    /// The price before tax; the tax follows from it.
    pub cost_amount: i64,
    pub letters: Box<[StoredLetter]>,
}

/// The settings of a job, which many jobs usually share.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSettings {
    pub job_type: KnownOrUnknown<JobType>,
    pub splitting: Splitting,
    pub printing: Printing,
    pub postage: Postage,
    pub background: Background,
    pub confidential: bool,
    pub remove_letters: RemoveLetters,
    pub nudge: Nudge,
    pub confirmation_email: bool,
    pub address_window: KnownOrUnknown<AddressWindow>,
}

/// A letter as stored.
#[derive(Debug, Clone)]
pub struct StoredLetter {
    pub id: IdSuffix,
    pub status: Status,
    pub envelope: Envelope,
    pub postage_service: PostageService,
    pub pages: u32,
    pub sheets: u32,
    /// The outcome drawn at confirmation; `Delivered` for a draft.
    pub fate: Fate,
    pub tracking_number: Option<Box<str>>,
    pub shipped_date: Option<i64>,
    pub returned: Option<Box<Returned>>,
    pub address: PackedAddress,
}

/// An address in one heap string: name, line, postcode and country, one
/// after another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedAddress {
    text: Box<str>,
    /// The start offsets of the line, the postcode and the country in `text`.
    starts: [usize; 3],
    has_name: bool,
    has_postcode: bool,
}

impl PackedAddress {
    pub fn pack(address: &Address) -> PackedAddress {
        let name = address.name.as_deref().unwrap_or("");
        let postcode = address.postcode.as_deref().unwrap_or("");
        let mut text = String::with_capacity(name.len() + address.line.len() + postcode.len() + 2);
        text.push_str(name);
        let line = text.len();
        text.push_str(&address.line);
        let code = text.len();
        text.push_str(postcode);
        let country = text.len();
        text.push_str(&address.country);
        PackedAddress {
            text: text.into_boxed_str(),
            starts: [line, code, country],
            has_name: address.name.is_some(),
            has_postcode: address.postcode.is_some(),
        }
    }

    pub fn line(&self) -> &str {
        &self.text[self.starts[0]..self.starts[1]]
    }

    pub fn postcode(&self) -> Option<&str> {
        self.has_postcode
            .then(|| &self.text[self.starts[1]..self.starts[2]])
    }

    pub fn unpack(&self) -> Address {
        let [line, code, country] = self.starts;
        let text = &*self.text;
        Address {
            name: self.has_name.then(|| text[..line].to_owned()),
            line: text[line..code].to_owned(),
            postcode: self.has_postcode.then(|| text[code..country].to_owned()),
            country: text[country..].to_owned(),
        }
    }
}

impl StoredJob {
    /// Converts a wire job for storage, with `settings` as its settings
    /// (see [`JobSettings::of`]). The mock creates every id it stores, so
    /// an id without the mock's form (a prefix and 24 characters) is stored
    /// as zeros.
    pub fn from_wire(job: &PrintJob, created_ms: i64, settings: Arc<JobSettings>) -> StoredJob {
        StoredJob {
            id: IdSuffix::of(&job.id, JOB_PREFIX).unwrap_or_default(),
            created_ms,
            confirmed_at: job.confirmed_at,
            testmode: job.testmode,
            confirmed: job.confirmed,
            reference: job.reference.as_deref().map(Box::from),
            metadata: job.metadata.clone(),
            settings,
            cost_amount: job.cost.amount,
            letters: job.letters.iter().map(StoredLetter::from_wire).collect(),
        }
    }

    /// The wire job, as `GET /v1/prints/{id}` returns it.
    pub fn to_wire(&self, account: &str) -> PrintJob {
        let settings = &*self.settings;
        PrintJob {
            id: self.id(),
            object: "print".to_owned(),
            account: account.to_owned(),
            created: self.created(),
            testmode: self.testmode,
            confirmed: self.confirmed,
            confirmed_at: self.confirmed_at,
            job_type: settings.job_type.clone(),
            reference: self.reference.as_deref().map(str::to_owned),
            pages: self.pages(),
            sheets: self.sheets(),
            letters: self.letters.iter().map(StoredLetter::to_wire).collect(),
            cost: self.cost(),
            splitting: settings.splitting.clone(),
            printing: settings.printing.clone(),
            postage: settings.postage.clone(),
            background: settings.background.clone(),
            confidential: settings.confidential,
            remove_letters: settings.remove_letters.clone(),
            nudge: settings.nudge.clone(),
            confirmation_email: settings.confirmation_email,
            metadata: self.metadata.clone(),
            address_window: settings.address_window.clone(),
        }
    }

    /// Brings `job`, the wire form of this job at some earlier time, up to
    /// date with the confirmation and the letters' progress since then,
    /// which saves building it again.
    pub fn write_progress(&self, job: &mut PrintJob) {
        job.confirmed = self.confirmed;
        job.confirmed_at = self.confirmed_at;
        for (letter, item) in self.letters.iter().zip(&mut job.letters) {
            letter.write_progress(item);
        }
    }

    /// Builds the `letter.updated` payload of letter `index` as it is now.
    pub fn letter_updated(&self, index: usize, account: &str) -> Option<LetterUpdated> {
        let letter = self.letters.get(index)?;
        Some(LetterUpdated {
            event_type: LetterUpdated::EVENT_TYPE.to_owned(),
            id: letter.id(),
            print_id: self.id(),
            account: account.to_owned(),
            reference: self.reference.as_deref().map(str::to_owned),
            status: letter.status.into(),
            envelope: letter.envelope.into(),
            postage_service: letter.postage_service.into(),
            shipped_date: letter.shipped_date,
            returned: letter.returned.as_deref().cloned(),
            testmode: self.testmode,
        })
    }

    /// Returns the job id, `print_…`.
    pub fn id(&self) -> String {
        self.id.with_prefix(JOB_PREFIX)
    }

    /// Creation time, unix seconds.
    pub fn created(&self) -> i64 {
        self.created_ms / 1000
    }

    pub fn pages(&self) -> u32 {
        self.letters.iter().map(|l| l.pages).sum()
    }

    pub fn sheets(&self) -> u32 {
        self.letters.iter().map(|l| l.sheets).sum()
    }

    pub fn cost(&self) -> Cost {
        Cost::with_uk_vat(self.cost_amount)
    }
}

impl JobSettings {
    /// Copies the settings out of a wire job.
    pub fn of(job: &PrintJob) -> JobSettings {
        JobSettings {
            job_type: job.job_type.clone(),
            splitting: job.splitting.clone(),
            printing: job.printing.clone(),
            postage: job.postage.clone(),
            background: job.background.clone(),
            confidential: job.confidential,
            remove_letters: job.remove_letters.clone(),
            nudge: job.nudge.clone(),
            confirmation_email: job.confirmation_email,
            address_window: job.address_window.clone(),
        }
    }
}

impl StoredLetter {
    fn from_wire(item: &MailItem) -> StoredLetter {
        StoredLetter {
            id: IdSuffix::of(&item.id, LETTER_PREFIX).unwrap_or_default(),
            status: item.status.known().unwrap_or_default(),
            envelope: item.envelope.known().unwrap_or_default(),
            postage_service: item.postage_service.known().unwrap_or_default(),
            pages: item.pages,
            sheets: item.sheets,
            fate: Fate::Delivered,
            tracking_number: item.tracking_number.as_deref().map(Box::from),
            shipped_date: item.shipped_date,
            returned: item.returned.clone().map(Box::new),
            address: PackedAddress::pack(&item.address),
        }
    }

    fn to_wire(&self) -> MailItem {
        let mut item = MailItem {
            id: self.id(),
            envelope: self.envelope.into(),
            postage_service: self.postage_service.into(),
            pages: self.pages,
            sheets: self.sheets,
            address: self.address.unpack(),
            ..MailItem::default()
        };
        self.write_progress(&mut item);
        item
    }

    /// Writes the fields that change as the letter moves into `item`.
    fn write_progress(&self, item: &mut MailItem) {
        item.status = self.status.into();
        item.tracking_number = self.tracking_number.as_deref().map(str::to_owned);
        item.returned = self.returned.as_deref().cloned();
        item.shipped_date = self.shipped_date;
    }

    /// Returns the letter id, `ltr_…`.
    pub fn id(&self) -> String {
        self.id.with_prefix(LETTER_PREFIX)
    }
}

/// Recently stored settings, so that jobs created with the same settings
/// share one copy.
#[derive(Debug, Default)]
pub struct SettingsPool {
    recent: Vec<Arc<JobSettings>>,
}

impl SettingsPool {
    /// How many distinct settings the pool remembers.
    const SIZE: usize = 16;

    /// Returns a shared copy of `settings`.
    pub fn share(&mut self, settings: JobSettings) -> Arc<JobSettings> {
        if let Some(position) = self.recent.iter().position(|s| **s == settings) {
            let shared = self.recent.remove(position);
            self.recent.push(Arc::clone(&shared));
            return shared;
        }
        if self.recent.len() == Self::SIZE {
            self.recent.remove(0);
        }
        let shared = Arc::new(settings);
        self.recent.push(Arc::clone(&shared));
        shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ip_status::Status;

    fn letter(id: &str, address: Address) -> MailItem {
        MailItem {
            id: id.to_owned(),
            status: Status::Returned.into(),
            tracking_number: Some("AB123456789GB".to_owned()),
            returned: Some(Returned {
                date: 1_700_000_000,
                reason: "Delivery Refused".to_owned(),
            }),
            envelope: Envelope::C4.into(),
            postage_service: PostageService::UkFirstClass.into(),
            shipped_date: Some(1_699_000_000),
            pages: 3,
            sheets: 2,
            address,
        }
    }

    fn job() -> PrintJob {
        let mut metadata = Map::new();
        metadata.insert("customer".to_owned(), Value::from(42));
        PrintJob {
            id: "print_abcdefghijklmnopqrstuvwx".to_owned(),
            object: "print".to_owned(),
            account: "acc_0123456789abcdef".to_owned(),
            created: 1_700_000_123,
            testmode: false,
            confirmed: true,
            confirmed_at: Some(1_700_000_200),
            job_type: JobType::Letter.into(),
            reference: Some("invoice 7".to_owned()),
            pages: 4,
            sheets: 3,
            letters: vec![
                letter(
                    "ltr_ABCDEFGHIJKLMNOPQRSTUVWX",
                    Address {
                        name: Some("Ada Lovelace".to_owned()),
                        line: "1 High St, London".to_owned(),
                        postcode: Some("SW1A 1AA".to_owned()),
                        country: "GB".to_owned(),
                    },
                ),
                MailItem {
                    id: "ltr_012345678901234567890123".to_owned(),
                    status: Status::Printing.into(),
                    envelope: Envelope::C4.into(),
                    postage_service: PostageService::UkFirstClass.into(),
                    pages: 1,
                    sheets: 1,
                    address: Address {
                        name: None,
                        line: String::new(),
                        postcode: Some(String::new()),
                        country: "FR".to_owned(),
                    },
                    ..MailItem::default()
                },
            ],
            cost: Cost::with_uk_vat(1_234_567),
            metadata,
            ..PrintJob::default()
        }
    }

    #[test]
    fn stored_job_round_trips() {
        let job = job();
        let stored = StoredJob::from_wire(&job, 1_700_000_123_456, Arc::new(JobSettings::of(&job)));
        assert_eq!(stored.to_wire(&job.account), job);
    }

    #[test]
    fn write_progress_updates_earlier_wire_job() {
        let mut draft = job();
        draft.confirmed = false;
        draft.confirmed_at = None;
        for item in &mut draft.letters {
            item.status = Status::Draft.into();
            item.tracking_number = None;
            item.returned = None;
            item.shipped_date = None;
        }
        let later = job();
        let stored =
            StoredJob::from_wire(&later, 1_700_000_123_000, Arc::new(JobSettings::of(&later)));
        stored.write_progress(&mut draft);
        assert_eq!(draft, later);
    }

    #[test]
    fn letter_updated_matches_wire_payload() {
        let job = job();
        let stored = StoredJob::from_wire(&job, 1_700_000_123_000, Arc::new(JobSettings::of(&job)));
        for index in 0..job.letters.len() {
            assert_eq!(
                stored.letter_updated(index, &job.account),
                Some(LetterUpdated::of(&job, &job.letters[index]))
            );
        }
        assert_eq!(stored.letter_updated(2, &job.account), None);
    }

    #[test]
    fn packed_address_keeps_absent_and_empty_parts() {
        let cases = [
            Address::default(),
            Address {
                name: Some(String::new()),
                line: "x".to_owned(),
                postcode: None,
                country: "GB".to_owned(),
            },
            Address {
                name: None,
                line: "Flat 2, 10 Ærø Road".to_owned(),
                postcode: Some("ZZ1 1DR".to_owned()),
                country: String::new(),
            },
        ];
        for address in cases {
            let packed = PackedAddress::pack(&address);
            assert_eq!(packed.line(), address.line);
            assert_eq!(packed.postcode(), address.postcode.as_deref());
            assert_eq!(packed.unpack(), address);
        }
    }

    #[test]
    fn settings_pool_shares_equal_settings() {
        let mut pool = SettingsPool::default();
        let base = JobSettings::of(&job());
        let first = pool.share(base.clone());
        let second = pool.share(base.clone());
        assert!(Arc::ptr_eq(&first, &second));

        // Forty other settings push the first one out of the pool.
        for shift in 0..40 {
            let mut other = base.clone();
            other.nudge.x = f64::from(shift) + 0.5;
            let _ = pool.share(other);
        }
        assert_eq!(pool.recent.len(), SettingsPool::SIZE);
        let third = pool.share(base);
        assert!(!Arc::ptr_eq(&first, &third));
        assert_eq!(*first, *third);
    }
}
