//! JSON round trips of statuses and of the API objects.

use ip_status::strategy;
use ip_status::{ApiError, Cost, KnownOrUnknown, MailItem, PrintJob, Status};
use proptest::prelude::*;

// Statuses.

#[test]
fn status_serialises_as_wire_name() {
    for (status, name) in Status::ALL.into_iter().zip(Status::wire_names()) {
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            format!("\"{name}\""),
            "JSON of {status:?}"
        );
        assert_eq!(status.as_str(), *name, "as_str of {status:?}");
        assert_eq!(status.to_string(), *name, "Display of {status:?}");
    }
}

#[test]
fn status_round_trips_strict() {
    for status in Status::ALL {
        let json = serde_json::to_string(&status).unwrap();
        assert_eq!(
            serde_json::from_str::<Status>(&json).unwrap(),
            status,
            "from {json}"
        );
    }
}

#[test]
fn status_round_trips_lenient() {
    for status in Status::ALL {
        let lenient = KnownOrUnknown::Known(status);
        let json = serde_json::to_string(&lenient).unwrap();
        assert_eq!(
            serde_json::from_str::<KnownOrUnknown<Status>>(&json).unwrap(),
            lenient,
            "from {json}"
        );
    }
}

#[test]
fn status_round_trips_through_value() {
    for status in Status::ALL {
        let value = serde_json::to_value(status).unwrap();
        assert_eq!(
            serde_json::from_value::<Status>(value.clone()).unwrap(),
            status,
            "strict from {value}"
        );
        assert_eq!(
            serde_json::from_value::<KnownOrUnknown<Status>>(value.clone()).unwrap(),
            KnownOrUnknown::Known(status),
            "lenient from {value}"
        );
    }
}

#[test]
fn alias_parses_to_invalid_address() {
    let json = r#""failed_wrong_address""#;
    assert_eq!(
        serde_json::from_str::<Status>(json).unwrap(),
        Status::InvalidAddress
    );
    assert_eq!(
        serde_json::from_str::<KnownOrUnknown<Status>>(json).unwrap(),
        KnownOrUnknown::Known(Status::InvalidAddress)
    );
    assert_eq!(
        Status::parse("failed_wrong_address"),
        Ok(Status::InvalidAddress)
    );
}

#[test]
fn alias_serialises_as_invalid_address() {
    let parsed: KnownOrUnknown<Status> = serde_json::from_str(r#""failed_wrong_address""#).unwrap();
    assert_eq!(
        serde_json::to_string(&parsed).unwrap(),
        r#""invalid_address""#
    );
}

#[test]
fn status_rejects_other_spellings() {
    for name in [
        "SENT",
        "Sent",
        " sent",
        "sent ",
        "waiting-to-print",
        "",
        "invalidAddress",
    ] {
        let json = serde_json::to_string(name).unwrap();
        assert!(
            serde_json::from_str::<Status>(&json).is_err(),
            "{json} parsed as a status"
        );
    }
}

#[test]
fn status_rejects_non_strings() {
    for json in ["1", "null", "true", "[]", "{}"] {
        assert!(
            serde_json::from_str::<Status>(json).is_err(),
            "{json} parsed as a status"
        );
        assert!(
            serde_json::from_str::<KnownOrUnknown<Status>>(json).is_err(),
            "{json} parsed as a lenient status"
        );
    }
}

proptest! {
    #[test]
    fn unknown_status_kept_verbatim(name in strategy::unknown_wire_name::<Status>()) {
        let json = serde_json::to_string(&name).unwrap();
        let parsed: KnownOrUnknown<Status> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&parsed, &KnownOrUnknown::Unknown(name.clone()));
        prop_assert_eq!(serde_json::to_string(&parsed).unwrap(), json);
    }

    #[test]
    fn unknown_status_rejected_strict(name in strategy::unknown_wire_name::<Status>()) {
        let json = serde_json::to_string(&name).unwrap();
        let err = serde_json::from_str::<Status>(&json).unwrap_err();
        prop_assert!(
            err.to_string().contains(&format!("{name:?}")),
            "error {:?} does not quote {:?}", err.to_string(), name
        );
    }

    #[test]
    fn lenient_status_round_trips(status in strategy::known_or_unknown(strategy::any_status())) {
        let json = serde_json::to_string(&status).unwrap();
        prop_assert_eq!(serde_json::from_str::<KnownOrUnknown<Status>>(&json).unwrap(), status);
    }
}

// API objects.

proptest! {
    #[test]
    fn mail_item_round_trips_json(item in strategy::any_mail_item()) {
        let json = serde_json::to_string(&item).unwrap();
        prop_assert_eq!(serde_json::from_str::<MailItem>(&json).unwrap(), item);
    }

    #[test]
    fn mail_item_round_trips_value(item in strategy::any_mail_item()) {
        let value = serde_json::to_value(&item).unwrap();
        prop_assert_eq!(serde_json::from_value::<MailItem>(value).unwrap(), item);
    }

    #[test]
    fn print_job_round_trips_json(job in strategy::any_print_job()) {
        let json = serde_json::to_string(&job).unwrap();
        prop_assert_eq!(serde_json::from_str::<PrintJob>(&json).unwrap(), job);
    }

    #[test]
    fn print_job_round_trips_value(job in strategy::any_print_job()) {
        let value = serde_json::to_value(&job).unwrap();
        prop_assert_eq!(serde_json::from_value::<PrintJob>(value).unwrap(), job);
    }

    #[test]
    fn print_job_round_trips_pretty_bytes(job in strategy::any_print_job()) {
        let bytes = serde_json::to_vec_pretty(&job).unwrap();
        prop_assert_eq!(serde_json::from_slice::<PrintJob>(&bytes).unwrap(), job);
    }

    #[test]
    fn api_error_round_trips_json(body in strategy::any_api_error()) {
        let json = serde_json::to_string(&body).unwrap();
        prop_assert_eq!(serde_json::from_str::<ApiError>(&json).unwrap(), body);
    }

    #[test]
    fn api_error_round_trips_value(body in strategy::any_api_error()) {
        let value = serde_json::to_value(&body).unwrap();
        prop_assert_eq!(serde_json::from_value::<ApiError>(value).unwrap(), body);
    }
}

// Missing and extra fields.

#[test]
fn print_job_fills_missing_fields() {
    let job: PrintJob = serde_json::from_str("{}").unwrap();
    assert_eq!(job, PrintJob::default());
}

#[test]
fn print_job_ignores_unknown_fields() {
    let job: PrintJob =
        serde_json::from_str(r#"{"id": "print_1", "added_in_v2": {"nested": [1, 2]}}"#).unwrap();
    assert_eq!(job.id, "print_1");
}

// Costs.

proptest! {
    #[test]
    fn uk_vat_rounds_to_nearest_unit(amount in -1_000_000_000_000i64..=1_000_000_000_000) {
        let cost = Cost::with_uk_vat(amount);
        // The exact tax is amount / 5, so the nearest unit is at most 2/5 away.
        let error_in_fifths = 5 * cost.tax - amount;
        prop_assert!(
            (-2..=2).contains(&error_in_fifths),
            "tax {} for amount {}", cost.tax, amount
        );
        prop_assert_eq!(cost.after_tax, amount + cost.tax);
        prop_assert_eq!(cost.currency, "GBP");
    }
}
