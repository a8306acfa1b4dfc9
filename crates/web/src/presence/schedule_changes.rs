//! What changes a post's schedule: adding and removing weekly slots and absences, the
//! temporary notice, and the social worker's choice to show their name in public. A refused
//! change shows the schedule page again with its message.

use super::post_and_place;
use super::schedule::schedule_view;
use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::paris_today;
use crate::http::error::{WebError, WebResult};
use crate::http::forms::{DateField, FrenchForm, read_date};
use crate::http::route_table::RouteTable;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::presence::{
    Absence, AbsenceKind, WeeklySlot, clock_label, parse_clock, parse_time_zone, parse_weekday,
    weekday_label,
};
use passerelle_store::journal::Entry;
use passerelle_store::presence::{self as store_presence, Notice};
use passerelle_store::registry::post::PostRow;
use serde::Deserialize;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/postes/{id}/presence/creneaux", add_slot)
        .post(
            "/postes/{id}/presence/creneaux/{slot_id}/retirer",
            remove_slot,
        )
        .post("/postes/{id}/presence/absences", add_absence)
        .post(
            "/postes/{id}/presence/absences/{absence_id}/retirer",
            remove_absence,
        )
        .post("/postes/{id}/presence/annonce", set_notice)
        .post("/compte/nom-public", set_public_name)
}

/// Loads a post whose schedule the actor may change.
async fn managed_schedule(state: &AppState, auth: &Authenticated, id: &str) -> WebResult<PostRow> {
    let (post, place) = post_and_place(state, id).await?;
    auth.require(Action::Manage, &Resource::Schedule { post: &place })?;
    Ok(post)
}

async fn refused(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    id: &str,
    message: String,
) -> WebResult<Response> {
    let page = schedule_view(state, auth, csrf, id, Some(message), None).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn schedule_entry(auth: &Authenticated, post: &PostRow, detail: String, ip: Option<&str>) -> Entry {
    crate::journal::entry::post_entry(auth, post, JournalAction::ScheduleChanged, detail, ip)
}

fn back_to(post: &PostRow) -> Response {
    Redirect::to(&format!("/postes/{}/presence", post.id)).into_response()
}

#[derive(Deserialize)]
pub struct SlotForm {
    unit: String,
    weekday: String,
    start: String,
    end: String,
    valid_from: String,
    #[serde(default)]
    valid_until: String,
    time_zone: String,
}

fn domain_message(error: passerelle_domain::ParseError) -> String {
    capitalised(format!("{error}."))
}

/// The schedule's messages start with a capital: « Unité : elle n'accueille pas ce poste. »
fn capitalised(mut text: String) -> String {
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    text
}

fn read_slot(form: &SlotForm) -> Result<WeeklySlot, String> {
    let valid_from = read_date(DateField::PresenceFrom, &form.valid_from)?;
    let valid_until = match form.valid_until.trim() {
        "" => None,
        text => Some(read_date(DateField::PresenceUntil, text)?),
    };
    Ok(WeeklySlot {
        id: uuid::Uuid::now_v7().to_string(),
        unit_id: form.unit.trim().to_string(),
        weekday: parse_weekday(&form.weekday).map_err(domain_message)?,
        start: parse_clock("début", &form.start).map_err(domain_message)?,
        end: parse_clock("fin", &form.end).map_err(domain_message)?,
        time_zone: parse_time_zone(&form.time_zone).map_err(domain_message)?,
        valid_from,
        valid_until,
    })
}

async fn add_slot(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<SlotForm>,
) -> WebResult<Response> {
    let post = managed_schedule(&state, &auth, &id).await?;
    let slot = match read_slot(&form) {
        Ok(slot) => slot,
        Err(message) => return refused(&state, &auth, &csrf, &id, message).await,
    };
    let entry = schedule_entry(
        &auth,
        &post,
        format!(
            "créneau {} {}–{} à l'unité {}",
            weekday_label(slot.weekday),
            clock_label(slot.start),
            clock_label(slot.end),
            slot.unit_id
        ),
        ip.as_deref(),
    );
    match store_presence::add_slot(&state.db, post.id.as_str(), &slot, entry).await {
        Ok(()) => Ok(back_to(&post)),
        Err(error) => {
            let message = capitalised(crate::http::error::refusal(error)?);
            refused(&state, &auth, &csrf, &id, message).await
        }
    }
}

async fn remove_slot(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path((id, slot_id)): Path<(String, String)>,
) -> WebResult<Response> {
    let post = managed_schedule(&state, &auth, &id).await?;
    let entry = schedule_entry(
        &auth,
        &post,
        format!("créneau {slot_id} retiré"),
        ip.as_deref(),
    );
    if !store_presence::remove_slot(&state.db, post.id.as_str(), &slot_id, entry).await? {
        return Err(WebError::BadRequest(
            "Créneau : il n'existe pas dans ce planning.".into(),
        ));
    }
    Ok(back_to(&post))
}

#[derive(Deserialize)]
pub struct AbsenceForm {
    kind: String,
    starts_on: String,
    ends_on: String,
}

async fn add_absence(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<AbsenceForm>,
) -> WebResult<Response> {
    let post = managed_schedule(&state, &auth, &id).await?;
    let checked = (|| {
        Ok::<_, String>(Absence {
            id: uuid::Uuid::now_v7().to_string(),
            kind: AbsenceKind::parse(&form.kind).map_err(domain_message)?,
            starts_on: read_date(DateField::AbsenceFirst, &form.starts_on)?,
            ends_on: read_date(DateField::AbsenceLast, &form.ends_on)?,
        })
    })();
    let absence = match checked {
        Ok(absence) => absence,
        Err(message) => return refused(&state, &auth, &csrf, &id, message).await,
    };
    // The journal says an absence was recorded, not why: the kind may be health data.
    let entry = schedule_entry(
        &auth,
        &post,
        format!("absence du {} au {}", absence.starts_on, absence.ends_on),
        ip.as_deref(),
    );
    match store_presence::add_absence(&state.db, post.id.as_str(), &absence, entry).await {
        Ok(()) => Ok(back_to(&post)),
        Err(error) => {
            let message = capitalised(crate::http::error::refusal(error)?);
            refused(&state, &auth, &csrf, &id, message).await
        }
    }
}

async fn remove_absence(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path((id, absence_id)): Path<(String, String)>,
) -> WebResult<Response> {
    let post = managed_schedule(&state, &auth, &id).await?;
    let entry = schedule_entry(
        &auth,
        &post,
        format!("absence {absence_id} retirée"),
        ip.as_deref(),
    );
    if !store_presence::remove_absence(&state.db, post.id.as_str(), &absence_id, entry).await? {
        return Err(WebError::BadRequest(
            "Absence : elle n'existe pas dans ce planning.".into(),
        ));
    }
    Ok(back_to(&post))
}

#[derive(Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    message: String,
    #[serde(default)]
    until: String,
}

/// Notices are short: they are printed on the poster.
const NOTICE_MAX_CHARS: usize = 200;

async fn set_notice(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<NoticeForm>,
) -> WebResult<Response> {
    let post = managed_schedule(&state, &auth, &id).await?;
    let message = form.message.trim();
    let notice = if message.is_empty() {
        None
    } else {
        if message.chars().count() > NOTICE_MAX_CHARS {
            return refused(
                &state,
                &auth,
                &csrf,
                &id,
                format!("Annonce : {NOTICE_MAX_CHARS} caractères au plus."),
            )
            .await;
        }
        let until = match read_date(DateField::NoticeUntil, &form.until) {
            Ok(until) if until >= paris_today() => until,
            Ok(_) => {
                return refused(
                    &state,
                    &auth,
                    &csrf,
                    &id,
                    "Jusqu'au : la date est déjà passée.".into(),
                )
                .await;
            }
            Err(message) => return refused(&state, &auth, &csrf, &id, message).await,
        };
        Some(Notice {
            message: message.to_string(),
            until,
        })
    };
    let entry = schedule_entry(
        &auth,
        &post,
        if notice.is_some() {
            "annonce publiée".into()
        } else {
            "annonce retirée".into()
        },
        ip.as_deref(),
    );
    store_presence::set_notice(&state.db, post.id.as_str(), notice.as_ref(), entry).await?;
    Ok(back_to(&post))
}

#[derive(Deserialize)]
pub struct PublicNameForm {
    post: String,
    #[serde(default)]
    shown: Option<String>,
}

/// A social worker chooses whether their name appears on the public page and the poster.
async fn set_public_name(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    FrenchForm(form): FrenchForm<PublicNameForm>,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::OwnCalendar)?;
    // The post only says where to go back to: an identifier, never anything else.
    let post = form.post.trim();
    if post.is_empty()
        || !post
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(WebError::BadRequest(
            "Poste : cet identifiant de poste n'est pas valide. Revenez à la page de présence de votre poste et recommencez.".into(),
        ));
    }
    let shown = form.shown.is_some();
    let entry = Entry::new(JournalAction::ScheduleChanged)
        .by(auth.account.id.as_str(), Some(auth.role().code()))
        .on("account", &auth.account.id)
        .detail(if shown {
            "nom affiché en public"
        } else {
            "nom masqué en public"
        })
        .from_ip(ip.as_deref());
    store_presence::set_public_name(&state.db, auth.account.id.as_str(), shown, entry).await?;
    Ok(Redirect::to(&format!("/postes/{post}/presence")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_slot_reads_as_the_schedule_always_showed_it() {
        let error = passerelle_store::WriteError::refused("unité", "elle n'accueille pas ce poste");
        let message = capitalised(crate::http::error::refusal(error).unwrap());
        assert_eq!(message, "Unité : elle n'accueille pas ce poste.");
        assert_eq!(
            domain_message(passerelle_domain::ParseError::new(
                "fin",
                "doit venir après le début"
            )),
            "Fin : doit venir après le début."
        );
    }
}
