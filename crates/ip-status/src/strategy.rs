//! Proptest strategies built from the transition table, for property-testing
//! code that handles statuses. Enabled by the `proptest` cargo feature.
//!
//! ```
//! use ip_status::strategy;
//! use proptest::prelude::*;
//!
//! proptest!(|(history in strategy::legal_history())| {
//!     for pair in history.windows(2) {
//!         prop_assert!(pair[0].can_transition_to(pair[1]));
//!     }
//! });
//! ```

use proptest::prelude::*;
use proptest::sample::select;

use crate::{Status, Transition, TRANSITIONS};

/// Any of the nine statuses.
///
/// ```
/// use ip_status::strategy;
/// use proptest::prelude::*;
///
/// proptest!(|(status in strategy::any_status())| {
///     prop_assert_eq!(status.to_string().parse::<ip_status::Status>(), Ok(status));
/// });
/// ```
pub fn any_status() -> impl Strategy<Value = Status> {
    select(Status::ALL.to_vec())
}

/// A legal history: starts at `draft`, each step one legal transition, and
/// stops at a random point (possibly at `draft` itself, possibly at a terminal
/// status).
///
/// ```
/// use ip_status::{strategy, Status};
/// use proptest::prelude::*;
///
/// proptest!(|(history in strategy::legal_history())| {
///     prop_assert_eq!(history[0], Status::Draft);
/// });
/// ```
pub fn legal_history() -> impl Strategy<Value = Vec<Status>> {
    // One choice per possible step; each choice picks among the successors of
    // the status reached so far, and a stop decision ends the walk early.
    let longest = crate::transition::MAX_PATH_LEN;
    (
        proptest::collection::vec(any::<prop::sample::Index>(), longest),
        0..=longest,
    )
        .prop_map(|(choices, steps)| {
            let mut history = vec![Status::Draft];
            for choice in choices.into_iter().take(steps) {
                let current = *history.last().expect("history starts with draft");
                let next: Vec<Status> = current.successors().iter().collect();
                if next.is_empty() {
                    break;
                }
                history.push(*choice.get(&next));
            }
            history
        })
}

/// A row of the transition table.
///
/// ```
/// use ip_status::strategy;
/// use proptest::prelude::*;
///
/// proptest!(|(t in strategy::legal_transition())| {
///     prop_assert_eq!(t.from.apply(t.event), Ok(t.to));
/// });
/// ```
pub fn legal_transition() -> impl Strategy<Value = Transition> {
    select(TRANSITIONS.to_vec())
}

/// A `(from, to)` pair that no single transition connects (including a status
/// paired with itself).
///
/// ```
/// use ip_status::strategy;
/// use proptest::prelude::*;
///
/// proptest!(|((from, to) in strategy::illegal_pair())| {
///     prop_assert!(!from.can_transition_to(to));
/// });
/// ```
pub fn illegal_pair() -> impl Strategy<Value = (Status, Status)> {
    let pairs: Vec<(Status, Status)> = Status::ALL
        .into_iter()
        .flat_map(|from| Status::ALL.into_iter().map(move |to| (from, to)))
        .filter(|(from, to)| !from.can_transition_to(*to))
        .collect();
    select(pairs)
}
