//! Postage services, envelopes and job types.

use strum::VariantNames;

use crate::wire::{serde_via_wire_name, ParseError};

/// A Royal Mail service that a print job's items are posted with.
///
/// Plain first and second class have no tracking; the signed-for, special
/// delivery and tracked services do. `international` is undocumented and is
/// treated as untracked.
///
/// ```
/// use ip_status::PostageService;
///
/// assert!(PostageService::Tracked48.is_tracked());
/// assert!(!PostageService::default().is_tracked());
/// assert_eq!(PostageService::default().to_string(), "uk_second_class");
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
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
    parse_err_fn = parse_postage_service_error,
    parse_err_ty = ParseError
)]
pub enum PostageService {
    /// Royal Mail second class, untracked. The API's default.
    #[default]
    UkSecondClass,
    /// Second class with a signature on delivery.
    UkSecondClassSignedFor,
    /// Royal Mail first class, untracked.
    UkFirstClass,
    /// First class with a signature on delivery.
    UkFirstClassSignedFor,
    /// Special Delivery guaranteed by 9am.
    #[strum(serialize = "uk_special_delivery_9am")]
    UkSpecialDelivery9am,
    /// Special Delivery guaranteed by 1pm.
    UkSpecialDelivery,
    /// International post; undocumented, so treated as untracked.
    International,
    /// Royal Mail Tracked 24.
    #[strum(serialize = "tracked_24")]
    Tracked24,
    /// Royal Mail Tracked 48.
    #[strum(serialize = "tracked_48")]
    Tracked48,
}

fn parse_postage_service_error(input: &str) -> ParseError {
    ParseError::new("postage service", input, PostageService::VARIANTS)
}

serde_via_wire_name!(PostageService);

impl PostageService {
    /// Returns whether the carrier tracks items sent with this service, so that
    /// they carry a `tracking_number` and can end in `invalid_address`.
    ///
    /// ```
    /// # use ip_status::PostageService;
    /// assert!(PostageService::UkFirstClassSignedFor.is_tracked());
    /// assert!(!PostageService::International.is_tracked());
    /// ```
    pub const fn is_tracked(self) -> bool {
        !matches!(
            self,
            PostageService::UkSecondClass
                | PostageService::UkFirstClass
                | PostageService::International
        )
    }

    /// Returns whether a job of this type may use this service. Postcards may use
    /// only plain first or second class.
    ///
    /// ```
    /// # use ip_status::{JobType, PostageService};
    /// assert!(PostageService::UkFirstClass.allows(JobType::Postcard));
    /// assert!(!PostageService::Tracked24.allows(JobType::Postcard));
    /// assert!(PostageService::Tracked24.allows(JobType::Letter));
    /// ```
    pub const fn allows(self, job_type: JobType) -> bool {
        match job_type {
            JobType::Letter => true,
            JobType::Postcard => {
                matches!(
                    self,
                    PostageService::UkFirstClass | PostageService::UkSecondClass
                )
            }
        }
    }

    /// The wire name.
    ///
    /// ```
    /// # use ip_status::PostageService;
    /// assert_eq!(PostageService::UkSpecialDelivery9am.as_str(), "uk_special_delivery_9am");
    /// ```
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The envelope (or postcard size) an item is posted in, as in
/// `postage.ideal_envelope` and the item's `envelope` field.
///
/// ```
/// use ip_status::{Envelope, JobType};
///
/// assert_eq!(Envelope::default_for(JobType::Letter), Envelope::C5);
/// assert!(Envelope::PostcardA5.fits(JobType::Postcard));
/// assert!(!Envelope::C4.fits(JobType::Postcard));
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
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
    parse_err_fn = parse_envelope_error,
    parse_err_ty = ParseError
)]
pub enum Envelope {
    /// C5 envelope, the default for letters.
    #[default]
    C5,
    /// C4 envelope.
    C4,
    /// C4 envelope for thicker letters.
    C4Plus,
    /// A4 box.
    #[strum(serialize = "a4_box")]
    A4Box,
    /// A6 postcard, the default for postcards.
    #[strum(serialize = "postcard_a6")]
    PostcardA6,
    /// A5 postcard.
    #[strum(serialize = "postcard_a5")]
    PostcardA5,
    /// A5 postcard in an envelope.
    #[strum(serialize = "postcard_a5_enveloped")]
    PostcardA5Enveloped,
}

fn parse_envelope_error(input: &str) -> ParseError {
    ParseError::new("envelope", input, Envelope::VARIANTS)
}

serde_via_wire_name!(Envelope);

impl Envelope {
    /// The envelope the API picks when `postage.ideal_envelope` is absent.
    ///
    /// ```
    /// # use ip_status::{Envelope, JobType};
    /// assert_eq!(Envelope::default_for(JobType::Postcard), Envelope::PostcardA6);
    /// ```
    pub const fn default_for(job_type: JobType) -> Envelope {
        match job_type {
            JobType::Letter => Envelope::C5,
            JobType::Postcard => Envelope::PostcardA6,
        }
    }

    /// Returns whether this envelope is one a job of the given type can use.
    ///
    /// ```
    /// # use ip_status::{Envelope, JobType};
    /// assert!(Envelope::A4Box.fits(JobType::Letter));
    /// ```
    pub const fn fits(self, job_type: JobType) -> bool {
        let is_postcard = matches!(
            self,
            Envelope::PostcardA6 | Envelope::PostcardA5 | Envelope::PostcardA5Enveloped
        );
        is_postcard == matches!(job_type, JobType::Postcard)
    }

    /// The wire name.
    ///
    /// ```
    /// # use ip_status::Envelope;
    /// assert_eq!(Envelope::C4Plus.as_str(), "c4_plus");
    /// ```
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What a print job posts: letters (the default) or postcards.
///
/// ```
/// use ip_status::JobType;
///
/// assert_eq!(JobType::default(), JobType::Letter);
/// assert_eq!("postcard".parse::<JobType>().unwrap(), JobType::Postcard);
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
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
    parse_err_fn = parse_job_type_error,
    parse_err_ty = ParseError
)]
pub enum JobType {
    /// Letters in envelopes.
    #[default]
    Letter,
    /// Postcards.
    Postcard,
}

fn parse_job_type_error(input: &str) -> ParseError {
    ParseError::new("job type", input, JobType::VARIANTS)
}

serde_via_wire_name!(JobType);

impl JobType {
    /// The wire name.
    ///
    /// ```
    /// # use ip_status::JobType;
    /// assert_eq!(JobType::Postcard.as_str(), "postcard");
    /// ```
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}
