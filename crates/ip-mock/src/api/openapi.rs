//! OpenAPI 3.1 documents of the `/v1` API (`GET /openapi.json`) and of the
//! control API (`GET /_mock/openapi.json`).
//!
//! Nothing here is written twice. Paths come from the route tables and request
//! bodies from the parameter schema the handlers check against. List
//! parameters come from the list parser's own tables, and response objects
//! from the `ip-status` wire types through their utoipa derives.

use std::sync::OnceLock;

use axum::Json;
use ip_status::{ApiError, Deleted, JobType, LetterUpdated, PrintJob, Status};
use serde_json::{json, Map, Value};
use strum::VariantNames;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use super::list::{PARAMETERS, SORT_FIELDS};
use super::routes::{Operation, Route, API_ROUTES, CONTROL_ROUTES};
use super::schema::{Field, Kind, CREATE_PRINT, UPDATE_PRINT};

/// `GET /openapi.json`
pub async fn api_document() -> Json<Value> {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    Json(DOCUMENT.get_or_init(api_spec).clone())
}

/// `GET /_mock/openapi.json`
pub async fn control_document() -> Json<Value> {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    Json(DOCUMENT.get_or_init(control_spec).clone())
}

/// Builds the document of the `/v1` API.
pub fn api_spec() -> Value {
    let mut schemas = Map::new();
    add_schema::<PrintJob>(&mut schemas);
    add_schema::<Deleted>(&mut schemas);
    add_schema::<ApiError>(&mut schemas);
    add_schema::<LetterUpdated>(&mut schemas);

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Intelliprint v1 API, as served by ip-mock",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Print jobs and their mail items. Bodies may also be sent as \
                application/x-www-form-urlencoded or multipart/form-data, nested with brackets \
                (recipients[0][address][line]) or dots (postage.service)."
        },
        "security": [{"apiKey": []}],
        "paths": paths(API_ROUTES, api_operation),
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "The API key, raw or as 'Bearer <key>'; HTTP Basic with the key as user name also works."
                }
            }
        }
    })
}

/// Builds the document of the control API.
pub fn control_spec() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "ip-mock control API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The mock's own routes: clock, letter and job moves, logs, reset, faults, webhooks."
        },
        "paths": paths(CONTROL_ROUTES, control_operation),
        "components": {"schemas": {"Status": Status::schema()}}
    })
}

/// Adds `T` and every schema it refers to under its name.
fn add_schema<T: ToSchema>(schemas: &mut Map<String, Value>) {
    let mut found: Vec<(String, RefOr<Schema>)> = Vec::new();
    T::schemas(&mut found);
    found.push((T::name().into_owned(), T::schema()));
    for (name, schema) in found {
        let mut schema = serde_json::to_value(schema).unwrap_or(Value::Null);
        drop_code_examples(&mut schema);
        schemas.insert(name, schema);
    }
}

/// Cuts the Rust examples that the doc comments carry out of each
/// description: they are for readers of the crate docs, not of the API.
fn drop_code_examples(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(description)) = map.get_mut("description") {
                if let Some(end) = description.find("\n\n```") {
                    description.truncate(end);
                }
            }
            map.values_mut().for_each(drop_code_examples);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_code_examples),
        _ => {}
    }
}

fn paths(table: &[Route], describe: fn(&Route) -> Value) -> Value {
    let mut paths = Map::new();
    for route in table {
        let item = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        item[route.verb.openapi_name()] = describe(route);
    }
    Value::Object(paths)
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn json_content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

/// Describes a 200 with `schema`, and the API's error body for everything else.
fn responses(ok: Value) -> Value {
    json!({
        "200": {"description": "Success", "content": json_content(ok)},
        "default": {"description": "An error, as {\"error\": {...}}", "content": json_content(schema_ref("ApiError"))}
    })
}

fn path_parameter(name: &str, pattern: Option<&str>) -> Value {
    let mut schema = json!({"type": "string"});
    if let Some(pattern) = pattern {
        schema["pattern"] = json!(pattern);
    }
    json!({"name": name, "in": "path", "required": true, "schema": schema})
}

fn api_operation(route: &Route) -> Value {
    let print_id = || path_parameter("id", Some("^print_[A-Za-z0-9]+$"));
    let mut operation =
        json!({"summary": route.summary, "operationId": format!("{:?}", route.operation)});
    match route.operation {
        Operation::CreatePrint => {
            operation["requestBody"] =
                json!({"required": true, "content": json_content(body_schema(CREATE_PRINT))});
            operation["responses"] = responses(schema_ref("PrintJob"));
        }
        Operation::ListPrints => {
            operation["parameters"] = Value::Array(list_parameters());
            operation["responses"] = responses(json!({
                "type": "object",
                "properties": {
                    "object": {"const": "list"},
                    "data": {"type": "array", "items": schema_ref("PrintJob")},
                    "has_more": {"type": "boolean"},
                    "total_available": {"type": "integer", "minimum": 0}
                },
                "required": ["object", "data", "has_more", "total_available"]
            }));
        }
        Operation::RetrievePrint => {
            operation["parameters"] = json!([print_id()]);
            operation["responses"] = responses(schema_ref("PrintJob"));
        }
        Operation::UpdatePrint => {
            operation["parameters"] = json!([print_id()]);
            operation["requestBody"] =
                json!({"required": true, "content": json_content(body_schema(UPDATE_PRINT))});
            operation["responses"] = responses(schema_ref("PrintJob"));
        }
        Operation::DeletePrint => {
            operation["parameters"] = json!([print_id()]);
            // A confirmed job comes back whole; a deleted draft as Deleted.
            operation["responses"] =
                responses(json!({"anyOf": [schema_ref("PrintJob"), schema_ref("Deleted")]}));
        }
        _ => {}
    }
    operation
}

/// Describes the list query parameters, named by the list parser's own table.
fn list_parameters() -> Vec<Value> {
    PARAMETERS
        .iter()
        .map(|name| {
            let schema = match *name {
                "limit" => json!({"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}),
                "skip" => json!({"type": "integer", "minimum": 0, "default": 0}),
                "sort_field" => json!({"type": "string", "enum": SORT_FIELDS, "default": "created"}),
                "sort_order" => json!({"type": "string", "enum": ["asc", "desc"], "default": "desc"}),
                "fields" => json!({"type": "array", "items": {"type": "string"}}),
                "testmode" | "confirmed" => json!({"type": "boolean"}),
                "letters.status" => json!({"type": "string", "description": format!("Comma-separated statuses: {}", Status::VARIANTS.join(", "))}),
                "type" => json!({"type": "string", "enum": JobType::VARIANTS}),
                _ => json!({"type": "string"}),
            };
            let mut parameter = json!({"name": name, "in": "query", "required": false, "schema": schema});
            if *name == "fields" {
                parameter["style"] = json!("form");
                parameter["explode"] = json!(true);
            }
            parameter
        })
        .collect()
}

/// The JSON schema of a request body, from the parameter groups the handler
/// checks against.
fn body_schema(groups: &[&'static [Field]]) -> Value {
    let fields: Vec<&Field> = groups.iter().flat_map(|group| group.iter()).collect();
    object_schema(&fields)
}

fn object_schema(fields: &[&Field]) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|field| (field.name.to_owned(), kind_schema(&field.kind)))
        .collect();
    json!({"type": "object", "properties": properties, "additionalProperties": false})
}

fn kind_schema(kind: &Kind) -> Value {
    match kind {
        Kind::Bool => json!({"type": "boolean"}),
        Kind::Text => json!({"type": "string"}),
        Kind::Integer { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
        Kind::Number => json!({"type": "number"}),
        Kind::Enum(options) => json!({"type": "string", "enum": options}),
        Kind::Object(fields) => object_schema(&fields.iter().collect::<Vec<_>>()),
        Kind::ArrayOf(item) => json!({"type": "array", "items": kind_schema(item)}),
        Kind::FreeObject => json!({"type": "object"}),
        Kind::Any => json!({}),
    }
}

fn control_operation(route: &Route) -> Value {
    let mut operation = json!({
        "summary": route.summary,
        "operationId": format!("{:?}", route.operation),
        "responses": {
            "200": {"description": "Success", "content": json_content(json!({"type": "object"}))},
            "default": {"description": "An error, as {\"error\": {...}}", "content": json_content(json!({"type": "object"}))}
        }
    });
    let parameters: Vec<Value> = route
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| path_parameter(name, None))
        .collect();
    if !parameters.is_empty() {
        operation["parameters"] = Value::Array(parameters);
    }
    let body = match route.operation {
        Operation::AdvanceClock => Some(
            json!({"type": "object", "properties": {"by": {"type": "string", "examples": ["2h30m"]}, "seconds": {"type": "number", "minimum": 0}}}),
        ),
        Operation::SetSpeed => Some(
            json!({"type": "object", "properties": {"speed": {"type": "number", "exclusiveMinimum": 0}}, "required": ["speed"]}),
        ),
        Operation::MoveLetter | Operation::MoveJob => Some(json!({
            "type": "object",
            "properties": {"status": schema_ref("Status"), "reason": {"type": "string"}, "date": {"type": "integer"}},
            "required": ["status"]
        })),
        Operation::Reset => Some(
            json!({"type": "object", "properties": {"api_key": {"type": "string"}, "account": {"type": "string"}}}),
        ),
        Operation::SetFaults => Some(json!({
            "type": "object",
            "properties": {
                "latency": {"type": "string", "examples": ["50ms", "20ms..200ms"]},
                "error_rate": {"type": "number", "minimum": 0, "maximum": 1},
                "unavailable_rate": {"type": "number", "minimum": 0, "maximum": 1},
                "drop_rate": {"type": "number", "minimum": 0, "maximum": 1},
                "rate_limit": {"type": "boolean"}
            }
        })),
        Operation::AddWebhook => Some(
            json!({"type": "object", "properties": {"url": {"type": "string"}, "secret": {"type": "string"}}, "required": ["url"]}),
        ),
        Operation::Replay => {
            Some(json!({"type": "object", "properties": {"endpoint": {"type": "string"}}}))
        }
        _ => None,
    };
    if let Some(body) = body {
        operation["requestBody"] = json!({"required": false, "content": json_content(body)});
    }
    operation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_document_has_every_api_route() {
        let document = api_spec();
        for route in API_ROUTES {
            assert!(
                document["paths"][route.path][route.verb.openapi_name()].is_object(),
                "{:?} {} is missing",
                route.verb,
                route.path
            );
        }
    }

    #[test]
    fn api_document_references_resolve() {
        let document = api_spec();
        let text = document.to_string();
        for reference in text.split("\"#/components/schemas/").skip(1) {
            let name = &reference[..reference.find('"').unwrap()];
            assert!(
                document["components"]["schemas"][name].is_object(),
                "dangling reference to {name}"
            );
        }
    }

    #[test]
    fn list_parameters_match_parser() {
        let document = api_spec();
        let parameters = document["paths"]["/v1/prints"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let names: Vec<&str> = parameters
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, PARAMETERS);
    }

    #[test]
    fn create_body_lists_every_parameter() {
        let schema = body_schema(CREATE_PRINT);
        let properties = schema["properties"].as_object().unwrap();
        let expected = CREATE_PRINT.iter().map(|group| group.len()).sum::<usize>();
        assert_eq!(properties.len(), expected);
        assert_eq!(
            properties["postage"]["properties"]["service"]["enum"][0],
            "uk_second_class"
        );
    }
}
