//! `GET /v1/prints`: filters, sorting, pagination and the `fields` projection.

use std::cmp::Ordering;
use std::sync::OnceLock;

use ip_status::{JobType, List, MailItem, PrintJob, Returned, Status, StatusSet};
use serde_json::{Map, Value};
use strum::VariantNames;

use super::error::ApiFailure;
use super::schema::{closest, parse_bool, unknown_parameter};
use crate::state::{Account, JobSummary, StoredJob};

/// The parameters `GET /v1/prints` takes.
pub(crate) const PARAMETERS: [&str; 10] = [
    "limit",
    "skip",
    "sort_field",
    "sort_order",
    "fields",
    "testmode",
    "confirmed",
    "letters.status",
    "reference",
    "type",
];

/// The values `sort_field` takes.
pub(crate) const SORT_FIELDS: [&str; 11] = [
    "created",
    "mail_date",
    "cost.amount",
    "cost.after_tax",
    "letters.returned.date",
    "pages",
    "sheets",
    "letters",
    "reference",
    "type",
    "confirmed_at",
];

/// A checked list request.
#[derive(Debug)]
pub struct ListQuery {
    limit: usize,
    skip: usize,
    sort_field: &'static str,
    descending: bool,
    fields: Vec<String>,
    testmode: bool,
    confirmed: Option<bool>,
    statuses: Option<StatusSet>,
    reference: Option<String>,
    job_type: Option<JobType>,
}

impl ListQuery {
    /// Parses a raw query string as real clients send it: percent-encoded or
    /// not, `fields` repeated, as `fields[]` or comma-separated, and booleans
    /// in any case.
    pub fn parse(raw: &str) -> Result<ListQuery, ApiFailure> {
        let mut query = ListQuery {
            limit: 10,
            skip: 0,
            sort_field: "created",
            descending: true,
            fields: Vec::new(),
            testmode: false,
            confirmed: None,
            statuses: None,
            reference: None,
            job_type: None,
        };

        for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
            let name = normalise_key(&key);
            let value = value.trim();
            match name.as_str() {
                "limit" => query.limit = integer(&name, value, 1, 1000)?,
                "skip" => query.skip = integer(&name, value, 0, i64::MAX)?,
                "sort_field" => query.sort_field = one_of(&name, value, &SORT_FIELDS)?,
                "sort_order" => {
                    query.descending = one_of(&name, value, &["asc", "desc"])? == "desc"
                }
                "fields" => {
                    for field in value.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                        check_field(field)?;
                        query.fields.push(field.to_owned());
                    }
                }
                "testmode" => query.testmode = boolean(&name, value)?,
                "confirmed" => query.confirmed = Some(boolean(&name, value)?),
                "letters.status" => query.statuses = Some(statuses(value)?),
                "reference" => query.reference = Some(value.to_owned()),
                "type" => {
                    let parsed = value
                        .parse::<JobType>()
                        .map_err(|_| enum_error(&name, value, JobType::VARIANTS))?;
                    query.job_type = Some(parsed);
                }
                _ => return Err(unknown_parameter(&key, &key, PARAMETERS.into_iter())),
            }
        }
        Ok(query)
    }

    /// The page of `account`'s jobs that the query selects.
    ///
    /// Every job is visited once, to count `total_available`. Jobs are stored
    /// in creation order, so for a sort by `created` only the jobs of the
    /// page are kept; other sort fields collect and sort every match.
    pub fn run(&self, account: &mut Account) -> List<Value> {
        for slot in account.jobs.values_mut() {
            slot.refresh();
        }
        let jobs = account
            .jobs
            .values()
            .filter(|slot| self.matches_summary(slot.summary()))
            .map(|slot| &slot.record.job)
            .filter(|job| self.matches_reference(job));
        let account_id = &account.id;
        let (page, total) = if self.sort_field == "created" {
            if self.descending {
                self.page_in_order(jobs.rev())
            } else {
                self.page_in_order(jobs)
            }
        } else {
            let mut selected: Vec<&StoredJob> = jobs.collect();
            selected.sort_by(|a, b| {
                let order = compare(a, b, self.sort_field);
                if self.descending {
                    order.reverse()
                } else {
                    order
                }
            });
            let total = selected.len();
            let page = selected
                .into_iter()
                .skip(self.skip)
                .take(self.limit)
                .collect();
            (page, total)
        };

        let data: Vec<Value> = page
            .into_iter()
            .map(|job| self.project(&job.to_wire(account_id)))
            .collect();
        List {
            object: "list".to_owned(),
            has_more: self.skip.saturating_add(data.len()) < total,
            data,
            total_available: total as u64,
        }
    }

    /// Counts the matching jobs of `jobs`, already in the requested order, and
    /// keeps the ones at positions `skip..skip + limit` among them.
    fn page_in_order<'a>(
        &self,
        jobs: impl Iterator<Item = &'a StoredJob>,
    ) -> (Vec<&'a StoredJob>, usize) {
        let mut page = Vec::with_capacity(self.limit);
        let mut total = 0;
        for job in jobs {
            if total >= self.skip && page.len() < self.limit {
                page.push(job);
            }
            total += 1;
        }
        (page, total)
    }

    /// Whether a job passes the filters its summary answers: test mode,
    /// confirmation, type and letter statuses. The summary sits inline in the
    /// account's tree, so this touches no job record.
    fn matches_summary(&self, summary: &JobSummary) -> bool {
        if summary.testmode != self.testmode {
            return false;
        }
        if self
            .confirmed
            .is_some_and(|confirmed| confirmed != summary.confirmed)
        {
            return false;
        }
        if self.job_type.is_some_and(|t| summary.job_type != Some(t)) {
            return false;
        }
        if let Some(statuses) = self.statuses {
            if !summary
                .statuses
                .iter()
                .any(|status| statuses.contains(status))
            {
                return false;
            }
        }
        true
    }

    fn matches_reference(&self, job: &StoredJob) -> bool {
        self.reference
            .as_deref()
            .is_none_or(|r| job.reference.as_deref() == Some(r))
    }

    fn project(&self, job: &PrintJob) -> Value {
        let full = serde_json::to_value(job).unwrap_or(Value::Null);
        if self.fields.is_empty() {
            return full;
        }
        let mut out = Value::Object(Map::new());
        for always in ["id", "object"] {
            copy_path(&full, &mut out, &[always]);
        }
        for field in &self.fields {
            let path: Vec<&str> = field.split('.').collect();
            copy_path(&full, &mut out, &path);
        }
        out
    }
}

/// `letters[status]` and `letters.status` name the same parameter, and so do
/// `fields[]`, `fields[0]` and `fields`.
fn normalise_key(key: &str) -> String {
    let mut name = String::with_capacity(key.len());
    for part in key.split('[') {
        let part = part.trim_end_matches(']');
        if part.is_empty() || part.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(part);
    }
    name
}

/// Parses an integer from `min` to `max`. A `max` of `i64::MAX` means no
/// upper bound, and the error message then states only the minimum.
fn integer(name: &str, value: &str, min: i64, max: i64) -> Result<usize, ApiFailure> {
    match value.parse::<i64>() {
        // A value too large for usize (only on 32-bit targets) skips everything anyway.
        Ok(n) if (min..=max).contains(&n) => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        _ if max == i64::MAX => Err(ApiFailure::invalid(
            name,
            format!("Invalid value for {name}: {value:?}; expected an integer of {min} or more"),
        )),
        _ => Err(ApiFailure::invalid(
            name,
            format!("Invalid value for {name}: {value:?}; expected an integer from {min} to {max}"),
        )),
    }
}

fn boolean(name: &str, value: &str) -> Result<bool, ApiFailure> {
    parse_bool(value).ok_or_else(|| {
        ApiFailure::invalid(
            name,
            format!("Invalid boolean for {name}: {value:?}; expected true or false"),
        )
    })
}

fn one_of(name: &str, value: &str, options: &[&'static str]) -> Result<&'static str, ApiFailure> {
    options
        .iter()
        .find(|o| **o == value)
        .copied()
        .ok_or_else(|| enum_error(name, value, options))
}

fn enum_error(name: &str, value: &str, options: &[&str]) -> ApiFailure {
    ApiFailure::invalid(
        name,
        format!(
            "Invalid value for {name}: {value:?}. Valid options are: {}",
            options.join(", ")
        ),
    )
}

fn statuses(value: &str) -> Result<StatusSet, ApiFailure> {
    let mut set = StatusSet::EMPTY;
    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let status = name
            .parse::<Status>()
            .map_err(|_| enum_error("letters.status", name, Status::wire_names()))?;
        set = set.with(status);
    }
    Ok(set)
}

/// Every dot path a print job has, taken from the serialised wire types so
/// that it cannot drift from them.
fn known_fields() -> &'static [String] {
    static FIELDS: OnceLock<Vec<String>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let letter = MailItem {
            tracking_number: Some(String::new()),
            returned: Some(Returned::default()),
            ..MailItem::default()
        };
        let job = PrintJob {
            letters: vec![letter],
            ..PrintJob::default()
        };
        let mut paths = Vec::new();
        collect_paths(
            &serde_json::to_value(job).unwrap_or(Value::Null),
            "",
            &mut paths,
        );
        paths
    })
}

fn collect_paths(value: &Value, prefix: &str, paths: &mut Vec<String>) {
    match value {
        Value::Object(map) if prefix != "metadata" => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                paths.push(path.clone());
                collect_paths(child, &path, paths);
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                collect_paths(first, prefix, paths);
            }
        }
        _ => {}
    }
}

fn check_field(field: &str) -> Result<(), ApiFailure> {
    let known = known_fields();
    if known.iter().any(|k| k == field) || field.starts_with("metadata.") {
        return Ok(());
    }
    let suggestion = closest(field, known.iter().map(String::as_str))
        .map(|name| format!(" (Did you mean {name}?)"))
        .unwrap_or_default();
    Err(ApiFailure::invalid(
        "fields",
        format!("Invalid value for fields: {field:?} is not a field of a print job{suggestion}"),
    ))
}

/// Copies the value at `path` from `src` into `dst`; inside arrays the rest of
/// the path applies to every element.
fn copy_path(src: &Value, dst: &mut Value, path: &[&str]) {
    let Some((head, rest)) = path.split_first() else {
        *dst = src.clone();
        return;
    };
    match src {
        Value::Object(fields) => {
            let Some(child) = fields.get(*head) else {
                return;
            };
            if !dst.is_object() {
                *dst = Value::Object(Map::new());
            }
            if let Value::Object(out) = dst {
                let slot = out.entry((*head).to_owned()).or_insert(Value::Null);
                copy_path(child, slot, rest);
            }
        }
        Value::Array(items) => {
            if !dst.is_array() {
                *dst = Value::Array(vec![Value::Null; items.len()]);
            }
            if let Value::Array(out) = dst {
                for (item, slot) in items.iter().zip(out.iter_mut()) {
                    copy_path(item, slot, path);
                }
            }
        }
        _ => {}
    }
}

/// Orders two jobs by a `sort_field`; absent values sort first.
fn compare(a: &StoredJob, b: &StoredJob, field: &str) -> Ordering {
    match field {
        "mail_date" => a
            .settings
            .postage
            .mail_date
            .cmp(&b.settings.postage.mail_date),
        "cost.amount" => a.cost_amount.cmp(&b.cost_amount),
        "cost.after_tax" => a.cost().after_tax.cmp(&b.cost().after_tax),
        "letters.returned.date" => latest_return(a).cmp(&latest_return(b)),
        "pages" => a.pages().cmp(&b.pages()),
        "sheets" => a.sheets().cmp(&b.sheets()),
        "letters" => a.letters.len().cmp(&b.letters.len()),
        "reference" => a.reference.cmp(&b.reference),
        "type" => a
            .settings
            .job_type
            .to_string()
            .cmp(&b.settings.job_type.to_string()),
        "confirmed_at" => a.confirmed_at.cmp(&b.confirmed_at),
        _ => a.created().cmp(&b.created()),
    }
}

fn latest_return(job: &StoredJob) -> Option<i64> {
    job.letters
        .iter()
        .filter_map(|l| l.returned.as_ref().map(|r| r.date))
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ip_status::ErrorCode;

    #[test]
    fn python_style_booleans_parse() {
        let query = ListQuery::parse("testmode=True&confirmed=False").unwrap();
        assert!(query.testmode);
        assert_eq!(query.confirmed, Some(false));
    }

    #[test]
    fn fields_in_every_form() {
        let query =
            ListQuery::parse("fields[]=id&fields=reference&fields=letters.status,cost.amount")
                .unwrap();
        assert_eq!(
            query.fields,
            ["id", "reference", "letters.status", "cost.amount"]
        );
    }

    #[test]
    fn bracketed_status_filter() {
        let query = ListQuery::parse("letters[status]=sent,returned").unwrap();
        assert_eq!(
            query.statuses,
            Some(StatusSet::EMPTY.with(Status::Sent).with(Status::Returned))
        );
    }

    #[test]
    fn limit_out_of_range_is_invalid() {
        for raw in ["limit=0", "limit=1001", "limit=ten"] {
            let err = ListQuery::parse(raw).unwrap_err();
            assert_eq!(err.code(), Some(ErrorCode::ParameterInvalid), "{raw}");
            assert_eq!(err.body.error.param.as_deref(), Some("limit"), "{raw}");
        }
    }

    #[test]
    fn skip_accepts_zero_and_large_values() {
        for (raw, expected) in [
            ("skip=0", 0),
            ("skip=25", 25),
            ("skip=1000000000", 1_000_000_000),
        ] {
            let query = ListQuery::parse(raw).unwrap();
            assert_eq!(query.skip, expected, "{raw}");
        }
    }

    #[test]
    fn negative_skip_is_invalid() {
        let err = ListQuery::parse("skip=-1").unwrap_err();
        assert_eq!(err.body.error.param.as_deref(), Some("skip"));
    }

    #[test]
    fn unknown_field_is_invalid() {
        let err = ListQuery::parse("fields=letters.colour").unwrap_err();
        assert_eq!(err.body.error.param.as_deref(), Some("fields"));
    }

    #[test]
    fn unknown_parameter_suggests() {
        let err = ListQuery::parse("sort_feild=created").unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::ParameterUnknown));
        assert!(err.body.error.message.contains("Did you mean sort_field?"));
    }

    #[test]
    fn projection_keeps_nested_array_fields() {
        let full = serde_json::json!({"id": "print_1", "letters": [{"id": "ltr_1", "status": "sent"}, {"id": "ltr_2", "status": "draft"}]});
        let mut out = Value::Object(Map::new());
        copy_path(&full, &mut out, &["letters", "status"]);
        assert_eq!(
            out,
            serde_json::json!({"letters": [{"status": "sent"}, {"status": "draft"}]})
        );
    }
}
