//! The nine mail-item statuses and their wire names.

use strum::{EnumCount, VariantNames};

use crate::wire::{serde_via_wire_name, KnownOrUnknown, ParseError};

/// The status of one mail item (a letter or postcard) inside a print job.
///
/// The wire names are the ones the Intelliprint v1 API reports in
/// `letters[].status` and in `letter.updated` webhooks. Parsing also accepts
/// `failed_wrong_address`, the name Intelliprint's webhook guide uses for
/// [`Status::InvalidAddress`].
///
/// ```
/// use ip_status::Status;
///
/// let status: Status = "waiting_to_print".parse().unwrap();
/// assert_eq!(status, Status::WaitingToPrint);
/// assert_eq!(status.to_string(), "waiting_to_print");
/// assert_eq!("failed_wrong_address".parse::<Status>().unwrap(), Status::InvalidAddress);
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
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
    parse_err_fn = parse_status_error,
    parse_err_ty = ParseError
)]
#[repr(u8)]
pub enum Status {
    /// The print job is not confirmed yet. The default, as every item starts here.
    #[default]
    Draft,
    /// Confirmed and queued for the next print run.
    WaitingToPrint,
    /// Being printed.
    Printing,
    /// Being put into its envelope.
    Enclosing,
    /// Waiting for the carrier (Royal Mail) to collect it.
    Shipping,
    /// Handed to the carrier. Most items end here, but a return can still follow.
    Sent,
    /// Came back to Intelliprint; the item carries `returned: {date, reason}`.
    Returned,
    /// Cancelled by the customer before printing.
    Cancelled,
    /// Refused by the carrier because the address is invalid (tracked services only).
    #[strum(to_string = "invalid_address", serialize = "failed_wrong_address")]
    InvalidAddress,
}

impl Status {
    /// Every status, in lifecycle order (the order of the enum).
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert_eq!(Status::ALL.len(), 9);
    /// assert_eq!(Status::ALL[0], Status::Draft);
    /// ```
    pub const ALL: [Status; Status::COUNT] = [
        Status::Draft,
        Status::WaitingToPrint,
        Status::Printing,
        Status::Enclosing,
        Status::Shipping,
        Status::Sent,
        Status::Returned,
        Status::Cancelled,
        Status::InvalidAddress,
    ];

    /// Parses a wire name, the same as [`str::parse`].
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert_eq!(Status::parse("sent"), Ok(Status::Sent));
    /// assert!(Status::parse("SENT").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<Status, ParseError> {
        name.parse()
    }

    /// Parses a wire name, keeping a name this crate does not know as
    /// [`KnownOrUnknown::Unknown`] so that a status added by a newer API version
    /// does not fail a whole response.
    ///
    /// ```
    /// use ip_status::{KnownOrUnknown, Status};
    ///
    /// assert_eq!(Status::parse_lenient("sent"), KnownOrUnknown::Known(Status::Sent));
    /// assert_eq!(
    ///     Status::parse_lenient("lost_in_post"),
    ///     KnownOrUnknown::Unknown("lost_in_post".to_owned())
    /// );
    /// ```
    pub fn parse_lenient(name: &str) -> KnownOrUnknown<Status> {
        KnownOrUnknown::parse(name)
    }

    /// The wire name, as sent by the API.
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert_eq!(Status::InvalidAddress.as_str(), "invalid_address");
    /// ```
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The canonical wire names of every status, in lifecycle order.
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert_eq!(Status::wire_names()[1], "waiting_to_print");
    /// ```
    pub const fn wire_names() -> &'static [&'static str] {
        Status::VARIANTS
    }

    /// The position of this status in [`Status::ALL`], used to index tables.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

/// Builds the parse error for strum's `FromStr`, keeping the rejected input.
fn parse_status_error(input: &str) -> ParseError {
    ParseError::new("mail item status", input, Status::VARIANTS)
}

serde_via_wire_name!(Status);
