//! The Intelliprint mail-item status model.
//!
//! Every mail item (letter or postcard) in an Intelliprint print job has a
//! [`Status`]. This crate lists the statuses, the legal transitions between
//! them (written once, in [`TRANSITIONS`]), the [`Event`]s that cause them, and
//! serde types for the API's objects ([`PrintJob`], [`MailItem`], …).
//!
//! ```
//! use ip_status::{Event, Status};
//!
//! let status: Status = "waiting_to_print".parse().unwrap();
//! assert!(status.can_reach(Status::Sent));
//! assert_eq!(status.apply(Event::StartPrinting), Ok(Status::Printing));
//! ```
//!
//! # Handling webhooks that arrive out of order
//!
//! `letter.updated` webhooks can arrive late and in any order, and a client
//! that polls sees only snapshots. [`Status::observe`] tells a handler whether
//! a reported status moves the item forward, repeats what it knows, is stale,
//! or contradicts it:
//!
//! ```
//! use ip_status::{ImpossibleObservation, Observation, Status};
//!
//! /// What a webhook handler does with one delivery.
//! fn on_letter_updated(stored: &mut Status, reported: &str) -> Result<&'static str, String> {
//!     let reported = match Status::parse_lenient(reported).known() {
//!         Some(status) => status,
//!         // A status added by a newer API version: keep the delivery for later.
//!         None => return Ok("kept for review"),
//!     };
//!
//!     match stored.observe(reported) {
//!         Ok(Observation::Advanced { path }) => {
//!             for skipped in path.intermediates() {
//!                 println!("missed an update: {skipped}");
//!             }
//!             *stored = reported;
//!             Ok("stored")
//!         }
//!         Ok(Observation::Unchanged) => Ok("duplicate, ignored"),
//!         Ok(Observation::Stale) => Ok("late delivery, ignored"),
//!         Err(ImpossibleObservation { .. }) => Err(format!("{stored} cannot become {reported}")),
//!     }
//! }
//!
//! let mut stored = Status::WaitingToPrint;
//! // The `sent` delivery overtakes the `printing` one.
//! assert_eq!(on_letter_updated(&mut stored, "sent"), Ok("stored"));
//! assert_eq!(on_letter_updated(&mut stored, "printing"), Ok("late delivery, ignored"));
//! assert_eq!(on_letter_updated(&mut stored, "sent"), Ok("duplicate, ignored"));
//! assert!(on_letter_updated(&mut stored, "cancelled").is_err());
//! assert_eq!(stored, Status::Sent);
//! ```
//!
//! # Cargo features
//!
// The `strategy` module exists only with the feature, so only then is its
// name a link.
#![cfg_attr(
    feature = "proptest",
    doc = "- `proptest`: exports the [`strategy`] module with proptest strategies for"
)]
#![cfg_attr(
    not(feature = "proptest"),
    doc = "- `proptest`: exports the `strategy` module with proptest strategies for"
)]
//!   statuses, events, legal histories, legal transitions, illegal pairs,
//!   unknown wire names and whole API objects.

#![warn(missing_docs)]

mod context;
mod diagram;
mod event;
mod model;
mod observation;
mod postage;
mod progress;
mod set;
mod status;
#[cfg(feature = "proptest")]
pub mod strategy;
mod transition;
mod wire;

pub use context::TransitionContext;
pub use diagram::mermaid_diagram;
pub use event::Event;
pub use model::{
    Address, AddressWindow, ApiError, ApiErrorDetail, Background, Cost, Deleted, DoubleSided,
    ErrorCode, ErrorType, LetterUpdated, List, MailItem, Nudge, Postage, PrintJob, Printing,
    RemoveLetters, Returned, Splitting, SplittingMethod,
};
pub use observation::{ImpossibleObservation, Observation};
pub use postage::{Envelope, JobType, PostageService};
pub use progress::{JobProgress, JobStage};
pub use set::StatusSet;
pub use status::Status;
pub use transition::{Guard, Path, Transition, TransitionError, TRANSITIONS};
pub use wire::{KnownOrUnknown, ParseError};

/// Runs the Rust examples in README.md as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
