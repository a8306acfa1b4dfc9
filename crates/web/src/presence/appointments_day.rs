//! The social worker's day: the post's presences and booked appointments on one day, with
//! the form to book another. Reading the list is journalled: it shows personal data.

use super::appointment::{AppointmentLine, BookingFormView, line, presences_of};
use super::post_and_place;
use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::clock::{french_date, paris_today};
use crate::http::error::WebResult;
use crate::http::forms::parse_date;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::presence::appointment::AppointmentMode;
use passerelle_domain::presence::{instant, time_zone_of_departement};
use passerelle_store::presence::appointment as store_appointment;
use passerelle_store::registry::post as store_post;
use serde::Deserialize;
use time::{Date, Duration};

pub fn routes() -> RouteTable {
    RouteTable::new().get("/postes/{id}/rendez-vous", day_list)
}

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
    /// The day as the week's link asks for it (aaaa-mm-jj).
    iso: String,
    previous: String,
    next: String,
    presences: Vec<super::DayLine>,
    /// The day's free slots inside its presences, to type into the form.
    free: Vec<super::reservation::SlotChoice>,
    appointments: Vec<AppointmentLine>,
    form: BookingFormView,
    error: Option<String>,
}

pub(super) async fn day_view(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    day: Date,
    error: Option<String>,
) -> WebResult<DayPage> {
    let (post, place) = post_and_place(state, id).await?;
    auth.require(Action::View, &Resource::Appointments { post: &place })?;
    let zone = time_zone_of_departement(post.departement_code.as_str());
    let from = instant(day, time::Time::MIDNIGHT, zone);
    let to = instant(day + Duration::days(1), time::Time::MIDNIGHT, zone);
    let rows = store_appointment::of_post_between(&state.db, post.id.as_str(), from, to).await?;
    // The day's persons are opened only under its journaled read; an empty day reads none.
    let appointments = match rows.is_empty() {
        true => Vec::new(),
        false => {
            let read = store_appointment::record_read(
                &state.db,
                &post.id,
                crate::journal::entry::post_entry(
                    auth,
                    &post,
                    JournalAction::PersonalDataRead,
                    format!("rendez-vous du {}", french_date(day)),
                    None,
                ),
            )
            .await?;
            rows.iter()
                .map(|row| line(state, row, zone, &read))
                .collect::<WebResult<Vec<_>>>()?
        }
    };
    let hosts: Vec<(String, String)> = store_post::host_units_of(&state.db, &post.id)
        .await?
        .into_iter()
        .map(|(id, name, _)| (id.into_string(), name))
        .collect();
    let presences = presences_on(state, &post, &hosts, day).await?;
    Ok(DayPage {
        shell: Shell::for_actor(&format!("Rendez-vous du {}", french_date(day)), auth, csrf)
            .at("/rendez-vous"),
        day: french_date(day),
        iso: passerelle_store::db::time_text::date_to_text(day),
        previous: passerelle_store::db::time_text::date_to_text(day - Duration::days(1)),
        next: passerelle_store::db::time_text::date_to_text(day + Duration::days(1)),
        presences,
        free: super::reservation::free_slots_between(state, &post, day, day, 16).await?,
        appointments,
        form: BookingFormView {
            prefix: "jour".into(),
            action: format!("/postes/{}/rendez-vous", post.id),
            units: hosts,
            modes: AppointmentMode::ALL,
            date: passerelle_store::db::time_text::date_to_text(day),
        },
        error,
        post_id: post.id.to_string(),
        post_code: post.code,
    })
}

/// The post's presences on `day` at its host units (`hosts`: id, name): where, when, and
/// whether it takes place.
async fn presences_on(
    state: &AppState,
    post: &passerelle_store::registry::post::PostRow,
    hosts: &[(String, String)],
    day: Date,
) -> WebResult<Vec<super::DayLine>> {
    let found = presences_of(state, post, day, day).await?;
    Ok(found
        .iter()
        .map(|o| super::DayLine {
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
        .collect())
}

/// The social worker's day at a glance, for the home page: the post's presences today and
/// the hours and places of its appointments (no person: the day's page names them, under
/// its journaled read). Asks the policy as the day's page does.
pub async fn today_of_post(
    state: &AppState,
    auth: &Authenticated,
    post_id: &str,
) -> WebResult<(Vec<super::DayLine>, Vec<(String, String)>)> {
    let (post, place) = post_and_place(state, post_id).await?;
    auth.require(Action::View, &Resource::Appointments { post: &place })?;
    let day = paris_today();
    let zone = time_zone_of_departement(post.departement_code.as_str());
    let from = instant(day, time::Time::MIDNIGHT, zone);
    let to = instant(day + Duration::days(1), time::Time::MIDNIGHT, zone);
    let rows = store_appointment::of_post_between(&state.db, post.id.as_str(), from, to).await?;
    let hosts: Vec<(String, String)> = store_post::host_units_of(&state.db, &post.id)
        .await?
        .into_iter()
        .map(|(id, name, _)| (id.into_string(), name))
        .collect();
    let appointments = rows
        .iter()
        .map(|row| {
            let (_, hours) =
                super::appointment::when_and_hours(&row.starts_at, &row.ends_at, zone)?;
            let place = match &row.unit_name {
                Some(unit) => format!("{} — {unit}", row.mode.label()),
                None => row.mode.label().to_string(),
            };
            Ok((hours, place))
        })
        .collect::<WebResult<Vec<_>>>()?;
    Ok((presences_on(state, &post, &hosts, day).await?, appointments))
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
