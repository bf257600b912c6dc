//! Wire-name helpers shared by every enum the API sends as a string.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The error returned when a string is not a known wire name of an enum.
///
/// The message quotes the input and lists the valid names.
///
/// ```
/// use ip_status::Status;
///
/// let err = "posted".parse::<Status>().unwrap_err();
/// assert_eq!(err.input(), "posted");
/// assert_eq!(
///     err.to_string(),
///     "unknown mail item status \"posted\"; expected one of: draft, waiting_to_print, \
///      printing, enclosing, shipping, sent, returned, cancelled, invalid_address"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {input:?}; expected one of: {}", expected.join(", "))]
pub struct ParseError {
    kind: &'static str,
    input: String,
    expected: &'static [&'static str],
}

impl ParseError {
    pub(crate) fn new(kind: &'static str, input: &str, expected: &'static [&'static str]) -> Self {
        ParseError {
            kind,
            input: input.to_owned(),
            expected,
        }
    }

    /// The string that failed to parse.
    ///
    /// ```
    /// # use ip_status::Status;
    /// assert_eq!("Sent ".parse::<Status>().unwrap_err().input(), "Sent ");
    /// ```
    pub fn input(&self) -> &str {
        &self.input
    }

    /// The valid wire names.
    ///
    /// ```
    /// # use ip_status::PostageService;
    /// let err = "carrier_pigeon".parse::<PostageService>().unwrap_err();
    /// assert!(err.expected().contains(&"tracked_24"));
    /// ```
    pub fn expected(&self) -> &'static [&'static str] {
        self.expected
    }
}

/// Implements serde (and, with the `openapi` feature, the OpenAPI schema) for
/// a strum enum through its wire name.
macro_rules! serde_via_wire_name {
    ($type:ty) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let name: &'static str = self.into();
                serializer.serialize_str(name)
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str($crate::wire::WireNameVisitor::<$type>::new())
            }
        }

        $crate::wire::openapi_wire_enum!($type);
    };
}

pub(crate) use serde_via_wire_name;

/// The OpenAPI schema of a wire enum: a string that is one of its names.
#[cfg(feature = "openapi")]
fn wire_name_schema(names: &[&str]) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(names.iter().copied()))
        .into()
}

/// A wire enum and [`KnownOrUnknown`] of it share one schema, because the
/// mock and this crate only ever write known names. utoipa derives a schema
/// for every `ComposeSchema` type, generic field types such as
/// `Option<KnownOrUnknown<Envelope>>` included.
#[cfg(feature = "openapi")]
impl<T: strum::VariantNames> utoipa::__dev::ComposeSchema for KnownOrUnknown<T> {
    fn compose(
        _generics: Vec<utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>,
    ) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        wire_name_schema(T::VARIANTS)
    }
}

#[cfg(feature = "openapi")]
impl<T: strum::VariantNames> utoipa::ToSchema for KnownOrUnknown<T> {}

/// Implements the OpenAPI schema of a wire enum from its strum names.
macro_rules! openapi_wire_enum {
    ($type:ty) => {
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $type {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                <$crate::KnownOrUnknown<$type> as utoipa::PartialSchema>::schema()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $type {}
    };
}

pub(crate) use openapi_wire_enum;

/// A value that is either one this crate knows or a wire name it does not.
///
/// Use it where the API may add values in a later version: statuses, postage
/// services, envelopes. An unknown name serialises back verbatim, and a known
/// value as its canonical wire name, so the alias `failed_wrong_address` comes
/// back as `invalid_address`.
///
/// ```
/// use ip_status::{KnownOrUnknown, Status};
///
/// let statuses: Vec<KnownOrUnknown<Status>> =
///     serde_json::from_str(r#"["printing", "teleported"]"#).unwrap();
/// assert_eq!(statuses[0].known(), Some(Status::Printing));
/// assert_eq!(statuses[1].known(), None);
/// assert_eq!(serde_json::to_string(&statuses).unwrap(), r#"["printing","teleported"]"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KnownOrUnknown<T> {
    /// A value this crate defines.
    Known(T),
    /// A wire name this crate does not know, kept verbatim.
    Unknown(String),
}

impl<T: FromStr> KnownOrUnknown<T> {
    /// Parses a wire name, never failing.
    ///
    /// ```
    /// # use ip_status::{KnownOrUnknown, PostageService};
    /// let service = KnownOrUnknown::<PostageService>::parse("tracked_24");
    /// assert_eq!(service, KnownOrUnknown::Known(PostageService::Tracked24));
    /// ```
    pub fn parse(name: &str) -> Self {
        match name.parse() {
            Ok(value) => KnownOrUnknown::Known(value),
            Err(_) => KnownOrUnknown::Unknown(name.to_owned()),
        }
    }
}

impl<T: Copy> KnownOrUnknown<T> {
    /// The known value, or `None` for an unknown wire name.
    ///
    /// ```
    /// # use ip_status::{KnownOrUnknown, Status};
    /// assert_eq!(KnownOrUnknown::Known(Status::Sent).known(), Some(Status::Sent));
    /// ```
    pub fn known(&self) -> Option<T> {
        match self {
            KnownOrUnknown::Known(value) => Some(*value),
            KnownOrUnknown::Unknown(_) => None,
        }
    }
}

impl<T> From<T> for KnownOrUnknown<T> {
    fn from(value: T) -> Self {
        KnownOrUnknown::Known(value)
    }
}

impl<T: fmt::Display> fmt::Display for KnownOrUnknown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KnownOrUnknown::Known(value) => value.fmt(f),
            KnownOrUnknown::Unknown(name) => f.write_str(name),
        }
    }
}

impl<T: fmt::Display> Serialize for KnownOrUnknown<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            KnownOrUnknown::Known(value) => serializer.collect_str(value),
            KnownOrUnknown::Unknown(name) => serializer.serialize_str(name),
        }
    }
}

impl<'de, T: FromStr> Deserialize<'de> for KnownOrUnknown<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(LenientVisitor::<T>(std::marker::PhantomData))
    }
}

/// Reads a wire name into `T`, failing with the type's own parse error.
///
/// Borrowed strings are parsed in place, so deserialising allocates nothing.
pub(crate) struct WireNameVisitor<T>(std::marker::PhantomData<T>);

impl<T> WireNameVisitor<T> {
    pub(crate) fn new() -> Self {
        WireNameVisitor(std::marker::PhantomData)
    }
}

impl<T> serde::de::Visitor<'_> for WireNameVisitor<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a wire name string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        value.parse().map_err(E::custom)
    }
}

struct LenientVisitor<T>(std::marker::PhantomData<T>);

impl<T: FromStr> serde::de::Visitor<'_> for LenientVisitor<T> {
    type Value = KnownOrUnknown<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a wire name string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(KnownOrUnknown::parse(value))
    }
}
