//! The social worker's week: the post's presences and booked appointments from Monday to
//! Sunday, today marked, with the weeks before and after. Reading it is journalled when it
//! names persons (a week without appointments reads none).

use super::appointment::{AppointmentLine, line, presences_of};
use super::{WeekQuery, day_label, hours, post_and_place, week_start};
use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::clock::{civil_of, french_date, paris_today};
use crate::http::error::WebResult;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::presence::{instant, time_zone_of_departement};
use passerelle_store::db::time_text::date_to_text;
use passerelle_store::presence::appointment::{self as store_appointment, text_to_unix};
use passerelle_store::registry::post as store_post;
use time::Duration;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/postes/{id}/rendez-vous/semaine", week_list)
}

/// One day of the week.
pub struct WeekDay {
    pub label: String,
    /// The day as the day's page asks for it (aaaa-mm-jj).
    pub iso: String,
    pub today: bool,
    /// (unit, hours, what keeps it from taking place, if anything).
    pub presences: Vec<(String, String, Option<&'static str>)>,
    pub appointments: Vec<AppointmentLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/appointments_week.html")]
pub struct WeekPage {
    shell: Shell,
    post_id: String,
    post_code: String,
    monday: String,
    sunday: String,
    previous: String,
    next: String,
    this_week: String,
    days: Vec<WeekDay>,
    count: usize,
}

async fn week_list(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<WeekQuery>,
) -> WebResult<WeekPage> {
    let monday = week_start(&query)?;
    let (post, place) = post_and_place(&state, &id).await?;
    auth.require(Action::View, &Resource::Appointments { post: &place })?;
    let zone = time_zone_of_departement(post.departement_code.as_str());
    let sunday = monday + Duration::days(6);
    let from = instant(monday, time::Time::MIDNIGHT, zone);
    let to = instant(sunday + Duration::days(1), time::Time::MIDNIGHT, zone);
    let rows = store_appointment::of_post_between(&state.db, post.id.as_str(), from, to).await?;
    // The week's persons are opened only under its journaled read.
    let mut appointments = Vec::new();
    if !rows.is_empty() {
        let read = store_appointment::record_read(
            &state.db,
            &post.id,
            crate::journal::entry::post_entry(
                &auth,
                &post,
                JournalAction::PersonalDataRead,
                format!("rendez-vous de la semaine du {}", french_date(monday)),
                None,
            ),
        )
        .await?;
        for row in &rows {
            let day = civil_of(text_to_unix(&row.starts_at)?, zone).0;
            appointments.push((day, line(&state, row, zone, &read)?));
        }
    }
    let hosts = store_post::host_units_of(&state.db, &post.id).await?;
    let presences = presences_of(&state, &post, monday, sunday).await?;
    let today = paris_today();
    let count = appointments.len();
    let days = (0..7)
        .map(|offset| {
            let day = monday + Duration::days(offset);
            WeekDay {
                label: day_label(day),
                iso: date_to_text(day),
                today: day == today,
                presences: presences
                    .iter()
                    .filter(|o| o.date == day)
                    .map(|o| {
                        (
                            hosts
                                .iter()
                                .find(|(id, _, _)| id.as_str() == o.unit_id)
                                .map(|(_, name, _)| name.clone())
                                .unwrap_or_default(),
                            hours(o.start, o.end),
                            o.skipped.map(|s| s.label()),
                        )
                    })
                    .collect(),
                appointments: Vec::new(),
            }
        })
        .collect::<Vec<_>>();
    let mut days = days;
    for (day, appointment) in appointments {
        if let Some(slot) = days.iter_mut().find(|d| d.iso == date_to_text(day)) {
            slot.appointments.push(appointment);
        }
    }
    Ok(WeekPage {
        shell: Shell::for_actor(
            &format!("Rendez-vous de la semaine du {}", french_date(monday)),
            &auth,
            &csrf,
        )
        .at("/rendez-vous"),
        post_id: post.id.to_string(),
        post_code: post.code,
        monday: french_date(monday),
        sunday: french_date(sunday),
        previous: date_to_text(monday - Duration::weeks(1)),
        next: date_to_text(monday + Duration::weeks(1)),
        this_week: date_to_text(super::monday_of(today)),
        days,
        count,
    })
}
