//! Serde types for the objects of the Intelliprint v1 API.
//!
//! Every type accepts fields it does not know (serde's default) and fills a
//! missing field with its default, so a response from a newer API version still
//! parses. Enum-valued fields use [`KnownOrUnknown`], so a new status, postage
//! service or envelope name is kept rather than rejected.

use serde::{Deserialize, Serialize};
use strum::VariantNames;

use crate::wire::{serde_via_wire_name, ParseError};
use crate::{Envelope, JobType, KnownOrUnknown, PostageService, Status};

/// A print job, `object: "print"`, with id prefix `print_`.
///
/// ```
/// use ip_status::{PrintJob, Status};
///
/// let json = r#"{
///     "id": "print_abc", "object": "print", "testmode": true, "confirmed": true,
///     "letters": [{"id": "ltr_1", "status": "printing", "address": {"line": "1 High St", "country": "GB"}}],
///     "some_future_field": 42
/// }"#;
/// let job: PrintJob = serde_json::from_str(json).unwrap();
/// assert_eq!(job.letters[0].status.known(), Some(Status::Printing));
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PrintJob {
    /// The job id, `print_…`.
    pub id: String,
    /// Always `"print"`.
    pub object: String,
    /// The id of the account that owns the job.
    pub account: String,
    /// Creation time, unix seconds.
    pub created: i64,
    /// Whether this is a free test job that is never posted.
    pub testmode: bool,
    /// Whether the job was submitted for printing.
    pub confirmed: bool,
    /// Confirmation time, unix seconds; `null` for drafts.
    pub confirmed_at: Option<i64>,
    /// Letters or postcards.
    #[serde(rename = "type")]
    pub job_type: KnownOrUnknown<JobType>,
    /// The customer's own reference.
    pub reference: Option<String>,
    /// Pages in the whole job.
    pub pages: u32,
    /// Sheets of paper in the whole job.
    pub sheets: u32,
    /// The mail items, one per recipient (or per split of the document).
    pub letters: Vec<MailItem>,
    /// The price of the job.
    pub cost: Cost,
    /// How the document is split into letters.
    pub splitting: Splitting,
    /// Print options.
    pub printing: Printing,
    /// Postage options.
    pub postage: Postage,
    /// Background (letterhead) ids for the first and the other pages.
    pub background: Background,
    /// Whether the job is marked confidential.
    pub confidential: bool,
    /// Letters dropped before printing.
    pub remove_letters: RemoveLetters,
    /// Shift of the printed content, in millimetres.
    pub nudge: Nudge,
    /// Whether Intelliprint emails a confirmation.
    pub confirmation_email: bool,
    /// Free key-value data stored with the job.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Which side of the envelope the address window is on.
    pub address_window: KnownOrUnknown<AddressWindow>,
}

/// One mail item (letter or postcard) inside a print job, id prefix `ltr_`.
///
/// ```
/// use ip_status::{MailItem, Status};
///
/// let json = r#"{"id": "ltr_1", "status": "returned", "returned": {"date": 1700000000, "reason": "Addressee Gone Away"}}"#;
/// let item: MailItem = serde_json::from_str(json).unwrap();
/// assert_eq!(item.status.known(), Some(Status::Returned));
/// assert_eq!(item.returned.unwrap().reason, "Addressee Gone Away");
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MailItem {
    /// The item id, `ltr_…`.
    pub id: String,
    /// The item's status.
    pub status: KnownOrUnknown<Status>,
    /// The carrier's tracking number; only for tracked postage services, from
    /// `shipping` on. Omitted when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    /// Return details; only when `returned`. Omitted when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returned: Option<Returned>,
    /// The envelope the item is posted in.
    pub envelope: KnownOrUnknown<Envelope>,
    /// The postage service the item is posted with.
    pub postage_service: KnownOrUnknown<PostageService>,
    /// When the item was handed to the carrier, unix seconds; `null` before `sent`.
    pub shipped_date: Option<i64>,
    /// Pages in this item.
    pub pages: u32,
    /// Sheets in this item.
    pub sheets: u32,
    /// The recipient.
    pub address: Address,
}

/// Why and when a sent item came back.
///
/// ```
/// # use ip_status::Returned;
/// let returned: Returned = serde_json::from_str(r#"{"date": 1700000000, "reason": "Delivery Refused"}"#).unwrap();
/// assert_eq!(returned.date, 1_700_000_000);
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Returned {
    /// When the item came back, unix seconds.
    pub date: i64,
    /// The carrier's reason, for example `"Delivery Refused"`.
    pub reason: String,
}

/// A recipient address.
///
/// ```
/// # use ip_status::Address;
/// let address: Address = serde_json::from_str(r#"{"name": "Ada", "line": "1 High St, London", "postcode": "SW1A 1AA", "country": "GB"}"#).unwrap();
/// assert_eq!(address.country, "GB");
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    /// The recipient's name.
    pub name: Option<String>,
    /// The whole address on one line.
    pub line: String,
    /// The postcode.
    pub postcode: Option<String>,
    /// ISO 3166-1 alpha-2 country code, for example `GB`.
    pub country: String,
}

/// A price in units of 10^-8 GBP (`45_000_000` is £0.45).
///
/// ```
/// # use ip_status::Cost;
/// let cost = Cost::with_uk_vat(45_000_000);
/// assert_eq!(cost.tax, 9_000_000);
/// assert_eq!(cost.after_tax, 54_000_000);
/// assert_eq!(cost.currency, "GBP");
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Cost {
    /// The price before tax.
    pub amount: i64,
    /// The VAT.
    pub tax: i64,
    /// `amount + tax`.
    pub after_tax: i64,
    /// Always `"GBP"`.
    pub currency: String,
}

impl Cost {
    /// UK VAT, in percent, charged to UK customers.
    ///
    /// ```
    /// # use ip_status::Cost;
    /// assert_eq!(Cost::with_uk_vat(100).tax, Cost::UK_VAT_PERCENT);
    /// ```
    pub const UK_VAT_PERCENT: i64 = 20;

    /// Builds the cost of `amount` plus 20% UK VAT, rounded to the nearest
    /// unit. A negative amount (a refund) gets a negative tax, rounded the
    /// same way.
    ///
    /// ```
    /// # use ip_status::Cost;
    /// assert_eq!(Cost::with_uk_vat(0).after_tax, 0);
    /// assert_eq!(Cost::with_uk_vat(3).tax, 1);
    /// assert_eq!(Cost::with_uk_vat(-3).tax, -1);
    /// ```
    pub fn with_uk_vat(amount: i64) -> Cost {
        // Flooring the exact tax plus one half rounds negative amounts to the
        // nearest unit too. A fifth of an integer never ends in .5, so no ties.
        let tax = (amount * Cost::UK_VAT_PERCENT + 50).div_euclid(100);
        Cost {
            amount,
            tax,
            after_tax: amount + tax,
            currency: "GBP".to_owned(),
        }
    }
}

/// How a document is split into letters.
///
/// ```
/// # use ip_status::{KnownOrUnknown, Splitting, SplittingMethod};
/// assert_eq!(Splitting::default().method, KnownOrUnknown::Known(SplittingMethod::None));
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Splitting {
    /// The splitting method.
    pub method: KnownOrUnknown<SplittingMethod>,
    /// The phrase that starts a new letter, for `split_on_phrase`.
    pub phrase: Option<String>,
    /// The pages per letter, for `split_on_pages`.
    pub pages: Option<u32>,
}

/// Print options.
///
/// ```
/// # use ip_status::Printing;
/// assert!(!Printing::default().premium_quality);
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Printing {
    /// Whether pages are printed on both sides.
    pub double_sided: KnownOrUnknown<DoubleSided>,
    /// The pages printed double-sided, for `mixed`.
    pub double_sided_specific_pages: Option<String>,
    /// Premium paper and print.
    pub premium_quality: bool,
    /// Black-and-white print.
    pub black_and_white: bool,
    /// Matt finish (postcards).
    pub matt_finish: bool,
}

/// Postage options.
///
/// ```
/// # use ip_status::{KnownOrUnknown, Postage, PostageService};
/// assert_eq!(Postage::default().service, KnownOrUnknown::Known(PostageService::UkSecondClass));
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Postage {
    /// The postage service.
    pub service: KnownOrUnknown<PostageService>,
    /// The envelope requested; the item's `envelope` reports the one used.
    pub ideal_envelope: Option<KnownOrUnknown<Envelope>>,
    /// The day to print and post, unix seconds; `null` for as soon as possible.
    pub mail_date: Option<i64>,
}

/// Background (letterhead) ids, `bg_…`.
///
/// ```
/// # use ip_status::Background;
/// assert_eq!(Background::default().first_page, None);
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Background {
    /// The background of the first page.
    pub first_page: Option<String>,
    /// The background of every other page.
    pub other_pages: Option<String>,
}

/// Letters to drop before printing.
///
/// ```
/// # use ip_status::RemoveLetters;
/// assert_eq!(RemoveLetters::default().with_phrase, None);
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RemoveLetters {
    /// Letters that contain this phrase are removed.
    pub with_phrase: Option<String>,
}

/// A shift of the printed content, in millimetres.
///
/// ```
/// # use ip_status::Nudge;
/// assert_eq!(Nudge::default().x, 0.0);
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Nudge {
    /// Horizontal shift, mm.
    pub x: f64,
    /// Vertical shift, mm.
    pub y: f64,
}

/// A list of objects, `object: "list"`.
///
/// ```
/// # use ip_status::{List, PrintJob};
/// let list: List<PrintJob> = serde_json::from_str(r#"{"object": "list", "data": [], "has_more": false, "total_available": 0}"#).unwrap();
/// assert!(list.data.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct List<T> {
    /// Always `"list"`.
    pub object: String,
    /// The objects on this page.
    pub data: Vec<T>,
    /// Whether more objects follow this page.
    pub has_more: bool,
    /// The number of objects that match the filters, over all pages.
    pub total_available: u64,
}

/// The response to deleting an object.
///
/// ```
/// # use ip_status::Deleted;
/// let deleted = Deleted::print("print_1");
/// assert_eq!(serde_json::to_string(&deleted).unwrap(), r#"{"object":"print","id":"print_1","deleted":true}"#);
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Deleted {
    /// The kind of object deleted, for example `"print"`.
    pub object: String,
    /// The id of the deleted object.
    pub id: String,
    /// Always `true`.
    pub deleted: bool,
}

impl Deleted {
    /// The response to deleting the draft print job `id`.
    ///
    /// ```
    /// # use ip_status::Deleted;
    /// assert!(Deleted::print("print_1").deleted);
    /// ```
    pub fn print(id: &str) -> Deleted {
        Deleted {
            object: "print".to_owned(),
            id: id.to_owned(),
            deleted: true,
        }
    }
}

/// The payload of a `letter.updated` webhook, sent when a confirmed mail item
/// changes status. It is a flat object: the item's fields plus its job's.
///
/// ```
/// use ip_status::{LetterUpdated, Status};
///
/// let json = r#"{"type": "letter.updated", "id": "ltr_1", "print_id": "print_1", "status": "sent",
///                "shipped_date": 1700000000, "returned": null, "testmode": false}"#;
/// let update: LetterUpdated = serde_json::from_str(json).unwrap();
/// assert_eq!(update.status.known(), Some(Status::Sent));
/// assert_eq!(update.event_type, "letter.updated");
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LetterUpdated {
    /// Always `"letter.updated"`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The mail item, `ltr_…`.
    pub id: String,
    /// The print job, `print_…`.
    pub print_id: String,
    /// The account that owns the job.
    pub account: String,
    /// The job's reference.
    pub reference: Option<String>,
    /// The item's new status.
    pub status: KnownOrUnknown<Status>,
    /// The envelope the item is posted in.
    pub envelope: KnownOrUnknown<Envelope>,
    /// The postage service.
    pub postage_service: KnownOrUnknown<PostageService>,
    /// When the item was handed to the carrier, unix seconds.
    pub shipped_date: Option<i64>,
    /// Return details, once returned.
    pub returned: Option<Returned>,
    /// Whether the job is a test job.
    pub testmode: bool,
}

impl LetterUpdated {
    /// The `type` of this event.
    pub const EVENT_TYPE: &'static str = "letter.updated";

    /// The payload for `item` of `job`, with the item's current status.
    ///
    /// ```
    /// use ip_status::{LetterUpdated, MailItem, PrintJob};
    ///
    /// let job = PrintJob { id: "print_1".into(), letters: vec![MailItem { id: "ltr_1".into(), ..Default::default() }], ..Default::default() };
    /// let update = LetterUpdated::of(&job, &job.letters[0]);
    /// assert_eq!(update.print_id, "print_1");
    /// assert_eq!(update.id, "ltr_1");
    /// ```
    pub fn of(job: &PrintJob, item: &MailItem) -> LetterUpdated {
        LetterUpdated {
            event_type: LetterUpdated::EVENT_TYPE.to_owned(),
            id: item.id.clone(),
            print_id: job.id.clone(),
            account: job.account.clone(),
            reference: job.reference.clone(),
            status: item.status.clone(),
            envelope: item.envelope.clone(),
            postage_service: item.postage_service.clone(),
            shipped_date: item.shipped_date,
            returned: item.returned.clone(),
            testmode: job.testmode,
        }
    }
}

/// Declares a small wire enum with strum and serde through its wire name.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal, $error_fn:ident {
            $( $(#[$variant_meta:meta])* $variant:ident ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, Hash,
            strum::Display, strum::EnumString, strum::EnumIter, strum::IntoStaticStr, strum::VariantNames,
        )]
        #[strum(serialize_all = "snake_case", parse_err_fn = $error_fn, parse_err_ty = ParseError)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant ),+
        }

        fn $error_fn(input: &str) -> ParseError {
            ParseError::new($kind, input, $name::VARIANTS)
        }

        serde_via_wire_name!($name);
    };
}

wire_enum! {
    /// How a document is split into letters (`splitting.method`).
    ///
    /// ```
    /// # use ip_status::SplittingMethod;
    /// assert_eq!("split_on_pages".parse::<SplittingMethod>().unwrap(), SplittingMethod::SplitOnPages);
    /// ```
    SplittingMethod, "splitting method", parse_splitting_method_error {
        /// One letter per recipient with the whole document.
        #[default]
        None,
        /// A new letter starts at each occurrence of `splitting.phrase`.
        SplitOnPhrase,
        /// A new letter starts every `splitting.pages` pages.
        SplitOnPages,
    }
}

wire_enum! {
    /// Whether pages are printed on both sides (`printing.double_sided`).
    ///
    /// ```
    /// # use ip_status::DoubleSided;
    /// assert_eq!(DoubleSided::default().to_string(), "no");
    /// ```
    DoubleSided, "double-sided option", parse_double_sided_error {
        /// Single-sided.
        #[default]
        No,
        /// Double-sided.
        Yes,
        /// Double-sided on `printing.double_sided_specific_pages` only.
        Mixed,
    }
}

wire_enum! {
    /// The side of the envelope's address window (`address_window`).
    ///
    /// ```
    /// # use ip_status::AddressWindow;
    /// assert_eq!("right".parse::<AddressWindow>().unwrap(), AddressWindow::Right);
    /// ```
    AddressWindow, "address window", parse_address_window_error {
        /// Window on the left, the default.
        #[default]
        Left,
        /// Window on the right.
        Right,
    }
}

impl<T: Default> Default for KnownOrUnknown<T> {
    fn default() -> Self {
        KnownOrUnknown::Known(T::default())
    }
}

/// The body of every error response: `{"error": {...}}`.
///
/// ```
/// use ip_status::{ApiError, ErrorCode};
///
/// let body = ApiError::new(ErrorCode::ParameterUnknown, "Received unknown parameter: confimred (Did you mean confirmed?)")
///     .with_param("confimred");
/// let json = serde_json::to_value(&body).unwrap();
/// assert_eq!(json["error"]["type"], "invalid_request_error");
/// assert_eq!(json["error"]["param"], "confimred");
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiError {
    /// The error details.
    pub error: ApiErrorDetail,
}

/// The details of an error, inside [`ApiError`].
///
/// ```
/// # use ip_status::{ApiErrorDetail, ErrorCode, ErrorType, KnownOrUnknown};
/// let detail: ApiErrorDetail = serde_json::from_str(r#"{"message": "m", "type": "rate_limited", "code": "rate_limited", "param": null}"#).unwrap();
/// assert_eq!(detail.code, KnownOrUnknown::Known(ErrorCode::RateLimited));
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiErrorDetail {
    /// A sentence for people.
    pub message: String,
    /// The error family.
    #[serde(rename = "type")]
    pub error_type: KnownOrUnknown<ErrorType>,
    /// The precise error.
    pub code: KnownOrUnknown<ErrorCode>,
    /// The dot path of the offending parameter, for example `postage.service`.
    pub param: Option<String>,
}

impl ApiError {
    /// An error with `code`, its type, and `message`, with no `param`.
    ///
    /// ```
    /// # use ip_status::{ApiError, ErrorCode};
    /// assert_eq!(ApiError::new(ErrorCode::NotFound, "No such print job").error.param, None);
    /// ```
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            error: ApiErrorDetail {
                message: message.into(),
                error_type: code.error_type().into(),
                code: code.into(),
                param: None,
            },
        }
    }

    /// This error with `param` set to a dot path.
    ///
    /// ```
    /// # use ip_status::{ApiError, ErrorCode};
    /// let err = ApiError::new(ErrorCode::ParameterInvalid, "bad").with_param("postage.service");
    /// assert_eq!(err.error.param.as_deref(), Some("postage.service"));
    /// ```
    pub fn with_param(mut self, param: impl Into<String>) -> ApiError {
        self.error.param = Some(param.into());
        self
    }
}

wire_enum! {
    /// The family of an API error (`error.type`).
    ///
    /// ```
    /// # use ip_status::ErrorType;
    /// assert_eq!(ErrorType::InvalidRequestError.to_string(), "invalid_request_error");
    /// ```
    ErrorType, "error type", parse_error_type_error {
        /// The request is malformed or names something that does not exist.
        #[default]
        InvalidRequestError,
        /// The API key is missing or wrong.
        AuthenticationError,
        /// The account cannot pay for the job.
        PaymentError,
        /// Too many requests.
        RateLimited,
        /// A fault on the server.
        InternalError,
    }
}

wire_enum! {
    /// The precise API error (`error.code`).
    ///
    /// ```
    /// # use ip_status::{ErrorCode, ErrorType};
    /// assert_eq!(ErrorCode::BodyTooLarge.http_status(), 413);
    /// assert_eq!(ErrorCode::InvalidApiKey.error_type(), ErrorType::AuthenticationError);
    /// ```
    ErrorCode, "error code", parse_error_code_error {
        /// A parameter has a value of the wrong type or outside its options.
        #[default]
        ParameterInvalid,
        /// A required parameter is absent.
        ParameterMissing,
        /// A parameter the endpoint does not take.
        ParameterUnknown,
        /// The body is over the size limit (100 MiB on the real API).
        BodyTooLarge,
        /// The body cannot be decoded in its declared format.
        BodyIncorrectFormat,
        /// No such object or route.
        NotFound,
        /// The operation is not allowed on this object.
        Forbidden,
        /// No API key was sent.
        NoApiKey,
        /// The API key is not valid.
        InvalidApiKey,
        /// The payment for the job failed.
        PaymentError,
        /// Over the rate limit (100 requests per minute on the real API).
        RateLimited,
        /// A fault on the server.
        InternalError,
    }
}

impl ErrorCode {
    /// The family this code belongs to.
    ///
    /// ```
    /// # use ip_status::{ErrorCode, ErrorType};
    /// assert_eq!(ErrorCode::NotFound.error_type(), ErrorType::InvalidRequestError);
    /// ```
    pub const fn error_type(self) -> ErrorType {
        match self {
            ErrorCode::ParameterInvalid
            | ErrorCode::ParameterMissing
            | ErrorCode::ParameterUnknown
            | ErrorCode::BodyTooLarge
            | ErrorCode::BodyIncorrectFormat
            | ErrorCode::NotFound
            | ErrorCode::Forbidden => ErrorType::InvalidRequestError,
            ErrorCode::NoApiKey | ErrorCode::InvalidApiKey => ErrorType::AuthenticationError,
            ErrorCode::PaymentError => ErrorType::PaymentError,
            ErrorCode::RateLimited => ErrorType::RateLimited,
            ErrorCode::InternalError => ErrorType::InternalError,
        }
    }

    /// Returns the HTTP status the API responds with.
    ///
    /// ```
    /// # use ip_status::ErrorCode;
    /// assert_eq!(ErrorCode::ParameterUnknown.http_status(), 400);
    /// assert_eq!(ErrorCode::NotFound.http_status(), 404);
    /// ```
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::ParameterInvalid
            | ErrorCode::ParameterMissing
            | ErrorCode::ParameterUnknown
            | ErrorCode::BodyIncorrectFormat => 400,
            ErrorCode::NoApiKey | ErrorCode::InvalidApiKey => 401,
            ErrorCode::PaymentError => 402,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::BodyTooLarge => 413,
            ErrorCode::RateLimited => 429,
            ErrorCode::InternalError => 500,
        }
    }
}
