//! Booking an appointment: the officer's desk (the posts serving their unit, their next
//! presences, the appointments the officer booked) and the booking itself, checked against
//! the presences and the other appointments in the store's write transaction.
//!
//! The officer's own bookings show their day, hours, mode, place and status; the person's
//! name only where the policy lets the officer read that appointment (from the unit that
//! booked it, until it ends: `domain::access`), each name unsealed with its journal row.

use super::appointment::{BookingFormView, entry_for, presences_of, when_and_hours};
use super::appointments_day::day_view;
use super::post_and_place;
use super::reservation::{Reservation, reserve};
use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::{french_date_time, now_unix, paris_today};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::{FrenchForm, parse_date};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource, Scope};
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::UnitId;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::presence::appointment::AppointmentMode;
use passerelle_domain::presence::time_zone_of_departement;
use passerelle_store::presence as store_presence;
use passerelle_store::presence::appointment as store_appointment;
use serde::Deserialize;
use time::{Date, Duration};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/postes/{id}/rendez-vous", book)
        .get("/rendez-vous", booking_desk)
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/booking.html")]
pub struct BookingPage {
    shell: Shell,
    unit_name: String,
    unit_id: String,
    /// (post code, form) for each post serving the unit.
    forms: Vec<(String, BookingFormView)>,
    presences: Vec<String>,
    own: Vec<OwnBooking>,
    error: Option<String>,
}

/// One appointment the officer booked, as their desk lists it.
pub struct OwnBooking {
    id: String,
    when: String,
    hours: String,
    mode: &'static str,
    place: String,
    status: &'static str,
    /// The person, where the policy lets the officer read the appointment (then its page
    /// opens too).
    person: Option<String>,
}

/// The appointments the officer booked that have not ended, each named only if the policy
/// allows the officer to read it; every name unsealed leaves its journal row in the post's
/// journal.
async fn own_bookings(
    state: &AppState,
    auth: &Authenticated,
    now: i64,
    ip: Option<&str>,
) -> WebResult<Vec<OwnBooking>> {
    let mut own = Vec::new();
    for row in store_appointment::booked_by(&state.db, auth.account.id.as_str(), now).await? {
        let (post, place) = post_and_place(state, row.post_id.as_str()).await?;
        let readable = passerelle_domain::access::decide(
            &auth.actor,
            Action::View,
            &Resource::Appointment {
                post: &place,
                booked_by: &auth.account.id,
                unit: row.unit_id.as_ref(),
                ended: store_appointment::text_to_unix(&row.ends_at)? <= now,
            },
        )
        .is_allowed();
        let person = if readable {
            let entry = entry_for(
                auth,
                &post,
                JournalAction::PersonalDataRead,
                &row.id,
                "rendez-vous pris, nom affiché au bureau de l'unité".into(),
                ip,
            );
            store_appointment::person_of(&state.db, &state.keys, &row.id, entry).await?
        } else {
            None
        };
        let (when, hours) = when_and_hours(
            &row.starts_at,
            &row.ends_at,
            time_zone_of_departement(post.departement_code.as_str()),
        )?;
        own.push(OwnBooking {
            mode: row.mode.label(),
            place: row.unit_name.clone().unwrap_or_default(),
            status: row.status.label(),
            id: row.id,
            when,
            hours,
            person,
        });
    }
    Ok(own)
}

async fn desk_view(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    error: Option<String>,
    ip: Option<&str>,
) -> WebResult<Response> {
    let unit_id = match (&auth.actor.grant.role, &auth.actor.grant.scope) {
        // The social worker books from their week (which asks the policy).
        (Role::SocialWorker, Scope::Post(post)) => {
            return Ok(Redirect::to(&format!("/postes/{post}/rendez-vous/semaine")).into_response());
        }
        (_, Scope::Unit(unit)) => unit.clone(),
        (_, Scope::Post(_) | Scope::Employer(_) | Scope::Departement(_) | Scope::Nation) => {
            UnitId::new("")
        }
    };
    auth.require(Action::View, &Resource::BookingDesk { unit: &unit_id })?;
    let unit = passerelle_store::registry::unit::find_unit(&state.db, unit_id.as_str())
        .await?
        .ok_or(WebError::Forbidden)?;
    let today = paris_today();
    let mut forms = Vec::new();
    let mut presences = Vec::new();
    let now = now_unix();
    for serving in store_presence::posts_serving(&state.db, unit_id.as_str()).await? {
        let (post, place) = post_and_place(state, serving.id.as_str()).await?;
        if !passerelle_domain::access::decide(
            &auth.actor,
            Action::Manage,
            &Resource::Appointments { post: &place },
        )
        .is_allowed()
        {
            continue;
        }
        let zone = time_zone_of_departement(post.departement_code.as_str());
        for o in presences_of(state, &post, today, today + Duration::days(20))
            .await?
            .iter()
            .filter(|o| o.takes_place() && o.unit_id == unit_id && o.ends_unix > now)
            .take(6)
        {
            presences.push(format!(
                "{} – {}",
                french_date_time(o.starts_unix, zone),
                passerelle_domain::presence::clock_label(o.end)
            ));
        }
        forms.push((
            post.code.clone(),
            BookingFormView {
                prefix: format!("poste{}", forms.len() + 1),
                action: format!("/postes/{}/rendez-vous", post.id),
                units: vec![(unit.id.clone().to_string(), unit.name.clone())],
                modes: AppointmentMode::ALL,
                date: String::new(),
            },
        ));
    }
    let own = own_bookings(state, auth, now, ip).await?;
    let page = BookingPage {
        shell: Shell::for_actor("Prendre rendez-vous avec l'intervenant social", auth, csrf)
            .at("/rendez-vous"),
        unit_name: unit.name,
        unit_id: unit.id.to_string(),
        forms,
        presences,
        own,
        error: error.clone(),
    };
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, page).into_response())
}

async fn booking_desk(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
) -> WebResult<Response> {
    desk_view(&state, &auth, &csrf, None, ip.as_deref()).await
}

#[derive(Deserialize)]
pub struct BookingForm {
    mode: String,
    #[serde(default)]
    unit: String,
    date: String,
    start: String,
    end: String,
    person: String,
    safe_contact: String,
    #[serde(default)]
    consent: Option<String>,
}

async fn refuse_booking(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    post_id: &str,
    day: Date,
    message: String,
    ip: Option<&str>,
) -> WebResult<Response> {
    if auth.role() == Role::Officer {
        return desk_view(state, auth, csrf, Some(message), ip).await;
    }
    let page = day_view(state, auth, csrf, post_id, day, Some(message)).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn book(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<BookingForm>,
) -> WebResult<Response> {
    let (post, place) = post_and_place(&state, &id).await?;
    auth.require(Action::Manage, &Resource::Appointments { post: &place })?;
    let day = parse_date("date", &form.date).unwrap_or_else(|_| paris_today());
    let reservation = Reservation {
        mode: &form.mode,
        unit: &form.unit,
        date: &form.date,
        start: &form.start,
        end: &form.end,
        person: &form.person,
        safe_contact: &form.safe_contact,
        consent: form.consent.is_some(),
        case_id: None,
    };
    match reserve(&state, &auth, &post, &place, &reservation, ip.as_deref()).await? {
        Ok(appointment_id) => {
            Ok(Redirect::to(&format!("/rendez-vous/{appointment_id}?pris=1")).into_response())
        }
        Err(message) => {
            refuse_booking(&state, &auth, &csrf, &id, day, message, ip.as_deref()).await
        }
    }
}
