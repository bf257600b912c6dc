//! Counting a print job's mail items by status.

use crate::{KnownOrUnknown, MailItem, Status};

/// Where a print job stands as a whole.
///
/// ```
/// use ip_status::{JobProgress, JobStage, Status};
///
/// let progress: JobProgress = [Status::Sent, Status::Printing].into_iter().collect();
/// assert_eq!(progress.stage(), JobStage::InProduction);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStage {
    /// Not confirmed: an item is still `draft`.
    Draft,
    /// Confirmed, with at least one item not settled yet (or in a status this
    /// crate does not know).
    InProduction,
    /// Every item is `sent`, `returned`, `cancelled` or `invalid_address`.
    /// A settled job can still see a `sent` item become `returned`.
    Settled,
}

/// The number of a print job's mail items in each status.
///
/// ```
/// use ip_status::{JobProgress, JobStage, Status};
///
/// let progress: JobProgress = [Status::Sent, Status::Returned, Status::Sent].into_iter().collect();
/// assert_eq!(progress.count(Status::Sent), 2);
/// assert_eq!(progress.total(), 3);
/// assert_eq!(progress.stage(), JobStage::Settled);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JobProgress {
    counts: [usize; Status::ALL.len()],
    unknown: usize,
}

impl JobProgress {
    /// Counts the statuses of a job's `letters`, as the API returns them.
    ///
    /// ```
    /// # use ip_status::{JobProgress, JobStage, PrintJob};
    /// let job: PrintJob = serde_json::from_str(r#"{"id": "print_1", "letters": [{"id": "ltr_1", "status": "draft"}]}"#).unwrap();
    /// assert_eq!(JobProgress::of_letters(&job.letters).stage(), JobStage::Draft);
    /// ```
    pub fn of_letters(letters: &[MailItem]) -> JobProgress {
        let mut progress = JobProgress::default();
        for letter in letters {
            match &letter.status {
                KnownOrUnknown::Known(status) => progress.add(*status),
                KnownOrUnknown::Unknown(_) => progress.unknown += 1,
            }
        }
        progress
    }

    /// Adds one item in `status`.
    ///
    /// ```
    /// # use ip_status::{JobProgress, Status};
    /// let mut progress = JobProgress::default();
    /// progress.add(Status::Printing);
    /// assert_eq!(progress.count(Status::Printing), 1);
    /// ```
    pub fn add(&mut self, status: Status) {
        self.counts[status.index()] += 1;
    }

    /// The number of items in `status`.
    ///
    /// ```
    /// # use ip_status::{JobProgress, Status};
    /// assert_eq!(JobProgress::default().count(Status::Sent), 0);
    /// ```
    pub fn count(&self, status: Status) -> usize {
        self.counts[status.index()]
    }

    /// The number of items whose status this crate does not know.
    ///
    /// ```
    /// # use ip_status::JobProgress;
    /// assert_eq!(JobProgress::default().unknown(), 0);
    /// ```
    pub fn unknown(&self) -> usize {
        self.unknown
    }

    /// The number of items, known statuses and unknown ones together.
    ///
    /// ```
    /// # use ip_status::{JobProgress, Status};
    /// let progress: JobProgress = [Status::Draft; 4].into_iter().collect();
    /// assert_eq!(progress.total(), 4);
    /// ```
    pub fn total(&self) -> usize {
        self.counts.iter().sum::<usize>() + self.unknown
    }

    /// Where the job stands. A job with no items is settled, because nothing is
    /// left to wait for.
    ///
    /// ```
    /// # use ip_status::{JobProgress, JobStage, Status};
    /// let progress: JobProgress = [Status::Cancelled, Status::InvalidAddress].into_iter().collect();
    /// assert_eq!(progress.stage(), JobStage::Settled);
    /// ```
    pub fn stage(&self) -> JobStage {
        if self.count(Status::Draft) > 0 {
            return JobStage::Draft;
        }

        let settled: usize = Status::ALL
            .iter()
            .filter(|status| status.is_settled())
            .map(|status| self.count(*status))
            .sum();
        if settled == self.total() {
            JobStage::Settled
        } else {
            JobStage::InProduction
        }
    }
}

impl FromIterator<Status> for JobProgress {
    fn from_iter<I: IntoIterator<Item = Status>>(iter: I) -> Self {
        let mut progress = JobProgress::default();
        for status in iter {
            progress.add(status);
        }
        progress
    }
}
