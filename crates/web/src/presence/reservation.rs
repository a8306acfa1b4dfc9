//! Booking an appointment, as every booking form does it (the unit's desk, the social
//! worker's day, the case): the form's fields checked in words, then the booking checked
//! against the presences and the other appointments in the store's write transaction. Also
//! what the case's pages need from the presence: its free slots and the case's appointments.

use super::appointment::{entry_for, presences_of, when_and_hours};
use crate::AppState;
use crate::http::auth::Authenticated;
use crate::http::clock::{french_date, now_unix};
use crate::http::error::WebResult;
use crate::http::forms::{DateField, read_date};
use passerelle_domain::access::{Place, Scope};
use passerelle_domain::identity::role::Role;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::presence::appointment::{AppointmentMode, Request};
use passerelle_domain::presence::free_slots::free_slots;
use passerelle_domain::presence::{clock_label, instant, parse_clock, time_zone_of_departement};
use passerelle_store::presence::appointment as store_appointment;
use passerelle_store::registry::post::PostRow;
use rand::RngCore;
use time::{Date, Duration};

/// Free text of an appointment stays short: it is a reservation, not a case file.
pub const PERSON_MAX_CHARS: usize = 120;
pub const SAFE_CONTACT_MAX_CHARS: usize = 500;

/// How long an appointment the free slots propose lasts.
pub const SLOT_MINUTES: i64 = 45;

/// What a booking form sends, as typed.
pub struct Reservation<'a> {
    pub mode: &'a str,
    pub unit: &'a str,
    pub date: &'a str,
    pub start: &'a str,
    pub end: &'a str,
    pub person: &'a str,
    pub safe_contact: &'a str,
    pub consent: bool,
    /// The case it is booked from, if any.
    pub case_id: Option<&'a str>,
}

/// Reads the date and hours of a form into instants in the post's time zone.
pub(super) fn read_times(
    date: &str,
    start: &str,
    end: &str,
    zone: &str,
) -> Result<(i64, i64), String> {
    let day = read_date(DateField::Appointment, date)?;
    let start = parse_clock("début", start).map_err(|e| format!("{e}."))?;
    let end = parse_clock("fin", end).map_err(|e| format!("{e}."))?;
    Ok((instant(day, start, zone), instant(day, end, zone)))
}

/// The form's fields, checked: (mode, unit, starts, ends), or the refusal naming the field.
fn checked(
    auth: &Authenticated,
    place: &Place,
    zone: &str,
    form: &Reservation,
) -> Result<(AppointmentMode, Option<String>, i64, i64), String> {
    let mode = AppointmentMode::parse(form.mode).map_err(|e| format!("{e}."))?;
    if !form.consent {
        return Err("Consentement : la personne doit avoir accepté d'être contactée pour qu'un rendez-vous soit pris.".to_string());
    }
    let person = form.person.trim();
    if person.is_empty() || person.chars().count() > PERSON_MAX_CHARS {
        return Err(format!(
            "Personne : de 1 à {PERSON_MAX_CHARS} caractères (un nom, ou un repère convenu avec elle)."
        ));
    }
    let safe_contact = form.safe_contact.trim();
    if safe_contact.is_empty() || safe_contact.chars().count() > SAFE_CONTACT_MAX_CHARS {
        return Err(format!(
            "Contact sécurisé : de 1 à {SAFE_CONTACT_MAX_CHARS} caractères (canal et horaires sûrs, ce qu'il faut éviter)."
        ));
    }
    let unit = match mode {
        AppointmentMode::InPerson => {
            let unit = form.unit.trim();
            if !place.units.iter().any(|u| u == unit) {
                return Err("Unité : elle n'accueille pas ce poste.".to_string());
            }
            // An officer receives the person at their own unit: the unit that booked is
            // the appointment's unit, which the policy reads (`domain::access`).
            if let (Role::Officer, Scope::Unit(own)) =
                (&auth.actor.grant.role, &auth.actor.grant.scope)
                && own != unit
            {
                return Err(
                    "Unité : un rendez-vous en personne se prend dans votre unité.".to_string(),
                );
            }
            Some(unit.to_string())
        }
        AppointmentMode::Visio => None,
    };
    let (starts, ends) = read_times(form.date, form.start, form.end, zone)?;
    Ok((mode, unit, starts, ends))
}

/// Books what the form asks for the post whose appointments the caller may manage (the
/// caller asked the policy): the new appointment's id, or the refusal in words. Nothing is
/// written when it is refused.
pub async fn reserve(
    state: &AppState,
    auth: &Authenticated,
    post: &PostRow,
    place: &Place,
    form: &Reservation<'_>,
    ip: Option<&str>,
) -> WebResult<Result<String, String>> {
    let zone = time_zone_of_departement(post.departement_code.as_str());
    let (mode, unit, starts, ends) = match checked(auth, place, zone, form) {
        Ok(values) => values,
        Err(message) => return Ok(Err(message)),
    };
    let day = crate::http::clock::civil_of(starts, zone).0;
    let appointment_id = uuid::Uuid::now_v7().to_string();
    let room = (mode == AppointmentMode::Visio).then(|| {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    });
    let presences = presences_of(state, post, day, day).await?;
    let new = store_appointment::NewAppointment {
        id: appointment_id.clone(),
        post_id: post.id.as_str(),
        request: Request {
            mode,
            unit_id: unit.as_deref(),
            starts_unix: starts,
            ends_unix: ends,
            moving: None,
        },
        person: form.person.trim(),
        safe_contact: form.safe_contact.trim(),
        visio_room: room,
        booked_by: auth.account.id.as_str(),
        case_id: form.case_id,
    };
    let entry = entry_for(
        auth,
        post,
        JournalAction::AppointmentBooked,
        &appointment_id,
        format!("{} le {}", mode.code(), french_date(day)),
        ip,
    );
    match store_appointment::book(&state.db, &state.keys, &new, now_unix(), &presences, entry).await
    {
        Ok(()) => Ok(Ok(appointment_id)),
        Err(error) => Ok(Err(crate::http::error::refusal(error)?)),
    }
}

/// A free slot as a booking form offers it.
pub struct SlotChoice {
    /// What the radio sends: "date|début|fin|unité".
    pub value: String,
    /// "Mardi 01/12/2026, 9 h 00 – 9 h 45 — Brigade de …".
    pub label: String,
    /// "9 h 00 – 9 h 45 — Brigade de …", for a page of one day.
    pub hours: String,
}

impl SlotChoice {
    /// The (unit, date, start, end) a chosen slot stands for, as a form types them.
    pub fn fields(value: &str) -> Option<(&str, &str, &str, &str)> {
        let mut parts = value.splitn(4, '|');
        let date = parts.next()?;
        let start = parts.next()?;
        let end = parts.next()?;
        let unit = parts.next()?;
        Some((unit, date, start, end))
    }
}

/// The post's free slots from now to `until`, at its host units, first `limit` of them.
pub async fn free_slot_choices(
    state: &AppState,
    post: &PostRow,
    until: Date,
    limit: usize,
) -> WebResult<Vec<SlotChoice>> {
    let today = crate::http::clock::paris_today();
    free_slots_between(state, post, today, until, limit).await
}

/// The post's free slots on the days from `from` to `until` (none before now), first
/// `limit` of them.
pub async fn free_slots_between(
    state: &AppState,
    post: &PostRow,
    from: Date,
    until: Date,
    limit: usize,
) -> WebResult<Vec<SlotChoice>> {
    let zone = time_zone_of_departement(post.departement_code.as_str());
    let today = from;
    let presences = presences_of(state, post, today, until).await?;
    let booked = store_appointment::booked_of_post(
        &state.db,
        post.id.as_str(),
        instant(today, time::Time::MIDNIGHT, zone),
        instant(until + Duration::days(1), time::Time::MIDNIGHT, zone),
    )
    .await?;
    let hosts = passerelle_store::registry::post::host_units_of(&state.db, &post.id).await?;
    let clock = |t: time::Time| format!("{:02}:{:02}", t.hour(), t.minute());
    Ok(free_slots(&presences, &booked, now_unix(), SLOT_MINUTES)
        .into_iter()
        .take(limit)
        .map(|slot| {
            let unit = hosts
                .iter()
                .find(|(id, _, _)| id.as_str() == slot.unit_id)
                .map(|(_, name, _)| name.clone())
                .unwrap_or_default();
            SlotChoice {
                value: format!(
                    "{}|{}|{}|{}",
                    passerelle_store::db::time_text::date_to_text(slot.date),
                    clock(slot.start),
                    clock(slot.end),
                    slot.unit_id
                ),
                label: format!(
                    "{} {}, {} – {} — {unit}",
                    passerelle_domain::presence::weekday_label(slot.date.weekday()),
                    french_date(slot.date),
                    clock_label(slot.start),
                    clock_label(slot.end)
                ),
                hours: format!(
                    "{} – {} — {unit}",
                    clock_label(slot.start),
                    clock_label(slot.end)
                ),
            }
        })
        .collect())
}

/// An appointment of a case, as the case page lists it: no person (the case names them).
pub struct CaseAppointment {
    pub id: String,
    pub when: String,
    pub hours: String,
    pub place: String,
}

/// The case's appointments still to come, booked from it.
pub async fn case_appointments(
    state: &AppState,
    case_id: &str,
    departement: &str,
) -> WebResult<Vec<CaseAppointment>> {
    let zone = time_zone_of_departement(departement);
    store_appointment::of_case(&state.db, case_id, now_unix())
        .await?
        .into_iter()
        .map(|row| {
            let (when, hours) = when_and_hours(&row.starts_at, &row.ends_at, zone)?;
            Ok(CaseAppointment {
                id: row.id,
                when,
                hours,
                place: match &row.unit_name {
                    Some(unit) => format!("{} — {unit}", row.mode.label()),
                    None => row.mode.label().to_string(),
                },
            })
        })
        .collect()
}
