//! Reading request bodies and turning JSON, urlencoded and multipart bodies
//! into one JSON object of parameters.
//!
//! Form bodies nest with brackets (`recipients[0][address][name]`,
//! `fields[]`) or dots (`postage.service`); their values stay strings here and
//! are converted to booleans and numbers by the parameter schema.

use std::collections::BTreeMap;

use axum::body::Body;
use bytes::Bytes;
use futures_util::StreamExt;
use ip_status::ErrorCode;
use serde_json::{Map, Value};

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

/// The 413 answer for a body over `limit` bytes.
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
    let value: Value = serde_json::from_slice(bytes).map_err(|err| {
        ApiFailure::bad_format(format!("Invalid JSON in the request body: {err}"))
    })?;
    match value {
        Value::Object(params) => Ok(DecodedBody { params, file: None }),
        other => Err(ApiFailure::bad_format(format!(
            "The request body must be a JSON object, not {}",
            json_kind(&other)
        ))),
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
        let value = field.text().await.map_err(multipart_error)?;
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

/// Splits `a[b][0].c[]` into `a`, `b`, `0`, `c`, append. Dots split only
/// outside brackets, so `metadata[order.id]` keeps its key.
fn parse_key_path(key: &str) -> Result<Vec<Segment>, ApiFailure> {
    let mut segments = Vec::new();
    let mut rest = key;

    // The head runs until the first bracket; dots inside it nest.
    let head_end = rest.find('[').unwrap_or(rest.len());
    for part in rest[..head_end].split('.') {
        segments.push(Segment::Key(part.to_owned()));
    }
    rest = &rest[head_end..];

    while !rest.is_empty() {
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

    if segments
        .iter()
        .any(|s| matches!(s, Segment::Key(k) if k.is_empty()))
    {
        return Err(malformed_key(key));
    }
    Ok(segments)
}

fn malformed_key(key: &str) -> ApiFailure {
    ApiFailure::invalid(key, format!("Malformed parameter name: {key}"))
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
        ApiFailure::invalid(
            key,
            format!("Parameter {key} is given both as a value and as a nested object"),
        )
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
        ApiFailure::invalid(
            key,
            format!("Parameter {key} is given both as a value and as a nested object"),
        )
    };
    match rest.split_first() {
        None => match slot {
            Entry::Vacant(vacant) => {
                vacant.insert(Node::Leaf(value));
                Ok(())
            }
            Entry::Occupied(_) => Err(ApiFailure::invalid(
                key,
                format!("Parameter {key} is given twice"),
            )),
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
}
