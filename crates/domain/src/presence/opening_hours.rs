//! The regular week of a presence written in the OpenStreetMap `opening_hours` syntax, as
//! the national directories (data·inclusion, and through it DORA, Soliguide) read it:
//! « Tu 09:00-12:00,14:00-17:00; Th 14:00-17:00; PH off ». Public holidays are off: a
//! presence falling on one does not take place (`Skipped::Holiday`).

use super::WeeklySlot;
use time::{Date, Time, Weekday};

/// The two-letter day of the syntax.
fn osm_day(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Mo",
        Weekday::Tuesday => "Tu",
        Weekday::Wednesday => "We",
        Weekday::Thursday => "Th",
        Weekday::Friday => "Fr",
        Weekday::Saturday => "Sa",
        Weekday::Sunday => "Su",
    }
}

fn hhmm(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

/// The slots in effect on `today` (begun, not ended), one rule per weekday in weekday order,
/// its ranges by start, then `PH off`; `None` when no slot is in effect (the directories
/// then show no hours rather than « closed »).
pub fn osm_opening_hours(slots: &[WeeklySlot], today: Date) -> Option<String> {
    let mut current: Vec<&WeeklySlot> = slots
        .iter()
        .filter(|slot| slot.in_effect_on(today))
        .collect();
    if current.is_empty() {
        return None;
    }
    current.sort_by_key(|slot| (slot.weekday.number_from_monday(), slot.start, slot.end));
    let mut rules: Vec<(Weekday, Vec<String>)> = Vec::new();
    for slot in current {
        let range = format!("{}-{}", hhmm(slot.start), hhmm(slot.end));
        match rules.last_mut() {
            Some((day, ranges)) if *day == slot.weekday => {
                if !ranges.contains(&range) {
                    ranges.push(range)
                }
            }
            _ => rules.push((slot.weekday, vec![range])),
        }
    }
    let mut text: Vec<String> = rules
        .into_iter()
        .map(|(day, ranges)| format!("{} {}", osm_day(day), ranges.join(",")))
        .collect();
    text.push("PH off".into());
    Some(text.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;
    use time::macros::{date, time};

    fn slot(
        weekday: Weekday,
        start: Time,
        end: Time,
        from: Date,
        until: Option<Date>,
    ) -> WeeklySlot {
        WeeklySlot {
            id: format!("{weekday}-{start}"),
            unit_id: "U".into(),
            weekday,
            start,
            end,
            valid_from: from,
            valid_until: until,
            time_zone: "Europe/Paris",
        }
    }

    #[test]
    fn a_week_reads_as_osm_rules_in_weekday_order() {
        let today = date!(2026 - 12 - 07);
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
            // Not yet begun, and already ended: not in effect.
            slot(
                Weekday::Monday,
                time!(9:00),
                time!(12:00),
                date!(2027 - 01 - 04),
                None,
            ),
            slot(
                Weekday::Friday,
                time!(9:00),
                time!(12:00),
                long_ago,
                Some(date!(2026 - 11 - 30)),
            ),
        ];
        assert_eq!(
            osm_opening_hours(&slots, today).as_deref(),
            Some("Tu 09:00-12:00,14:00-17:30; Th 14:00-17:00; PH off")
        );
        assert_eq!(osm_opening_hours(&slots[3..], today), None);
    }

    /// An independent reading of the rules this module writes: (day, start, end) triples.
    fn read_back(text: &str) -> BTreeSet<(String, String, String)> {
        let mut read = BTreeSet::new();
        let rules: Vec<&str> = text.split("; ").collect();
        assert_eq!(rules.last(), Some(&"PH off"));
        for rule in &rules[..rules.len() - 1] {
            let (day, ranges) = rule.split_once(' ').unwrap();
            for range in ranges.split(',') {
                let (start, end) = range.split_once('-').unwrap();
                read.insert((day.to_string(), start.to_string(), end.to_string()));
            }
        }
        read
    }

    fn any_slot() -> impl Strategy<Value = WeeklySlot> {
        (
            0u8..7,
            0u8..23,
            1u8..=4,
            0u8..2,
            -30i64..30,
            proptest::option::of(-30i64..30),
        )
            .prop_map(|(day, hour, length, half, from, until)| {
                let today = date!(2026 - 12 - 07);
                let start = Time::from_hms(hour, 30 * half, 0).unwrap();
                let end = Time::from_hms((hour + length).min(23), 30 * half, 0).unwrap();
                slot(
                    Weekday::Monday.nth_next(day),
                    start,
                    end,
                    today + time::Duration::days(from),
                    until.map(|days| today + time::Duration::days(days)),
                )
            })
    }

    proptest! {
        #[test]
        fn the_hours_say_exactly_the_slots_in_effect(slots in proptest::collection::vec(any_slot(), 0..12)) {
            let today = date!(2026 - 12 - 07);
            let expected: BTreeSet<(String, String, String)> = slots
                .iter()
                .filter(|s| s.in_effect_on(today))
                .map(|s| (osm_day(s.weekday).to_string(), hhmm(s.start), hhmm(s.end)))
                .collect();
            match osm_opening_hours(&slots, today) {
                None => prop_assert!(expected.is_empty()),
                Some(text) => {
                    prop_assert_eq!(read_back(&text), expected);
                    // Each day once, in weekday order.
                    let days: Vec<&str> = text.split("; ").filter_map(|r| r.split_once(' ').map(|(d, _)| d)).collect();
                    let order = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
                    let positions: Vec<usize> = days.iter().filter(|d| **d != "PH").map(|d| order.iter().position(|o| o == d).unwrap()).collect();
                    prop_assert!(positions.windows(2).all(|w| w[0] < w[1]), "{}", text);
                }
            }
        }
    }
}
