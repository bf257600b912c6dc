//! The transition table and everything derived from it.
//!
//! [`TRANSITIONS`] is the only place that defines which status changes are legal.
//! Successor sets, reachability, paths, [`Status::apply`], the Mermaid diagram
//! and the proptest strategies are all computed from it; the bit-set tables
//! below are filled in at compile time, so the hot checks are array lookups.

use crate::{Event, Status, StatusSet};

/// A condition on a transition that the table alone cannot check, because it
/// depends on the mail item rather than on its status.
///
/// ```
/// use ip_status::{Guard, Status};
///
/// let row = Status::Shipping.transition_to(Status::InvalidAddress).unwrap();
/// assert_eq!(row.guard, Guard::TrackedService);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guard {
    /// Always allowed.
    None,
    /// Only for items posted with a tracked postage service
    /// ([`PostageService::is_tracked`](crate::PostageService::is_tracked)).
    TrackedService,
    /// Only with return details ([`Returned`](crate::Returned)) whose reason is
    /// not blank: empty and whitespace-only reasons are rejected. The date is
    /// not checked.
    ReturnDetails,
}

/// One row of the transition table: `from` becomes `to` when `event` happens,
/// provided `guard` holds.
///
/// ```
/// use ip_status::{Event, Status, TRANSITIONS};
///
/// let first = TRANSITIONS[0];
/// assert_eq!((first.from, first.event, first.to), (Status::Draft, Event::Confirm, Status::WaitingToPrint));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transition {
    /// The status before the change.
    pub from: Status,
    /// The cause of the change.
    pub event: Event,
    /// The status after the change.
    pub to: Status,
    /// The condition the item must meet.
    pub guard: Guard,
}

const fn row(from: Status, event: Event, to: Status, guard: Guard) -> Transition {
    Transition {
        from,
        event,
        to,
        guard,
    }
}

/// Every legal status change, one row per `(from, event, to)`.
///
/// Source: Intelliprint's "Tracking Print Jobs" page (statuses and their
/// meaning) and its API reference (confirming, cancelling, returns).
///
/// ```
/// use ip_status::TRANSITIONS;
///
/// assert_eq!(TRANSITIONS.len(), 8);
/// ```
pub const TRANSITIONS: [Transition; 8] = [
    row(
        Status::Draft,
        Event::Confirm,
        Status::WaitingToPrint,
        Guard::None,
    ),
    row(
        Status::WaitingToPrint,
        Event::StartPrinting,
        Status::Printing,
        Guard::None,
    ),
    row(
        Status::WaitingToPrint,
        Event::Cancel,
        Status::Cancelled,
        Guard::None,
    ),
    row(
        Status::Printing,
        Event::Enclose,
        Status::Enclosing,
        Guard::None,
    ),
    row(
        Status::Enclosing,
        Event::Dispatch,
        Status::Shipping,
        Guard::None,
    ),
    row(
        Status::Shipping,
        Event::HandToCarrier,
        Status::Sent,
        Guard::None,
    ),
    row(
        Status::Shipping,
        Event::RejectAddress,
        Status::InvalidAddress,
        Guard::TrackedService,
    ),
    row(
        Status::Sent,
        Event::Return,
        Status::Returned,
        Guard::ReturnDetails,
    ),
];

const STATUS_COUNT: usize = Status::ALL.len();

/// `SUCCESSORS[s]` is the set of statuses one transition away from `s`.
const SUCCESSORS: [StatusSet; STATUS_COUNT] = {
    let mut sets = [StatusSet::EMPTY; STATUS_COUNT];
    let mut i = 0;
    while i < TRANSITIONS.len() {
        let transition = TRANSITIONS[i];
        let from = transition.from.index();
        sets[from] = sets[from].with(transition.to);
        i += 1;
    }
    sets
};

/// `REACHABLE[s]` is the transitive closure of `SUCCESSORS` from `s`: every
/// status one or more transitions away. Computed by Warshall's algorithm.
const REACHABLE: [StatusSet; STATUS_COUNT] = {
    let mut sets = SUCCESSORS;
    let mut via = 0;
    while via < STATUS_COUNT {
        let mut from = 0;
        while from < STATUS_COUNT {
            if sets[from].contains(Status::ALL[via]) {
                sets[from] = sets[from].union(sets[via]);
            }
            from += 1;
        }
        via += 1;
    }
    sets
};

/// The longest path in the table has this many steps (`draft` to `returned`).
pub(crate) const MAX_PATH_LEN: usize = 6;

impl Status {
    /// The statuses one transition away.
    ///
    /// ```
    /// # use ip_status::Status;
    /// let next: Vec<Status> = Status::WaitingToPrint.successors().iter().collect();
    /// assert_eq!(next, [Status::Printing, Status::Cancelled]);
    /// ```
    pub const fn successors(self) -> StatusSet {
        SUCCESSORS[self.index()]
    }

    /// Returns whether one transition leads from `self` to `next`, ignoring guards.
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert!(Status::Printing.can_transition_to(Status::Enclosing));
    /// assert!(!Status::Printing.can_transition_to(Status::Sent));
    /// ```
    pub const fn can_transition_to(self, next: Status) -> bool {
        SUCCESSORS[self.index()].contains(next)
    }

    /// Returns whether no transition leaves this status.
    ///
    /// `sent` is not terminal: a return can still follow.
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert!(Status::Cancelled.is_terminal());
    /// assert!(!Status::Sent.is_terminal());
    /// ```
    pub const fn is_terminal(self) -> bool {
        SUCCESSORS[self.index()].is_empty()
    }

    /// Returns whether the item has left production for good: `sent`,
    /// `returned`, `cancelled` or `invalid_address`.
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert!(Status::Sent.is_settled());
    /// assert!(!Status::Shipping.is_settled());
    /// ```
    pub const fn is_settled(self) -> bool {
        matches!(self, Status::Sent) || self.is_terminal()
    }

    /// Returns whether `target` lies one or more transitions ahead, so that a
    /// client polling for snapshots may legally see it next. A status does not
    /// reach itself.
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert!(Status::WaitingToPrint.can_reach(Status::Sent));
    /// assert!(!Status::Sent.can_reach(Status::Printing));
    /// assert!(!Status::Sent.can_reach(Status::Sent));
    /// ```
    pub const fn can_reach(self, target: Status) -> bool {
        REACHABLE[self.index()].contains(target)
    }

    /// Every status one or more transitions ahead.
    ///
    /// ```
    /// # use ip_status::Status;
    /// let ahead: Vec<Status> = Status::Shipping.reachable().iter().collect();
    /// assert_eq!(ahead, [Status::Sent, Status::Returned, Status::InvalidAddress]);
    /// ```
    pub const fn reachable(self) -> StatusSet {
        REACHABLE[self.index()]
    }

    /// The transitions that lead out of this status, in table order.
    ///
    /// ```
    /// # use ip_status::{Event, Status};
    /// let events: Vec<Event> = Status::Shipping.transitions().map(|t| t.event).collect();
    /// assert_eq!(events, [Event::HandToCarrier, Event::RejectAddress]);
    /// ```
    pub fn transitions(self) -> impl Iterator<Item = &'static Transition> {
        TRANSITIONS.iter().filter(move |t| t.from == self)
    }

    /// The table row from `self` to `next`.
    ///
    /// # Errors
    ///
    /// [`TransitionError::IllegalTarget`] when no row leads there.
    ///
    /// ```
    /// # use ip_status::{Event, Status};
    /// let row = Status::Sent.transition_to(Status::Returned).unwrap();
    /// assert_eq!(row.event, Event::Return);
    /// assert!(Status::Sent.transition_to(Status::Printing).is_err());
    /// ```
    pub fn transition_to(self, next: Status) -> Result<&'static Transition, TransitionError> {
        self.transitions()
            .find(|t| t.to == next)
            .ok_or(TransitionError::IllegalTarget {
                from: self,
                to: next,
            })
    }

    /// The status that `event` leads to, checking the table but not the guards.
    /// Use [`Status::apply_with`] to check the guards too.
    ///
    /// # Errors
    ///
    /// [`TransitionError::IllegalEvent`] when the event does not apply here.
    ///
    /// ```
    /// # use ip_status::{Event, Status};
    /// assert_eq!(Status::Printing.apply(Event::Enclose), Ok(Status::Enclosing));
    /// let err = Status::Sent.apply(Event::Cancel).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "cannot apply cancel to a mail item in sent; sent allows only: return (to returned)"
    /// );
    /// ```
    pub fn apply(self, event: Event) -> Result<Status, TransitionError> {
        self.transition_for(event).map(|t| t.to)
    }

    /// The table row that `event` selects from this status.
    ///
    /// # Errors
    ///
    /// [`TransitionError::IllegalEvent`] when the event does not apply here.
    ///
    /// ```
    /// # use ip_status::{Event, Guard, Status};
    /// let row = Status::Shipping.transition_for(Event::RejectAddress).unwrap();
    /// assert_eq!(row.guard, Guard::TrackedService);
    /// ```
    pub fn transition_for(self, event: Event) -> Result<&'static Transition, TransitionError> {
        self.transitions()
            .find(|t| t.event == event)
            .ok_or(TransitionError::IllegalEvent { from: self, event })
    }

    /// The transitions, in order, that lead from `self` to `target`; empty when
    /// they are equal, `None` when `target` is not reachable.
    ///
    /// ```
    /// # use ip_status::{Event, Status};
    /// let path = Status::Printing.path_to(Status::Sent).unwrap();
    /// let events: Vec<Event> = path.iter().map(|t| t.event).collect();
    /// assert_eq!(events, [Event::Enclose, Event::Dispatch, Event::HandToCarrier]);
    /// assert_eq!(path.intermediates().collect::<Vec<_>>(), [Status::Enclosing, Status::Shipping]);
    /// assert!(Status::Sent.path_to(Status::Printing).is_none());
    /// ```
    pub fn path_to(self, target: Status) -> Option<Path> {
        if self != target && !self.can_reach(target) {
            return None;
        }

        // The graph is acyclic, so stepping to any successor that still reaches
        // the target (or is the target) always ends at the target.
        let mut path = Path::default();
        let mut current = self;
        while current != target {
            let step = self::first_step_towards(current, target)?;
            path.push(step);
            current = step.to;
        }
        Some(path)
    }
}

fn first_step_towards(from: Status, target: Status) -> Option<&'static Transition> {
    from.transitions()
        .find(|t| t.to == target || t.to.can_reach(target))
}

/// An ordered list of table rows, each starting where the previous one ended.
///
/// It is stored inline (at most the longest path in the table), so building
/// one does not allocate.
///
/// ```
/// # use ip_status::Status;
/// let path = Status::Draft.path_to(Status::Returned).unwrap();
/// assert_eq!(path.len(), 6);
/// assert_eq!(path.iter().last().unwrap().to, Status::Returned);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Path {
    len: u8,
    rows: [Option<&'static Transition>; MAX_PATH_LEN],
}

impl Path {
    fn push(&mut self, transition: &'static Transition) {
        self.rows[usize::from(self.len)] = Some(transition);
        self.len += 1;
    }

    /// The number of transitions.
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert_eq!(Status::Sent.path_to(Status::Sent).unwrap().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Returns whether the path has no transitions (start equals end).
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert!(Status::Sent.path_to(Status::Sent).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The transitions in order.
    ///
    /// ```
    /// # use ip_status::{Event, Status};
    /// let path = Status::Draft.path_to(Status::Printing).unwrap();
    /// assert_eq!(path.iter().map(|t| t.event).collect::<Vec<_>>(), [Event::Confirm, Event::StartPrinting]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &'static Transition> + '_ {
        self.rows[..self.len()].iter().flatten().copied()
    }

    /// The statuses strictly between the start and the end: the ones a client
    /// that jumped from start to end did not see.
    ///
    /// ```
    /// # use ip_status::Status;
    /// let path = Status::WaitingToPrint.path_to(Status::Shipping).unwrap();
    /// assert_eq!(path.intermediates().collect::<Vec<_>>(), [Status::Printing, Status::Enclosing]);
    /// ```
    pub fn intermediates(&self) -> impl Iterator<Item = Status> + '_ {
        let inner = self.len().saturating_sub(1);
        self.rows[..inner].iter().flatten().map(|t| t.to)
    }
}

/// A status change that the transition table or its guards reject.
///
/// Each message names the current status, the rejected event or target, and
/// what is allowed instead.
///
/// ```
/// use ip_status::{Status, TransitionError};
///
/// let err = Status::Sent.transition_to(Status::Printing).unwrap_err();
/// assert_eq!(err, TransitionError::IllegalTarget { from: Status::Sent, to: Status::Printing });
/// assert_eq!(err.to_string(), "cannot go from sent to printing; sent can only become: returned");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The event does not apply to the current status.
    #[error("cannot apply {event} to a mail item in {from}; {}", describe_events(*from))]
    IllegalEvent {
        /// The current status.
        from: Status,
        /// The rejected event.
        event: Event,
    },
    /// No transition leads from the current status to the target.
    #[error("cannot go from {from} to {to}; {}", describe_successors(*from))]
    IllegalTarget {
        /// The current status.
        from: Status,
        /// The rejected target.
        to: Status,
    },
    /// The row exists but its guard does not hold for this item.
    #[error("cannot go from {} to {}: {}", transition.from, transition.to, describe_guard(transition.guard))]
    GuardFailed {
        /// The row whose guard failed.
        transition: Transition,
    },
}

impl TransitionError {
    /// The status the item was in when the change was rejected.
    ///
    /// ```
    /// # use ip_status::{Event, Status};
    /// assert_eq!(Status::Cancelled.apply(Event::Return).unwrap_err().from(), Status::Cancelled);
    /// ```
    pub fn from(&self) -> Status {
        match self {
            TransitionError::IllegalEvent { from, .. } => *from,
            TransitionError::IllegalTarget { from, .. } => *from,
            TransitionError::GuardFailed { transition } => transition.from,
        }
    }

    /// The statuses that are legal next steps from [`TransitionError::from`].
    ///
    /// ```
    /// # use ip_status::{Event, Status};
    /// let err = Status::WaitingToPrint.apply(Event::Return).unwrap_err();
    /// assert_eq!(err.allowed().iter().collect::<Vec<_>>(), [Status::Printing, Status::Cancelled]);
    /// ```
    pub fn allowed(&self) -> StatusSet {
        self.from().successors()
    }
}

fn describe_events(from: Status) -> String {
    if from.is_terminal() {
        return format!("{from} is terminal and allows no event");
    }
    let events: Vec<String> = from
        .transitions()
        .map(|t| format!("{} (to {})", t.event, t.to))
        .collect();
    format!("{from} allows only: {}", events.join(", "))
}

fn describe_successors(from: Status) -> String {
    if from.is_terminal() {
        return format!("{from} is terminal");
    }
    format!("{from} can only become: {}", from.successors())
}

fn describe_guard(guard: Guard) -> &'static str {
    match guard {
        Guard::None => "no condition applies",
        Guard::TrackedService => {
            "only items posted with a tracked postage service can fail on address"
        }
        Guard::ReturnDetails => "a return needs a return date and a non-empty reason",
    }
}
