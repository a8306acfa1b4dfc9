//! Calendar feeds: the social worker's private feed (the post's presences and appointments,
//! opened by a token only its hash of is kept), issuing and revoking it, and the iCalendar
//! answer the unit's public feed shares.

use super::appointment::presences_of;
use super::schedule::schedule_view;
use super::unit_page::presence_event;
use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::{french_date, now_unix, paris_today};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::route_table::RouteTable;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource, Scope};
use passerelle_domain::identity::role::Role;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::presence::appointment::visio_link;
use passerelle_domain::presence::{instant, time_zone_of_departement};
use passerelle_store::journal::Entry;
use passerelle_store::presence::appointment::{self as store_appointment, text_to_unix};
use passerelle_store::registry::post as store_post;
use serde::Deserialize;
use time::Duration;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/compte/agenda", issue_feed)
        .post("/compte/agenda/revoquer", revoke_feed)
        .get("/agenda/{token}", personal_feed)
}

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
        Scope::Post(post) => Ok(post.clone().to_string()),
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
        auth.account.id.as_str(),
        ip.as_deref(),
        None,
    );
    let token = store_appointment::issue_feed(
        &state.db,
        auth.account.id.as_str(),
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
    let page = schedule_view(&state, &auth, &csrf, &post_id, None, Some(url)).await?;
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
        auth.account.id.as_str(),
        ip.as_deref(),
        None,
    );
    store_appointment::revoke_feeds(&state.db, auth.account.id.as_str(), entry).await?;
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
    let post = store_post::find(&state.db, feed.post_id.as_str())
        .await?
        .ok_or(WebError::NotFound)?;
    let today = paris_today();
    let from = today - Duration::days(7);
    let until = today + Duration::weeks(8);
    let zone = time_zone_of_departement(post.departement_code.as_str());
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
            .map(|o| presence_event(o, &unit_name(&o.unit_id), &state.config.public_url))
            .collect();
    let rows = store_appointment::of_post_between(
        &state.db,
        post.id.as_str(),
        instant(from, time::Time::MIDNIGHT, zone),
        instant(until, time::Time::MIDNIGHT, zone),
    )
    .await?;
    let show_names = feed.show_names == 1;
    // The names are opened only under the feed's journaled read, written before them.
    let read = match show_names && !rows.is_empty() {
        true => Some(
            store_appointment::record_read(
                &state.db,
                &post.id,
                Entry::new(JournalAction::PersonalDataRead)
                    .by(feed.account_id.as_str(), Some(Role::SocialWorker.code()))
                    .on("calendar_feed", &feed.id)
                    .detail(format!("agenda privé : {} rendez-vous", rows.len()))
                    .in_employer(Some(post.employer_id.as_str()))
                    .in_post(Some(post.id.as_str())),
            )
            .await?,
        ),
        false => None,
    };
    for row in &rows {
        let place = row.unit_name.clone().unwrap_or_else(|| "visio".into());
        events.push(passerelle_documents::calendar::FeedEvent {
            uid: format!("rendez-vous-{}@passerelle", row.id),
            starts_unix: text_to_unix(&row.starts_at)?,
            ends_unix: text_to_unix(&row.ends_at)?,
            summary: match &read {
                Some(read) => format!("Rendez-vous — {}", row.person(&state.keys, read)?),
                None => format!("Rendez-vous ({})", row.mode.label().to_lowercase()),
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
    events.sort_by_key(|e| e.starts_unix);
    Ok(ics_response(
        &format!("Passerelle — poste {}", post.code),
        &events,
    ))
}
