//! The parameters each endpoint takes, as data, and the check that turns a
//! decoded body into well-typed JSON.
//!
//! Form bodies carry every value as a string, so the check also converts
//! `"true"`/`"false"` (any case) to booleans and numeric strings to numbers.
//! Unknown parameters are rejected with a "Did you mean …?" suggestion.

use ip_status::{AddressWindow, DoubleSided, Envelope, JobType, PostageService, SplittingMethod};
use serde_json::{Map, Number, Value};
use strum::VariantNames;

use super::body::{json_kind, shorten_name};
use super::error::ApiFailure;
use ip_status::ErrorCode;

/// The expected shape of one parameter.
#[derive(Debug)]
pub enum Kind {
    Bool,
    Text,
    Integer {
        min: i64,
        max: i64,
    },
    Number,
    Enum(&'static [&'static str]),
    Object(&'static [Field]),
    ArrayOf(&'static Kind),
    /// Any JSON object, kept as sent (`metadata`, `variables`).
    FreeObject,
    /// Anything, kept as sent.
    Any,
}

/// A named parameter inside an object.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
}

const fn field(name: &'static str, kind: Kind) -> Field {
    Field { name, kind }
}

const UNIX_SECONDS: Kind = Kind::Integer {
    min: 0,
    max: 253_402_300_799,
};

const ADDRESS: &[Field] = &[
    field("name", Kind::Text),
    field("line", Kind::Text),
    field("postcode", Kind::Text),
    field("country", Kind::Text),
];

const RECIPIENT: &[Field] = &[
    field("address", Kind::Object(ADDRESS)),
    field("variables", Kind::FreeObject),
];

const FILE: &[Field] = &[
    field("url", Kind::Text),
    field("content", Kind::Text),
    field("name", Kind::Text),
];

const SPLITTING: &[Field] = &[
    field("method", Kind::Enum(SplittingMethod::VARIANTS)),
    field("phrase", Kind::Text),
    field(
        "pages",
        Kind::Integer {
            min: 1,
            max: 10_000,
        },
    ),
];

const PRINTING: &[Field] = &[
    field("double_sided", Kind::Enum(DoubleSided::VARIANTS)),
    field("double_sided_specific_pages", Kind::Text),
    field("premium_quality", Kind::Bool),
    field("black_and_white", Kind::Bool),
    field("matt_finish", Kind::Bool),
];

const POSTAGE: &[Field] = &[
    field("service", Kind::Enum(PostageService::VARIANTS)),
    field("ideal_envelope", Kind::Enum(Envelope::VARIANTS)),
    field("mail_date", UNIX_SECONDS),
];

const BACKGROUND: &[Field] = &[
    field("first_page", Kind::Text),
    field("other_pages", Kind::Text),
];

const REMOVE_LETTERS: &[Field] = &[field("with_phrase", Kind::Text)];

const NUDGE: &[Field] = &[field("x", Kind::Number), field("y", Kind::Number)];

/// Settings that both create and update take.
const SETTINGS: &[Field] = &[
    field("reference", Kind::Text),
    field("confirmed", Kind::Bool),
    field("splitting", Kind::Object(SPLITTING)),
    field("printing", Kind::Object(PRINTING)),
    field("postage", Kind::Object(POSTAGE)),
    field("background", Kind::Object(BACKGROUND)),
    field("confidential", Kind::Bool),
    field("remove_letters", Kind::Object(REMOVE_LETTERS)),
    field("nudge", Kind::Object(NUDGE)),
    field("confirmation_email", Kind::Bool),
    field("metadata", Kind::FreeObject),
    field("address_window", Kind::Enum(AddressWindow::VARIANTS)),
];

/// What only creation takes: the content, the recipients, test mode and type.
const CREATE_ONLY: &[Field] = &[
    field("testmode", Kind::Bool),
    field("type", Kind::Enum(JobType::VARIANTS)),
    field("content", Kind::Text),
    field("file", Kind::Object(FILE)),
    field("template", Kind::Text),
    field("recipients", Kind::ArrayOf(&Kind::Object(RECIPIENT))),
    field("mailing_list", Kind::Text),
    field("extra_documents", Kind::ArrayOf(&Kind::Any)),
];

/// `POST /v1/prints`.
pub const CREATE_PRINT: &[&[Field]] = &[SETTINGS, CREATE_ONLY];

/// `POST /v1/prints/{id}`: the settings only; content, recipients, test mode
/// and type are fixed at creation.
pub const UPDATE_PRINT: &[&[Field]] = &[SETTINGS];

/// Checks `params` against `fields` and returns them with form strings
/// converted to the declared types.
pub fn check_object(
    params: Map<String, Value>,
    groups: &[&'static [Field]],
    path: &str,
) -> Result<Map<String, Value>, ApiFailure> {
    let fields = || groups.iter().flat_map(|group| group.iter());
    let mut checked = Map::new();
    for (name, value) in params {
        let param = join(path, &name);
        let Some(spec) = fields().find(|f| f.name == name) else {
            return Err(unknown_parameter(&param, &name, fields().map(|f| f.name)));
        };
        checked.insert(name, check_value(value, &spec.kind, &param)?);
    }
    Ok(checked)
}

fn check_value(value: Value, kind: &'static Kind, param: &str) -> Result<Value, ApiFailure> {
    // `null` stands for "not given" at every level, and so does an empty form
    // value for anything but text.
    if value.is_null() {
        return Ok(value);
    }
    if value.as_str() == Some("") && !matches!(kind, Kind::Text | Kind::Any) {
        return Ok(Value::Null);
    }

    match kind {
        Kind::Any => Ok(value),
        Kind::Bool => match &value {
            Value::Bool(_) => Ok(value),
            Value::String(text) => parse_bool(text).map(Value::Bool).ok_or_else(|| {
                ApiFailure::invalid(
                    param,
                    format!(
                        "Invalid boolean for {param}: {:?}; expected true or false",
                        shorten_name(text)
                    ),
                )
            }),
            other => Err(wrong_type(param, "a boolean", other)),
        },
        Kind::Text => match value {
            Value::String(_) => Ok(value),
            other => Err(wrong_type(param, "a string", &other)),
        },
        Kind::Integer { min, max } => {
            let number = match &value {
                Value::Number(n) => n.as_i64(),
                Value::String(text) => text.trim().parse::<i64>().ok(),
                _ => None,
            };
            match number {
                Some(n) if (*min..=*max).contains(&n) => Ok(Value::from(n)),
                Some(n) => Err(ApiFailure::invalid(
                    param,
                    format!(
                        "Invalid value for {param}: {n}; expected an integer from {min} to {max}"
                    ),
                )),
                None => Err(wrong_type(param, "an integer", &value)),
            }
        }
        Kind::Number => {
            let number = match &value {
                Value::Number(n) => n.as_f64(),
                Value::String(text) => text.trim().parse::<f64>().ok(),
                _ => None,
            };
            match number.filter(|n| n.is_finite()).and_then(Number::from_f64) {
                Some(n) => Ok(Value::Number(n)),
                None => Err(wrong_type(param, "a number", &value)),
            }
        }
        Kind::Enum(options) => match &value {
            Value::String(text) if options.contains(&text.as_str()) => Ok(value),
            Value::String(text) => Err(ApiFailure::invalid(
                param,
                format!(
                    "Invalid value for {param}: {:?}. Valid options are: {}",
                    shorten_name(text),
                    options.join(", ")
                ),
            )),
            other => Err(wrong_type(param, "a string", other)),
        },
        Kind::Object(fields) => match value {
            Value::Object(map) => check_object(map, &[fields], param).map(Value::Object),
            other => Err(wrong_type(param, "an object", &other)),
        },
        Kind::FreeObject => match value {
            Value::Object(_) => Ok(value),
            other => Err(wrong_type(param, "an object", &other)),
        },
        Kind::ArrayOf(item) => match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| check_value(v, item, &format!("{param}.{i}")))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            other => Err(wrong_type(param, "an array", &other)),
        },
    }
}

/// Parses the booleans real clients send: JSON's, and `True`/`False` from
/// Python's `str(bool)`.
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn wrong_type(param: &str, expected: &str, got: &Value) -> ApiFailure {
    ApiFailure::invalid(
        param,
        format!(
            "Invalid type for {param}: expected {expected}, got {}",
            json_kind(got)
        ),
    )
}

/// Builds the 400 `parameter_unknown` error, suggesting the closest known
/// name. A long name and its `param` are shortened by [`shorten_name`].
pub fn unknown_parameter<'a>(
    param: &str,
    name: &str,
    known: impl Iterator<Item = &'a str>,
) -> ApiFailure {
    let shown = shorten_name(name);
    let message = match closest(name, known) {
        Some(suggestion) => {
            format!("Received unknown parameter: {shown} (Did you mean {suggestion}?)")
        }
        None => format!("Received unknown parameter: {shown}"),
    };
    ApiFailure::new(ErrorCode::ParameterUnknown, message).with_param(shorten_name(param))
}

/// Maximum length in bytes of a name that gets a suggestion. Typos of the
/// API's names are short, and the similarity takes time in proportion to the
/// length, so a name of megabytes would hold a worker for seconds.
const MAX_SUGGESTED_NAME_BYTES: usize = 64;

/// Finds the known name most similar to `name`, if any is similar enough
/// (Jaro-Winkler similarity of at least 0.8, which catches swapped and dropped
/// letters).
pub fn closest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    if name.len() > MAX_SUGGESTED_NAME_BYTES {
        return None;
    }
    known
        .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(body: Value) -> Result<Value, ApiFailure> {
        let Value::Object(map) = body else {
            panic!("test body must be an object")
        };
        check_object(map, CREATE_PRINT, "").map(Value::Object)
    }

    #[test]
    fn unknown_parameter_suggests_closest() {
        let err = check(json!({"confimred": true})).unwrap_err();
        assert_eq!(
            err.body.error.message,
            "Received unknown parameter: confimred (Did you mean confirmed?)"
        );
        assert_eq!(err.body.error.param.as_deref(), Some("confimred"));
    }

    #[test]
    fn nested_unknown_parameter_has_dot_path() {
        let err = check(json!({"postage": {"servce": "uk_first_class"}})).unwrap_err();
        assert_eq!(err.body.error.param.as_deref(), Some("postage.servce"));
        assert!(err.body.error.message.contains("Did you mean service?"));
    }

    #[test]
    fn bad_enum_names_the_options() {
        let err = check(json!({"postage": {"service": "pigeon"}})).unwrap_err();
        assert_eq!(err.body.error.param.as_deref(), Some("postage.service"));
        assert!(err.body.error.message.contains("uk_first_class"));
    }

    #[test]
    fn form_strings_become_typed() {
        let checked = check(json!({"testmode": "True", "postage": {"mail_date": "1700000000"}, "nudge": {"x": "1.5"}})).unwrap();
        assert_eq!(
            checked,
            json!({"testmode": true, "postage": {"mail_date": 1700000000}, "nudge": {"x": 1.5}})
        );
    }

    #[test]
    fn array_item_errors_have_index_path() {
        let err = check(json!({"recipients": [{"address": {"line": 5}}]})).unwrap_err();
        assert_eq!(
            err.body.error.param.as_deref(),
            Some("recipients.0.address.line")
        );
    }

    #[test]
    fn long_unknown_name_is_shortened() {
        let name = "x".repeat(1_000_000);
        let err = check(json!({ name: 1 })).unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::ParameterUnknown));
        assert!(err.body.error.message.len() < 200);
        assert_eq!(err.body.error.param.unwrap().len(), 103);
    }

    #[test]
    fn long_enum_value_is_shortened() {
        let value = "x".repeat(1_000_000);
        let err = check(json!({"postage": {"service": value}})).unwrap_err();
        assert!(err.body.error.message.len() < 400);
    }

    #[test]
    fn create_schema_has_every_field_once() {
        let mut names: Vec<&str> = CREATE_PRINT
            .iter()
            .flat_map(|g| g.iter())
            .map(|f| f.name)
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
    }
}
