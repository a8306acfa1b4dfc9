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
    /// `jj/mm/aa`: the year written with fewer than four digits.
    ShortYear,
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
            DayProblem::ShortYear => "écrivez l'année sur quatre chiffres (jj/mm/aaaa)".into(),
        }
    }
}

/// Reads a typed day, in either form, within the accepted years.
///
/// Two-digit years are refused, not guessed. A pivot (« 26 » → 2026, « 60 » → 1960) would be
/// right most of the time and silently wrong for the rest: a birth in 1926 read as 2026, an
/// agreement of 2030 typed « 30 » read as 1930. In case work a wrong year moves a person's age,
/// a month's statistics or a deadline without anyone noticing, while a refusal costs two
/// keystrokes; so the person is asked for four digits (see [`four_digit_hint`]).
///
/// Only ASCII digits are read (no sign, no other script's digits): day and month on one or two
/// digits, the year on exactly four.
pub fn read_day(text: &str) -> Result<Date, DayProblem> {
    let text = text.trim();
    let (day, month, year) = if let Some((day, rest)) = text.split_once('/') {
        let (month, year) = rest.split_once('/').ok_or(DayProblem::Unreadable)?;
        if !(1..=2).contains(&day.len()) || !(1..=2).contains(&month.len()) {
            return Err(DayProblem::Unreadable);
        }
        if (1..=3).contains(&year.len()) && digits(year) {
            return Err(DayProblem::ShortYear);
        }
        (day, month, year)
    } else {
        let mut parts = text.splitn(3, '-');
        let (year, month, day) = (
            parts.next().unwrap_or_default(),
            parts.next().ok_or(DayProblem::Unreadable)?,
            parts.next().ok_or(DayProblem::Unreadable)?,
        );
        if month.len() != 2 || day.len() != 2 {
            return Err(DayProblem::Unreadable);
        }
        (day, month, year)
    };
    if year.len() != 4 || ![day, month, year].iter().all(|part| digits(part)) {
        return Err(DayProblem::Unreadable);
    }
    let number = |part: &str| part.parse::<u16>().map_err(|_| DayProblem::Unreadable);
    let month = u8::try_from(number(month)?).map_err(|_| DayProblem::Unreadable)?;
    let month = time::Month::try_from(month).map_err(|_| DayProblem::Unreadable)?;
    let day = u8::try_from(number(day)?).map_err(|_| DayProblem::Unreadable)?;
    let day = Date::from_calendar_date(i32::from(number(year)?), month, day)
        .map_err(|_| DayProblem::Unreadable)?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&day.year()) {
        return Err(DayProblem::OutOfRange);
    }
    Ok(day)
}

fn digits(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
}

/// For a day typed `jj/mm/aa`, the same day with four digits as an example: in the 2000s, or
/// the 1900s, whichever `fits` first (« 04/12/26 » → « 04/12/2026 » for an interview,
/// « 12/05/64 » → « 12/05/1964 » for a birth). Only an example shown to the person, never
/// stored; `jj/mm/aaaa` when neither century gives a day that fits.
pub fn four_digit_hint(text: &str, fits: impl Fn(Date) -> bool) -> String {
    let mut parts = text.trim().split('/');
    let numbers = (parts.next(), parts.next(), parts.next(), parts.next());
    if let (Some(day), Some(month), Some(year), None) = numbers
        && [day, month, year]
            .iter()
            .all(|part| digits(part) && part.len() <= 2)
        && let (Ok(day), Ok(month), Ok(year)) =
            (day.parse::<u8>(), month.parse::<u8>(), year.parse::<i32>())
        && let Ok(month) = time::Month::try_from(month)
    {
        for century in [2000, 1900] {
            if let Ok(full) = Date::from_calendar_date(century + year, month, day)
                && fits(full)
            {
                return format!(
                    "{:02}/{:02}/{:04}",
                    full.day(),
                    u8::from(full.month()),
                    full.year()
                );
            }
        }
    }
    "jj/mm/aaaa".into()
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
    fn two_digit_years_are_refused_with_the_day_written_in_full() {
        for short in ["04/12/26", "4/12/26", "01/11/20", "04/12/026", "04/12/6"] {
            assert_eq!(read_day(short), Err(DayProblem::ShortYear), "{short}");
        }
        // Without the field's window no century is guessed, even as an example (a birth
        // typed « 12/05/64 »); `DateField` shows the day in full.
        let error = parse_day("Date de naissance", "12/05/64").unwrap_err();
        assert_eq!(
            error.to_string(),
            "Date de naissance : écrivez l'année sur quatre chiffres (jj/mm/aaaa)"
        );
        assert_eq!(four_digit_hint("4/1/20", |_| true), "04/01/2020");
        assert_eq!(
            four_digit_hint("4/1/64", |day| day.year() < 2026),
            "04/01/1964"
        );
        assert_eq!(four_digit_hint("31/02/26", |_| true), "jj/mm/aaaa");
    }

    #[test]
    fn only_ascii_digits_make_a_day() {
        // Arabic-Indic and full-width digits, signs and spaces inside are not read.
        for odd in [
            "٠٤/١٢/٢٠٢٦",
            "０４/１２/２０２６",
            "+4/12/2026",
            "04/12/+2026",
            "04/ 12/2026",
            "2026-W49-5",
            "2026-338",
        ] {
            assert_eq!(read_day(odd), Err(DayProblem::Unreadable), "{odd}");
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
                Err(DayProblem::Unreadable | DayProblem::ShortYear) => {}
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
