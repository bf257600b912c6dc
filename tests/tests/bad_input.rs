//! Malformed and rejected requests, as one table: each row is sent over HTTP
//! and must get the API's error JSON with the right status, type, code and
//! param, and a `request-id` header. No row may get a 5xx, hang, or take the
//! server down.

use std::time::Duration;

use e2e_tests::manual_mock;
use ip_mock::MockServer;
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde_json::{json, Value};

const KEY: &str = "key_bad_input";

/// The mock's body limit for this file, small so that the row just over it
/// stays cheap to send.
const BODY_LIMIT: usize = 64 * 1024;

/// Maximum time for one request, so that a server that hangs fails the test.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

const BOUNDARY: &str = "XBOUNDARYX";

/// One request of the table. `{draft}`, `{confirmed}` and `{deleted}` in the
/// path become the ids of jobs that the test creates first.
struct Request {
    method: Method,
    path: String,
    content_type: Option<String>,
    authorization: Authorization,
    /// A value for the mock's `ip-mock-force` header.
    forced_outcome: Option<&'static str>,
    body: Body,
}

enum Authorization {
    Key,
    Missing,
    /// This exact header value, which may be any bytes HTTP allows.
    Raw(&'static [u8]),
}

enum Body {
    Empty,
    /// Sent with a Content-Length.
    Bytes(Vec<u8>),
    /// Streamed with chunked transfer encoding, so no length is declared.
    Streamed(Vec<u8>),
}

impl Request {
    fn new(method: Method, path: &str) -> Request {
        Request {
            method,
            path: path.to_owned(),
            content_type: None,
            authorization: Authorization::Key,
            forced_outcome: None,
            body: Body::Empty,
        }
    }

    fn body(mut self, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> Request {
        self.content_type = content_type.map(str::to_owned);
        self.body = Body::Bytes(body.into());
        self
    }

    fn streamed(mut self) -> Request {
        if let Body::Bytes(bytes) = self.body {
            self.body = Body::Streamed(bytes);
        }
        self
    }

    fn authorization(mut self, authorization: Authorization) -> Request {
        self.authorization = authorization;
        self
    }

    fn forced(mut self, outcome: &'static str) -> Request {
        self.forced_outcome = Some(outcome);
        self
    }
}

fn get(path: &str) -> Request {
    Request::new(Method::GET, path)
}

fn delete(path: &str) -> Request {
    Request::new(Method::DELETE, path)
}

/// Builds a POST of a JSON body to `path`.
fn json_to(path: &str, body: impl Into<Vec<u8>>) -> Request {
    Request::new(Method::POST, path).body(Some("application/json"), body)
}

/// Builds a POST of a JSON body to `/v1/prints`.
fn create_json(body: impl Into<Vec<u8>>) -> Request {
    json_to("/v1/prints", body)
}

/// Builds a POST of an urlencoded body to `/v1/prints`.
fn create_form(body: impl Into<Vec<u8>>) -> Request {
    Request::new(Method::POST, "/v1/prints").body(Some("application/x-www-form-urlencoded"), body)
}

/// Builds a POST of a multipart body to `path`. Each part is given as its
/// header lines and its content.
fn multipart_to(path: &str, parts: &[(&str, &[u8])]) -> Request {
    let mut body = Vec::new();
    for (headers, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    Request::new(Method::POST, path).body(Some(&content_type), body)
}

/// Returns the header line of a multipart text part named `name`.
fn part(name: &str) -> String {
    format!("Content-Disposition: form-data; name=\"{name}\"")
}

/// The error a row must get.
struct Expected {
    status: u16,
    error_type: &'static str,
    code: &'static str,
    param: Option<String>,
    message_contains: &'static str,
}

fn invalid_request(
    status: u16,
    code: &'static str,
    param: Option<&str>,
    message_contains: &'static str,
) -> Expected {
    Expected {
        status,
        error_type: "invalid_request_error",
        code,
        param: param.map(str::to_owned),
        message_contains,
    }
}

fn invalid(param: &str, message_contains: &'static str) -> Expected {
    invalid_request(400, "parameter_invalid", Some(param), message_contains)
}

fn unknown(param: &str, message_contains: &'static str) -> Expected {
    invalid_request(400, "parameter_unknown", Some(param), message_contains)
}

fn missing(param: &str, message_contains: &'static str) -> Expected {
    invalid_request(400, "parameter_missing", Some(param), message_contains)
}

fn bad_format(param: Option<&'static str>, message_contains: &'static str) -> Expected {
    invalid_request(400, "body_incorrect_format", param, message_contains)
}

fn not_found(param: Option<&'static str>, message_contains: &'static str) -> Expected {
    invalid_request(404, "not_found", param, message_contains)
}

fn forbidden(message_contains: &'static str) -> Expected {
    invalid_request(403, "forbidden", None, message_contains)
}

fn too_large() -> Expected {
    invalid_request(413, "body_too_large", None, "larger than the limit")
}

fn authentication(code: &'static str, message_contains: &'static str) -> Expected {
    Expected {
        status: 401,
        error_type: "authentication_error",
        code,
        param: None,
        message_contains,
    }
}

struct Case {
    name: &'static str,
    request: Request,
    expected: Expected,
}

fn case(name: &'static str, request: Request, expected: Expected) -> Case {
    Case {
        name,
        request,
        expected,
    }
}

fn cases() -> Vec<Case> {
    let json = Some("application/json");
    let over_limit = json_body_of_length(BODY_LIMIT + 1);
    let deep_json = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_form_key = format!("metadata{}", "[a]".repeat(10_000));
    // The error shows the first 100 characters of a long parameter name.
    let deep_form_key_shown = format!("{}...", &deep_form_key[..100]);
    let long_name = "x".repeat(60_000);
    let long_name_shown = format!("{}...", &long_name[..100]);
    let no_name = "Content-Disposition: form-data";
    let file_part = "Content-Disposition: form-data; name=\"file\"; filename=\"letter.pdf\"";

    vec![
        // The body as a whole.
        case(
            "invalid json",
            create_json(r#"{"content": "#),
            bad_format(None, "Invalid JSON"),
        ),
        case(
            "json trailing characters",
            create_json(r#"{"content": "x"} {}"#),
            bad_format(None, "trailing characters"),
        ),
        case(
            "json array body",
            create_json(r#"["content"]"#),
            bad_format(None, "must be a JSON object, not an array"),
        ),
        case(
            "json string body",
            create_json(r#""content""#),
            bad_format(None, "must be a JSON object, not a string"),
        ),
        case(
            "json null body",
            create_json("null"),
            bad_format(None, "must be a JSON object, not null"),
        ),
        case(
            "json nested too deeply",
            create_json(deep_json),
            bad_format(None, "recursion limit exceeded"),
        ),
        case(
            "json number out of range",
            create_json(r#"{"content": "x", "metadata": {"n": 1e400}}"#),
            bad_format(None, "number out of range"),
        ),
        case(
            "duplicate top-level key",
            create_json(r#"{"content": "a", "content": "b"}"#),
            bad_format(
                Some("content"),
                r#"the key "content" appears more than once"#,
            ),
        ),
        case(
            "duplicate nested key",
            create_json(
                r#"{"content": "x", "postage": {"service": "uk_first_class", "service": "tracked_24"}}"#,
            ),
            bad_format(Some("postage.service"), "appears more than once"),
        ),
        case(
            "duplicate key in array item",
            create_json(
                r#"{"content": "x", "recipients": [{"address": {"line": "1 High St", "line": "2 High St"}}]}"#,
            ),
            bad_format(Some("recipients.0.address.line"), "appears more than once"),
        ),
        case(
            "json invalid utf-8",
            create_json(&b"{\"content\": \"caf\xe9\"}"[..]),
            bad_format(None, "Invalid JSON"),
        ),
        case(
            "urlencoded invalid utf-8",
            create_form(&b"content=caf\xe9"[..]),
            bad_format(None, "not valid UTF-8"),
        ),
        case(
            "multipart invalid utf-8",
            multipart_to("/v1/prints", &[(&part("content"), b"caf\xe9")]),
            bad_format(Some("content"), "is not valid UTF-8"),
        ),
        case(
            "empty multipart body",
            Request::new(Method::POST, "/v1/prints").body(
                Some(&format!("multipart/form-data; boundary={BOUNDARY}")),
                "",
            ),
            bad_format(None, "multipart/form-data"),
        ),
        case(
            "multipart with no parts",
            multipart_to("/v1/prints", &[]),
            bad_format(None, "has no parts"),
        ),
        case(
            "multipart part without name",
            multipart_to("/v1/prints", &[(no_name, b"x")]),
            bad_format(None, "has no name"),
        ),
        case(
            "multipart without boundary",
            Request::new(Method::POST, "/v1/prints").body(Some("multipart/form-data"), "content=x"),
            bad_format(None, "has no boundary"),
        ),
        case(
            "multipart body is json",
            Request::new(Method::POST, "/v1/prints").body(
                Some(&format!("multipart/form-data; boundary={BOUNDARY}")),
                r#"{"content": "x"}"#,
            ),
            bad_format(None, "Invalid multipart/form-data body"),
        ),
        case(
            "unsupported content type",
            Request::new(Method::POST, "/v1/prints").body(Some("text/plain"), "content=x"),
            bad_format(None, "Unsupported Content-Type text/plain"),
        ),
        case(
            "form body without content type",
            Request::new(Method::POST, "/v1/prints").body(None, "content=x"),
            bad_format(None, "Invalid JSON"),
        ),
        case(
            "body just over the limit",
            create_json(over_limit.clone()),
            too_large(),
        ),
        case(
            "streamed body over the limit",
            create_json(over_limit).streamed(),
            too_large(),
        ),
        // Authorization.
        case(
            "missing authorization on list",
            get("/v1/prints").authorization(Authorization::Missing),
            authentication("no_api_key", "No API key provided"),
        ),
        case(
            "missing authorization on delete",
            delete("/v1/prints/{draft}").authorization(Authorization::Missing),
            authentication("no_api_key", "No API key provided"),
        ),
        case(
            "empty authorization header",
            get("/v1/prints").authorization(Authorization::Raw(b"")),
            authentication("no_api_key", "No API key provided"),
        ),
        case(
            "bearer scheme without key",
            get("/v1/prints").authorization(Authorization::Raw(b"Bearer")),
            authentication("no_api_key", "No API key provided"),
        ),
        case(
            "basic with empty user",
            // base64 of ":".
            get("/v1/prints").authorization(Authorization::Raw(b"Basic Og==")),
            authentication("no_api_key", "No API key provided"),
        ),
        case(
            "basic with non-utf-8 user",
            // base64 of the bytes ff fe 3a.
            get("/v1/prints").authorization(Authorization::Raw(b"Basic //46")),
            authentication("invalid_api_key", "Invalid HTTP Basic credentials"),
        ),
        case(
            "unknown scheme",
            get("/v1/prints").authorization(Authorization::Raw(b"Token key_bad_input")),
            authentication("invalid_api_key", "contains whitespace"),
        ),
        case(
            "non-ascii authorization",
            get("/v1/prints").authorization(Authorization::Raw(b"Bearer caf\xe9")),
            authentication("invalid_api_key", "not valid ASCII"),
        ),
        // Wrong types at every level.
        case(
            "number for text",
            create_json(r#"{"content": 5}"#),
            invalid("content", "expected a string, got a number"),
        ),
        case(
            "bad boolean",
            create_json(r#"{"content": "x", "testmode": "yes"}"#),
            invalid("testmode", "expected true or false"),
        ),
        case(
            "string for object",
            create_json(r#"{"content": "x", "postage": "uk_first_class"}"#),
            invalid("postage", "expected an object, got a string"),
        ),
        case(
            "object for array",
            create_json(r#"{"content": "x", "recipients": {"address": {}}}"#),
            invalid("recipients", "expected an array, got an object"),
        ),
        case(
            "array for free object",
            create_json(r#"{"content": "x", "metadata": []}"#),
            invalid("metadata", "expected an object, got an array"),
        ),
        case(
            "boolean for enum",
            create_json(r#"{"content": "x", "printing": {"double_sided": true}}"#),
            invalid("printing.double_sided", "expected a string"),
        ),
        case(
            "text for integer",
            create_json(r#"{"content": "x", "postage": {"mail_date": "soon"}}"#),
            invalid("postage.mail_date", "expected an integer"),
        ),
        case(
            "fraction for integer",
            create_json(r#"{"content": "x", "postage": {"mail_date": 1.5}}"#),
            invalid("postage.mail_date", "expected an integer, got a number"),
        ),
        case(
            "integer below range",
            create_json(r#"{"content": "x", "postage": {"mail_date": -1}}"#),
            invalid("postage.mail_date", "expected an integer from 0 to"),
        ),
        case(
            "boolean for number",
            create_json(r#"{"content": "x", "nudge": {"x": true}}"#),
            invalid("nudge.x", "expected a number, got a boolean"),
        ),
        case(
            "string for array item",
            create_json(r#"{"content": "x", "recipients": ["Ada"]}"#),
            invalid("recipients.0", "expected an object, got a string"),
        ),
        case(
            "string for nested object",
            create_json(r#"{"content": "x", "recipients": [{"address": "1 High St"}]}"#),
            invalid("recipients.0.address", "expected an object, got a string"),
        ),
        case(
            "number at deepest level",
            create_json(r#"{"content": "x", "recipients": [{"address": {"line": 5}}]}"#),
            invalid(
                "recipients.0.address.line",
                "expected a string, got a number",
            ),
        ),
        case(
            "string for variables",
            create_json(
                r#"{"content": "x", "recipients": [{"address": {"line": "1 High St"}, "variables": "x"}]}"#,
            ),
            invalid("recipients.0.variables", "expected an object, got a string"),
        ),
        // Unknown parameters.
        case(
            "unknown parameter",
            create_json(r#"{"confimred": true}"#),
            unknown(
                "confimred",
                "Received unknown parameter: confimred (Did you mean confirmed?)",
            ),
        ),
        case(
            "nested unknown parameter",
            create_json(r#"{"postage": {"sevice": "uk_first_class"}}"#),
            unknown("postage.sevice", "Did you mean service?"),
        ),
        case(
            "very long unknown parameter",
            create_json(format!(r#"{{"{long_name}": 1}}"#)),
            unknown(&long_name_shown, "Received unknown parameter: xxxxxxxxxx"),
        ),
        case(
            "unknown parameter in array item",
            create_json(
                r#"{"content": "x", "recipients": [{"address": {"line": "1 High St", "street": "High St"}}]}"#,
            ),
            unknown(
                "recipients.0.address.street",
                "Received unknown parameter: street",
            ),
        ),
        case(
            "testmode on update",
            json_to("/v1/prints/{draft}", r#"{"testmode": true}"#),
            unknown("testmode", "Received unknown parameter: testmode"),
        ),
        case(
            "file on update",
            multipart_to("/v1/prints/{draft}", &[(file_part, b"%PDF-1.4")]),
            unknown("file", "Received unknown parameter: file"),
        ),
        // Invalid enum values.
        case(
            "bad postage service",
            create_json(r#"{"content": "x", "postage": {"service": "pigeon"}}"#),
            invalid(
                "postage.service",
                "Valid options are: uk_second_class, uk_second_class_signed_for",
            ),
        ),
        case(
            "bad job type",
            create_json(r#"{"type": "parcel"}"#),
            invalid("type", "Valid options are: letter, postcard"),
        ),
        case(
            "bad double sided",
            create_json(r#"{"content": "x", "printing": {"double_sided": "sometimes"}}"#),
            invalid("printing.double_sided", "Valid options are: no, yes, mixed"),
        ),
        case(
            "bad splitting method",
            create_json(r#"{"content": "x", "splitting": {"method": "by_magic"}}"#),
            invalid("splitting.method", "Valid options are: none"),
        ),
        case(
            "bad address window",
            create_json(r#"{"content": "x", "address_window": "top"}"#),
            invalid("address_window", "Valid options are: left, right"),
        ),
        case(
            "bad envelope",
            create_json(r#"{"content": "x", "postage": {"ideal_envelope": "c3"}}"#),
            invalid("postage.ideal_envelope", "Valid options are: c5"),
        ),
        // Rules across parameters.
        case(
            "no content",
            create_json(r#"{"recipients": [{"address": {"line": "1 High St"}}]}"#),
            missing(
                "content",
                "You must provide either 'content', 'file', or 'template'",
            ),
        ),
        case(
            "empty json body",
            create_json(""),
            missing(
                "content",
                "You must provide either 'content', 'file', or 'template'",
            ),
        ),
        case(
            "content and file",
            create_json(r#"{"content": "x", "file": {"url": "https://example.com/a.pdf"}}"#),
            invalid(
                "content",
                "Provide only one of 'content', 'file' or 'template'",
            ),
        ),
        case(
            "file without url or content",
            create_json(r#"{"file": {"name": "a.pdf"}}"#),
            missing("file.url", "file needs 'url' or 'content'"),
        ),
        case(
            "file content not base64",
            create_json(r#"{"file": {"content": "not base64!"}}"#),
            invalid("file.content", "Invalid base64"),
        ),
        case(
            "split on phrase without phrase",
            create_json(r#"{"content": "x", "splitting": {"method": "split_on_phrase"}}"#),
            missing("splitting.phrase", "splitting.phrase is needed"),
        ),
        case(
            "empty recipients",
            create_json(r#"{"content": "x", "recipients": []}"#),
            invalid("recipients", "at least one recipient"),
        ),
        case(
            "recipient without address",
            create_json(r#"{"content": "x", "recipients": [{}]}"#),
            missing(
                "recipients.0.address",
                "Missing required parameter: recipients.0.address",
            ),
        ),
        case(
            "missing address line",
            create_json(r#"{"content": "x", "recipients": [{"address": {"name": "Ada"}}]}"#),
            missing("recipients.0.address.line", "recipients.0.address.line"),
        ),
        case(
            "three-letter country",
            create_json(
                r#"{"content": "x", "recipients": [{"address": {"line": "1 High St", "country": "GBR"}}]}"#,
            ),
            invalid("recipients.0.address.country", "ISO 3166-1 alpha-2"),
        ),
        case(
            "postcard tracked",
            create_json(
                r#"{"type": "postcard", "content": "x", "postage": {"service": "tracked_24"}}"#,
            ),
            invalid("postage.service", "Postcards can only use"),
        ),
        case(
            "envelope for postcard",
            create_json(r#"{"content": "x", "postage": {"ideal_envelope": "postcard_a6"}}"#),
            invalid("postage.ideal_envelope", "does not fit a letter"),
        ),
        case(
            "unknown mailing list",
            create_json(r#"{"content": "x", "mailing_list": "mal_123"}"#),
            not_found(Some("mailing_list"), "No such mailing list: mal_123"),
        ),
        // Form bodies.
        case(
            "form key unclosed bracket",
            create_form("content=x&postage[service=uk_first_class"),
            invalid("postage[service", "Malformed parameter name"),
        ),
        case(
            "form key empty name",
            create_form("content=x&=1"),
            invalid_request(
                400,
                "parameter_invalid",
                None,
                r#"Malformed parameter name: """#,
            ),
        ),
        case(
            "form value and object",
            create_form("content=x&postage=a&postage[service]=uk_first_class"),
            invalid("postage[service]", "both as a value and as a nested object"),
        ),
        case(
            "form key nested too deeply",
            create_form(format!("{deep_form_key}=1")),
            invalid(&deep_form_key_shown, "nested more than 32 levels deep"),
        ),
        case(
            "form repeated text key",
            create_form("content=a&content=b"),
            invalid("content", "expected a string, got an array"),
        ),
        case(
            "form index too large",
            create_form("content=x&recipients[99999999999999999999][address][line]=a"),
            invalid("recipients", "expected an array, got an object"),
        ),
        case(
            "form bad boolean",
            create_form("content=x&confirmed=maybe"),
            invalid("confirmed", "expected true or false"),
        ),
        case(
            "multipart dotted bad enum",
            multipart_to(
                "/v1/prints",
                &[
                    (&part("content"), b"x"),
                    (&part("postage.service"), b"pigeon"),
                ],
            ),
            invalid("postage.service", "Valid options are"),
        ),
        // List queries.
        case(
            "list limit zero",
            get("/v1/prints?limit=0"),
            invalid("limit", "from 1 to 1000"),
        ),
        case(
            "list limit too big",
            get("/v1/prints?limit=1001"),
            invalid("limit", "from 1 to 1000"),
        ),
        case(
            "list limit not a number",
            get("/v1/prints?limit=ten"),
            invalid("limit", "from 1 to 1000"),
        ),
        case(
            "list negative skip",
            get("/v1/prints?skip=-1"),
            invalid("skip", "0 or more"),
        ),
        case(
            "list bad sort field",
            get("/v1/prints?sort_field=colour"),
            invalid("sort_field", "Valid options are: created, mail_date"),
        ),
        case(
            "list bad sort order",
            get("/v1/prints?sort_order=up"),
            invalid("sort_order", "Valid options are: asc, desc"),
        ),
        case(
            "list bad testmode",
            get("/v1/prints?testmode=maybe"),
            invalid("testmode", "expected true or false"),
        ),
        case(
            "list bad status",
            get("/v1/prints?letters.status=sent,posted"),
            invalid("letters.status", "\"posted\""),
        ),
        case(
            "list bad type",
            get("/v1/prints?type=parcel"),
            invalid("type", "Valid options are: letter, postcard"),
        ),
        case(
            "list unknown field",
            get("/v1/prints?fields=letters.colour"),
            invalid("fields", "not a field of a print job"),
        ),
        case(
            "list unknown parameter",
            get("/v1/prints?refrence=x"),
            unknown("refrence", "Did you mean reference?"),
        ),
        // Ids, routes and job state.
        case(
            "id with wrong prefix",
            get("/v1/prints/ltr_abc"),
            invalid("id", "print job ids start with print_"),
        ),
        case(
            "id prefix only",
            get("/v1/prints/print_"),
            invalid("id", "print job ids start with print_"),
        ),
        case(
            "id with punctuation on update",
            json_to("/v1/prints/print_abc-def", "{}"),
            invalid("id", "print job ids start with print_"),
        ),
        case(
            "id with encoded slash on delete",
            delete("/v1/prints/print_a%2Fb"),
            invalid("id", "print job ids start with print_"),
        ),
        case(
            "missing job",
            get("/v1/prints/print_doesnotexist"),
            not_found(Some("id"), "No such print job: print_doesnotexist"),
        ),
        case(
            "deleted job fetched",
            get("/v1/prints/{deleted}"),
            not_found(Some("id"), "No such print job"),
        ),
        case(
            "deleted job updated",
            json_to("/v1/prints/{deleted}", r#"{"reference": "x"}"#),
            not_found(Some("id"), "No such print job"),
        ),
        case(
            "deleted job deleted again",
            delete("/v1/prints/{deleted}"),
            not_found(Some("id"), "No such print job"),
        ),
        case(
            "confirmed job updated",
            json_to("/v1/prints/{confirmed}", r#"{"reference": "too late"}"#),
            forbidden("can no longer be updated"),
        ),
        case(
            "confirmed job confirmed again",
            json_to("/v1/prints/{confirmed}", r#"{"confirmed": true}"#),
            forbidden("can no longer be updated"),
        ),
        case(
            "unknown route",
            json_to("/v0/prints", "{}"),
            not_found(None, "No such resource exists: POST /v0/prints"),
        ),
        case(
            "unsupported method",
            Request::new(Method::PUT, "/v1/prints/print_abc").body(json, "{}"),
            not_found(None, "No such resource exists: PUT /v1/prints/print_abc"),
        ),
        case(
            "unknown forced outcome",
            create_json(r#"{"content": "x"}"#).forced("bogus"),
            invalid("ip-mock-force", "Valid options are: internal_error"),
        ),
    ]
}

/// Builds a create body of exactly `length` bytes, the content padded with `x`.
fn json_body_of_length(length: usize) -> String {
    let frame = r#"{"content": "", "recipients": [{"address": {"line": "1 High St"}}]}"#;
    let body = frame.replacen(
        r#""""#,
        &format!(r#""{}""#, "x".repeat(length - frame.len())),
        1,
    );
    assert_eq!(body.len(), length);
    body
}

/// Ids of the jobs that rows refer to.
struct Jobs {
    draft: String,
    confirmed: String,
    deleted: String,
}

async fn create_jobs(server: &MockServer) -> Jobs {
    let api = e2e_tests::Api::new(server, KEY);
    let body = json!({"content": "x", "recipients": [{"address": {"line": "1 High St"}}]});
    let draft = api.create(body.clone()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut confirmed_body = body.clone();
    confirmed_body["confirmed"] = json!(true);
    let confirmed = api.create(confirmed_body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deleted = api.create(body).await["id"].as_str().unwrap().to_owned();
    let (status, _) = api
        .send(Method::DELETE, &format!("/v1/prints/{deleted}"), None)
        .await;
    assert_eq!(status, 200, "delete the draft to refer to");
    Jobs {
        draft,
        confirmed,
        deleted,
    }
}

async fn send(
    http: &reqwest::Client,
    base: &str,
    jobs: &Jobs,
    name: &str,
    request: Request,
) -> reqwest::Response {
    let Request {
        method,
        path,
        content_type,
        authorization,
        forced_outcome,
        body,
    } = request;
    let path = path
        .replace("{draft}", &jobs.draft)
        .replace("{confirmed}", &jobs.confirmed)
        .replace("{deleted}", &jobs.deleted);
    let mut request = http.request(method, format!("{base}{path}"));

    if let Some(content_type) = content_type {
        request = request.header(CONTENT_TYPE, content_type);
    }
    if let Some(outcome) = forced_outcome {
        request = request.header("ip-mock-force", outcome);
    }
    match authorization {
        Authorization::Key => request = request.header(AUTHORIZATION, KEY),
        Authorization::Missing => {}
        Authorization::Raw(bytes) => {
            let value = HeaderValue::from_bytes(bytes).expect("a header value HTTP allows");
            request = request.header(AUTHORIZATION, value);
        }
    }
    match body {
        Body::Empty => {}
        Body::Bytes(bytes) => request = request.body(bytes),
        Body::Streamed(bytes) => {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                bytes.chunks(4096).map(|chunk| Ok(chunk.to_vec())).collect();
            let stream = futures_util::stream::iter(chunks);
            request = request.body(reqwest::Body::wrap_stream(stream));
        }
    }

    tokio::time::timeout(REQUEST_TIMEOUT, request.send())
        .await
        .unwrap_or_else(|_| panic!("{name}: no response within {REQUEST_TIMEOUT:?}"))
        .unwrap_or_else(|err| panic!("{name}: request failed: {err}"))
}

#[tokio::test]
async fn bad_input_table() {
    let server = manual_mock().body_limit(BODY_LIMIT).start().await;
    let jobs = create_jobs(&server).await;
    let http = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap();
    let cases = cases();
    assert!(cases.len() >= 40, "the table has {} rows", cases.len());

    for Case {
        name,
        request,
        expected,
    } in cases
    {
        let response = send(&http, &server.uri(), &jobs, name, request).await;
        let status = response.status().as_u16();
        assert!(status < 500, "{name}: server error {status}");
        assert_eq!(status, expected.status, "{name}: status");
        assert!(
            response.headers().contains_key("request-id"),
            "{name}: request-id header"
        );
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|err| panic!("{name}: body is not JSON: {err}"));
        let error = &body["error"];
        assert_eq!(error["type"], expected.error_type, "{name}: type in {body}");
        assert_eq!(error["code"], expected.code, "{name}: code in {body}");
        assert_eq!(
            error["param"],
            json!(expected.param),
            "{name}: param in {body}"
        );
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(expected.message_contains),
            "{name}: message {message:?}"
        );
    }

    // The server is still up and still serves valid requests.
    let api = e2e_tests::Api::new(&server, KEY);
    let (status, _) = api.get("/v1/prints").await;
    assert_eq!(status, 200, "list after the table");
    let journal = server.requests();
    let server_errors: Vec<_> = journal.iter().filter(|entry| entry.status >= 500).collect();
    assert!(
        server_errors.is_empty(),
        "5xx in the journal: {server_errors:?}"
    );
}

#[tokio::test]
async fn body_at_limit_is_accepted() {
    let server = manual_mock().body_limit(BODY_LIMIT).start().await;
    let response = reqwest::Client::new()
        .post(format!("{}/v1/prints", server.uri()))
        .header(AUTHORIZATION, KEY)
        .header(CONTENT_TYPE, "application/json")
        .body(json_body_of_length(BODY_LIMIT))
        .timeout(REQUEST_TIMEOUT)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
