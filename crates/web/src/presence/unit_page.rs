//! Who is where, seen from a unit: the menu's entry that picks the view fitting the role's
//! scope, the unit's public presence page, and its public calendar feed (presence only).

use super::{WEEKS_AHEAD, WeekLines, WeekQuery, unit_presence, week_start, weeks_of};
use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken, MaybeAuthenticated};
use crate::http::clock::paris_today;
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::presence::Occurrence;
use serde::Deserialize;
use time::Duration;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/presence", who_is_where)
        .get("/presence/unites/{id}", unit_page)
        .get("/presence/unites/{id}/agenda.ics", unit_feed)
}

#[derive(Deserialize, Default)]
pub struct WhereQuery {
    departement: Option<String>,
}

/// "Who is where" from the menu: the view the policy gives the role's scope; the nation
/// chooses its département.
async fn who_is_where(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<WhereQuery>,
) -> WebResult<Response> {
    use passerelle_domain::access::{PresenceView, presence_view};
    let to = |path: String| Ok(Redirect::to(&path).into_response());
    match presence_view(&auth.actor.grant) {
        Some(PresenceView::Unit(unit)) => to(format!("/presence/unites/{unit}")),
        Some(PresenceView::Post(post)) => to(format!("/postes/{post}/presence")),
        Some(PresenceView::Departement(code)) => to(format!("/presence/departements/{code}")),
        Some(PresenceView::ChooseDepartement) => {
            match query.departement.as_deref().map(str::trim) {
                Some(code) if !code.is_empty() => {
                    match passerelle_domain::registry::territory::DepartementCode::parse(code) {
                        Ok(code) => to(format!("/presence/departements/{code}")),
                        Err(error) => Err(WebError::BadRequest(format!("Département : {error}."))),
                    }
                }
                Some(_) | None => Ok(ChooseDepartementPage {
                    shell: Shell::for_actor("Qui est où", &auth, &csrf).at("/presence"),
                    departements: passerelle_store::registry::territory::departements(&state.db)
                        .await?
                        .into_iter()
                        .map(|d| (d.code, d.name))
                        .collect(),
                }
                .into_response()),
            }
        }
        None => Err(WebError::Forbidden),
    }
}

/// The nation's "who is where": which département to show.
#[derive(Template, WebTemplate)]
#[template(path = "presence/choose_departement.html")]
pub struct ChooseDepartementPage {
    shell: Shell,
    departements: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/unit_presence.html")]
pub struct UnitPresencePage {
    shell: Shell,
    unit_id: String,
    unit_name: String,
    weekly: Vec<(String, String)>,
    weeks: Vec<WeekLines>,
    notices: Vec<String>,
    names: Vec<String>,
    previous: String,
    next: String,
    can_book: bool,
    /// The unit's département (code, name), for the link back to its page.
    departement: Option<(String, String)>,
}

async fn unit_page(
    State(state): State<AppState>,
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<WeekQuery>,
) -> WebResult<UnitPresencePage> {
    let from = week_start(&query)?;
    let presence = unit_presence(&state, &id, from, WEEKS_AHEAD)
        .await?
        .ok_or(WebError::NotFound)?;
    let title = format!("Présence de l'intervenant social — {}", presence.unit.name);
    let can_book = visitor.as_ref().is_some_and(|auth| {
        auth.role() == passerelle_domain::identity::role::Role::Officer
            && auth.actor.grant.scope == passerelle_domain::access::Scope::Unit(id.as_str().into())
    });
    let shell = match &visitor {
        Some(auth) => Shell::for_actor(&title, auth, &csrf),
        None => Shell::public(&title),
    };
    let unit_name = presence.unit.name.clone();
    let departement = presence.unit.departement_code.as_ref().map(|code| {
        let code = code.to_string();
        let name = super::finder::departement_name(&code).unwrap_or_else(|| code.clone());
        (code, name)
    });
    Ok(UnitPresencePage {
        departement,
        shell,
        weeks: weeks_of(
            &presence.occurrences,
            presence.first_monday,
            WEEKS_AHEAD,
            &|_| unit_name.clone(),
        ),
        previous: passerelle_store::db::time_text::date_to_text(
            from - Duration::weeks(WEEKS_AHEAD),
        ),
        next: passerelle_store::db::time_text::date_to_text(from + Duration::weeks(WEEKS_AHEAD)),
        unit_id: presence.unit.id.to_string(),
        unit_name: presence.unit.name,
        weekly: presence.weekly,
        notices: presence.notices,
        names: presence.names,
        can_book,
    })
}

/// The public feed of a unit: presence only, from this week for eight weeks.
async fn unit_feed(State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let presence = unit_presence(&state, &id, paris_today(), 8)
        .await?
        .ok_or(WebError::NotFound)?;
    let events: Vec<passerelle_documents::calendar::FeedEvent> = presence
        .occurrences
        .iter()
        .filter(|o| o.takes_place())
        .map(|o| presence_event(o, &presence.unit.name, &state.config.public_url))
        .collect();
    Ok(super::calendar_feed::ics_response(
        &format!("Présence de l'intervenant social — {}", presence.unit.name),
        &events,
    ))
}

/// A presence as a calendar event: its uid stays the same for the same slot and date.
pub fn presence_event(
    occurrence: &Occurrence,
    unit_name: &str,
    public_url: &str,
) -> passerelle_documents::calendar::FeedEvent {
    passerelle_documents::calendar::FeedEvent {
        uid: format!(
            "presence-{}-{}@passerelle",
            occurrence.slot_id, occurrence.date
        ),
        starts_unix: occurrence.starts_unix,
        ends_unix: occurrence.ends_unix,
        summary: format!("Intervenant social présent — {unit_name}"),
        location: Some(unit_name.to_string()),
        description: None,
        url: Some(format!(
            "{}/presence/unites/{}",
            public_url.trim_end_matches('/'),
            occurrence.unit_id
        )),
    }
}
