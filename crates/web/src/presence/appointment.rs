//! Appointments with the social worker (at the unit during a presence, or by visio) and the
//! social worker's private calendar feed. Nothing here contacts the person: the pages show
//! the safe-contact instructions to whoever will.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::{french_date, french_date_time, now_unix, paris_today};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::{DateField, FrenchForm, parse_date, read_date};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Place, Resource, Scope};
use passerelle_domain::presence::appointment::{AppointmentMode, Request, visio_link};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::presence::{
    Occurrence, instant, occurrences, parse_clock, time_zone_of_departement,
};
use passerelle_domain::identity::role::Role;
use passerelle_store::presence::appointment::{
    self as store_appointment, AppointmentRow, text_to_unix,
};
use passerelle_store::journal::Entry;
use passerelle_store::registry::post::{self as store_post, PostRow};
use passerelle_store::presence as store_presence;
use rand::RngCore;
use serde::Deserialize;
use time::{Date, Duration};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/postes/{id}/rendez-vous", day_list)
        .post("/postes/{id}/rendez-vous", book)
        .get("/rendez-vous", booking_desk)
        .get("/rendez-vous/{id}", show)
        .post("/rendez-vous/{id}/annuler", cancel)
        .post("/rendez-vous/{id}/deplacer", move_appointment)
        .post("/compte/agenda", issue_feed)
        .post("/compte/agenda/revoquer", revoke_feed)
        .get("/agenda/{token}", personal_feed)
}

/// Free text of an appointment stays short: it is a reservation, not a case file.
const PERSON_MAX_CHARS: usize = 120;
const SAFE_CONTACT_MAX_CHARS: usize = 500;

async fn post_and_place(state: &AppState, id: &str) -> WebResult<(PostRow, Place)> {
    let post = store_post::find(&state.db, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let place = store_presence::schedule_place(&state.db, &post).await?;
    Ok((post, place))
}

/// The presences of a post on the days from `from` to `until`.
async fn presences_of(
    state: &AppState,
    post: &PostRow,
    from: Date,
    until: Date,
) -> WebResult<Vec<Occurrence>> {
    let slots = store_presence::slots_of(&state.db, &post.id).await?;
    let absences = store_presence::absences_of(&state.db, &post.id, from).await?;
    Ok(occurrences(
        &slots,
        &absences,
        &post.departement_code,
        from,
        until,
    ))
}

fn entry_for(
    auth: &Authenticated,
    post: &PostRow,
    action: JournalAction,
    appointment_id: &str,
    detail: String,
    ip: Option<&str>,
) -> Entry {
    crate::journal::entry::post_entry(auth, post, action, detail, ip)
        .on("appointment", appointment_id)
}

/// An appointment as a page line.
pub struct AppointmentLine {
    pub id: String,
    pub when: String,
    pub hours: String,
    pub mode: &'static str,
    pub place: String,
    pub person: String,
    pub safe_contact: String,
    pub visio_url: Option<String>,
    pub booked_by: String,
}

fn line(state: &AppState, row: &AppointmentRow, zone: &str) -> WebResult<AppointmentLine> {
    let starts = text_to_unix(&row.starts_at)?;
    let ends = text_to_unix(&row.ends_at)?;
    let (_, end_clock) = crate::http::clock::civil_of(ends, zone);
    Ok(AppointmentLine {
        id: row.id.clone(),
        when: {
            let (date, _) = crate::http::clock::civil_of(starts, zone);
            format!(
                "{} {}",
                passerelle_domain::presence::weekday_label(date.weekday()).to_lowercase(),
                french_date(date)
            )
        },
        hours: format!(
            "{} – {}",
            passerelle_domain::presence::clock_label(crate::http::clock::civil_of(starts, zone).1),
            passerelle_domain::presence::clock_label(end_clock)
        ),
        mode: row.mode().label(),
        place: row.unit_name.clone().unwrap_or_default(),
        person: row.person(&state.keys)?,
        safe_contact: row.safe_contact(&state.keys)?,
        visio_url: row
            .visio_room
            .as_deref()
            .map(|room| visio_link(&state.config.visio_url_template, room)),
        booked_by: row.booked_by_name.clone(),
    })
}

// ---------------------------------------------------------------------------------------
// The social worker's day

#[derive(Deserialize, Default)]
pub struct DayQuery {
    jour: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/appointments_day.html")]
pub struct DayPage {
    shell: Shell,
    post_id: String,
    post_code: String,
    day: String,
    previous: String,
    next: String,
    presences: Vec<crate::presence::DayLine>,
    appointments: Vec<AppointmentLine>,
    form: BookingFormView,
    error: Option<String>,
}

/// What the booking form needs: the units, the modes, and the values typed.
pub struct BookingFormView {
    /// Makes the form's element ids unique on a page that holds several forms.
    pub prefix: String,
    pub action: String,
    pub units: Vec<(String, String)>,
    pub modes: &'static [AppointmentMode],
    pub date: String,
}

async fn day_view(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    day: Date,
    error: Option<String>,
) -> WebResult<DayPage> {
    let (post, place) = post_and_place(state, id).await?;
    auth.require(Action::View, &Resource::Appointments { post: &place })?;
    let zone = time_zone_of_departement(&post.departement_code);
    let from = instant(day, time::Time::MIDNIGHT, zone);
    let to = instant(day + Duration::days(1), time::Time::MIDNIGHT, zone);
    let rows = store_appointment::of_post_between(&state.db, &post.id, from, to).await?;
    if !rows.is_empty() {
        store_appointment::record_read(
            &state.db,
            crate::journal::entry::post_entry(
                auth,
                &post,
                JournalAction::PersonalDataRead,
                format!("rendez-vous du {}", french_date(day)),
                None,
            ),
        )
        .await?;
    }
    let appointments = rows
        .iter()
        .map(|row| line(state, row, zone))
        .collect::<WebResult<Vec<_>>>()?;
    let hosts: Vec<(String, String)> = store_post::host_units_of(&state.db, &post.id)
        .await?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect();
    let found = presences_of(state, &post, day, day).await?;
    let presences = found
        .iter()
        .map(|o| crate::presence::DayLine {
            label: hosts
                .iter()
                .find(|(id, _)| *id == o.unit_id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            hours: format!(
                "{} – {}",
                passerelle_domain::presence::clock_label(o.start),
                passerelle_domain::presence::clock_label(o.end)
            ),
            takes_place: o.takes_place(),
            unit: o.skipped.map(|s| s.label().to_string()).unwrap_or_default(),
        })
        .collect();
    Ok(DayPage {
        shell: Shell::for_actor(&format!("Rendez-vous du {}", french_date(day)), auth, csrf)
            .at("/rendez-vous"),
        day: french_date(day),
        previous: passerelle_store::db::time_text::date_to_text(day - Duration::days(1)),
        next: passerelle_store::db::time_text::date_to_text(day + Duration::days(1)),
        presences,
        appointments,
        form: BookingFormView {
            prefix: "jour".into(),
            action: format!("/postes/{}/rendez-vous", post.id),
            units: hosts,
            modes: AppointmentMode::ALL,
            date: passerelle_store::db::time_text::date_to_text(day),
        },
        error,
        post_id: post.id,
        post_code: post.code,
    })
}

async fn day_list(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<DayQuery>,
) -> WebResult<DayPage> {
    let day = match query.jour.as_deref() {
        None | Some("") => paris_today(),
        Some(text) => parse_date("jour", text)?,
    };
    day_view(&state, &auth, &csrf, &id, day, None).await
}

// ---------------------------------------------------------------------------------------
// The officer's booking desk

#[derive(Template, WebTemplate)]
#[template(path = "presence/booking.html")]
pub struct BookingPage {
    shell: Shell,
    unit_name: String,
    unit_id: String,
    /// (post code, form) for each post serving the unit.
    forms: Vec<(String, BookingFormView)>,
    presences: Vec<String>,
    own: Vec<AppointmentLine>,
    error: Option<String>,
}

async fn desk_view(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    error: Option<String>,
) -> WebResult<Response> {
    let unit_id = match (&auth.actor.grant.role, &auth.actor.grant.scope) {
        (Role::Officer, Scope::Unit(unit)) => unit.clone(),
        // The social worker books from their day list.
        (Role::SocialWorker, Scope::Post(post)) => {
            return Ok(Redirect::to(&format!("/postes/{post}/rendez-vous")).into_response());
        }
        _ => return Err(WebError::Forbidden),
    };
    let unit = passerelle_store::registry::unit::find_unit(&state.db, &unit_id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let today = paris_today();
    let mut forms = Vec::new();
    let mut presences = Vec::new();
    let now = now_unix();
    for serving in store_presence::posts_serving(&state.db, &unit_id).await? {
        let (post, place) = post_and_place(state, &serving.id).await?;
        if !passerelle_domain::access::decide(
            &auth.actor,
            Action::Manage,
            &Resource::Appointments { post: &place },
        )
        .is_allowed()
        {
            continue;
        }
        let zone = time_zone_of_departement(&post.departement_code);
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
                units: vec![(unit.id.clone(), unit.name.clone())],
                modes: AppointmentMode::ALL,
                date: String::new(),
            },
        ));
    }
    let own_rows = store_appointment::booked_by(&state.db, &auth.account.id, now).await?;
    let own = own_rows
        .iter()
        .map(|row| line(state, row, passerelle_domain::presence::PARIS))
        .collect::<WebResult<Vec<_>>>()?;
    let page = BookingPage {
        shell: Shell::for_actor("Prendre rendez-vous avec l'intervenant social", auth, csrf)
            .at("/rendez-vous"),
        unit_name: unit.name,
        unit_id: unit.id,
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
) -> WebResult<Response> {
    desk_view(&state, &auth, &csrf, None).await
}

// ---------------------------------------------------------------------------------------
// Booking, moving, cancelling

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

/// Reads the date and hours of a form into instants in the post's time zone.
fn read_times(date: &str, start: &str, end: &str, zone: &str) -> Result<(i64, i64), String> {
    let day = read_date(DateField::Appointment, date)?;
    let start = parse_clock("début", start).map_err(|e| format!("{e}."))?;
    let end = parse_clock("fin", end).map_err(|e| format!("{e}."))?;
    Ok((instant(day, start, zone), instant(day, end, zone)))
}

async fn refuse_booking(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    post_id: &str,
    day: Date,
    message: String,
) -> WebResult<Response> {
    if auth.role() == Role::Officer {
        return desk_view(state, auth, csrf, Some(message)).await;
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
    let zone = time_zone_of_departement(&post.departement_code);
    let day = parse_date("date", &form.date).unwrap_or_else(|_| paris_today());
    let person = form.person.trim();
    let safe_contact = form.safe_contact.trim();
    let checked = (|| {
        let mode = AppointmentMode::parse(&form.mode).map_err(|e| format!("{e}."))?;
        if form.consent.is_none() {
            return Err("Consentement : la personne doit avoir accepté d'être contactée pour qu'un rendez-vous soit pris.".to_string());
        }
        if person.is_empty() || person.chars().count() > PERSON_MAX_CHARS {
            return Err(format!(
                "Personne : de 1 à {PERSON_MAX_CHARS} caractères (un nom, ou un repère convenu avec elle)."
            ));
        }
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
                Some(unit.to_string())
            }
            AppointmentMode::Visio => None,
        };
        let (starts, ends) = read_times(&form.date, &form.start, &form.end, zone)?;
        Ok((mode, unit, starts, ends))
    })();
    let (mode, unit, starts, ends) = match checked {
        Ok(values) => values,
        Err(message) => return refuse_booking(&state, &auth, &csrf, &id, day, message).await,
    };
    let appointment_id = uuid::Uuid::now_v7().to_string();
    let room = (mode == AppointmentMode::Visio).then(|| {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    });
    let presences = presences_of(&state, &post, day, day).await?;
    let new = store_appointment::NewAppointment {
        id: appointment_id.clone(),
        post_id: &post.id,
        request: Request {
            mode,
            unit_id: unit.as_deref(),
            starts_unix: starts,
            ends_unix: ends,
            moving: None,
        },
        person,
        safe_contact,
        visio_room: room,
        booked_by: &auth.account.id,
    };
    let entry = entry_for(
        &auth,
        &post,
        JournalAction::AppointmentBooked,
        &appointment_id,
        format!("{} le {}", mode.code(), french_date(day)),
        ip.as_deref(),
    );
    match store_appointment::book(&state.db, &state.keys, &new, now_unix(), &presences, entry).await
    {
        Ok(()) => Ok(Redirect::to(&format!("/rendez-vous/{appointment_id}")).into_response()),
        Err(error) => {
            let message = crate::http::error::refusal(error)?;
            refuse_booking(&state, &auth, &csrf, &id, day, message).await
        }
    }
}

/// Loads an appointment and its post for an action, with the policy's answer.
async fn appointment_for(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
    action: Action,
) -> WebResult<(AppointmentRow, PostRow)> {
    let row = store_appointment::find(&state.db, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let (post, place) = post_and_place(state, &row.post_id).await?;
    auth.require(
        action,
        &Resource::Appointment {
            post: &place,
            booked_by: &row.booked_by,
        },
    )?;
    Ok((row, post))
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/appointment.html")]
pub struct AppointmentPage {
    shell: Shell,
    appointment: AppointmentLine,
    booked: bool,
    date_iso: String,
    back: String,
    error: Option<String>,
}

async fn appointment_view(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    error: Option<String>,
    ip: Option<&str>,
) -> WebResult<AppointmentPage> {
    let (row, post) = appointment_for(state, auth, id, Action::View).await?;
    let zone = time_zone_of_departement(&post.departement_code);
    store_appointment::record_read(
        &state.db,
        entry_for(
            auth,
            &post,
            JournalAction::PersonalDataRead,
            &row.id,
            "rendez-vous consulté".into(),
            ip,
        ),
    )
    .await?;
    let (date, _) = crate::http::clock::civil_of(text_to_unix(&row.starts_at)?, zone);
    Ok(AppointmentPage {
        shell: Shell::for_actor("Rendez-vous", auth, csrf).at("/rendez-vous"),
        appointment: line(state, &row, zone)?,
        booked: row.is_booked(),
        date_iso: passerelle_store::db::time_text::date_to_text(date),
        back: if auth.role() == Role::SocialWorker {
            format!(
                "/postes/{}/rendez-vous?jour={}",
                post.id,
                passerelle_store::db::time_text::date_to_text(date)
            )
        } else {
            "/rendez-vous".into()
        },
        error,
    })
}

async fn show(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<AppointmentPage> {
    appointment_view(&state, &auth, &csrf, &id, None, ip.as_deref()).await
}

async fn cancel(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (row, post) = appointment_for(&state, &auth, &id, Action::Manage).await?;
    let entry = entry_for(
        &auth,
        &post,
        JournalAction::AppointmentCancelled,
        &row.id,
        "annulé".into(),
        ip.as_deref(),
    );
    if !store_appointment::cancel(&state.db, &row.id, entry).await? {
        return Err(WebError::BadRequest(
            "Rendez-vous : il est déjà annulé.".into(),
        ));
    }
    Ok(Redirect::to(&format!("/rendez-vous/{}", row.id)).into_response())
}

#[derive(Deserialize)]
pub struct MoveForm {
    date: String,
    start: String,
    end: String,
}

async fn move_appointment(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<MoveForm>,
) -> WebResult<Response> {
    let (row, post) = appointment_for(&state, &auth, &id, Action::Manage).await?;
    let refuse = |message: String| async {
        let page =
            appointment_view(&state, &auth, &csrf, &id, Some(message), ip.as_deref()).await?;
        Ok::<_, WebError>((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    if !row.is_booked() {
        return refuse("Rendez-vous : il est annulé ; prenez-en un nouveau.".into()).await;
    }
    let zone = time_zone_of_departement(&post.departement_code);
    let (starts, ends) = match read_times(&form.date, &form.start, &form.end, zone) {
        Ok(times) => times,
        Err(message) => return refuse(message).await,
    };
    let day = crate::http::clock::civil_of(starts, zone).0;
    let presences = presences_of(&state, &post, day, day).await?;
    let request = Request {
        mode: row.mode(),
        unit_id: row.unit_id.as_deref(),
        starts_unix: starts,
        ends_unix: ends,
        moving: Some(&row.id),
    };
    let entry = entry_for(
        &auth,
        &post,
        JournalAction::AppointmentMoved,
        &row.id,
        format!("déplacé au {}", french_date(day)),
        ip.as_deref(),
    );
    match store_appointment::move_to(&state.db, &post.id, &request, now_unix(), &presences, entry)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/rendez-vous/{}", row.id)).into_response()),
        Err(error) => {
            let message = crate::http::error::refusal(error)?;
            refuse(message).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// Calendar feeds

/// The feed section of the schedule page.
pub struct FeedView {
    pub since: String,
    pub show_names: bool,
}

pub(crate) async fn feed_view(state: &AppState, account_id: &str) -> WebResult<Option<FeedView>> {
    Ok(store_appointment::active_feed(&state.db, account_id)
        .await?
        .map(|feed| FeedView {
            since: feed
                .created_at
                .get(..10)
                .and_then(|d| passerelle_store::db::time_text::text_to_date(d).ok())
                .map(french_date)
                .unwrap_or_default(),
            show_names: feed.show_names == 1,
        }))
}

/// An iCalendar answer.
pub fn ics_response(name: &str, events: &[passerelle_documents::calendar::FeedEvent]) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        passerelle_documents::calendar::feed(name, events, now_unix()),
    )
        .into_response()
}

fn own_post(auth: &Authenticated) -> WebResult<String> {
    auth.require(Action::Manage, &Resource::OwnCalendar)?;
    match &auth.actor.grant.scope {
        Scope::Post(post) => Ok(post.clone()),
        _ => Err(WebError::Forbidden),
    }
}

#[derive(Deserialize)]
pub struct FeedForm {
    #[serde(default)]
    show_names: Option<String>,
}

async fn issue_feed(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(form): FrenchForm<FeedForm>,
) -> WebResult<Response> {
    let post_id = own_post(&auth)?;
    let entry = crate::journal::entry::own_event(
        JournalAction::CalendarFeedIssued,
        &auth.account.id,
        ip.as_deref(),
        None,
    );
    let token = store_appointment::issue_feed(
        &state.db,
        &auth.account.id,
        &post_id,
        form.show_names.is_some(),
        entry,
    )
    .await?;
    let url = format!(
        "{}/agenda/{token}.ics",
        state.config.public_url.trim_end_matches('/')
    );
    // The address is shown once: only its hash is kept.
    let page =
        crate::presence::schedule_view(&state, &auth, &csrf, &post_id, None, Some(url)).await?;
    Ok(page.into_response())
}

async fn revoke_feed(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
) -> WebResult<Response> {
    let post_id = own_post(&auth)?;
    let entry = crate::journal::entry::own_event(
        JournalAction::CalendarFeedRevoked,
        &auth.account.id,
        ip.as_deref(),
        None,
    );
    store_appointment::revoke_feeds(&state.db, &auth.account.id, entry).await?;
    Ok(Redirect::to(&format!("/postes/{post_id}/presence")).into_response())
}

/// The private feed of a social worker: the post's presences and appointments, from a week
/// ago to eight weeks ahead. The token is the credential; an unknown or revoked one is absent.
async fn personal_feed(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    let token = token.trim_end_matches(".ics");
    let feed = store_appointment::feed_by_token(&state.db, token)
        .await?
        .ok_or(WebError::NotFound)?;
    let post = store_post::find(&state.db, &feed.post_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let today = paris_today();
    let from = today - Duration::days(7);
    let until = today + Duration::weeks(8);
    let zone = time_zone_of_departement(&post.departement_code);
    let hosts = store_post::host_units_of(&state.db, &post.id).await?;
    let unit_name = |unit_id: &str| {
        hosts
            .iter()
            .find(|(id, _, _)| id == unit_id)
            .map(|(_, n, _)| n.clone())
            .unwrap_or_default()
    };
    let mut events: Vec<passerelle_documents::calendar::FeedEvent> =
        presences_of(&state, &post, from, until)
            .await?
            .iter()
            .filter(|o| o.takes_place())
            .map(|o| {
                crate::presence::presence_event(o, &unit_name(&o.unit_id), &state.config.public_url)
            })
            .collect();
    let rows = store_appointment::of_post_between(
        &state.db,
        &post.id,
        instant(from, time::Time::MIDNIGHT, zone),
        instant(until, time::Time::MIDNIGHT, zone),
    )
    .await?;
    let show_names = feed.show_names == 1;
    for row in &rows {
        let place = row.unit_name.clone().unwrap_or_else(|| "visio".into());
        events.push(passerelle_documents::calendar::FeedEvent {
            uid: format!("rendez-vous-{}@passerelle", row.id),
            starts_unix: text_to_unix(&row.starts_at)?,
            ends_unix: text_to_unix(&row.ends_at)?,
            summary: if show_names {
                format!("Rendez-vous — {}", row.person(&state.keys)?)
            } else {
                format!("Rendez-vous ({})", row.mode().label().to_lowercase())
            },
            location: Some(place),
            description: row
                .visio_room
                .as_deref()
                .map(|room| visio_link(&state.config.visio_url_template, room)),
            url: Some(format!(
                "{}/rendez-vous/{}",
                state.config.public_url.trim_end_matches('/'),
                row.id
            )),
        });
    }
    if show_names && !rows.is_empty() {
        store_appointment::record_read(
            &state.db,
            Entry::new(JournalAction::PersonalDataRead)
                .by(&feed.account_id, Some(Role::SocialWorker.code()))
                .on("calendar_feed", &feed.id)
                .detail(format!("agenda privé : {} rendez-vous", rows.len()))
                .in_employer(Some(&post.employer_id))
                .in_post(Some(&post.id)),
        )
        .await?;
    }
    events.sort_by_key(|e| e.starts_unix);
    Ok(ics_response(
        &format!("Passerelle — poste {}", post.code),
        &events,
    ))
}
