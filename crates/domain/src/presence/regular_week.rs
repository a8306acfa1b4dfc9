//! The regular week of a unit, worded for a poster that stays true for months: the weekdays and
//! hours of the slots in effect (« Le mardi de 9 h à 12 h »), and the coming absences that
//! cancel a presence there, rather than dated weeks that are stale within a fortnight.

use super::{Absence, Skipped, WeeklySlot, occurrences, weekday_label};
use time::{Date, Time};

/// "9 h", "14 h 30": an hour as a poster says it.
pub fn spoken_hour(time: Time) -> String {
    match time.minute() {
        0 => format!("{} h", time.hour()),
        minute => format!("{} h {minute:02}", time.hour()),
    }
}

/// "jj/mm/aaaa".
fn short_date(date: Date) -> String {
    format!(
        "{:02}/{:02}/{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// A weekday, the start of validity when later than today, the end of validity, the hours.
type DayLine = (time::Weekday, Option<Date>, Option<Date>, Vec<String>);

/// One line per weekday (and per period of validity when it changes), in weekday order:
/// "Le mardi de 9 h à 12 h et de 14 h à 17 h", "Le jeudi de 14 h à 17 h (à partir du
/// 04/01/2027)". Slots that ended before `today` are left out.
pub fn regular_week(slots: &[WeeklySlot], today: Date) -> Vec<String> {
    let mut current: Vec<&WeeklySlot> = slots
        .iter()
        .filter(|slot| slot.valid_until.is_none_or(|until| until >= today))
        .collect();
    // A slot already in effect has no « à partir du »: its start is folded into today.
    let from = |slot: &WeeklySlot| (slot.valid_from > today).then_some(slot.valid_from);
    current.sort_by_key(|slot| {
        (
            slot.weekday.number_from_monday(),
            from(slot),
            slot.valid_until,
            slot.start,
        )
    });
    let mut lines: Vec<DayLine> = Vec::new();
    for slot in current {
        let hours = format!("de {} à {}", spoken_hour(slot.start), spoken_hour(slot.end));
        match lines.last_mut() {
            Some((weekday, starts, ends, day_hours))
                if (*weekday, *starts, *ends) == (slot.weekday, from(slot), slot.valid_until) =>
            {
                day_hours.push(hours)
            }
            _ => lines.push((slot.weekday, from(slot), slot.valid_until, vec![hours])),
        }
    }
    lines
        .into_iter()
        .map(|(weekday, starts, ends, hours)| {
            let mut period = Vec::new();
            if let Some(starts) = starts {
                period.push(format!("à partir du {}", short_date(starts)));
            }
            if let Some(ends) = ends {
                period.push(format!("jusqu'au {}", short_date(ends)));
            }
            let period = if period.is_empty() {
                String::new()
            } else {
                format!(" ({})", period.join(", "))
            };
            format!(
                "Le {} {}{period}",
                weekday_label(weekday).to_lowercase(),
                hours.join(" et ")
            )
        })
        .collect()
}

/// The coming absences (not ended on `today`) that cancel at least one presence of `slots`,
/// in date order, at most `limit`: "Du 24/12/2026 au 02/01/2027", "Le 15/01/2027".
pub fn coming_absences(
    slots: &[WeeklySlot],
    absences: &[Absence],
    departement: &str,
    today: Date,
    limit: usize,
) -> Vec<String> {
    let mut coming: Vec<&Absence> = absences.iter().filter(|a| a.ends_on >= today).collect();
    coming.sort_by_key(|a| (a.starts_on, a.ends_on));
    coming
        .into_iter()
        .filter(|absence| {
            occurrences(
                slots,
                std::slice::from_ref(*absence),
                departement,
                absence.starts_on.max(today),
                absence.ends_on,
            )
            .iter()
            .any(|o| matches!(o.skipped, Some(Skipped::Absence(_))))
        })
        .take(limit)
        .map(|absence| {
            if absence.starts_on == absence.ends_on {
                format!("Le {}", short_date(absence.starts_on))
            } else {
                format!(
                    "Du {} au {}",
                    short_date(absence.starts_on),
                    short_date(absence.ends_on)
                )
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presence::AbsenceKind;
    use time::Weekday;
    use time::macros::{date, time};

    fn slot(
        weekday: Weekday,
        start: Time,
        end: Time,
        from: Date,
        until: Option<Date>,
    ) -> WeeklySlot {
        WeeklySlot {
            id: format!("{weekday}{start}"),
            unit_id: "brigade".into(),
            weekday,
            start,
            end,
            valid_from: from,
            valid_until: until,
            time_zone: super::super::PARIS,
        }
    }

    #[test]
    fn the_regular_week_is_worded_by_weekday_with_its_changes() {
        let today = date!(2026 - 12 - 01);
        let long_ago = date!(2026 - 01 - 05);
        let slots = [
            slot(
                Weekday::Thursday,
                time!(14:00),
                time!(17:00),
                long_ago,
                None,
            ),
            slot(Weekday::Tuesday, time!(14:00), time!(17:30), long_ago, None),
            slot(Weekday::Tuesday, time!(9:00), time!(12:00), long_ago, None),
            slot(
                Weekday::Friday,
                time!(9:00),
                time!(12:00),
                long_ago,
                Some(date!(2026 - 11 - 30)),
            ),
            slot(
                Weekday::Friday,
                time!(9:00),
                time!(11:00),
                date!(2027 - 01 - 04),
                None,
            ),
            slot(
                Weekday::Monday,
                time!(9:00),
                time!(10:00),
                long_ago,
                Some(date!(2026 - 12 - 31)),
            ),
        ];
        assert_eq!(
            regular_week(&slots, today),
            [
                "Le lundi de 9 h à 10 h (jusqu'au 31/12/2026)",
                "Le mardi de 9 h à 12 h et de 14 h à 17 h 30",
                "Le jeudi de 14 h à 17 h",
                "Le vendredi de 9 h à 11 h (à partir du 04/01/2027)",
            ]
        );
        assert!(regular_week(&[], today).is_empty());
    }

    #[test]
    fn only_coming_absences_that_cancel_a_presence_are_listed() {
        let today = date!(2026 - 12 - 01);
        let slots = [slot(
            Weekday::Tuesday,
            time!(9:00),
            time!(12:00),
            date!(2026 - 01 - 05),
            None,
        )];
        let absence = |id: &str, starts_on, ends_on| Absence {
            id: id.into(),
            kind: AbsenceKind::Leave,
            starts_on,
            ends_on,
        };
        let absences = [
            absence("past", date!(2026 - 11 - 10), date!(2026 - 11 - 17)),
            absence("wednesday", date!(2026 - 12 - 02), date!(2026 - 12 - 02)),
            absence("christmas", date!(2026 - 12 - 21), date!(2027 - 01 - 03)),
            absence("tuesday", date!(2026 - 12 - 08), date!(2026 - 12 - 08)),
            absence("later", date!(2027 - 02 - 01), date!(2027 - 02 - 28)),
        ];
        assert_eq!(
            coming_absences(&slots, &absences, "35", today, 2),
            ["Le 08/12/2026", "Du 21/12/2026 au 03/01/2027"]
        );
    }
}
