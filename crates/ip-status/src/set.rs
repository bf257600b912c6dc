//! A copyable set of statuses stored as a bit mask.

use std::fmt;

use crate::Status;

/// A set of statuses, one bit per status, so that set operations are single
/// integer instructions and never allocate.
///
/// ```
/// use ip_status::{Status, StatusSet};
///
/// let set = StatusSet::EMPTY.with(Status::Sent).with(Status::Returned);
/// assert!(set.contains(Status::Sent));
/// assert_eq!(set.len(), 2);
/// assert_eq!(set.to_string(), "sent, returned");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StatusSet(u16);

impl StatusSet {
    /// The set with no status.
    ///
    /// ```
    /// # use ip_status::StatusSet;
    /// assert!(StatusSet::EMPTY.is_empty());
    /// ```
    pub const EMPTY: StatusSet = StatusSet(0);

    /// The set of all nine statuses.
    ///
    /// ```
    /// # use ip_status::StatusSet;
    /// assert_eq!(StatusSet::ALL.len(), 9);
    /// ```
    pub const ALL: StatusSet = StatusSet((1 << Status::ALL.len()) - 1);

    /// This set with `status` added.
    ///
    /// ```
    /// # use ip_status::{Status, StatusSet};
    /// assert!(StatusSet::EMPTY.with(Status::Draft).contains(Status::Draft));
    /// ```
    pub const fn with(self, status: Status) -> StatusSet {
        StatusSet(self.0 | 1 << status.index())
    }

    /// Returns whether `status` is in the set.
    ///
    /// ```
    /// # use ip_status::{Status, StatusSet};
    /// assert!(!StatusSet::EMPTY.contains(Status::Draft));
    /// ```
    pub const fn contains(self, status: Status) -> bool {
        self.0 & (1 << status.index()) != 0
    }

    /// The statuses in either set.
    ///
    /// ```
    /// # use ip_status::{Status, StatusSet};
    /// let a = StatusSet::EMPTY.with(Status::Sent);
    /// let b = StatusSet::EMPTY.with(Status::Returned);
    /// assert_eq!(a.union(b).len(), 2);
    /// ```
    pub const fn union(self, other: StatusSet) -> StatusSet {
        StatusSet(self.0 | other.0)
    }

    /// Returns whether the set has no status.
    ///
    /// ```
    /// # use ip_status::{Status, StatusSet};
    /// assert!(Status::Cancelled.successors().is_empty());
    /// ```
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The number of statuses in the set.
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert_eq!(Status::Shipping.successors().len(), 2);
    /// ```
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The statuses in lifecycle order.
    ///
    /// ```
    /// # use ip_status::Status;
    /// let next: Vec<Status> = Status::Sent.successors().iter().collect();
    /// assert_eq!(next, [Status::Returned]);
    /// ```
    pub fn iter(self) -> impl Iterator<Item = Status> {
        Status::ALL.into_iter().filter(move |s| self.contains(*s))
    }
}

impl FromIterator<Status> for StatusSet {
    fn from_iter<I: IntoIterator<Item = Status>>(iter: I) -> Self {
        iter.into_iter().fold(StatusSet::EMPTY, StatusSet::with)
    }
}

impl fmt::Display for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, status) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(status.as_str())?;
        }
        Ok(())
    }
}

impl fmt::Debug for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}
