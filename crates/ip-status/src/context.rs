//! Checking a transition's guard against the mail item it applies to.

use crate::{Event, Guard, PostageService, Returned, Status, Transition, TransitionError};

/// What a guard needs to know about the mail item.
///
/// ```
/// use ip_status::{Event, PostageService, Status, TransitionContext};
///
/// let tracked = TransitionContext::with_service(PostageService::Tracked24);
/// assert!(Status::Shipping.apply_with(Event::RejectAddress, &tracked).is_ok());
///
/// let untracked = TransitionContext::with_service(PostageService::UkSecondClass);
/// assert!(Status::Shipping.apply_with(Event::RejectAddress, &untracked).is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransitionContext<'a> {
    /// The item's postage service; `None` when unknown, which no
    /// tracked-service guard accepts.
    pub postage_service: Option<PostageService>,
    /// The return details, needed to enter `returned`.
    pub returned: Option<&'a Returned>,
}

impl<'a> TransitionContext<'a> {
    /// A context that knows only the postage service.
    ///
    /// ```
    /// # use ip_status::{PostageService, TransitionContext};
    /// let context = TransitionContext::with_service(PostageService::UkFirstClass);
    /// assert_eq!(context.returned, None);
    /// ```
    pub fn with_service(postage_service: PostageService) -> Self {
        TransitionContext {
            postage_service: Some(postage_service),
            returned: None,
        }
    }

    /// This context with return details added.
    ///
    /// ```
    /// # use ip_status::{Event, PostageService, Returned, Status, TransitionContext};
    /// let returned = Returned { date: 1_700_000_000, reason: "Delivery Refused".into() };
    /// let context = TransitionContext::with_service(PostageService::UkFirstClass).returned(&returned);
    /// assert_eq!(Status::Sent.apply_with(Event::Return, &context), Ok(Status::Returned));
    /// ```
    pub fn returned(self, returned: &'a Returned) -> Self {
        TransitionContext {
            returned: Some(returned),
            ..self
        }
    }
}

impl Guard {
    /// Returns whether this guard holds for the item described by `context`.
    ///
    /// ```
    /// # use ip_status::{Guard, PostageService, TransitionContext};
    /// assert!(Guard::None.holds(&TransitionContext::default()));
    /// assert!(!Guard::TrackedService.holds(&TransitionContext::default()));
    /// assert!(Guard::TrackedService.holds(&TransitionContext::with_service(PostageService::Tracked48)));
    /// ```
    pub fn holds(self, context: &TransitionContext<'_>) -> bool {
        match self {
            Guard::None => true,
            Guard::TrackedService => context
                .postage_service
                .is_some_and(PostageService::is_tracked),
            Guard::ReturnDetails => context
                .returned
                .is_some_and(|returned| !returned.reason.trim().is_empty()),
        }
    }
}

impl Transition {
    /// Checks this row's guard against the item.
    ///
    /// # Errors
    ///
    /// [`TransitionError::GuardFailed`] when the guard does not hold.
    ///
    /// ```
    /// # use ip_status::{Status, TransitionContext};
    /// let row = Status::Sent.transition_to(Status::Returned).unwrap();
    /// assert!(row.check(&TransitionContext::default()).is_err());
    /// ```
    pub fn check(&self, context: &TransitionContext<'_>) -> Result<(), TransitionError> {
        if self.guard.holds(context) {
            Ok(())
        } else {
            Err(TransitionError::GuardFailed { transition: *self })
        }
    }
}

impl Status {
    /// The status that `event` leads to, checking the table and the row's guard.
    ///
    /// # Errors
    ///
    /// [`TransitionError::IllegalEvent`] when the event does not apply here,
    /// [`TransitionError::GuardFailed`] when the item does not meet the guard.
    ///
    /// ```
    /// # use ip_status::{Event, Status, TransitionContext, TransitionError};
    /// let err = Status::Sent.apply_with(Event::Return, &TransitionContext::default()).unwrap_err();
    /// assert!(matches!(err, TransitionError::GuardFailed { .. }));
    /// assert_eq!(err.to_string(), "cannot go from sent to returned: a return needs a return date and a non-empty reason");
    /// ```
    pub fn apply_with(
        self,
        event: Event,
        context: &TransitionContext<'_>,
    ) -> Result<Status, TransitionError> {
        let transition = self.transition_for(event)?;
        transition.check(context)?;
        Ok(transition.to)
    }

    /// The table row from `self` to `next`, checking its guard.
    ///
    /// # Errors
    ///
    /// [`TransitionError::IllegalTarget`] when no row leads there,
    /// [`TransitionError::GuardFailed`] when the item does not meet the guard.
    ///
    /// ```
    /// # use ip_status::{PostageService, Status, TransitionContext};
    /// let untracked = TransitionContext::with_service(PostageService::UkFirstClass);
    /// assert!(Status::Shipping.check_transition_to(Status::Sent, &untracked).is_ok());
    /// assert!(Status::Shipping.check_transition_to(Status::InvalidAddress, &untracked).is_err());
    /// ```
    pub fn check_transition_to(
        self,
        next: Status,
        context: &TransitionContext<'_>,
    ) -> Result<&'static Transition, TransitionError> {
        let transition = self.transition_to(next)?;
        transition.check(context)?;
        Ok(transition)
    }
}
