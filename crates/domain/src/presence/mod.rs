//! When the social worker of a post is present at which host unit: weekly slots with
//! effective dates, absences, public holidays, and the instants they fall on.
//!
//! Slots are written in the civil time of the unit's time zone (Europe/Paris in metropolitan
//! France): "Monday 9 h – 12 h" stays 9 h across the daylight-saving changes, and the
//! instants (UTC) are computed per date.

pub mod appointment;
pub mod free_slots;
pub mod holiday;
pub mod opening_hours;
pub mod regular_week;

use crate::presence::holiday::holiday_on;
use crate::{ParseError, vocabulary};
use time::{Date, Duration, Time, Weekday};

vocabulary!(
    /// Why the social worker is away for some days.
    AbsenceKind, "motif", {
        Leave => ("leave", "Congés"),
        Training => ("training", "Formation"),
        Sickness => ("sickness", "Arrêt"),
        Other => ("other", "Autre absence"),
    }
);

/// The time zone of metropolitan France.
pub const PARIS: &str = "Europe/Paris";

/// The civil time zone of a département: overseas départements keep their own.
pub fn time_zone_of_departement(code: &str) -> &'static str {
    match code {
        "971" => "America/Guadeloupe",
        "972" => "America/Martinique",
        "973" => "America/Cayenne",
        "974" => "Indian/Reunion",
        "976" => "Indian/Mayotte",
        _ => PARIS,
    }
}

/// The time zones a schedule may be written in: metropolitan France and the overseas
/// départements.
pub const TIME_ZONES: &[&str] = &[
    PARIS,
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "Indian/Reunion",
    "Indian/Mayotte",
];

/// A time zone name, checked against the time zone database.
pub fn parse_time_zone(text: &str) -> Result<&'static str, ParseError> {
    let text = text.trim();
    TIME_ZONES
        .iter()
        .copied()
        .find(|zone| *zone == text)
        .filter(|zone| jiff::tz::TimeZone::get(zone).is_ok())
        .ok_or_else(|| {
            ParseError::new(
                "fuseau horaire",
                format!(
                    "« {text} » n'est pas un fuseau horaire connu (valeurs possibles : {})",
                    TIME_ZONES.join(", ")
                ),
            )
        })
}

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "Lundi"),
    (Weekday::Tuesday, "Mardi"),
    (Weekday::Wednesday, "Mercredi"),
    (Weekday::Thursday, "Jeudi"),
    (Weekday::Friday, "Vendredi"),
    (Weekday::Saturday, "Samedi"),
    (Weekday::Sunday, "Dimanche"),
];

pub fn weekday_label(day: Weekday) -> &'static str {
    WEEKDAYS[day.number_days_from_monday() as usize].1
}

/// A day of the week: its ISO number (1 = Monday … 7 = Sunday) or its French name.
pub fn parse_weekday(text: &str) -> Result<Weekday, ParseError> {
    let text = text.trim();
    if let Ok(number) = text.parse::<u8>()
        && (1..=7).contains(&number)
    {
        return Ok(WEEKDAYS[number as usize - 1].0);
    }
    WEEKDAYS
        .iter()
        .find(|(_, label)| label.eq_ignore_ascii_case(text))
        .map(|(day, _)| *day)
        .ok_or_else(|| {
            ParseError::new(
                "jour",
                format!("« {text} » n'est pas un jour de la semaine (lundi à dimanche)"),
            )
        })
}

/// A time of day as people write it: "9h", "9 h 30", "09:30", "14h05".
pub fn parse_clock(field: &'static str, text: &str) -> Result<Time, ParseError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let invalid = || {
        ParseError::new(
            field,
            format!(
                "« {} » n'est pas une heure (exemples : 9h, 9h30, 14:00)",
                text.trim()
            ),
        )
    };
    let (hours, minutes) = compact
        .split_once(['h', 'H', ':'])
        .unwrap_or((compact.as_str(), ""));
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.chars().all(|c| c.is_ascii_digit());
    if !digits(hours) || !(minutes.is_empty() || digits(minutes)) {
        return Err(invalid());
    }
    let hours: u8 = hours.parse().map_err(|_| invalid())?;
    let minutes: u8 = if minutes.is_empty() {
        0
    } else {
        minutes.parse().map_err(|_| invalid())?
    };
    Time::from_hms(hours, minutes, 0).map_err(|_| invalid())
}

/// "9 h 00", "14 h 30": the French way of writing an hour.
pub fn clock_label(time: Time) -> String {
    format!("{} h {:02}", time.hour(), time.minute())
}

/// A weekly recurring presence of a post's social worker at one of its host units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklySlot {
    pub id: String,
    pub unit_id: String,
    pub weekday: Weekday,
    pub start: Time,
    pub end: Time,
    pub valid_from: Date,
    /// The last day the slot applies; open-ended when `None`.
    pub valid_until: Option<Date>,
    pub time_zone: &'static str,
}

impl WeeklySlot {
    /// Whether the slot's period covers `date` (begun, not ended), whatever its weekday.
    pub fn in_effect_on(&self, date: Date) -> bool {
        self.valid_from <= date && self.valid_until.is_none_or(|until| date <= until)
    }

    fn applies_on(&self, date: Date) -> bool {
        date.weekday() == self.weekday && self.in_effect_on(date)
    }

    fn periods_overlap(&self, other: &WeeklySlot) -> bool {
        let ends_before =
            |a: &WeeklySlot, b: &WeeklySlot| a.valid_until.is_some_and(|u| u < b.valid_from);
        !ends_before(self, other) && !ends_before(other, self)
    }
}

/// The rules of a new slot: a real interval, a real period, and no overlap with another slot
/// of the same post (one social worker cannot be in two units at once).
pub fn check_new_slot(slot: &WeeklySlot, existing: &[WeeklySlot]) -> Result<(), ParseError> {
    if slot.end <= slot.start {
        return Err(ParseError::new(
            "fin",
            format!(
                "la fin ({}) doit venir après le début ({})",
                clock_label(slot.end),
                clock_label(slot.start)
            ),
        ));
    }
    if slot
        .valid_until
        .is_some_and(|until| until < slot.valid_from)
    {
        return Err(ParseError::new(
            "jusqu'au",
            "la date de fin de validité précède la date de début",
        ));
    }
    if let Some(other) = existing.iter().find(|other| {
        other.weekday == slot.weekday
            && other.periods_overlap(slot)
            && other.start < slot.end
            && slot.start < other.end
    }) {
        return Err(ParseError::new(
            "créneau",
            format!(
                "il chevauche le créneau du {} de {} à {} déjà prévu",
                weekday_label(other.weekday).to_lowercase(),
                clock_label(other.start),
                clock_label(other.end)
            ),
        ));
    }
    Ok(())
}

/// Days away, first and last included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub id: String,
    pub kind: AbsenceKind,
    pub starts_on: Date,
    pub ends_on: Date,
}

pub fn check_absence(starts_on: Date, ends_on: Date) -> Result<(), ParseError> {
    if ends_on < starts_on {
        return Err(ParseError::new(
            "fin",
            "le dernier jour d'absence précède le premier",
        ));
    }
    if ends_on - starts_on > Duration::days(366) {
        return Err(ParseError::new("fin", "une absence dure au plus un an"));
    }
    Ok(())
}

/// Why a slot does not take place on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    Holiday(&'static str),
    Absence(AbsenceKind),
}

impl Skipped {
    pub fn label(self) -> &'static str {
        match self {
            Skipped::Holiday(name) => name,
            Skipped::Absence(_) => "Absente",
        }
    }
}

/// One slot on one date, with its instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub slot_id: String,
    pub unit_id: String,
    pub date: Date,
    pub start: Time,
    pub end: Time,
    /// Seconds since the Unix epoch (UTC).
    pub starts_unix: i64,
    pub ends_unix: i64,
    /// Set when the slot does not take place that day.
    pub skipped: Option<Skipped>,
}

impl Occurrence {
    pub fn takes_place(&self) -> bool {
        self.skipped.is_none()
    }
}

/// The instant of a civil date and time in a time zone, as Unix seconds. A time that does
/// not exist (skipped by the spring change) moves forward; an ambiguous one (the autumn
/// change) takes the earlier instant.
pub fn instant(date: Date, time: Time, zone: &str) -> i64 {
    let zone = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let civil = jiff::civil::date(
        date.year() as i16,
        u8::from(date.month()) as i8,
        date.day() as i8,
    )
    .at(time.hour() as i8, time.minute() as i8, 0, 0);
    zone.to_ambiguous_zoned_datetime(civil)
        .compatible()
        .map(|zoned| zoned.timestamp().as_second())
        .unwrap_or_default()
}

/// Every occurrence of `slots` from `from` to `until` (both included), in time order, with
/// the holidays of `departement` and the absences marked as skipped.
pub fn occurrences(
    slots: &[WeeklySlot],
    absences: &[Absence],
    departement: &str,
    from: Date,
    until: Date,
) -> Vec<Occurrence> {
    let mut found = Vec::new();
    let mut date = from;
    while date <= until {
        for slot in slots.iter().filter(|slot| slot.applies_on(date)) {
            let skipped = holiday_on(date, departement)
                .map(Skipped::Holiday)
                .or_else(|| {
                    absences
                        .iter()
                        .find(|a| a.starts_on <= date && date <= a.ends_on)
                        .map(|a| Skipped::Absence(a.kind))
                });
            found.push(Occurrence {
                slot_id: slot.id.clone(),
                unit_id: slot.unit_id.clone(),
                date,
                start: slot.start,
                end: slot.end,
                starts_unix: instant(date, slot.start, slot.time_zone),
                ends_unix: instant(date, slot.end, slot.time_zone),
                skipped,
            });
        }
        let Some(next) = date.next_day() else { break };
        date = next;
    }
    found.sort_by(|a, b| (a.starts_unix, &a.unit_id).cmp(&(b.starts_unix, &b.unit_id)));
    found
}

/// The Monday of the week of `date`.
pub fn monday_of(date: Date) -> Date {
    date - Duration::days(date.weekday().number_days_from_monday() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, time};

    fn slot(id: &str, weekday: Weekday, start: Time, end: Time) -> WeeklySlot {
        WeeklySlot {
            id: id.into(),
            unit_id: "brigade".into(),
            weekday,
            start,
            end,
            valid_from: date!(2026 - 01 - 01),
            valid_until: None,
            time_zone: PARIS,
        }
    }

    #[test]
    fn clocks_are_read_as_people_write_them() {
        assert_eq!(parse_clock("début", "9h").unwrap(), time!(9:00));
        assert_eq!(parse_clock("début", "9 h 30").unwrap(), time!(9:30));
        assert_eq!(parse_clock("début", "14:05").unwrap(), time!(14:05));
        assert_eq!(parse_clock("début", "07H15").unwrap(), time!(7:15));
        for bad in ["", "25h", "9h75", "neuf heures", "9.30", "h30", "9h3000"] {
            let error = parse_clock("début", bad).unwrap_err();
            assert_eq!(error.field, "début", "{bad}");
        }
        assert_eq!(clock_label(time!(9:05)), "9 h 05");
    }

    #[test]
    fn weekdays_by_number_or_french_name() {
        assert_eq!(parse_weekday("1").unwrap(), Weekday::Monday);
        assert_eq!(parse_weekday("7").unwrap(), Weekday::Sunday);
        assert_eq!(parse_weekday("jeudi").unwrap(), Weekday::Thursday);
        assert!(parse_weekday("8").is_err());
        assert!(parse_weekday("funday").is_err());
    }

    #[test]
    fn unknown_time_zones_are_refused() {
        assert_eq!(parse_time_zone("Europe/Paris").unwrap(), PARIS);
        assert_eq!(
            parse_time_zone(" Indian/Reunion ").unwrap(),
            "Indian/Reunion"
        );
        let error = parse_time_zone("Mars/Olympus").unwrap_err();
        assert_eq!(error.field, "fuseau horaire");
        assert!(
            parse_time_zone("Europe/Berlin").is_err(),
            "not a French zone"
        );
        assert_eq!(time_zone_of_departement("974"), "Indian/Reunion");
        assert_eq!(time_zone_of_departement("2A"), PARIS);
    }

    #[test]
    fn overlapping_slots_are_refused_whatever_the_unit() {
        let existing = [slot("a", Weekday::Monday, time!(9:00), time!(12:00))];
        let mut other_unit = slot("b", Weekday::Monday, time!(11:00), time!(14:00));
        other_unit.unit_id = "commissariat".into();
        let error = check_new_slot(&other_unit, &existing).unwrap_err();
        assert!(error.reason.contains("chevauche"), "{error}");
        // Back to back is fine, as is another day.
        assert!(
            check_new_slot(
                &slot("c", Weekday::Monday, time!(12:00), time!(13:00)),
                &existing
            )
            .is_ok()
        );
        assert!(
            check_new_slot(
                &slot("d", Weekday::Tuesday, time!(9:00), time!(12:00)),
                &existing
            )
            .is_ok()
        );
        // The same hours in a period after the first slot ended do not overlap.
        let mut ended = existing[0].clone();
        ended.valid_until = Some(date!(2026 - 06 - 30));
        let mut later = slot("e", Weekday::Monday, time!(9:00), time!(12:00));
        later.valid_from = date!(2026 - 07 - 01);
        assert!(check_new_slot(&later, &[ended]).is_ok());
    }

    #[test]
    fn end_before_start_is_refused() {
        let error = check_new_slot(&slot("a", Weekday::Monday, time!(12:00), time!(9:00)), &[])
            .unwrap_err();
        assert_eq!(error.field, "fin");
        let mut backwards = slot("b", Weekday::Monday, time!(9:00), time!(10:00));
        backwards.valid_until = Some(date!(2025 - 12 - 31));
        assert_eq!(
            check_new_slot(&backwards, &[]).unwrap_err().field,
            "jusqu'au"
        );
        assert!(check_absence(date!(2026 - 12 - 10), date!(2026 - 12 - 01)).is_err());
    }

    #[test]
    fn the_same_civil_hour_moves_in_utc_across_the_daylight_saving_change() {
        // Summer time ends on Sunday 25/10/2026: Monday 19/10 is UTC+2, Monday 26/10 UTC+1.
        let slots = [slot("a", Weekday::Monday, time!(9:00), time!(12:00))];
        let found = occurrences(
            &slots,
            &[],
            "35",
            date!(2026 - 10 - 19),
            date!(2026 - 10 - 26),
        );
        assert_eq!(found.len(), 2);
        let utc_hour = |unix: i64| (unix.rem_euclid(86_400)) / 3600;
        assert_eq!(utc_hour(found[0].starts_unix), 7);
        assert_eq!(utc_hour(found[1].starts_unix), 8);
        assert_eq!(found[1].ends_unix - found[1].starts_unix, 3 * 3600);
        // Spring: Sunday 29/03/2026 02:30 does not exist in Paris; it moves forward to 03:30.
        let spring = instant(date!(2026 - 03 - 29), time!(2:30), PARIS);
        assert_eq!(spring, instant(date!(2026 - 03 - 29), time!(3:30), PARIS));
    }

    #[test]
    fn holidays_and_absences_skip_a_slot() {
        let slots = [
            slot("mon", Weekday::Monday, time!(9:00), time!(12:00)),
            slot("fri", Weekday::Friday, time!(14:00), time!(17:00)),
        ];
        // Easter Monday 2026 is 06/04; Good Friday 03/04 is a holiday in Moselle only.
        let absences = [Absence {
            id: "x".into(),
            kind: AbsenceKind::Training,
            starts_on: date!(2026 - 04 - 13),
            ends_on: date!(2026 - 04 - 13),
        }];
        let in_rennes = occurrences(
            &slots,
            &absences,
            "35",
            date!(2026 - 04 - 03),
            date!(2026 - 04 - 13),
        );
        let skipped: Vec<_> = in_rennes.iter().map(|o| (o.date, o.skipped)).collect();
        assert_eq!(
            skipped,
            vec![
                (date!(2026 - 04 - 03), None),
                (
                    date!(2026 - 04 - 06),
                    Some(Skipped::Holiday("Lundi de Pâques"))
                ),
                (date!(2026 - 04 - 10), None),
                (
                    date!(2026 - 04 - 13),
                    Some(Skipped::Absence(AbsenceKind::Training))
                ),
            ]
        );
        let in_metz = occurrences(
            &slots,
            &[],
            "57",
            date!(2026 - 04 - 03),
            date!(2026 - 04 - 03),
        );
        assert!(matches!(in_metz[0].skipped, Some(Skipped::Holiday(_))));
    }

    #[test]
    fn slots_apply_only_within_their_dates() {
        let mut limited = slot("a", Weekday::Wednesday, time!(9:00), time!(10:00));
        limited.valid_from = date!(2026 - 12 - 02);
        limited.valid_until = Some(date!(2026 - 12 - 09));
        let found = occurrences(
            &[limited],
            &[],
            "35",
            date!(2026 - 11 - 25),
            date!(2026 - 12 - 16),
        );
        let dates: Vec<_> = found.iter().map(|o| o.date).collect();
        assert_eq!(dates, vec![date!(2026 - 12 - 02), date!(2026 - 12 - 09)]);
    }

    proptest! {
        /// Whatever the date, a slot lasts its civil length in real time, except on the two
        /// change days, when it differs by at most one hour.
        #[test]
        fn an_occurrence_lasts_its_length(days in 0i64..3650, start in 0u8..22, length in 1u8..=2) {
            let date = date!(2024 - 01 - 01) + Duration::days(days);
            let start = Time::from_hms(start, 0, 0).unwrap();
            let end = Time::from_hms(start.hour() + length, 0, 0).unwrap();
            let slot = WeeklySlot { weekday: date.weekday(), ..slot("p", Weekday::Monday, start, end) };
            let found = occurrences(&[WeeklySlot { valid_from: date, ..slot }], &[], "35", date, date);
            prop_assert_eq!(found.len(), 1);
            let seconds = found[0].ends_unix - found[0].starts_unix;
            prop_assert!((seconds - length as i64 * 3600).abs() <= 3600);
            prop_assert_eq!(found[0].date, date);
        }

        /// A slot never overlaps itself shifted past its end: the check is exact at the edges.
        #[test]
        fn back_to_back_slots_never_conflict(start in 0u8..20, length in 1u8..3) {
            let first_end = Time::from_hms(start + length, 0, 0).unwrap();
            let first = slot("a", Weekday::Monday, Time::from_hms(start, 0, 0).unwrap(), first_end);
            let second = slot("b", Weekday::Monday, first_end, Time::from_hms((start + length + 1).min(23), 30, 0).unwrap());
            prop_assert!(check_new_slot(&second, &[first.clone()]).is_ok());
            prop_assert!(check_new_slot(&first, &[first.clone()]).is_err());
        }
    }
}
