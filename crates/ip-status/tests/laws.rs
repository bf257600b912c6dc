//! Laws that tie the transition table to reachability, paths, observations,
//! guards and job progress.
//!
//! Laws over single statuses or pairs of statuses loop over all of them,
//! because there are only nine statuses. Laws over histories, guard inputs and
//! job contents use the crate's proptest strategies.

use std::collections::{BTreeSet, VecDeque};

use ip_status::strategy;
use ip_status::{
    Event, Guard, ImpossibleObservation, JobProgress, JobStage, KnownOrUnknown, MailItem,
    Observation, PostageService, Returned, Status, StatusSet, TransitionContext, TransitionError,
    TRANSITIONS,
};
use proptest::prelude::*;
use strum::IntoEnumIterator;

/// Finds the statuses one or more transitions away from `from` by a
/// breadth-first search over `successors`, independently of `can_reach`.
fn closure_of_successors(from: Status) -> BTreeSet<Status> {
    let mut reached = BTreeSet::new();
    let mut queue: VecDeque<Status> = from.successors().iter().collect();
    while let Some(status) = queue.pop_front() {
        if reached.insert(status) {
            queue.extend(status.successors().iter());
        }
    }
    reached
}

/// Lists every `(from, to)` pair of statuses, `from == to` included.
fn all_pairs() -> impl Iterator<Item = (Status, Status)> {
    Status::ALL
        .into_iter()
        .flat_map(|from| Status::ALL.into_iter().map(move |to| (from, to)))
}

// Reachability and the shape of the graph.

#[test]
fn every_status_reachable_from_draft() {
    let closure = closure_of_successors(Status::Draft);
    for status in Status::ALL.into_iter().filter(|s| *s != Status::Draft) {
        assert!(
            Status::Draft.can_reach(status),
            "can_reach says draft never reaches {status}"
        );
        assert!(
            closure.contains(&status),
            "no chain of successors leads from draft to {status}"
        );
    }
}

#[test]
fn no_status_reaches_itself() {
    for status in Status::ALL {
        assert!(
            !status.can_reach(status),
            "{status} reaches itself, so the graph has a cycle"
        );
    }
}

#[test]
fn successors_match_table_rows() {
    for status in Status::ALL {
        let from_table: StatusSet = TRANSITIONS
            .iter()
            .filter(|t| t.from == status)
            .map(|t| t.to)
            .collect();
        assert_eq!(status.successors(), from_table, "successors of {status}");
    }
}

#[test]
fn can_transition_to_equals_successors() {
    for (from, to) in all_pairs() {
        assert_eq!(
            from.can_transition_to(to),
            from.successors().contains(to),
            "can_transition_to({from} -> {to})"
        );
    }
}

#[test]
fn can_reach_equals_closure_of_successors() {
    for (from, to) in all_pairs() {
        assert_eq!(
            from.can_reach(to),
            closure_of_successors(from).contains(&to),
            "can_reach({from} -> {to})"
        );
    }
}

#[test]
fn reachable_equals_closure_of_successors() {
    for status in Status::ALL {
        let closure: StatusSet = closure_of_successors(status).into_iter().collect();
        assert_eq!(status.reachable(), closure, "reachable from {status}");
    }
}

#[test]
fn terminals_have_no_successors() {
    for status in Status::ALL.into_iter().filter(|s| s.is_terminal()) {
        assert!(
            status.successors().is_empty(),
            "terminal {status} has successors {}",
            status.successors()
        );
        assert_eq!(status.transitions().count(), 0, "rows leaving {status}");
        assert!(status.reachable().is_empty(), "{status} reaches something");
    }
}

#[test]
fn terminals_are_returned_cancelled_invalid_address() {
    let terminals: StatusSet = Status::ALL
        .into_iter()
        .filter(|s| s.is_terminal())
        .collect();
    let expected: StatusSet = [Status::Returned, Status::Cancelled, Status::InvalidAddress]
        .into_iter()
        .collect();
    assert_eq!(terminals, expected);
}

#[test]
fn terminals_reject_every_event() {
    for status in Status::ALL.into_iter().filter(|s| s.is_terminal()) {
        for event in Event::iter() {
            assert_eq!(
                status.apply(event),
                Err(TransitionError::IllegalEvent {
                    from: status,
                    event
                }),
                "{event} applied to terminal {status}"
            );
        }
    }
}

#[test]
fn settled_is_sent_or_terminal() {
    for status in Status::ALL {
        assert_eq!(
            status.is_settled(),
            status == Status::Sent || status.is_terminal(),
            "is_settled({status})"
        );
    }
}

#[test]
fn apply_follows_table_rows() {
    for status in Status::ALL {
        for event in Event::iter() {
            let row = TRANSITIONS
                .iter()
                .find(|t| t.from == status && t.event == event);
            let expected = match row {
                Some(row) => Ok(row.to),
                None => Err(TransitionError::IllegalEvent {
                    from: status,
                    event,
                }),
            };
            assert_eq!(status.apply(event), expected, "{event} applied to {status}");
        }
    }
}

#[test]
fn table_has_one_row_per_event_and_status() {
    for (i, first) in TRANSITIONS.iter().enumerate() {
        for second in &TRANSITIONS[i + 1..] {
            assert!(
                (first.from, first.event) != (second.from, second.event),
                "two rows for {} on {}",
                first.event,
                first.from
            );
            assert!(
                (first.from, first.to) != (second.from, second.to),
                "two rows from {} to {}",
                first.from,
                first.to
            );
        }
    }
}

// Legal and illegal steps.

proptest! {
    #[test]
    fn legal_history_starts_at_draft(history in strategy::legal_history()) {
        prop_assert_eq!(history[0], Status::Draft);
    }

    #[test]
    fn legal_history_applies_step_by_step(history in strategy::legal_history()) {
        for pair in history.windows(2) {
            let (from, to) = (pair[0], pair[1]);
            let row = from.transition_to(to);
            prop_assert!(row.is_ok(), "no row from {} to {}", from, to);
            let event = row.unwrap().event;
            prop_assert_eq!(from.apply(event), Ok(to), "{} applied to {}", event, from);
        }
    }

    #[test]
    fn legal_transition_found_by_transition_to(transition in strategy::legal_transition()) {
        prop_assert_eq!(transition.from.transition_to(transition.to), Ok(&transition));
    }

    #[test]
    fn legal_transition_found_by_transition_for(transition in strategy::legal_transition()) {
        prop_assert_eq!(transition.from.transition_for(transition.event), Ok(&transition));
    }

    #[test]
    fn illegal_pair_rejected_by_transition_to((from, to) in strategy::illegal_pair()) {
        prop_assert_eq!(
            from.transition_to(to),
            Err(TransitionError::IllegalTarget { from, to })
        );
    }

    #[test]
    fn illegal_pair_rejected_by_can_transition_to((from, to) in strategy::illegal_pair()) {
        prop_assert!(!from.can_transition_to(to), "{} -> {} allowed", from, to);
    }

    #[test]
    fn illegal_pair_rejected_by_check_transition_to((from, to) in strategy::illegal_pair()) {
        let context = TransitionContext::with_service(PostageService::Tracked24);
        prop_assert_eq!(
            from.check_transition_to(to, &context),
            Err(TransitionError::IllegalTarget { from, to })
        );
    }

    #[test]
    fn transition_error_allows_successors((from, to) in strategy::illegal_pair()) {
        let err = from.transition_to(to).unwrap_err();
        prop_assert_eq!(err.from(), from);
        prop_assert_eq!(err.allowed(), from.successors());
    }
}

// Paths.

#[test]
fn path_to_is_some_iff_equal_or_reachable() {
    for (from, to) in all_pairs() {
        assert_eq!(
            from.path_to(to).is_some(),
            from == to || from.can_reach(to),
            "path_to({from} -> {to})"
        );
    }
}

#[test]
fn path_to_steps_chain() {
    for (from, to) in all_pairs() {
        let Some(path) = from.path_to(to) else {
            continue;
        };
        let mut current = from;
        for step in path.iter() {
            assert_eq!(
                step.from, current,
                "a step of {from} -> {to} starts elsewhere"
            );
            assert!(
                TRANSITIONS.contains(step),
                "{step:?} on the path {from} -> {to} is not a table row"
            );
            current = step.to;
        }
        assert_eq!(current, to, "the path {from} -> {to} ends elsewhere");
    }
}

#[test]
fn path_to_is_empty_iff_equal() {
    for (from, to) in all_pairs() {
        let Some(path) = from.path_to(to) else {
            continue;
        };
        assert_eq!(path.is_empty(), from == to, "path {from} -> {to}");
        assert_eq!(
            path.len(),
            path.iter().count(),
            "len of path {from} -> {to}"
        );
    }
}

#[test]
fn path_intermediates_are_step_targets() {
    for (from, to) in all_pairs() {
        let Some(path) = from.path_to(to) else {
            continue;
        };
        let targets: Vec<Status> = path.iter().map(|t| t.to).collect();
        let intermediates: Vec<Status> = path.intermediates().collect();
        let inner = targets.len().saturating_sub(1);
        assert_eq!(
            intermediates,
            targets[..inner],
            "intermediates of {from} -> {to}"
        );
    }
}

// Observations.

#[test]
fn observe_unchanged_iff_equal() {
    for (known, observed) in all_pairs() {
        assert_eq!(
            known.observe(observed) == Ok(Observation::Unchanged),
            known == observed,
            "observe({known} -> {observed})"
        );
    }
}

#[test]
fn observe_advanced_iff_known_reaches_observed() {
    for (known, observed) in all_pairs() {
        let advanced = matches!(known.observe(observed), Ok(Observation::Advanced { .. }));
        assert_eq!(
            advanced,
            known.can_reach(observed),
            "observe({known} -> {observed})"
        );
    }
}

#[test]
fn observe_stale_iff_observed_reaches_known() {
    for (known, observed) in all_pairs() {
        assert_eq!(
            known.observe(observed) == Ok(Observation::Stale),
            observed.can_reach(known),
            "observe({known} -> {observed})"
        );
    }
}

#[test]
fn observe_fails_iff_unrelated() {
    for (known, observed) in all_pairs() {
        let unrelated =
            known != observed && !known.can_reach(observed) && !observed.can_reach(known);
        let result = known.observe(observed);
        assert_eq!(result.is_err(), unrelated, "observe({known} -> {observed})");
        if let Err(err) = result {
            assert_eq!(
                err,
                ImpossibleObservation { known, observed },
                "error of observe({known} -> {observed})"
            );
        }
    }
}

#[test]
fn observe_advanced_path_lies_between() {
    for (known, observed) in all_pairs() {
        let Ok(Observation::Advanced { path }) = known.observe(observed) else {
            continue;
        };
        assert_eq!(
            Some(path),
            known.path_to(observed),
            "path of observe({known} -> {observed})"
        );
        for skipped in path.intermediates() {
            assert!(
                known.can_reach(skipped),
                "{known} -> {observed} skips {skipped}, which {known} cannot reach"
            );
            assert!(
                skipped.can_reach(observed),
                "{known} -> {observed} skips {skipped}, which cannot reach {observed}"
            );
        }
    }
}

#[test]
fn observe_skipped_empty_unless_advanced() {
    for (known, observed) in all_pairs() {
        let Ok(observation) = known.observe(observed) else {
            continue;
        };
        if !observation.is_advance() {
            assert_eq!(
                observation.skipped().count(),
                0,
                "observe({known} -> {observed}) skipped statuses"
            );
        }
    }
}

// Guards.

proptest! {
    #[test]
    fn reject_address_needs_tracked_service(service in strategy::any_postage_service()) {
        let context = TransitionContext::with_service(service);
        let result = Status::Shipping.apply_with(Event::RejectAddress, &context);
        prop_assert_eq!(result.is_ok(), service.is_tracked(), "service {}", service);
    }

    #[test]
    fn check_target_needs_tracked_service(
        service in strategy::any_postage_service()
    ) {
        let context = TransitionContext::with_service(service);
        let result = Status::Shipping.check_transition_to(Status::InvalidAddress, &context);
        prop_assert_eq!(result.is_ok(), service.is_tracked(), "service {}", service);
    }

    #[test]
    fn return_needs_non_blank_reason(returned in proptest::option::of(strategy::any_returned())) {
        let context = TransitionContext { postage_service: None, returned: returned.as_ref() };
        let has_reason = returned
            .as_ref()
            .is_some_and(|r| !r.reason.trim().is_empty());
        let result = Status::Sent.apply_with(Event::Return, &context);
        prop_assert_eq!(result.is_ok(), has_reason, "return details {:?}", returned);
    }

    #[test]
    fn apply_with_holds_iff_guard_holds(
        transition in strategy::legal_transition(),
        service in proptest::option::of(strategy::any_postage_service()),
        returned in proptest::option::of(strategy::any_returned()),
    ) {
        let context = TransitionContext { postage_service: service, returned: returned.as_ref() };
        let expected = if transition.guard.holds(&context) {
            Ok(transition.to)
        } else {
            Err(TransitionError::GuardFailed { transition })
        };
        prop_assert_eq!(transition.from.apply_with(transition.event, &context), expected);
    }

    #[test]
    fn unguarded_transition_ignores_context(transition in strategy::legal_transition()) {
        prop_assume!(transition.guard == Guard::None);
        let result = transition.from.apply_with(transition.event, &TransitionContext::default());
        prop_assert_eq!(result, Ok(transition.to));
    }
}

#[test]
fn reject_address_fails_without_service() {
    let result = Status::Shipping.apply_with(Event::RejectAddress, &TransitionContext::default());
    assert!(
        matches!(result, Err(TransitionError::GuardFailed { .. })),
        "got {result:?}"
    );
}

#[test]
fn return_rejects_empty_or_blank_reason() {
    for reason in ["", " ", "\t\n "] {
        let returned = Returned {
            date: 1_700_000_000,
            reason: reason.to_owned(),
        };
        let context = TransitionContext::default().returned(&returned);
        let result = Status::Sent.apply_with(Event::Return, &context);
        assert!(
            matches!(result, Err(TransitionError::GuardFailed { .. })),
            "reason {reason:?} gave {result:?}"
        );
    }
}

#[test]
fn return_fails_without_details() {
    let result = Status::Sent.apply_with(Event::Return, &TransitionContext::default());
    assert!(
        matches!(result, Err(TransitionError::GuardFailed { .. })),
        "got {result:?}"
    );
}

// Job progress.

/// Generates the statuses of a job's letters: any mix, or only settled ones,
/// so that settled jobs with several letters come up often.
fn letter_statuses() -> impl Strategy<Value = Vec<KnownOrUnknown<Status>>> {
    let settled: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_settled()).collect();
    prop_oneof![
        proptest::collection::vec(strategy::known_or_unknown(strategy::any_status()), 0..12),
        proptest::collection::vec(
            proptest::sample::select(settled).prop_map(KnownOrUnknown::Known),
            0..12
        ),
    ]
}

fn letters_with(statuses: &[KnownOrUnknown<Status>]) -> Vec<MailItem> {
    statuses
        .iter()
        .enumerate()
        .map(|(i, status)| MailItem {
            id: format!("ltr_{i}"),
            status: status.clone(),
            ..MailItem::default()
        })
        .collect()
}

proptest! {
    #[test]
    fn job_stage_draft_iff_any_draft(statuses in letter_statuses()) {
        let stage = JobProgress::of_letters(&letters_with(&statuses)).stage();
        let any_draft = statuses.contains(&KnownOrUnknown::Known(Status::Draft));
        prop_assert_eq!(stage == JobStage::Draft, any_draft, "stage {:?}", stage);
    }

    #[test]
    fn job_stage_settled_iff_all_settled(statuses in letter_statuses()) {
        let stage = JobProgress::of_letters(&letters_with(&statuses)).stage();
        let all_settled = statuses.iter().all(|s| s.known().is_some_and(Status::is_settled));
        prop_assert_eq!(stage == JobStage::Settled, all_settled, "stage {:?}", stage);
    }

    #[test]
    fn job_progress_counts_every_letter(statuses in letter_statuses()) {
        let progress = JobProgress::of_letters(&letters_with(&statuses));
        prop_assert_eq!(progress.total(), statuses.len());
        let unknown = statuses.iter().filter(|s| s.known().is_none()).count();
        prop_assert_eq!(progress.unknown(), unknown);
        for status in Status::ALL {
            let count = statuses.iter().filter(|s| s.known() == Some(status)).count();
            prop_assert_eq!(progress.count(status), count, "count of {}", status);
        }
    }

    #[test]
    fn job_progress_collect_matches_of_letters(
        statuses in proptest::collection::vec(strategy::any_status(), 0..12)
    ) {
        let known: Vec<KnownOrUnknown<Status>> = statuses.iter().copied().map(Into::into).collect();
        let collected: JobProgress = statuses.into_iter().collect();
        prop_assert_eq!(collected, JobProgress::of_letters(&letters_with(&known)));
    }
}
