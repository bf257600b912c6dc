//! Property tests of body decoding and the parameter schema. For generated
//! bodies and form keys, `decode`, `nest_pairs` and `check_object` must return
//! `Ok` or an error whose code has a 4xx status, and must not panic.

use std::collections::BTreeMap;
use std::future::Future;

use bytes::Bytes;
use ip_status::ErrorCode;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Number, Value};

use super::{decode, nest_pairs, parse_json_unique_keys, MAX_KEY_DEPTH};
use crate::api::error::ApiFailure;
use crate::api::schema::{check_object, Field, Kind, CREATE_PRINT, UPDATE_PRINT};

const BOUNDARY: &str = "proptest-boundary-7f3a";

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "text/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=proptest-boundary-7f3a",
    "multipart/form-data",
    "text/plain",
    "",
];

/// Runs a future to completion on a single-threaded runtime. `decode` only
/// awaits an in-memory multipart stream, so nothing here blocks.
fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime")
        .block_on(future)
}

/// Fails the property unless `failure` is a client error: a known code whose
/// status is 4xx, with no status override.
fn check_client_error(failure: &ApiFailure) -> Result<(), TestCaseError> {
    let code = failure.code();
    prop_assert!(code.is_some(), "unknown error code in {failure:?}");
    let status = code.map(ErrorCode::http_status).unwrap_or_default();
    prop_assert!(
        (400..500).contains(&status),
        "status {status} for {failure:?}"
    );
    prop_assert!(failure.status.is_none(), "status override in {failure:?}");
    Ok(())
}

/// Checks decoded parameters against both print schemas.
fn check_schemas(params: &Map<String, Value>) -> Result<(), TestCaseError> {
    for groups in [CREATE_PRINT, UPDATE_PRINT] {
        if let Err(failure) = check_object(params.clone(), groups, "") {
            check_client_error(&failure)?;
        }
    }
    Ok(())
}

/// Collects every parameter name in the print schemas, nested ones included, so that
/// generated bodies reach deep into the schema check.
fn schema_names() -> Vec<&'static str> {
    fn collect(kind: &'static Kind, names: &mut Vec<&'static str>) {
        match kind {
            Kind::Object(fields) => collect_fields(fields, names),
            Kind::ArrayOf(item) => collect(item, names),
            _ => {}
        }
    }
    fn collect_fields(fields: &'static [Field], names: &mut Vec<&'static str>) {
        for field in fields {
            names.push(field.name);
            collect(&field.kind, names);
        }
    }

    let mut names = Vec::new();
    for group in CREATE_PRINT {
        collect_fields(group, &mut names);
    }
    names.sort_unstable();
    names.dedup();
    names
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(schema_names()).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

/// Strings that form clients send, which the schema converts to booleans,
/// numbers and enum values, and arbitrary Unicode.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => select(vec![
            "", "true", "False", "TRUE", "yes", "0", "-1", "1.5", "1e400", "NaN",
            "1700000000", "253402300800", "uk_first_class", "tracked_24", "postcard",
            "letter", "c5", "postcard_a6", "split_on_phrase", "split_on_pages", "mixed",
            "left", "GB", "GBR", "SW1A 1AA", "ZZ1 1DR", "mock:payment_error",
            "JVBERi0xLjQ=", "not base64!",
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("JSON has no NaN or infinity", |float| {
            Number::from_f64(float).map(Value::Number)
        }),
        text().prop_map(Value::String),
    ]
}

/// Any JSON value, up to six levels deep, with object keys mostly taken from
/// the schema.
fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(name(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(name(), json_value(), 0..8)
        .prop_map(|map| map.into_iter().collect())
}

/// Generates one piece of a form key: a name, a bracketed name or index, an append, a
/// dotted name, or a stray bracket or dot.
fn key_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => name(),
        1 => "[a-z_]{0,6}",
        3 => name().prop_map(|name| format!("[{name}]")),
        2 => name().prop_map(|name| format!(".{name}")),
        2 => (0u32..20).prop_map(|index| format!("[{index}]")),
        1 => any::<u64>().prop_map(|index| format!("[{index}]")),
        1 => "[0-9]{7,40}".prop_map(|digits| format!("[{digits}]")),
        2 => Just("[]".to_owned()),
        1 => select(vec!["[", "]", ".", "[[", "]]", "..", "[.]", "[]]"]).prop_map(str::to_owned),
    ]
}

/// Generates a form key: pieces joined, or a name followed by more bracket levels than
/// the decoder accepts.
fn form_key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::collection::vec(key_piece(), 1..8).prop_map(|pieces| pieces.concat()),
        1 => (name(), MAX_KEY_DEPTH..5_000)
            .prop_map(|(name, depth)| format!("{name}{}", "[a]".repeat(depth))),
    ]
}

fn form_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((form_key(), text()), 0..12)
}

fn urlencode(pairs: &[(String, String)]) -> Bytes {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        serializer.append_pair(key, value);
    }
    Bytes::from(serializer.finish())
}

fn multipart(pairs: &[(String, String)]) -> Bytes {
    let mut body = String::new();
    for (key, value) in pairs {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{key}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    Bytes::from(body)
}

/// Returns whether a name can go into a quoted multipart header unescaped:
/// printable ASCII with no quote or backslash.
fn multipart_safe(name: &str) -> bool {
    name.bytes()
        .all(|byte| (b' '..=b'~').contains(&byte) && byte != b'"' && byte != b'\\')
}

/// Compares two decoding results: equal parameters, or errors with the same
/// code and param.
fn same_outcome(
    left: &Result<Map<String, Value>, ApiFailure>,
    right: &Result<Map<String, Value>, ApiFailure>,
) -> Result<(), TestCaseError> {
    match (left, right) {
        (Ok(left), Ok(right)) => prop_assert_eq!(left, right),
        (Err(left), Err(right)) => {
            prop_assert_eq!(left.code(), right.code());
            prop_assert_eq!(&left.body.error.param, &right.body.error.param);
        }
        _ => prop_assert!(false, "outcomes differ: {left:?} and {right:?}"),
    }
    Ok(())
}

/// Generates a nested object of string leaves with names that form keys carry
/// unchanged: no brackets or dots, never empty, never all digits.
fn form_tree() -> impl Strategy<Value = Value> {
    let leaf = "[ -~]{0,12}".prop_map(Value::String);
    leaf.prop_recursive(4, 32, 4, |inner| {
        // A list item that is itself a list has no form key (`a[0][1]` is
        // rejected), so list items are strings or objects.
        let item = inner
            .clone()
            .prop_filter("a list item is not a list", |value| !value.is_array());
        prop_oneof![
            prop::collection::vec(item, 1..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_][a-z0-9_]{0,6}", inner, 1..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Flattens a tree into `key[child][0]=value` pairs, the way form clients
/// send nested parameters.
fn flatten(prefix: &str, value: &Value, pairs: &mut Vec<(String, String)>) {
    match value {
        Value::String(text) => pairs.push((prefix.to_owned(), text.clone())),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{index}]"), item, pairs);
            }
        }
        Value::Object(map) => {
            for (key, child) in map {
                flatten(&format!("{prefix}[{key}]"), child, pairs);
            }
        }
        _ => unreachable!("form trees have only strings, arrays and objects"),
    }
}

proptest! {
    #[test]
    fn form_pairs_nest_or_fail_cleanly(pairs in form_pairs()) {
        match nest_pairs(pairs) {
            Ok(params) => check_schemas(&params)?,
            Err(failure) => check_client_error(&failure)?,
        }
    }

    #[test]
    fn urlencoded_body_matches_pairs(pairs in form_pairs()) {
        let decoded = block_on(decode(Some("application/x-www-form-urlencoded"), urlencode(&pairs)))
            .map(|body| body.params);
        same_outcome(&decoded, &nest_pairs(pairs))?;
    }

    #[test]
    fn multipart_body_matches_pairs(
        pairs in prop::collection::vec((form_key(), "[ -~]{0,12}"), 1..8)
            .prop_filter("names a multipart header carries as is", |pairs| {
                pairs.iter().all(|(key, _)| multipart_safe(key))
            })
    ) {
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        let decoded = block_on(decode(Some(&content_type), multipart(&pairs)))
            .map(|body| body.params);
        same_outcome(&decoded, &nest_pairs(pairs))?;
    }

    #[test]
    fn nested_form_keys_round_trip(tree in prop::collection::btree_map("[a-z_][a-z0-9_]{0,6}", form_tree(), 1..5)) {
        let tree: Map<String, Value> = tree.into_iter().collect();
        let mut pairs = Vec::new();
        for (key, value) in &tree {
            flatten(key, value, &mut pairs);
        }
        let nested = nest_pairs(pairs);
        prop_assert!(nested.is_ok(), "{nested:?}");
        prop_assert_eq!(nested.unwrap_or_default(), tree);
    }

    #[test]
    fn json_objects_decode_or_fail_cleanly(params in json_object()) {
        let bytes = Bytes::from(serde_json::to_vec(&params).expect("serialisable"));
        // serde_json parses floats with best-effort precision (exact only with
        // its float_roundtrip feature), so the comparison is with its own
        // reading, not with `params`.
        let expected: Value = serde_json::from_slice(&bytes).expect("valid JSON");
        match block_on(decode(Some("application/json"), bytes)) {
            Ok(body) => {
                prop_assert_eq!(&Value::Object(body.params.clone()), &expected);
                check_schemas(&body.params)?;
            }
            Err(failure) => check_client_error(&failure)?,
        }
    }

    #[test]
    fn any_json_value_decodes_or_fails_cleanly(value in json_value()) {
        let bytes = Bytes::from(serde_json::to_vec(&value).expect("serialisable"));
        match block_on(decode(Some("application/json"), bytes)) {
            Ok(body) => {
                prop_assert!(value.is_object(), "only an object decodes, not {value}");
                check_schemas(&body.params)?;
            }
            Err(failure) => check_client_error(&failure)?,
        }
    }

    #[test]
    fn unique_keys_parse_matches_serde_json(value in json_value()) {
        let text = serde_json::to_string(&value).expect("serialisable");
        let expected: Value = serde_json::from_str(&text).expect("valid JSON");
        let parsed = parse_json_unique_keys(text.as_bytes());
        prop_assert!(parsed.is_ok(), "{parsed:?}");
        prop_assert_eq!(parsed.unwrap_or_default(), expected);
    }

    #[test]
    fn repeated_key_is_rejected(
        map in prop::collection::btree_map(name(), json_value(), 1..6),
        pick in any::<prop::sample::Index>(),
        repeat in json_value(),
    ) {
        let keys: Vec<&String> = map.keys().collect();
        let key = keys[pick.index(keys.len())].clone();
        let mut entries: Vec<String> = map
            .iter()
            .map(|(name, value)| format!("{}:{value}", Value::String(name.clone())))
            .collect();
        entries.push(format!("{}:{repeat}", Value::String(key.clone())));
        let text = format!("{{{}}}", entries.join(","));

        let failure = parse_json_unique_keys(text.as_bytes());
        prop_assert!(failure.is_err(), "accepted {text}");
        let failure = failure.unwrap_err();
        prop_assert_eq!(failure.code(), Some(ErrorCode::BodyIncorrectFormat));
        let expected = (!key.is_empty()).then(|| super::shorten_name(&key));
        prop_assert_eq!(failure.body.error.param, expected);
    }

    #[test]
    fn any_bytes_decode_or_fail_cleanly(
        content_type in select(CONTENT_TYPES),
        body in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let content_type = (!content_type.is_empty()).then_some(content_type);
        match block_on(decode(content_type, Bytes::from(body))) {
            Ok(decoded) => check_schemas(&decoded.params)?,
            Err(failure) => check_client_error(&failure)?,
        }
    }

    #[test]
    fn deep_json_fails_cleanly(depth in 100usize..2_000, object in any::<bool>()) {
        let (open, close) = if object { (r#"{"a":"#, "}") } else { ("[", "]") };
        let text = format!("{}1{}", open.repeat(depth), close.repeat(depth));
        let bytes = Bytes::from(format!(r#"{{"metadata":{text}}}"#));
        match block_on(decode(Some("application/json"), bytes)) {
            Ok(body) => check_schemas(&body.params)?,
            Err(failure) => check_client_error(&failure)?,
        }
    }
}

#[test]
fn schema_names_reach_nested_fields() {
    let names: BTreeMap<&str, ()> = schema_names().into_iter().map(|name| (name, ())).collect();
    for nested in ["address", "line", "service", "mail_date", "double_sided"] {
        assert!(names.contains_key(nested), "{nested} missing");
    }
}
