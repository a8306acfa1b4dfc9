//! Days as people type them: `jj/mm/aaaa`, or `aaaa-mm-jj` as date fields send them.
//!
//! Every typed day is bounded to the years [`FIRST_YEAR`]–[`LAST_YEAR`]: it covers every
//! birth and every plan of the work, and keeps a day a few weeks or years away from the
//! edges of the calendar, so the pages' arithmetic (next day, week, horizon) never overflows.

use crate::ParseError;
use time::Date;

pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2200;

/// Why a typed day was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayProblem {
    /// Not a real day in either form (31/02, 2026-13-01, "hier"…).
    Unreadable,
    /// A real day, but outside [`FIRST_YEAR`]–[`LAST_YEAR`].
    OutOfRange,
}

impl DayProblem {
    /// What to tell the person, after the field's name.
    pub fn reason(self) -> String {
        match self {
            DayProblem::Unreadable => {
                "ce n'est pas une date valide (format attendu : jj/mm/aaaa)".into()
            }
            DayProblem::OutOfRange => {
                format!("l'année doit être comprise entre {FIRST_YEAR} et {LAST_YEAR}")
            }
        }
    }
}

/// Reads a typed day, in either form, within the accepted years.
pub fn read_day(text: &str) -> Result<Date, DayProblem> {
    let text = text.trim();
    let parsed = if let Some((day, rest)) = text.split_once('/') {
        rest.split_once('/').and_then(|(month, year)| {
            let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
            Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
        })
    } else {
        Date::parse(text, &time::format_description::well_known::Iso8601::DATE).ok()
    };
    let day = parsed.ok_or(DayProblem::Unreadable)?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&day.year()) {
        return Err(DayProblem::OutOfRange);
    }
    Ok(day)
}

/// Reads a typed day; the error names `field`.
pub fn parse_day(field: &'static str, text: &str) -> Result<Date, ParseError> {
    read_day(text).map_err(|problem| ParseError::new(field, problem.reason()))
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

    #[test]
    fn days_outside_the_accepted_years_are_refused_by_name() {
        for far in [
            "9999-12-31",
            "31/12/9999",
            "0001-01-01",
            "01/01/0001",
            "1899-12-31",
            "2201-01-01",
            "-0001-01-01",
            "+10000-01-01",
        ] {
            let error = parse_day("Date", far).unwrap_err();
            assert_eq!(error.field, "Date", "{far}");
            assert!(
                error.reason.contains("entre 1900 et 2200")
                    || error.reason.contains("pas une date valide"),
                "{far}: {error}"
            );
        }
        assert_eq!(read_day("9999-12-31"), Err(DayProblem::OutOfRange));
        assert_eq!(read_day("1900-01-01"), Ok(date!(1900 - 01 - 01)));
        assert_eq!(read_day("31/12/2200"), Ok(date!(2200 - 12 - 31)));
    }

    /// `YYYY-MM-DD` or `DD/MM/YYYY` over every year time knows (the edges 0001 and 9999 and
    /// the accepted range's borders often), real days or not.
    fn any_typed_day() -> impl Strategy<Value = String> {
        let year = prop_oneof![
            -9999i32..=9999,
            Just(9999),
            Just(1),
            Just(0),
            (FIRST_YEAR - 3)..=(LAST_YEAR + 3),
        ];
        (year, 0u8..=13, 0u8..=32, any::<bool>()).prop_map(|(year, month, day, iso)| {
            if iso {
                format!("{year:04}-{month:02}-{day:02}")
            } else {
                format!("{day:02}/{month:02}/{year:04}")
            }
        })
    }

    proptest! {
        #[test]
        fn any_text_parses_or_is_refused_without_panicking(text in "\\PC{0,20}") {
            let _ = parse_day("Date", &text);
        }

        /// The arithmetic the pages do on a typed day (a day list's neighbours, a week's
        /// Monday and the weeks around it, an eight-week horizon) stays within the calendar.
        #[test]
        fn any_accepted_day_survives_the_pages_arithmetic(text in any_typed_day()) {
            if let Ok(day) = read_day(&text) {
                prop_assert!((FIRST_YEAR..=LAST_YEAR).contains(&day.year()));
                let monday = day - time::Duration::days(i64::from(day.weekday().number_days_from_monday()));
                for offset in [-1i64, 1, 7 * 53, -7 * 53, 400, -400] {
                    prop_assert!(day.checked_add(time::Duration::days(offset)).is_some());
                    prop_assert!(monday.checked_add(time::Duration::days(offset)).is_some());
                }
            }
        }

        #[test]
        fn far_years_are_refused_and_near_ones_read(text in any_typed_day()) {
            let year: i32 = if text.contains('/') {
                text.rsplit('/').next().unwrap().parse().unwrap()
            } else {
                text.rsplitn(3, '-').last().unwrap().parse().unwrap()
            };
            match read_day(&text) {
                Ok(day) => prop_assert_eq!(day.year(), year),
                Err(DayProblem::OutOfRange) => prop_assert!(!(FIRST_YEAR..=LAST_YEAR).contains(&year)),
                Err(DayProblem::Unreadable) => {}
            }
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
