//! One appointment: its page (a journalled read of personal data), cancelling it, and moving
//! it to other hours, checked again against the presences and the other appointments.

use super::appointment::{AppointmentLine, entry_for, line, presences_of};
use super::post_and_place;
use super::reservation::read_times;
use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::{french_date, now_unix};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::AccountId;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::presence::appointment::Request;
use passerelle_domain::presence::time_zone_of_departement;
use passerelle_store::presence::appointment::{
    self as store_appointment, AppointmentRow, text_to_unix,
};
use passerelle_store::registry::post::PostRow;
use serde::Deserialize;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/rendez-vous/{id}", show)
        .post("/rendez-vous/{id}/annuler", cancel)
        .post("/rendez-vous/{id}/deplacer", move_appointment)
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
    let (post, place) = post_and_place(state, row.post_id.as_str()).await?;
    auth.require(
        action,
        &Resource::Appointment {
            post: &place,
            booked_by: &AccountId::new(&row.booked_by),
            unit: row.unit_id.as_ref(),
            ended: text_to_unix(&row.ends_at)? <= now_unix(),
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
    /// The current hours, as the « Déplacer » form starts from them ("hh:mm").
    start_clock: String,
    end_clock: String,
    back: String,
    /// Just booked: the confirmation says so, with the way back to the case and the week.
    confirmed: bool,
    case_link: Option<String>,
    week_link: Option<String>,
    error: Option<String>,
}

/// After a booking, its page confirms it (`?pris=1`).
#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    pris: String,
}

async fn appointment_view(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    error: Option<String>,
    confirmed: bool,
    ip: Option<&str>,
) -> WebResult<AppointmentPage> {
    let (row, post) = appointment_for(state, auth, id, Action::View).await?;
    let zone = time_zone_of_departement(post.departement_code.as_str());
    let read = store_appointment::record_read(
        &state.db,
        &post.id,
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
    let (date, start) = crate::http::clock::civil_of(text_to_unix(&row.starts_at)?, zone);
    let (_, end) = crate::http::clock::civil_of(text_to_unix(&row.ends_at)?, zone);
    let clock = |t: time::Time| format!("{:02}:{:02}", t.hour(), t.minute());
    let social_worker = auth.role() == Role::SocialWorker;
    let date_iso = passerelle_store::db::time_text::date_to_text(date);
    let appointment = line(state, &row, zone, &read)?;
    let back = if social_worker {
        format!("/postes/{}/rendez-vous?jour={date_iso}", post.id)
    } else {
        "/rendez-vous".into()
    };
    // The case's page and the week are the post's social workers' (`domain::access`).
    let case_link = row
        .case_id
        .as_ref()
        .filter(|_| social_worker)
        .map(|case| format!("/dossiers/{case}"));
    let week_link = social_worker
        .then(|| format!("/postes/{}/rendez-vous/semaine?semaine={date_iso}", post.id));
    let mut shell = Shell::for_actor("Rendez-vous", auth, csrf).at("/rendez-vous");
    if let Some(case) = &case_link {
        shell = shell.under("Dossier", case.as_str());
    }
    let shell = shell
        .under("Rendez-vous", week_link.as_deref().unwrap_or(&back))
        .here(appointment.when.as_str());
    Ok(AppointmentPage {
        shell,
        appointment,
        booked: row.is_booked(),
        start_clock: clock(start),
        end_clock: clock(end),
        back,
        confirmed: confirmed && row.is_booked(),
        case_link,
        week_link,
        date_iso,
        error,
    })
}

async fn show(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<ShowQuery>,
) -> WebResult<AppointmentPage> {
    let confirmed = query.pris == "1";
    appointment_view(&state, &auth, &csrf, &id, None, confirmed, ip.as_deref()).await
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
        let page = appointment_view(
            &state,
            &auth,
            &csrf,
            &id,
            Some(message),
            false,
            ip.as_deref(),
        )
        .await?;
        Ok::<_, WebError>((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    if !row.is_booked() {
        return refuse("Rendez-vous : il est annulé ; prenez-en un nouveau.".into()).await;
    }
    let zone = time_zone_of_departement(post.departement_code.as_str());
    let (starts, ends) = match read_times(&form.date, &form.start, &form.end, zone) {
        Ok(times) => times,
        Err(message) => return refuse(message).await,
    };
    let day = crate::http::clock::civil_of(starts, zone).0;
    let presences = presences_of(&state, &post, day, day).await?;
    let request = Request {
        mode: row.mode,
        unit_id: row.unit_id.as_ref().map(|id| id.as_str()),
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
    match store_appointment::move_to(
        &state.db,
        post.id.as_str(),
        &request,
        now_unix(),
        &presences,
        entry,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/rendez-vous/{}", row.id)).into_response()),
        Err(error) => {
            let message = crate::http::error::refusal(error)?;
            refuse(message).await
        }
    }
}
