//! Classifying a status reported by a poll or a webhook against the one a
//! client already holds.

use crate::{Path, Status};

/// How an observed status relates to the status a client already holds.
///
/// ```
/// use ip_status::{Observation, Status};
///
/// let seen = Status::WaitingToPrint.observe(Status::Sent).unwrap();
/// assert!(matches!(seen, Observation::Advanced { .. }));
/// assert_eq!(seen.skipped().collect::<Vec<_>>(), [Status::Printing, Status::Enclosing, Status::Shipping]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observation {
    /// The observed status is the known one: nothing to do.
    Unchanged,
    /// The observed status lies ahead: store it. `path` holds the transitions
    /// from the known status, including the ones the client did not see.
    Advanced {
        /// The transitions from the known status to the observed one.
        path: Path,
    },
    /// The observed status lies behind the known one: a late or reordered
    /// delivery, to be ignored.
    Stale,
}

impl Observation {
    /// The statuses between the known and the observed one that the client did
    /// not see; empty unless [`Observation::Advanced`].
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert_eq!(Status::Sent.observe(Status::Printing).unwrap().skipped().count(), 0);
    /// ```
    pub fn skipped(&self) -> impl Iterator<Item = Status> + '_ {
        let path = match self {
            Observation::Advanced { path } => Some(path),
            _ => None,
        };
        path.into_iter().flat_map(Path::intermediates)
    }

    /// Returns whether the client should store the observed status.
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert!(Status::Printing.observe(Status::Enclosing).unwrap().is_advance());
    /// assert!(!Status::Printing.observe(Status::Printing).unwrap().is_advance());
    /// ```
    pub fn is_advance(&self) -> bool {
        matches!(self, Observation::Advanced { .. })
    }
}

/// An observed status that no sequence of transitions connects with the known
/// one, in either direction: the report contradicts what the client holds.
///
/// ```
/// use ip_status::Status;
///
/// let err = Status::Cancelled.observe(Status::Sent).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "impossible status update: a mail item in cancelled can never reach sent, and sent never leads to cancelled"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("impossible status update: a mail item in {known} can never reach {observed}, and {observed} never leads to {known}")]
pub struct ImpossibleObservation {
    /// The status the client held.
    pub known: Status,
    /// The status that was reported.
    pub observed: Status,
}

impl Status {
    /// Classifies `observed`, reported by a poll or a webhook, against `self`,
    /// the status the client holds.
    ///
    /// # Errors
    ///
    /// [`ImpossibleObservation`] when neither status can reach the other.
    ///
    /// ```
    /// # use ip_status::{Observation, Status};
    /// assert_eq!(Status::Sent.observe(Status::Sent), Ok(Observation::Unchanged));
    /// assert_eq!(Status::Sent.observe(Status::Shipping), Ok(Observation::Stale));
    /// assert!(Status::Returned.observe(Status::InvalidAddress).is_err());
    /// ```
    pub fn observe(self, observed: Status) -> Result<Observation, ImpossibleObservation> {
        if observed == self {
            return Ok(Observation::Unchanged);
        }
        if observed.can_reach(self) {
            return Ok(Observation::Stale);
        }
        match self.path_to(observed) {
            Some(path) => Ok(Observation::Advanced { path }),
            None => Err(ImpossibleObservation {
                known: self,
                observed,
            }),
        }
    }
}
