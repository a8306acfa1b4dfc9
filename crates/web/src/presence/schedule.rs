//! A post's schedule page: its weekly slots, absences and notice, the next two weeks, and
//! for the social worker the public-name choice and the private calendar feed. The changes
//! the page's forms send are in `schedule_changes`.

use super::{WeekLines, hours, post_and_place, weeks_of};
use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::clock::{french_date, paris_today};
use crate::http::error::WebResult;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::presence::{
    AbsenceKind, monday_of, occurrences, parse_weekday, time_zone_of_departement, weekday_label,
};
use passerelle_store::presence as store_presence;
use passerelle_store::registry::post as store_post;
use time::Duration;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/postes/{id}/presence", schedule_page)
}

pub struct SlotLine {
    pub id: String,
    pub day: &'static str,
    pub hours: String,
    pub unit: String,
    pub period: String,
}

pub struct AbsenceLine {
    pub id: String,
    pub kind: &'static str,
    pub period: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/schedule.html")]
pub struct SchedulePage {
    shell: Shell,
    post_id: String,
    post_code: String,
    can_manage: bool,
    is_social_worker: bool,
    slots: Vec<SlotLine>,
    absences: Vec<AbsenceLine>,
    notice: Option<(String, String)>,
    hosts: Vec<(String, String)>,
    weeks: Vec<WeekLines>,
    weekdays: Vec<(u8, &'static str)>,
    absence_kinds: &'static [AbsenceKind],
    /// (zone, selected): the post's département's zone first selected.
    time_zones: Vec<(&'static str, bool)>,
    error: Option<String>,
    public_name: bool,
    feed: Option<super::calendar_feed::FeedView>,
    new_feed_url: Option<String>,
}

pub(crate) async fn schedule_view(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    error: Option<String>,
    new_feed_url: Option<String>,
) -> WebResult<SchedulePage> {
    let (post, place) = post_and_place(state, id).await?;
    auth.require(Action::View, &Resource::Schedule { post: &place })?;
    let can_manage = passerelle_domain::access::decide(
        &auth.actor,
        Action::Manage,
        &Resource::Schedule { post: &place },
    )
    .is_allowed();
    let today = paris_today();
    let hosts: Vec<(String, String)> = store_post::host_units_of(&state.db, &post.id)
        .await?
        .into_iter()
        .map(|(id, name, _)| (id.into_string(), name))
        .collect();
    let unit_name = |unit_id: &str| {
        hosts
            .iter()
            .find(|(id, _)| id == unit_id)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| "unité qui n'accueille plus le poste".into())
    };
    let slots = store_presence::slots_of(&state.db, post.id.as_str()).await?;
    let absences = store_presence::absences_of(&state.db, post.id.as_str(), today).await?;
    let monday = monday_of(today);
    let found = occurrences(
        &slots,
        &absences,
        post.departement_code.as_str(),
        monday,
        monday + Duration::days(13),
    );
    let is_social_worker = auth.role() == passerelle_domain::identity::role::Role::SocialWorker;
    let feed = if is_social_worker {
        super::calendar_feed::feed_view(state, auth.account.id.as_str()).await?
    } else {
        None
    };
    Ok(SchedulePage {
        shell: Shell::for_actor(&format!("Présence — poste {}", post.code), auth, csrf)
            .under(
                format!("Poste {}", post.code),
                format!("/postes/{}", post.id),
            )
            .here("Présence")
            .at("/postes"),
        weeks: weeks_of(&found, monday, 2, &unit_name),
        slots: slots
            .iter()
            .map(|s| SlotLine {
                id: s.id.clone(),
                day: weekday_label(s.weekday),
                hours: hours(s.start, s.end),
                unit: unit_name(&s.unit_id),
                period: match s.valid_until {
                    Some(until) => {
                        format!("du {} au {}", french_date(s.valid_from), french_date(until))
                    }
                    None => format!("à partir du {}", french_date(s.valid_from)),
                },
            })
            .collect(),
        absences: absences
            .iter()
            .map(|a| AbsenceLine {
                id: a.id.clone(),
                kind: a.kind.label(),
                period: format!(
                    "du {} au {}",
                    french_date(a.starts_on),
                    french_date(a.ends_on)
                ),
            })
            .collect(),
        notice: store_presence::notice_of(&state.db, post.id.as_str(), today)
            .await?
            .map(|n| (n.message, french_date(n.until))),
        hosts,
        weekdays: (1..=7u8)
            .filter_map(|n| {
                parse_weekday(&n.to_string())
                    .ok()
                    .map(|d| (n, weekday_label(d)))
            })
            .collect(),
        absence_kinds: AbsenceKind::ALL,
        time_zones: passerelle_domain::presence::TIME_ZONES
            .iter()
            .map(|zone| {
                (
                    *zone,
                    *zone == time_zone_of_departement(post.departement_code.as_str()),
                )
            })
            .collect(),
        public_name: is_social_worker
            && store_presence::shows_public_name(&state.db, auth.account.id.as_str()).await?,
        can_manage,
        is_social_worker,
        error,
        feed,
        new_feed_url,
        post_id: post.id.to_string(),
        post_code: post.code,
    })
}

async fn schedule_page(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> WebResult<SchedulePage> {
    schedule_view(&state, &auth, &csrf, &id, None, None).await
}
