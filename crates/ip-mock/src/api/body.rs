//! Reading request bodies and turning JSON, urlencoded and multipart bodies
//! into one JSON object of parameters.
//!
//! Form bodies nest with brackets (`recipients[0][address][name]`,
//! `fields[]`) or dots (`postage.service`). Their values stay strings here,
//! and the parameter schema converts them to booleans and numbers.
//!
//! A JSON object that repeats a key is rejected rather than keeping one of
//! the values, because parsers disagree on which one wins.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;

use axum::body::Body;
use bytes::Bytes;
use futures_util::StreamExt;
use ip_status::ErrorCode;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::error::ApiFailure;

/// A file sent as a multipart part named `file`.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub bytes: Bytes,
}

/// The parameters of a request body, whatever its format.
#[derive(Debug, Default)]
pub struct DecodedBody {
    pub params: Map<String, Value>,
    pub file: Option<UploadedFile>,
}

/// Reads at most `limit` bytes; a longer body fails with 413 `body_too_large`
/// as soon as the limit is crossed, without buffering the rest.
pub async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiFailure> {
    let mut stream = body.into_data_stream();
    let mut buffer = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| {
            ApiFailure::bad_format(format!("Failed to read the request body: {err}"))
        })?;
        if buffer.len() + chunk.len() > limit {
            return Err(body_too_large(limit));
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buffer))
}

/// Builds the 413 error for a body over `limit` bytes.
pub fn body_too_large(limit: usize) -> ApiFailure {
    ApiFailure::new(
        ErrorCode::BodyTooLarge,
        format!("The request body is larger than the limit of {limit} bytes"),
    )
}

/// Decodes `bytes` according to the request's `Content-Type`.
pub async fn decode(content_type: Option<&str>, bytes: Bytes) -> Result<DecodedBody, ApiFailure> {
    let mime = content_type
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase());

    match mime.as_deref() {
        None | Some("") if bytes.iter().all(u8::is_ascii_whitespace) => Ok(DecodedBody::default()),
        None | Some("") | Some("application/json") | Some("text/json") => decode_json(&bytes),
        Some("application/x-www-form-urlencoded") => decode_urlencoded(&bytes),
        Some("multipart/form-data") => {
            decode_multipart(content_type.unwrap_or_default(), bytes).await
        }
        Some(other) => Err(ApiFailure::bad_format(format!(
            "Unsupported Content-Type {other}; send application/json, \
             application/x-www-form-urlencoded or multipart/form-data"
        ))),
    }
}

fn decode_json(bytes: &[u8]) -> Result<DecodedBody, ApiFailure> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(DecodedBody::default());
    }
    let value = parse_json_unique_keys(bytes)?;
    match value {
        Value::Object(params) => Ok(DecodedBody { params, file: None }),
        other => Err(ApiFailure::bad_format(format!(
            "The request body must be a JSON object, not {}",
            json_kind(&other)
        ))),
    }
}

/// Parses JSON like `serde_json::from_slice::<Value>`, except that an object
/// that repeats a key fails with 400 `body_incorrect_format` and the dot path
/// of the key as `param`.
pub fn parse_json_unique_keys(bytes: &[u8]) -> Result<Value, ApiFailure> {
    let duplicate = DuplicateKey::default();
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = UniqueKeys(&duplicate)
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    match parsed {
        Ok(value) => Ok(value),
        Err(err) if duplicate.found.get() => {
            // Segments were pushed innermost first while the error unwound.
            let mut segments = duplicate.path.take();
            segments.reverse();
            let path = shorten_name(&segments.join("."));
            let failure = ApiFailure::bad_format(format!(
                "Invalid JSON in the request body: the key {path:?} appears more than once \
                 (line {}, column {}); send each key once",
                err.line(),
                err.column()
            ));
            // An empty key at the top level has no dot path to show.
            if path.is_empty() {
                Err(failure)
            } else {
                Err(failure.with_param(path))
            }
        }
        Err(err) => Err(ApiFailure::bad_format(format!(
            "Invalid JSON in the request body: {err}"
        ))),
    }
}

/// Location of a repeated JSON key. The path is collected only while the
/// error unwinds, so parsing valid JSON pays nothing for it.
#[derive(Debug, Default)]
struct DuplicateKey {
    found: Cell<bool>,
    /// Keys and array indices from the repeated key outwards.
    path: RefCell<Vec<String>>,
}

/// Seed and visitor that deserialize any JSON value into a
/// `serde_json::Value` and fail on an object that repeats a key.
#[derive(Clone, Copy)]
struct UniqueKeys<'a>(&'a DuplicateKey);

impl<'de> DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        // As serde_json's own `Value`: a float JSON cannot hold becomes null.
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            match seq.next_element_seed(self) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(Value::Array(items)),
                Err(err) => {
                    if self.0.found.get() {
                        self.0.path.borrow_mut().push(items.len().to_string());
                    }
                    return Err(err);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                self.0.found.set(true);
                self.0.path.borrow_mut().push(key.clone());
                return Err(de::Error::custom(format!("duplicate key {key:?}")));
            }
            match map.next_value_seed(self) {
                Ok(value) => {
                    object.insert(key, value);
                }
                Err(err) => {
                    if self.0.found.get() {
                        self.0.path.borrow_mut().push(key);
                    }
                    return Err(err);
                }
            }
        }
        Ok(Value::Object(object))
    }
}

fn decode_urlencoded(bytes: &[u8]) -> Result<DecodedBody, ApiFailure> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiFailure::bad_format("The urlencoded request body is not valid UTF-8"))?;
    let pairs =
        form_urlencoded::parse(text.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned()));
    let params = nest_pairs(pairs)?;
    Ok(DecodedBody { params, file: None })
}

async fn decode_multipart(content_type: &str, bytes: Bytes) -> Result<DecodedBody, ApiFailure> {
    let boundary = multer::parse_boundary(content_type).map_err(|_| {
        ApiFailure::bad_format("The multipart/form-data Content-Type has no boundary")
    })?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);

    let mut pairs = Vec::new();
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let Some(name) = field.name().map(str::to_owned) else {
            return Err(ApiFailure::bad_format("A multipart part has no name"));
        };
        if name == "file" && field.file_name().is_some() {
            let bytes = field.bytes().await.map_err(multipart_error)?;
            file = Some(UploadedFile { bytes });
            continue;
        }
        // Decoded strictly, as JSON and urlencoded bodies are: a lossy
        // decoding would store replacement characters in place of the text sent.
        let bytes = field.bytes().await.map_err(multipart_error)?;
        let Ok(value) = String::from_utf8(bytes.to_vec()) else {
            return Err(ApiFailure::bad_format(format!(
                "The multipart/form-data part {name:?} is not valid UTF-8"
            ))
            .with_param(&name));
        };
        pairs.push((name, value));
    }

    if pairs.is_empty() && file.is_none() {
        return Err(ApiFailure::bad_format(
            "The multipart/form-data body has no parts",
        ));
    }
    let params = nest_pairs(pairs)?;
    Ok(DecodedBody { params, file })
}

fn multipart_error(err: multer::Error) -> ApiFailure {
    ApiFailure::bad_format(format!("Invalid multipart/form-data body: {err}"))
}

/// One step of a form key path.
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
    Append,
}

/// Maximum number of segments in a form key path. The deepest real parameter,
/// `recipients[0][address][line]`, has four. `metadata` and `variables` take
/// free objects, so the limit leaves room for them. Deeper keys are rejected
/// because nesting them recurses once per segment, and thousands of segments
/// overflowed the stack and aborted the server.
pub const MAX_KEY_DEPTH: usize = 32;

/// Splits `a[b][0].c[]` into `a`, `b`, `0`, `c`, append. Dots split only
/// outside brackets, so `metadata[order.id]` keeps its key.
fn parse_key_path(key: &str) -> Result<Vec<Segment>, ApiFailure> {
    let mut segments = Vec::new();
    let mut rest = key;

    // The head runs until the first bracket; dots inside it nest.
    let head_end = rest.find('[').unwrap_or(rest.len());
    for part in rest[..head_end].split('.') {
        segments.push(Segment::Key(part.to_owned()));
        check_depth(&segments, key)?;
    }
    rest = &rest[head_end..];

    while !rest.is_empty() {
        check_depth(&segments, key)?;
        if let Some(after_dot) = rest.strip_prefix('.') {
            let end = after_dot.find(['[', '.']).unwrap_or(after_dot.len());
            segments.push(Segment::Key(after_dot[..end].to_owned()));
            rest = &after_dot[end..];
            continue;
        }
        let Some(inner_start) = rest.strip_prefix('[') else {
            return Err(malformed_key(key));
        };
        let Some(close) = inner_start.find(']') else {
            return Err(malformed_key(key));
        };
        let inner = &inner_start[..close];
        segments.push(match inner {
            "" => Segment::Append,
            digits if digits.bytes().all(|b| b.is_ascii_digit()) && digits.len() < 7 => {
                Segment::Index(digits.parse().map_err(|_| malformed_key(key))?)
            }
            name => Segment::Key(name.to_owned()),
        });
        rest = &inner_start[close + 1..];
    }
    check_depth(&segments, key)?;

    if segments
        .iter()
        .any(|s| matches!(s, Segment::Key(k) if k.is_empty()))
    {
        return Err(malformed_key(key));
    }
    Ok(segments)
}

fn check_depth(segments: &[Segment], key: &str) -> Result<(), ApiFailure> {
    if segments.len() <= MAX_KEY_DEPTH {
        return Ok(());
    }
    Err(key_error(key, |shown| {
        format!("Parameter name {shown:?} is nested more than {MAX_KEY_DEPTH} levels deep")
    }))
}

fn malformed_key(key: &str) -> ApiFailure {
    key_error(key, |shown| format!("Malformed parameter name: {shown:?}"))
}

/// Builds a 400 `parameter_invalid` for a form parameter name. The message and
/// `param` show the name shortened by [`shorten_name`], and an empty name gets no
/// `param`.
fn key_error(key: &str, message: impl FnOnce(&str) -> String) -> ApiFailure {
    let shown = shorten_name(key);
    let failure = ApiFailure::new(ErrorCode::ParameterInvalid, message(&shown));
    if shown.is_empty() {
        failure
    } else {
        failure.with_param(shown)
    }
}

/// Returns the first 100 characters of a name or value sent by a client, and
/// `...` if there were more, so that an error never echoes megabytes.
pub fn shorten_name(key: &str) -> String {
    const SHOWN_CHARS: usize = 100;
    match key.char_indices().nth(SHOWN_CHARS) {
        Some((end, _)) => format!("{}...", &key[..end]),
        None => key.to_owned(),
    }
}

/// A form value tree before arrays are known: indexed children are kept in
/// order of their index so that sparse indices compact into an array.
#[derive(Debug)]
enum Node {
    Leaf(String),
    List(Vec<String>),
    Map(BTreeMap<String, Node>),
    Indexed(BTreeMap<usize, Node>),
}

/// Nests flat `key=value` pairs into a JSON object.
pub fn nest_pairs(
    pairs: impl IntoIterator<Item = (String, String)>,
) -> Result<Map<String, Value>, ApiFailure> {
    let mut root = BTreeMap::new();
    for (key, value) in pairs {
        let path = parse_key_path(&key)?;
        insert(&mut root, &path, value, &key)?;
    }
    let mut params = Map::new();
    for (key, node) in root {
        params.insert(key, into_json(node));
    }
    Ok(params)
}

fn insert(
    map: &mut BTreeMap<String, Node>,
    path: &[Segment],
    value: String,
    key: &str,
) -> Result<(), ApiFailure> {
    let Some((Segment::Key(first), rest)) = path.split_first() else {
        return Err(malformed_key(key));
    };
    let slot = map.entry(first.clone());
    insert_at(slot, rest, value, key)
}

fn insert_at(
    slot: std::collections::btree_map::Entry<'_, String, Node>,
    rest: &[Segment],
    value: String,
    key: &str,
) -> Result<(), ApiFailure> {
    use std::collections::btree_map::Entry;

    let conflict = || {
        key_error(key, |shown| {
            format!("Parameter {shown} is given both as a value and as a nested object")
        })
    };

    match rest.split_first() {
        // A plain value: a repeated key becomes a list (`fields=a&fields=b`).
        None => {
            match slot {
                Entry::Vacant(vacant) => {
                    vacant.insert(Node::Leaf(value));
                }
                Entry::Occupied(mut occupied) => match occupied.get_mut() {
                    Node::Leaf(previous) => {
                        let first = std::mem::take(previous);
                        occupied.insert(Node::List(vec![first, value]));
                    }
                    Node::List(values) => values.push(value),
                    _ => return Err(conflict()),
                },
            }
            Ok(())
        }
        Some((Segment::Append, tail)) => {
            if !tail.is_empty() {
                return Err(malformed_key(key));
            }
            let node = slot.or_insert_with(|| Node::List(Vec::new()));
            match node {
                Node::List(values) => values.push(value),
                Node::Leaf(previous) => {
                    let first = std::mem::take(previous);
                    *node = Node::List(vec![first, value]);
                }
                _ => return Err(conflict()),
            }
            Ok(())
        }
        Some((Segment::Index(index), tail)) => {
            let node = slot.or_insert_with(|| Node::Indexed(BTreeMap::new()));
            let Node::Indexed(items) = node else {
                return Err(conflict());
            };
            let item = items.entry(*index);
            insert_indexed(item, tail, value, key)
        }
        Some((Segment::Key(_), _)) => {
            let node = slot.or_insert_with(|| Node::Map(BTreeMap::new()));
            let Node::Map(children) = node else {
                return Err(conflict());
            };
            insert(children, rest, value, key)
        }
    }
}

fn insert_indexed(
    slot: std::collections::btree_map::Entry<'_, usize, Node>,
    rest: &[Segment],
    value: String,
    key: &str,
) -> Result<(), ApiFailure> {
    use std::collections::btree_map::Entry;

    let conflict = || {
        key_error(key, |shown| {
            format!("Parameter {shown} is given both as a value and as a nested object")
        })
    };
    match rest.split_first() {
        None => match slot {
            Entry::Vacant(vacant) => {
                vacant.insert(Node::Leaf(value));
                Ok(())
            }
            Entry::Occupied(_) => Err(key_error(key, |shown| {
                format!("Parameter {shown} is given twice")
            })),
        },
        Some((Segment::Key(_), _)) => {
            let node = slot.or_insert_with(|| Node::Map(BTreeMap::new()));
            let Node::Map(children) = node else {
                return Err(conflict());
            };
            insert(children, rest, value, key)
        }
        Some(_) => Err(malformed_key(key)),
    }
}

fn into_json(node: Node) -> Value {
    match node {
        Node::Leaf(value) => Value::String(value),
        Node::List(values) => Value::Array(values.into_iter().map(Value::String).collect()),
        Node::Map(children) => Value::Object(
            children
                .into_iter()
                .map(|(k, v)| (k, into_json(v)))
                .collect(),
        ),
        Node::Indexed(items) => Value::Array(items.into_values().map(into_json).collect()),
    }
}

/// A short name for the JSON type of `value`, for error messages.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod proptests;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nest(pairs: &[(&str, &str)]) -> Value {
        let pairs = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Value::Object(nest_pairs(pairs).unwrap())
    }

    #[test]
    fn brackets_nest_objects_and_arrays() {
        let value = nest(&[
            ("recipients[0][address][name]", "Ada"),
            ("recipients[0][address][line]", "1 High St"),
            ("recipients[1][address][name]", "Bob"),
        ]);
        assert_eq!(
            value,
            json!({"recipients": [{"address": {"name": "Ada", "line": "1 High St"}}, {"address": {"name": "Bob"}}]})
        );
    }

    #[test]
    fn dots_nest_objects() {
        let value = nest(&[
            ("postage.service", "uk_first_class"),
            ("postage[mail_date]", "1"),
        ]);
        assert_eq!(
            value,
            json!({"postage": {"service": "uk_first_class", "mail_date": "1"}})
        );
    }

    #[test]
    fn repeated_and_appended_keys_make_lists() {
        assert_eq!(
            nest(&[("fields[]", "id"), ("fields[]", "reference")]),
            json!({"fields": ["id", "reference"]})
        );
        assert_eq!(
            nest(&[("fields", "id"), ("fields", "reference")]),
            json!({"fields": ["id", "reference"]})
        );
    }

    #[test]
    fn dots_inside_brackets_stay_in_key() {
        assert_eq!(
            nest(&[("metadata[order.id]", "7")]),
            json!({"metadata": {"order.id": "7"}})
        );
    }

    #[test]
    fn value_and_object_conflict_is_rejected() {
        let pairs = [
            ("postage".to_string(), "x".to_string()),
            ("postage[service]".to_string(), "y".to_string()),
        ];
        let err = nest_pairs(pairs).unwrap_err();
        assert_eq!(err.body.error.param.as_deref(), Some("postage[service]"));
    }

    #[test]
    fn unclosed_bracket_is_rejected() {
        let err = nest_pairs([("a[b".to_string(), "1".to_string())]).unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::ParameterInvalid));
    }

    #[test]
    fn unique_keys_parse_like_serde_json() {
        let text = r#"{"a": [1, -2, 3.5, 18446744073709551615, "\u00e9", null, true], "b": {"c": {}}, "d": []}"#;
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse_json_unique_keys(text.as_bytes()).unwrap(), expected);
    }

    #[test]
    fn duplicate_json_key_is_rejected() {
        let err = parse_json_unique_keys(br#"{"content": "a", "content": "b"}"#).unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::BodyIncorrectFormat));
        assert_eq!(err.body.error.param.as_deref(), Some("content"));
        assert!(err
            .body
            .error
            .message
            .contains(r#""content" appears more than once"#));
    }

    #[test]
    fn nested_duplicate_key_has_dot_path() {
        let body = br#"{"recipients": [{"address": {}}, {"address": {"line": "a", "line": "b"}}]}"#;
        let err = parse_json_unique_keys(body).unwrap_err();
        assert_eq!(
            err.body.error.param.as_deref(),
            Some("recipients.1.address.line")
        );
    }

    #[test]
    fn same_key_in_sibling_objects_is_allowed() {
        let value = parse_json_unique_keys(br#"[{"k": 1}, {"k": 2}]"#).unwrap();
        assert_eq!(value, json!([{"k": 1}, {"k": 2}]));
    }

    #[test]
    fn syntax_error_after_duplicate_free_prefix_has_no_param() {
        let err = parse_json_unique_keys(br#"{"a": 1, "b": }"#).unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::BodyIncorrectFormat));
        assert_eq!(err.body.error.param, None);
    }

    #[test]
    fn trailing_characters_are_rejected() {
        let err = parse_json_unique_keys(br#"{"a": 1} x"#).unwrap_err();
        assert!(err.body.error.message.contains("trailing characters"));
    }

    #[test]
    fn form_key_at_depth_limit_nests() {
        let key = format!("metadata{}", "[a]".repeat(MAX_KEY_DEPTH - 1));
        assert!(nest_pairs([(key, "1".to_string())]).is_ok());
    }

    #[test]
    fn form_key_past_depth_limit_is_rejected() {
        for key in [
            format!("metadata{}", "[a]".repeat(MAX_KEY_DEPTH)),
            format!("metadata{}", ".a".repeat(MAX_KEY_DEPTH)),
            format!("metadata{}", "[a]".repeat(100_000)),
        ] {
            let err = nest_pairs([(key, "1".to_string())]).unwrap_err();
            assert_eq!(err.code(), Some(ErrorCode::ParameterInvalid));
            assert!(err.body.error.message.contains("levels deep"));
        }
    }

    #[test]
    fn empty_form_key_has_no_param() {
        let err = nest_pairs([(String::new(), "1".to_string())]).unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::ParameterInvalid));
        assert_eq!(err.body.error.param, None);
    }

    #[test]
    fn long_malformed_key_is_shortened() {
        let key = format!("a[{}", "b".repeat(10_000));
        let err = nest_pairs([(key, "1".to_string())]).unwrap_err();
        assert!(err.body.error.message.len() < 200);
        assert!(err.body.error.param.unwrap().ends_with("..."));
    }
}
