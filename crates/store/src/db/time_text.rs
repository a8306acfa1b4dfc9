//! Dates and instants as stored: ISO 8601 dates and RFC 3339 UTC timestamps, as text, so the
//! same columns and comparisons work on both backends.

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

pub fn instant_to_text(instant: OffsetDateTime) -> String {
    instant
        .to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| instant.unix_timestamp().to_string())
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
