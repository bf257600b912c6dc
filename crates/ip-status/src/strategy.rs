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

use std::fmt::Debug;
use std::str::FromStr;

use proptest::prelude::*;
use proptest::sample::select;
use strum::IntoEnumIterator;

use crate::{
    Address, AddressWindow, ApiError, ApiErrorDetail, Background, Cost, DoubleSided, Envelope,
    ErrorCode, ErrorType, Event, JobType, KnownOrUnknown, MailItem, Nudge, Postage, PostageService,
    PrintJob, Printing, RemoveLetters, Returned, Splitting, SplittingMethod, Status, Transition,
    TRANSITIONS,
};

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

/// Generates any of the eight events.
///
/// ```
/// use ip_status::{strategy, Event};
/// use proptest::prelude::*;
///
/// proptest!(|(event in strategy::any_event())| {
///     prop_assert_eq!(event.as_str().parse::<Event>(), Ok(event));
/// });
/// ```
pub fn any_event() -> impl Strategy<Value = Event> {
    any_variant()
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

/// Generates any of the nine postage services.
///
/// ```
/// use ip_status::strategy;
/// use proptest::prelude::*;
///
/// proptest!(|(service in strategy::any_postage_service())| {
///     prop_assert_eq!(service.as_str().parse(), Ok(service));
/// });
/// ```
pub fn any_postage_service() -> impl Strategy<Value = PostageService> {
    any_variant()
}

/// Generates a snake_case name that `T` does not parse, standing for a value
/// that a newer API version might send.
///
/// ```
/// use ip_status::{strategy, Status};
/// use proptest::prelude::*;
///
/// proptest!(|(name in strategy::unknown_wire_name::<Status>())| {
///     prop_assert!(name.parse::<Status>().is_err());
/// });
/// ```
pub fn unknown_wire_name<T: FromStr>() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,23}".prop_filter("the name is a known wire name", |name| {
        name.parse::<T>().is_err()
    })
}

/// Generates a [`KnownOrUnknown`] value: four times in five a value from
/// `known`, else an [`unknown_wire_name`].
///
/// ```
/// use ip_status::{strategy, KnownOrUnknown, Status};
/// use proptest::prelude::*;
///
/// proptest!(|(status in strategy::known_or_unknown(strategy::any_status()))| {
///     let json = serde_json::to_string(&status).unwrap();
///     prop_assert_eq!(serde_json::from_str::<KnownOrUnknown<Status>>(&json).unwrap(), status);
/// });
/// ```
pub fn known_or_unknown<T, S>(known: S) -> impl Strategy<Value = KnownOrUnknown<T>>
where
    T: FromStr + Debug,
    S: Strategy<Value = T>,
{
    prop_oneof![
        4 => known.prop_map(KnownOrUnknown::Known),
        1 => unknown_wire_name::<T>().prop_map(KnownOrUnknown::Unknown),
    ]
}

/// Generates return details with any date and any reason, including an empty
/// or blank one that [`Guard::ReturnDetails`](crate::Guard::ReturnDetails) rejects.
///
/// ```
/// use ip_status::strategy;
/// use proptest::prelude::*;
///
/// proptest!(|(returned in strategy::any_returned())| {
///     let json = serde_json::to_string(&returned).unwrap();
///     prop_assert_eq!(serde_json::from_str::<ip_status::Returned>(&json).unwrap(), returned);
/// });
/// ```
pub fn any_returned() -> impl Strategy<Value = Returned> {
    (any::<i64>(), free_text()).prop_map(|(date, reason)| Returned { date, reason })
}

/// Generates a recipient address with any text in its fields.
///
/// ```
/// use ip_status::strategy;
/// use proptest::prelude::*;
///
/// proptest!(|(address in strategy::any_address())| {
///     let json = serde_json::to_string(&address).unwrap();
///     prop_assert_eq!(serde_json::from_str::<ip_status::Address>(&json).unwrap(), address);
/// });
/// ```
pub fn any_address() -> impl Strategy<Value = Address> {
    (
        proptest::option::of(free_text()),
        free_text(),
        proptest::option::of("[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}"),
        "[A-Z]{2}",
    )
        .prop_map(|(name, line, postcode, country)| Address {
            name,
            line,
            postcode,
            country,
        })
}

/// Generates any mail item the wire format can carry. The fields vary independently,
/// so an item may be `draft` and still carry a shipped date or return
/// details: use it to test parsing and storage, not lifecycle rules.
///
/// ```
/// use ip_status::{strategy, MailItem};
/// use proptest::prelude::*;
///
/// proptest!(|(item in strategy::any_mail_item())| {
///     let json = serde_json::to_string(&item).unwrap();
///     prop_assert_eq!(serde_json::from_str::<MailItem>(&json).unwrap(), item);
/// });
/// ```
pub fn any_mail_item() -> impl Strategy<Value = MailItem> {
    (
        "ltr_[A-Za-z0-9]{8,24}",
        known_or_unknown(any_status()),
        proptest::option::of("[A-Z]{2}[0-9]{9}GB"),
        proptest::option::of(any_returned()),
        known_or_unknown(any_variant::<Envelope>()),
        known_or_unknown(any_postage_service()),
        proptest::option::of(any::<i64>()),
        any::<u32>(),
        any::<u32>(),
        any_address(),
    )
        .prop_map(
            |(
                id,
                status,
                tracking_number,
                returned,
                envelope,
                postage_service,
                shipped_date,
                pages,
                sheets,
                address,
            )| MailItem {
                id,
                status,
                tracking_number,
                returned,
                envelope,
                postage_service,
                shipped_date,
                pages,
                sheets,
                address,
            },
        )
}

/// Generates any print job the wire format can carry, with up to four
/// [`any_mail_item`] letters. As there, the fields vary independently.
///
/// `nudge` values are finite multiples of 0.1 mm, which print and parse back
/// to the same `f64`, so a JSON round trip compares equal.
///
/// ```
/// use ip_status::{strategy, PrintJob};
/// use proptest::prelude::*;
///
/// proptest!(|(job in strategy::any_print_job())| {
///     let json = serde_json::to_string(&job).unwrap();
///     prop_assert_eq!(serde_json::from_str::<PrintJob>(&json).unwrap(), job);
/// });
/// ```
pub fn any_print_job() -> impl Strategy<Value = PrintJob> {
    let header = (
        "print_[A-Za-z0-9]{8,24}",
        "[A-Za-z0-9]{8,24}",
        any::<i64>(),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(any::<i64>()),
        known_or_unknown(any_variant::<JobType>()),
        proptest::option::of(free_text()),
        any::<u32>(),
        any::<u32>(),
    );
    let contents = (
        proptest::collection::vec(any_mail_item(), 0..=4),
        any_cost(),
        any_splitting(),
        any_printing(),
        any_postage(),
        any_background(),
    );
    let options = (
        any::<bool>(),
        proptest::option::of(free_text()).prop_map(|with_phrase| RemoveLetters { with_phrase }),
        any_nudge(),
        any::<bool>(),
        any_metadata(),
        known_or_unknown(any_variant::<AddressWindow>()),
    );

    (header, contents, options).prop_map(
        |(
            (
                id,
                account,
                created,
                testmode,
                confirmed,
                confirmed_at,
                job_type,
                reference,
                pages,
                sheets,
            ),
            (letters, cost, splitting, printing, postage, background),
            (confidential, remove_letters, nudge, confirmation_email, metadata, address_window),
        )| PrintJob {
            id,
            object: "print".to_owned(),
            account,
            created,
            testmode,
            confirmed,
            confirmed_at,
            job_type,
            reference,
            pages,
            sheets,
            letters,
            cost,
            splitting,
            printing,
            postage,
            background,
            confidential,
            remove_letters,
            nudge,
            confirmation_email,
            metadata,
            address_window,
        },
    )
}

/// Generates any error body: a code and type that may disagree or be unknown, any
/// message, and an optional dot-path `param`.
///
/// ```
/// use ip_status::{strategy, ApiError};
/// use proptest::prelude::*;
///
/// proptest!(|(body in strategy::any_api_error())| {
///     let json = serde_json::to_string(&body).unwrap();
///     prop_assert_eq!(serde_json::from_str::<ApiError>(&json).unwrap(), body);
/// });
/// ```
pub fn any_api_error() -> impl Strategy<Value = ApiError> {
    (
        free_text(),
        known_or_unknown(any_variant::<ErrorType>()),
        known_or_unknown(any_variant::<ErrorCode>()),
        proptest::option::of("[a-z_]{1,16}(\\.[a-z_]{1,16}){0,2}"),
    )
        .prop_map(|(message, error_type, code, param)| ApiError {
            error: ApiErrorDetail {
                message,
                error_type,
                code,
                param,
            },
        })
}

/// Generates any variant of a strum enum.
fn any_variant<T: IntoEnumIterator + Clone + Debug + 'static>() -> impl Strategy<Value = T> {
    select(T::iter().collect::<Vec<T>>())
}

/// Generates up to 40 arbitrary characters, control characters, quotes and backslashes
/// included, so that JSON escaping is exercised.
fn free_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..40).prop_map(String::from_iter)
}

fn any_cost() -> impl Strategy<Value = Cost> {
    (any::<i64>(), any::<i64>(), any::<i64>(), "[A-Z]{3}").prop_map(
        |(amount, tax, after_tax, currency)| Cost {
            amount,
            tax,
            after_tax,
            currency,
        },
    )
}

fn any_splitting() -> impl Strategy<Value = Splitting> {
    (
        known_or_unknown(any_variant::<SplittingMethod>()),
        proptest::option::of(free_text()),
        proptest::option::of(any::<u32>()),
    )
        .prop_map(|(method, phrase, pages)| Splitting {
            method,
            phrase,
            pages,
        })
}

fn any_printing() -> impl Strategy<Value = Printing> {
    (
        known_or_unknown(any_variant::<DoubleSided>()),
        proptest::option::of("[1-9][0-9]{0,2}(-[1-9][0-9]{0,2})?(,[1-9][0-9]{0,2}){0,3}"),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                double_sided,
                double_sided_specific_pages,
                premium_quality,
                black_and_white,
                matt_finish,
            )| Printing {
                double_sided,
                double_sided_specific_pages,
                premium_quality,
                black_and_white,
                matt_finish,
            },
        )
}

fn any_postage() -> impl Strategy<Value = Postage> {
    (
        known_or_unknown(any_postage_service()),
        proptest::option::of(known_or_unknown(any_variant::<Envelope>())),
        proptest::option::of(any::<i64>()),
    )
        .prop_map(|(service, ideal_envelope, mail_date)| Postage {
            service,
            ideal_envelope,
            mail_date,
        })
}

fn any_background() -> impl Strategy<Value = Background> {
    let id = || proptest::option::of("bg_[A-Za-z0-9]{8,16}");
    (id(), id()).prop_map(|(first_page, other_pages)| Background {
        first_page,
        other_pages,
    })
}

/// Generates shifts of -200.0 to 200.0 mm in steps of 0.1 mm. Both the
/// quotient of two small integers and serde_json's parse of its shortest
/// decimal form are the correctly rounded `f64`, so the value survives a round
/// trip unchanged.
fn any_nudge() -> impl Strategy<Value = Nudge> {
    let millimetres = || (-2000..=2000i32).prop_map(|tenths| f64::from(tenths) / 10.0);
    (millimetres(), millimetres()).prop_map(|(x, y)| Nudge { x, y })
}

/// Generates up to four entries of JSON scalars. Numbers are integers, because
/// serde_json without its `float_roundtrip` feature parses some `f64` values
/// back one bit off.
fn any_metadata() -> impl Strategy<Value = serde_json::Map<String, serde_json::Value>> {
    let scalar = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        free_text().prop_map(serde_json::Value::from),
    ];
    proptest::collection::btree_map(free_text(), scalar, 0..=4)
        .prop_map(|entries| entries.into_iter().collect())
}
