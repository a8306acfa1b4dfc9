//! Dates and instants as stored: ISO 8601 dates and RFC 3339 UTC timestamps of fixed width,
//! as text, so the same columns and comparisons work on both backends.

use crate::StoreError;
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, OffsetDateTime};

pub fn date_to_text(date: Date) -> String {
    // Iso8601 writes +YYYYYY for big years; the plain form is what every query compares.
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

pub fn text_to_date(text: &str) -> Result<Date, StoreError> {
    Date::parse(text, &Iso8601::DATE).map_err(|_| StoreError::Corrupt(format!("date « {text} »")))
}

pub fn now_text() -> String {
    instant_to_text(OffsetDateTime::now_utc())
}

/// The one writer of instants: UTC, always six fraction digits (`2026-12-04T23:15:00.120000Z`),
/// so that the text order of two instants, in Rust and in SQL on both backends, is their time
/// order (RFC 3339 text drops the fraction's trailing zeros: `…00.12Z` < `…00.1Z`).
/// Microseconds: PostgreSQL's own resolution (a value `::timestamptz` or `now()` gives the same
/// digits), finer than any two events the application orders; nanoseconds are cut, never
/// rounded up, so the text never comes after the instant.
pub fn instant_to_text(instant: OffsetDateTime) -> String {
    let utc = instant.to_offset(time::UtcOffset::UTC);
    format!(
        "{}T{:02}:{:02}:{:02}.{:06}Z",
        date_to_text(utc.date()),
        utc.hour(),
        utc.minute(),
        utc.second(),
        utc.microsecond()
    )
}

/// The first instant of a day (UTC), in the same width: compared with the other instants.
pub fn day_start_text(day: Date) -> String {
    instant_to_text(day.midnight().assume_utc())
}

/// An instant as stored, in the fixed width or in the shorter forms written before
/// migration 0026 (whole seconds, a fraction without its trailing zeros, nanoseconds).
pub fn text_to_instant(text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|_| StoreError::Corrupt(format!("instant « {text} »")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_round_trip_and_sort_as_text() {
        let d = date!(2020 - 11 - 01);
        assert_eq!(date_to_text(d), "2020-11-01");
        assert_eq!(text_to_date("2020-11-01").unwrap(), d);
        assert!(date_to_text(date!(2020 - 10 - 31)) < date_to_text(d));
        assert!(text_to_date("2020-13-01").is_err());
    }
}
