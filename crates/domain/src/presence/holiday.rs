//! French public holidays (jours fériés), for the presence schedules: the eleven national
//! days (Code du travail L3133-1), the two extra days of Moselle, Bas-Rhin and Haut-Rhin
//! (local law: Good Friday and 26 December), and the abolition-of-slavery day of each overseas
//! département (law 83-550 and decree 83-1003).

use time::{Date, Duration, Month};

/// Easter Sunday of a Gregorian year (anonymous algorithm, Meeus/Jones/Butcher).
pub fn easter(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = if month == 3 {
        Month::March
    } else {
        Month::April
    };
    Date::from_calendar_date(year, month, day as u8).unwrap_or(Date::MIN)
}

fn day(year: i32, month: Month, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, month, day).ok()
}

/// The public holidays of a year in a département (code as in `DepartementCode`), in date order.
pub fn public_holidays(year: i32, departement: &str) -> Vec<(Date, &'static str)> {
    let easter = easter(year);
    let mut days: Vec<(Option<Date>, &'static str)> = vec![
        (day(year, Month::January, 1), "Jour de l'an"),
        (Some(easter + Duration::days(1)), "Lundi de Pâques"),
        (day(year, Month::May, 1), "Fête du travail"),
        (day(year, Month::May, 8), "Victoire 1945"),
        (Some(easter + Duration::days(39)), "Ascension"),
        (Some(easter + Duration::days(50)), "Lundi de Pentecôte"),
        (day(year, Month::July, 14), "Fête nationale"),
        (day(year, Month::August, 15), "Assomption"),
        (day(year, Month::November, 1), "Toussaint"),
        (day(year, Month::November, 11), "Armistice 1918"),
        (day(year, Month::December, 25), "Noël"),
    ];
    if matches!(departement, "57" | "67" | "68") {
        days.push((
            Some(easter - Duration::days(2)),
            "Vendredi saint (Alsace-Moselle)",
        ));
        days.push((
            day(year, Month::December, 26),
            "Saint-Étienne (Alsace-Moselle)",
        ));
    }
    let abolition = match departement {
        "971" => day(year, Month::May, 27),
        "972" => day(year, Month::May, 22),
        "973" => day(year, Month::June, 10),
        "974" => day(year, Month::December, 20),
        "976" => day(year, Month::April, 27),
        _ => None,
    };
    if abolition.is_some() {
        days.push((abolition, "Abolition de l'esclavage"));
    }
    let mut days: Vec<(Date, &'static str)> = days
        .into_iter()
        .filter_map(|(date, name)| date.map(|d| (d, name)))
        .collect();
    days.sort();
    days
}

/// The name of the holiday on `date` in `departement`, if it is one.
pub fn holiday_on(date: Date, departement: &str) -> Option<&'static str> {
    public_holidays(date.year(), departement)
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::Weekday;
    use time::macros::date;

    #[test]
    fn easter_and_the_days_that_follow_it() {
        assert_eq!(easter(2024), date!(2024 - 03 - 31));
        assert_eq!(easter(2025), date!(2025 - 04 - 20));
        assert_eq!(easter(2026), date!(2026 - 04 - 05));
        assert_eq!(easter(2027), date!(2027 - 03 - 28));
        assert_eq!(
            holiday_on(date!(2026 - 04 - 06), "35"),
            Some("Lundi de Pâques")
        );
        assert_eq!(holiday_on(date!(2026 - 05 - 14), "35"), Some("Ascension"));
        assert_eq!(
            holiday_on(date!(2026 - 05 - 25), "35"),
            Some("Lundi de Pentecôte")
        );
        assert_eq!(
            holiday_on(date!(2025 - 06 - 09), "75"),
            Some("Lundi de Pentecôte")
        );
        assert_eq!(holiday_on(date!(2026 - 04 - 07), "35"), None);
    }

    #[test]
    fn alsace_moselle_has_two_more_days_and_only_there() {
        for departement in ["57", "67", "68"] {
            assert_eq!(public_holidays(2026, departement).len(), 13);
            assert_eq!(
                holiday_on(date!(2026 - 04 - 03), departement),
                Some("Vendredi saint (Alsace-Moselle)")
            );
            assert_eq!(
                holiday_on(date!(2026 - 12 - 26), departement),
                Some("Saint-Étienne (Alsace-Moselle)")
            );
        }
        for departement in ["54", "88", "75", "2A"] {
            assert_eq!(public_holidays(2026, departement).len(), 11);
            assert_eq!(holiday_on(date!(2026 - 12 - 26), departement), None);
        }
    }

    #[test]
    fn each_overseas_departement_marks_the_abolition_of_slavery() {
        assert_eq!(
            holiday_on(date!(2026 - 05 - 27), "971"),
            Some("Abolition de l'esclavage")
        );
        assert_eq!(
            holiday_on(date!(2026 - 12 - 20), "974"),
            Some("Abolition de l'esclavage")
        );
        assert_eq!(holiday_on(date!(2026 - 05 - 27), "972"), None);
    }

    proptest! {
        #[test]
        fn easter_is_a_sunday_between_22_march_and_25_april(year in 1900i32..2200) {
            let easter = easter(year);
            prop_assert_eq!(easter.weekday(), Weekday::Sunday);
            prop_assert!(easter >= Date::from_calendar_date(year, Month::March, 22).unwrap());
            prop_assert!(easter <= Date::from_calendar_date(year, Month::April, 25).unwrap());
        }

        #[test]
        fn every_holiday_is_listed_in_date_order_in_its_year(year in 1950i32..2150, departement in "(35|57|971|974|2A)") {
            // Two holidays can fall on one day (Ascension on 1 May in 2008): both are listed.
            let days = public_holidays(year, &departement);
            let expected = match departement.as_str() { "57" => 13, "971" | "974" => 12, _ => 11 };
            prop_assert_eq!(days.len(), expected);
            prop_assert!(days.windows(2).all(|w| w[0].0 <= w[1].0));
            prop_assert!(days.iter().all(|(d, _)| d.year() == year && holiday_on(*d, &departement).is_some()));
        }
    }
}
