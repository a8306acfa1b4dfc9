//! Booking an appointment from a case: the person and the safe contact come from the case
//! (read under the case's journaled read, then sealed in the appointment as every booking's
//! are), the post's free slots are offered first, a free time stays possible. The booking
//! itself is the presence's (`presence::reservation`); its page confirms it.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::paris_today;
use crate::http::error::WebResult;
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::presence::reservation::{Reservation, SlotChoice, free_slot_choices, reserve};
use crate::referral::access::case_for;
use crate::referral::case::person_lines;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Place, Resource};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::presence::appointment::AppointmentMode;
use passerelle_store::journal::read::{Journaled, journal_read};
use passerelle_store::referral::CaseRow;
use passerelle_store::registry::post::PostRow;
use serde::Deserialize;
use time::Duration;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/dossiers/{id}/rendez-vous", booking_form)
        .post("/dossiers/{id}/rendez-vous", book)
}

/// How many free slots the form offers (this week and the next).
const SLOTS_OFFERED: usize = 10;

/// The form as sent; every field may be missing (the checks name it).
#[derive(Deserialize, Default)]
pub struct CaseBookingForm {
    #[serde(default)]
    slot: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    /// The case's person line the appointment is for.
    #[serde(default)]
    person_line: String,
    /// A mark agreed with the person, when the case names nobody.
    #[serde(default)]
    person: String,
    /// Typed only when the case holds no safe contact.
    #[serde(default)]
    safe_contact: String,
    #[serde(default)]
    consent: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/case_appointment.html")]
pub struct CaseBookingPage {
    shell: Shell,
    id: String,
    received: String,
    /// (line id, "Victime : Maëlle Orlanne", name) of the case's named persons.
    persons: Vec<(String, String, String)>,
    safe_contact: Option<String>,
    slots: Vec<SlotChoice>,
    units: Vec<(String, String)>,
    modes: &'static [AppointmentMode],
    typed: CaseBookingForm,
    error: Option<String>,
}

/// The case, its post and the post's schedule place, if the actor works on the case and
/// manages the post's appointments.
async fn case_and_post(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
) -> WebResult<(CaseRow, PostRow, Place)> {
    let (case, post) = case_for(state, auth, id, Action::Manage).await?;
    let (post, place) = crate::presence::post_and_place(state, post.id.as_str()).await?;
    auth.require(Action::Manage, &Resource::Appointments { post: &place })?;
    Ok((case, post, place))
}

/// The journaled read of the case that opens its persons and its safe contact.
async fn read_case(
    state: &AppState,
    auth: &Authenticated,
    post: &PostRow,
    case: &CaseRow,
    ip: Option<&str>,
) -> WebResult<Journaled> {
    let entry = crate::journal::entry::post_entry(
        auth,
        post,
        JournalAction::PersonalDataRead,
        "dossier lu pour prendre un rendez-vous".into(),
        ip,
    )
    .on("case", case.id.as_str());
    Ok(journal_read(&state.db, &post.id, entry).await?)
}

/// The case's named persons and its safe contact, under `read`.
async fn persons_and_contact(
    state: &AppState,
    auth: &Authenticated,
    case: &CaseRow,
    read: &Journaled,
) -> WebResult<(Vec<(String, String, String)>, Option<String>)> {
    let persons = person_lines(state, auth, case.id.as_str(), read)
        .await?
        .into_iter()
        .filter(|line| !line.name.trim().is_empty())
        .map(|line| {
            let label = format!("{} : {}", line.role, line.name);
            (line.line_id, label, line.name)
        })
        .collect();
    let contact = case
        .safe_contact(&state.keys, read)?
        .filter(|text| !text.trim().is_empty());
    Ok((persons, contact))
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    case: &CaseRow,
    post: &PostRow,
    read: &Journaled,
    typed: CaseBookingForm,
    error: Option<String>,
) -> WebResult<CaseBookingPage> {
    let (persons, safe_contact) = persons_and_contact(state, auth, case, read).await?;
    let today = paris_today();
    let until = passerelle_domain::presence::monday_of(today) + Duration::days(13);
    Ok(CaseBookingPage {
        shell: Shell::for_actor("Prendre rendez-vous", auth, csrf)
            .under("Dossiers du poste", "/dossiers")
            .under(
                format!(
                    "Dossier reçu le {}",
                    crate::http::clock::french_day_of(&case.received_at)
                ),
                format!("/dossiers/{}", case.id),
            )
            .at("/dossiers"),
        id: case.id.to_string(),
        received: crate::http::clock::french_day_of(&case.received_at),
        persons,
        safe_contact,
        slots: free_slot_choices(state, post, until, SLOTS_OFFERED).await?,
        units: passerelle_store::registry::post::host_units_of(&state.db, &post.id)
            .await?
            .into_iter()
            .map(|(id, name, _)| (id.into_string(), name))
            .collect(),
        modes: AppointmentMode::ALL,
        typed,
        error,
    })
}

async fn booking_form(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<CaseBookingPage> {
    let (case, post, _) = case_and_post(&state, &auth, &id).await?;
    let read = read_case(&state, &auth, &post, &case, ip.as_deref()).await?;
    form_page(
        &state,
        &auth,
        &csrf,
        &case,
        &post,
        &read,
        CaseBookingForm::default(),
        None,
    )
    .await
}

async fn book(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<CaseBookingForm>,
) -> WebResult<Response> {
    let (case, post, place) = case_and_post(&state, &auth, &id).await?;
    let read = read_case(&state, &auth, &post, &case, ip.as_deref()).await?;
    let (persons, case_contact) = persons_and_contact(&state, &auth, &case, &read).await?;
    let person = match form.person_line.as_str() {
        "" => Ok(form.person.clone()),
        line => persons
            .iter()
            .find(|(id, _, _)| id == line)
            .map(|(_, _, name)| name.clone())
            .ok_or_else(|| "Personne : choisissez une personne du dossier.".to_string()),
    };
    // A free slot chosen stands for its unit, day and hours, at the unit.
    let (mode, unit, date, start, end) = match SlotChoice::fields(&form.slot) {
        Some((unit, date, start, end)) => {
            (AppointmentMode::InPerson.code(), unit, date, start, end)
        }
        None => (
            form.mode.as_str(),
            form.unit.as_str(),
            form.date.as_str(),
            form.start.as_str(),
            form.end.as_str(),
        ),
    };
    let outcome = match &person {
        Err(message) => Err(message.clone()),
        Ok(person) => {
            let reservation = Reservation {
                mode,
                unit,
                date,
                start,
                end,
                person,
                safe_contact: case_contact.as_deref().unwrap_or(&form.safe_contact),
                consent: form.consent.is_some(),
                case_id: Some(case.id.as_str()),
            };
            reserve(&state, &auth, &post, &place, &reservation, ip.as_deref()).await?
        }
    };
    match outcome {
        Ok(appointment) => {
            Ok(Redirect::to(&format!("/rendez-vous/{appointment}?pris=1")).into_response())
        }
        Err(message) => {
            let page = form_page(
                &state,
                &auth,
                &csrf,
                &case,
                &post,
                &read,
                form,
                Some(message),
            )
            .await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
