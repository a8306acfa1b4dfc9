//! The free slots of a post: the stretches of its presences that no appointment takes yet,
//! cut into appointments of one length, so that a booking form can offer them first.

use crate::presence::Occurrence;
use crate::presence::appointment::Booked;
use time::{Date, Duration, Time};

/// A free stretch of a presence, as long as one appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeSlot {
    pub unit_id: String,
    pub date: Date,
    pub start: Time,
    pub end: Time,
    pub starts_unix: i64,
    pub ends_unix: i64,
}

/// The free slots of `minutes` inside the presences that take place: cut from each
/// presence's start, one after the other, starting after `now_unix` and overlapping no
/// booked appointment; in time order. A presence shorter than `minutes` offers none.
pub fn free_slots(
    presences: &[Occurrence],
    booked: &[Booked],
    now_unix: i64,
    minutes: i64,
) -> Vec<FreeSlot> {
    let mut found = Vec::new();
    if minutes <= 0 {
        return found;
    }
    let length = minutes * 60;
    for presence in presences.iter().filter(|p| p.takes_place()) {
        let mut offset = 0;
        while presence.starts_unix + offset + length <= presence.ends_unix {
            let starts_unix = presence.starts_unix + offset;
            let ends_unix = starts_unix + length;
            let taken = booked
                .iter()
                .any(|b| b.starts_unix < ends_unix && starts_unix < b.ends_unix);
            if starts_unix > now_unix && !taken {
                found.push(FreeSlot {
                    unit_id: presence.unit_id.clone(),
                    date: presence.date,
                    start: presence.start + Duration::seconds(offset),
                    end: presence.start + Duration::seconds(offset + length),
                    starts_unix,
                    ends_unix,
                });
            }
            offset += length;
        }
    }
    found.sort_by_key(|slot| (slot.starts_unix, slot.unit_id.clone()));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presence::Skipped;
    use crate::presence::appointment::{AppointmentMode, Request, check_booking};
    use proptest::prelude::*;
    use time::macros::{date, time};

    const HOUR: i64 = 3600;
    /// 9 h 00 on the presence's day, as Unix seconds (UTC here: the zone plays no part).
    const NINE: i64 = 1_796_000_400;

    fn presence(start_hour: i64, hours: i64, takes_place: bool) -> Occurrence {
        let start = time!(9:00) + Duration::hours(start_hour - 9);
        Occurrence {
            slot_id: "s".into(),
            unit_id: "brigade".into(),
            date: date!(2026 - 12 - 01),
            start,
            end: start + Duration::hours(hours),
            starts_unix: NINE + (start_hour - 9) * HOUR,
            ends_unix: NINE + (start_hour - 9 + hours) * HOUR,
            skipped: (!takes_place).then_some(Skipped::Holiday("Noël")),
        }
    }

    fn booked(id: &str, start: i64, end: i64) -> Booked {
        Booked {
            id: id.into(),
            starts_unix: start,
            ends_unix: end,
        }
    }

    #[test]
    fn a_morning_is_cut_into_appointments_around_the_ones_booked() {
        let morning = presence(9, 3, true);
        let taken = booked("a", NINE + HOUR, NINE + HOUR + 1800);
        let slots = free_slots(&[morning], &[taken], 0, 45);
        let starts: Vec<Time> = slots.iter().map(|s| s.start).collect();
        // 9:00, then 10:30 (9:45 would overlap the 10:00–10:30 one) and 11:15.
        assert_eq!(starts, vec![time!(9:00), time!(10:30), time!(11:15)]);
        assert!(
            slots
                .iter()
                .all(|s| s.end == s.start + Duration::minutes(45))
        );
    }

    #[test]
    fn no_slot_in_the_past_in_a_skipped_presence_or_too_short() {
        assert!(free_slots(&[presence(9, 3, false)], &[], 0, 30).is_empty());
        assert!(free_slots(&[presence(9, 3, true)], &[], NINE + 3 * HOUR, 30).is_empty());
        assert_eq!(
            free_slots(&[presence(9, 3, true)], &[], NINE + HOUR, 60)
                .first()
                .map(|s| s.start),
            Some(time!(11:00))
        );
        assert!(free_slots(&[presence(9, 1, true)], &[], 0, 90).is_empty());
        assert!(free_slots(&[presence(9, 1, true)], &[], 0, 0).is_empty());
    }

    proptest! {
        /// Every slot offered is a booking the rules accept, at the presence's unit, and no
        /// two slots overlap: the form never proposes what the booking would refuse.
        #[test]
        fn every_free_slot_books(
            presences in proptest::collection::vec((8i64..18, 1i64..5, any::<bool>()), 0..4),
            taken in proptest::collection::vec((0i64..40, 1i64..8), 0..6),
            now_quarters in 0i64..40,
            minutes in 10i64..=180,
        ) {
            let presences: Vec<Occurrence> = presences
                .into_iter()
                .map(|(start, hours, takes_place)| presence(start, hours, takes_place))
                .collect();
            let booked: Vec<Booked> = taken
                .into_iter()
                .enumerate()
                .map(|(i, (start, quarters))| {
                    let start = NINE - HOUR + start * 900;
                    booked(&i.to_string(), start, start + quarters * 900)
                })
                .collect();
            let now = NINE - HOUR + now_quarters * 900;
            let slots = free_slots(&presences, &booked, now, minutes);
            for slot in &slots {
                let request = Request {
                    mode: AppointmentMode::InPerson,
                    unit_id: Some(&slot.unit_id),
                    starts_unix: slot.starts_unix,
                    ends_unix: slot.ends_unix,
                    moving: None,
                };
                prop_assert_eq!(check_booking(&request, now, &presences, &booked), Ok(()));
                prop_assert_eq!(slot.ends_unix - slot.starts_unix, minutes * 60);
            }
            for pair in slots.windows(2) {
                prop_assert!(pair[0].starts_unix <= pair[1].starts_unix);
            }
            // Overlapping presences may offer the same hours twice; one presence never does.
            if presences.len() <= 1 {
                for pair in slots.windows(2) {
                    prop_assert!(pair[0].ends_unix <= pair[1].starts_unix);
                }
            }
        }

        /// Nothing free is left out: a stretch of a lone presence, aligned on its cuts,
        /// after now and clear of every booking, is offered.
        #[test]
        fn every_free_cut_is_offered(
            hours in 1i64..6,
            taken in proptest::collection::vec((0i64..24, 1i64..6), 0..4),
            minutes in prop_oneof![Just(15i64), Just(30), Just(45), Just(60)],
        ) {
            let lone = presence(9, hours, true);
            let booked: Vec<Booked> = taken
                .into_iter()
                .enumerate()
                .map(|(i, (start, quarters))| booked(&i.to_string(), NINE + start * 900, NINE + (start + quarters) * 900))
                .collect();
            let slots = free_slots(std::slice::from_ref(&lone), &booked, 0, minutes);
            let mut start = lone.starts_unix;
            while start + minutes * 60 <= lone.ends_unix {
                let end = start + minutes * 60;
                let clear = !booked.iter().any(|b| b.starts_unix < end && start < b.ends_unix);
                prop_assert_eq!(slots.iter().any(|s| s.starts_unix == start), clear);
                start = end;
            }
        }
    }
}
