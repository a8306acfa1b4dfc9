//! Appointments with the social worker: at the unit during a presence, or by visio. Nothing
//! here contacts the person: an appointment is a reservation the social worker or the officer
//! tells the person about, respecting the safe-contact instructions.

use crate::presence::Occurrence;
use crate::{ParseError, vocabulary};

vocabulary!(
    /// Where the appointment takes place.
    AppointmentMode, "modalité", {
        InPerson => ("in_person", "À l'unité"),
        Visio => ("visio", "En visio"),
    }
);

vocabulary!(
    AppointmentStatus, "statut du rendez-vous", {
        Booked => ("booked", "Prévu"),
        Cancelled => ("cancelled", "Annulé"),
    }
);

/// Appointments last from 10 minutes to 3 hours.
pub const MIN_MINUTES: i64 = 10;
pub const MAX_MINUTES: i64 = 180;

/// An appointment already booked for the post, as Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    pub id: String,
    pub starts_unix: i64,
    pub ends_unix: i64,
}

/// What is asked: where, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    pub mode: AppointmentMode,
    /// The unit, for an appointment in person.
    pub unit_id: Option<&'a str>,
    pub starts_unix: i64,
    pub ends_unix: i64,
    /// When moving an appointment: itself, which does not conflict with itself.
    pub moving: Option<&'a str>,
}

/// The rules of booking: a future interval of a sensible length; in person, within a
/// presence at that unit that takes place; never over another appointment of the post.
pub fn check_booking(
    request: &Request,
    now_unix: i64,
    presences: &[Occurrence],
    booked: &[Booked],
) -> Result<(), ParseError> {
    let minutes = (request.ends_unix - request.starts_unix) / 60;
    if request.ends_unix <= request.starts_unix {
        return Err(ParseError::new("fin", "la fin doit venir après le début"));
    }
    if !(MIN_MINUTES..=MAX_MINUTES).contains(&minutes) {
        return Err(ParseError::new(
            "durée",
            format!(
                "un rendez-vous dure de {MIN_MINUTES} minutes à {} heures",
                MAX_MINUTES / 60
            ),
        ));
    }
    if request.starts_unix <= now_unix {
        return Err(ParseError::new(
            "date",
            "le rendez-vous doit être dans le futur",
        ));
    }
    if request.mode == AppointmentMode::InPerson {
        let Some(unit) = request.unit_id else {
            return Err(ParseError::new(
                "unité",
                "choisissez l'unité du rendez-vous",
            ));
        };
        let within_presence = presences.iter().any(|p| {
            p.takes_place()
                && p.unit_id == unit
                && p.starts_unix <= request.starts_unix
                && request.ends_unix <= p.ends_unix
        });
        if !within_presence {
            return Err(ParseError::new(
                "horaire",
                "à l'unité, un rendez-vous doit tenir dans une présence de l'intervenant social à cette unité",
            ));
        }
    }
    if booked.iter().any(|other| {
        Some(other.id.as_str()) != request.moving
            && other.starts_unix < request.ends_unix
            && request.starts_unix < other.ends_unix
    }) {
        return Err(ParseError::new(
            "horaire",
            "un autre rendez-vous occupe déjà ce créneau",
        ));
    }
    Ok(())
}

/// The placeholder of the visio room in the provider's address template.
pub const ROOM_PLACEHOLDER: &str = "{salle}";

/// The visio address of a room: the provider's template with its room filled in.
pub fn visio_link(template: &str, room: &str) -> String {
    if template.contains(ROOM_PLACEHOLDER) {
        template.replace(ROOM_PLACEHOLDER, room)
    } else {
        format!("{}/{room}", template.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, time};

    const HOUR: i64 = 3600;
    const NOW: i64 = 1_000_000 * HOUR;

    fn presence(unit: &str, start: i64, end: i64, takes_place: bool) -> Occurrence {
        Occurrence {
            slot_id: "s".into(),
            unit_id: unit.into(),
            date: date!(2026 - 12 - 01),
            start: time!(9:00),
            end: time!(12:00),
            starts_unix: start,
            ends_unix: end,
            skipped: (!takes_place).then_some(crate::presence::Skipped::Holiday("Noël")),
        }
    }

    fn in_person(start: i64, end: i64) -> Request<'static> {
        Request {
            mode: AppointmentMode::InPerson,
            unit_id: Some("brigade"),
            starts_unix: start,
            ends_unix: end,
            moving: None,
        }
    }

    #[test]
    fn in_person_needs_a_presence_at_that_unit() {
        let presences = [presence("brigade", NOW + 10 * HOUR, NOW + 13 * HOUR, true)];
        assert!(
            check_booking(
                &in_person(NOW + 10 * HOUR, NOW + 11 * HOUR),
                NOW,
                &presences,
                &[]
            )
            .is_ok()
        );
        let outside = check_booking(
            &in_person(NOW + 12 * HOUR, NOW + 14 * HOUR),
            NOW,
            &presences,
            &[],
        );
        assert_eq!(outside.unwrap_err().field, "horaire");
        let elsewhere = [presence(
            "commissariat",
            NOW + 10 * HOUR,
            NOW + 13 * HOUR,
            true,
        )];
        assert!(
            check_booking(
                &in_person(NOW + 10 * HOUR, NOW + 11 * HOUR),
                NOW,
                &elsewhere,
                &[]
            )
            .is_err()
        );
        let holiday = [presence("brigade", NOW + 10 * HOUR, NOW + 13 * HOUR, false)];
        assert!(
            check_booking(
                &in_person(NOW + 10 * HOUR, NOW + 11 * HOUR),
                NOW,
                &holiday,
                &[]
            )
            .is_err()
        );
    }

    #[test]
    fn conflicts_are_refused_but_an_appointment_may_move_over_itself() {
        let booked = [Booked {
            id: "a".into(),
            starts_unix: NOW + 10 * HOUR,
            ends_unix: NOW + 11 * HOUR,
        }];
        let visio = |start, end, moving| Request {
            mode: AppointmentMode::Visio,
            unit_id: None,
            starts_unix: start,
            ends_unix: end,
            moving,
        };
        let error = check_booking(
            &visio(NOW + 10 * HOUR + 1800, NOW + 12 * HOUR, None),
            NOW,
            &[],
            &booked,
        )
        .unwrap_err();
        assert!(error.reason.contains("autre rendez-vous"));
        assert!(
            check_booking(
                &visio(NOW + 11 * HOUR, NOW + 12 * HOUR, None),
                NOW,
                &[],
                &booked
            )
            .is_ok()
        );
        assert!(
            check_booking(
                &visio(NOW + 10 * HOUR + 1800, NOW + 11 * HOUR + 1800, Some("a")),
                NOW,
                &[],
                &booked
            )
            .is_ok()
        );
    }

    #[test]
    fn past_backwards_and_endless_appointments_are_refused() {
        let visio = |start, end| Request {
            mode: AppointmentMode::Visio,
            unit_id: None,
            starts_unix: start,
            ends_unix: end,
            moving: None,
        };
        assert_eq!(
            check_booking(&visio(NOW - HOUR, NOW), NOW, &[], &[])
                .unwrap_err()
                .field,
            "date"
        );
        assert_eq!(
            check_booking(&visio(NOW + 2 * HOUR, NOW + HOUR), NOW, &[], &[])
                .unwrap_err()
                .field,
            "fin"
        );
        assert_eq!(
            check_booking(&visio(NOW + HOUR, NOW + 9 * HOUR), NOW, &[], &[])
                .unwrap_err()
                .field,
            "durée"
        );
    }

    #[test]
    fn visio_links_fill_the_room() {
        assert_eq!(
            visio_link("https://visio.numerique.gouv.fr/{salle}", "abc"),
            "https://visio.numerique.gouv.fr/abc"
        );
        assert_eq!(
            visio_link("https://meet.example/", "abc"),
            "https://meet.example/abc"
        );
    }

    proptest! {
        /// Two accepted bookings never overlap: book random requests in turn against those
        /// already accepted.
        #[test]
        fn accepted_bookings_never_overlap(requests in proptest::collection::vec((1i64..200, 1i64..18), 1..40)) {
            let mut booked: Vec<Booked> = Vec::new();
            for (i, (start, length)) in requests.into_iter().enumerate() {
                let request = Request {
                    mode: AppointmentMode::Visio,
                    unit_id: None,
                    starts_unix: NOW + start * 600,
                    ends_unix: NOW + start * 600 + length * 600,
                    moving: None,
                };
                if check_booking(&request, NOW, &[], &booked).is_ok() {
                    booked.push(Booked { id: i.to_string(), starts_unix: request.starts_unix, ends_unix: request.ends_unix });
                }
            }
            for a in &booked {
                for b in &booked {
                    prop_assert!(a.id == b.id || a.ends_unix <= b.starts_unix || b.ends_unix <= a.starts_unix);
                }
            }
        }
    }
}
