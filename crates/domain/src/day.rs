//! Days as people type them: `jj/mm/aaaa`, or `aaaa-mm-jj` as date fields send them.

use crate::ParseError;
use time::Date;

/// Reads a typed day; the error names `field`.
pub fn parse_day(field: &'static str, text: &str) -> Result<Date, ParseError> {
    let text = text.trim();
    let parsed = if let Some((day, rest)) = text.split_once('/') {
        rest.split_once('/').and_then(|(month, year)| {
            let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
            Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
        })
    } else {
        Date::parse(text, &time::format_description::well_known::Iso8601::DATE).ok()
    };
    parsed.ok_or_else(|| {
        ParseError::new(
            field,
            "ce n'est pas une date valide (format attendu : jj/mm/aaaa)",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn french_and_iso_days_are_read_and_impossible_ones_refused() {
        assert_eq!(parse_day("Date", "05/03/2026"), Ok(date!(2026 - 03 - 05)));
        assert_eq!(parse_day("Date", " 2026-03-05 "), Ok(date!(2026 - 03 - 05)));
        for bad in ["31/02/2026", "2026-13-01", "", "05/03", "hier", "5-3-2026"] {
            let error = parse_day("Date de naissance", bad).unwrap_err();
            assert_eq!(error.field, "Date de naissance", "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_text_parses_or_is_refused_without_panicking(text in "\\PC{0,20}") {
            let _ = parse_day("Date", &text);
        }

        #[test]
        fn every_real_day_round_trips_in_both_forms(days in 0i64..80_000) {
            let day = date!(1900 - 01 - 01) + time::Duration::days(days);
            let french = format!("{:02}/{:02}/{:04}", day.day(), u8::from(day.month()), day.year());
            prop_assert_eq!(parse_day("Date", &french), Ok(day));
            prop_assert_eq!(parse_day("Date", &day.to_string()), Ok(day));
        }
    }
}
