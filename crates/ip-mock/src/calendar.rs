//! When things happen in the simulated print works: print runs, the carrier's
//! collection, returns.
//!
//! Intelliprint prints and posts jobs confirmed before 15:00 UK time on a
//! working day that same day, otherwise on the next working day, and
//! `postage.mail_date` moves that day later. The mock models that with print
//! runs at 09:00, 11:00, 13:00 and 15:00 UK time on weekdays and a Royal Mail
//! collection at 17:30.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Weekday};

/// The start times of the print runs on a working day, UK local time.
pub const PRINT_RUNS: [(u32, u32); 4] = [(9, 0), (11, 0), (13, 0), (15, 0)];
/// The carrier's daily collection, UK local time.
pub const COLLECTION: (u32, u32) = (17, 30);
/// Time from the start of printing to enclosing.
pub const PRINTING_MS: i64 = 20 * 60 * 1000;
/// Time from enclosing to waiting for the carrier.
pub const ENCLOSING_MS: i64 = 20 * 60 * 1000;
/// Time from handing to the carrier until a returned item is back, modelled on
/// the 28 hours of Intelliprint's example `letter.updated` webhook.
pub const RETURN_AFTER_MS: i64 = 28 * 60 * 60 * 1000;

const HOUR_MS: i64 = 60 * 60 * 1000;

/// The first print run strictly after `confirmed_ms` and on or after the UK day
/// of `mail_date_ms`, as unix milliseconds.
pub fn next_print_run(confirmed_ms: i64, mail_date_ms: Option<i64>) -> i64 {
    let earliest_day = mail_date_ms.map(uk_date);
    let mut day = uk_date(confirmed_ms);
    if let Some(mail_day) = earliest_day {
        day = day.max(mail_day);
    }

    // A print run on a weekday after the confirmation; a year of days bounds the
    // search far beyond any real mail date.
    for _ in 0..400 {
        if is_working_day(day) {
            for (hour, minute) in PRINT_RUNS {
                let run = uk_time_to_unix_ms(day, hour, minute);
                if run > confirmed_ms {
                    return run;
                }
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    confirmed_ms
}

/// The first carrier collection at or after `ready_ms`.
pub fn next_collection(ready_ms: i64) -> i64 {
    let mut day = uk_date(ready_ms);
    for _ in 0..14 {
        if is_working_day(day) {
            let collection = uk_time_to_unix_ms(day, COLLECTION.0, COLLECTION.1);
            if collection >= ready_ms {
                return collection;
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    ready_ms
}

/// Monday to Friday. NOTE: UK bank holidays are treated as working days.
fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The UK calendar day that `unix_ms` falls on.
fn uk_date(unix_ms: i64) -> NaiveDate {
    let utc = DateTime::from_timestamp_millis(unix_ms).unwrap_or_default();
    (utc + Duration::milliseconds(uk_offset_ms(unix_ms))).date_naive()
}

/// Unix milliseconds of a UK wall-clock time on `day`.
fn uk_time_to_unix_ms(day: NaiveDate, hour: u32, minute: u32) -> i64 {
    let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default();
    let as_if_utc = day.and_time(time).and_utc().timestamp_millis();
    as_if_utc - uk_offset_ms(as_if_utc)
}

/// The UK offset from UTC at `unix_ms`: one hour during British Summer Time,
/// which runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
/// last Sunday of October.
fn uk_offset_ms(unix_ms: i64) -> i64 {
    let utc = DateTime::from_timestamp_millis(unix_ms).unwrap_or_default();
    let year = utc.year();
    let starts = last_sunday_1am_utc(year, 3);
    let ends = last_sunday_1am_utc(year, 10);
    if (starts..ends).contains(&unix_ms) {
        HOUR_MS
    } else {
        0
    }
}

fn last_sunday_1am_utc(year: i32, month: u32) -> i64 {
    let mut day = NaiveDate::from_ymd_opt(year, month, 31).unwrap_or_default();
    while day.weekday() != Weekday::Sun {
        day = day.pred_opt().unwrap_or(day);
    }
    let one_am = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or_default();
    day.and_time(one_am).and_utc().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc_ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn print_run_same_day_before_cutoff() {
        // Wednesday 2026-01-14, 10:30 GMT.
        let run = next_print_run(utc_ms("2026-01-14T10:30:00Z"), None);
        assert_eq!(run, utc_ms("2026-01-14T11:00:00Z"));
    }

    #[test]
    fn print_run_next_day_after_cutoff() {
        let run = next_print_run(utc_ms("2026-01-14T15:00:00Z"), None);
        assert_eq!(run, utc_ms("2026-01-15T09:00:00Z"));
    }

    #[test]
    fn print_run_skips_weekend() {
        // Friday 2026-01-16, 16:00 GMT, so Monday's first run.
        let run = next_print_run(utc_ms("2026-01-16T16:00:00Z"), None);
        assert_eq!(run, utc_ms("2026-01-19T09:00:00Z"));
    }

    #[test]
    fn print_run_waits_for_mail_date() {
        let run = next_print_run(
            utc_ms("2026-01-14T10:30:00Z"),
            Some(utc_ms("2026-01-20T00:00:00Z")),
        );
        assert_eq!(run, utc_ms("2026-01-20T09:00:00Z"));
    }

    #[test]
    fn print_run_uses_summer_time() {
        // Wednesday 2026-07-15: 09:00 BST is 08:00 UTC.
        let run = next_print_run(utc_ms("2026-07-15T06:00:00Z"), None);
        assert_eq!(run, utc_ms("2026-07-15T08:00:00Z"));
    }

    #[test]
    fn collection_same_day_or_next_weekday() {
        assert_eq!(
            next_collection(utc_ms("2026-01-14T11:40:00Z")),
            utc_ms("2026-01-14T17:30:00Z")
        );
        assert_eq!(
            next_collection(utc_ms("2026-01-16T18:00:00Z")),
            utc_ms("2026-01-19T17:30:00Z")
        );
    }
}
