//! The events that move a mail item from one status to the next.

use strum::VariantNames;

use crate::wire::{serde_via_wire_name, ParseError};

/// A cause of a status change.
///
/// Each legal transition in [`TRANSITIONS`](crate::TRANSITIONS) is labelled with
/// exactly one event.
///
/// ```
/// use ip_status::{Event, Status};
///
/// assert_eq!(Status::Draft.apply(Event::Confirm), Ok(Status::WaitingToPrint));
/// assert_eq!(Event::HandToCarrier.to_string(), "hand_to_carrier");
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::Display,
    strum::EnumString,
    strum::EnumIter,
    strum::EnumCount,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[strum(
    serialize_all = "snake_case",
    parse_err_fn = parse_event_error,
    parse_err_ty = ParseError
)]
#[repr(u8)]
pub enum Event {
    /// The customer confirms the print job (`confirmed: true`).
    Confirm,
    /// The print run that includes the item starts; never before `postage.mail_date`.
    StartPrinting,
    /// The printed pages go into their envelope.
    Enclose,
    /// The enclosed item goes to the dispatch area to wait for the carrier.
    Dispatch,
    /// The carrier collects the item.
    HandToCarrier,
    /// The customer cancels the item (`DELETE` on a confirmed job).
    Cancel,
    /// The carrier refuses the item because its address is invalid.
    RejectAddress,
    /// The item comes back to Intelliprint after it was sent.
    Return,
}

fn parse_event_error(input: &str) -> ParseError {
    ParseError::new("event", input, Event::VARIANTS)
}

impl Event {
    /// The wire name.
    ///
    /// ```
    /// # use ip_status::Event;
    /// assert_eq!(Event::RejectAddress.as_str(), "reject_address");
    /// ```
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

serde_via_wire_name!(Event);
