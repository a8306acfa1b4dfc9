//! The forms of a post's page that change the post itself: the next step of its lifecycle
//! (with its date), and the units hosting it with their share of its time.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::paris_today;
use crate::http::error::{WebError, WebResult};
use crate::http::forms::{DateField, FrenchForm, read_date};
use crate::http::route_table::RouteTable;
use crate::journal::entry::post_entry;
use crate::registry::post::{managed_post, post_page, refused_page};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::registry::post::PostStatus;
use passerelle_store::WriteError;
use passerelle_store::journal::Entry;
use passerelle_store::registry::post as store_post;
use serde::Deserialize;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/postes/{id}/statut", move_post)
        .post("/postes/{id}/unites", set_host_unit)
        .post("/postes/{id}/unites/{unit_id}/retirer", remove_host_unit)
}

#[derive(Deserialize)]
pub struct MoveForm {
    status: String,
    date: String,
}

async fn move_post(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<MoveForm>,
) -> WebResult<Response> {
    let post = store_post::find(&state.db, &id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let place = store_post::place_of(&post);
    auth.require(Action::Manage, &Resource::Post { post: &place })?;
    let refuse = |message: String| async {
        let page = post_page(&state, &auth, &csrf, &id, Some(message)).await?;
        Ok::<_, WebError>((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let next = match PostStatus::parse(&form.status) {
        Ok(next) => next,
        Err(error) => return refuse(error.to_string()).await,
    };
    let on = match read_date(DateField::PostStep, &form.date) {
        Ok(on) => on,
        Err(message) => return refuse(message).await,
    };
    let entry = Entry::new(JournalAction::PostLifecycle)
        .by(auth.account.id.as_str(), Some(auth.role().code()))
        .on("post", &post.id)
        .detail(format!(
            "{} le {}",
            next.code(),
            passerelle_store::db::time_text::date_to_text(on)
        ))
        .from_ip(ip.as_deref())
        .in_employer(Some(post.employer_id.as_str()))
        .in_post(Some(post.id.as_str()));
    match store_post::move_post(
        &state.db,
        post.id.as_str(),
        next,
        on,
        paris_today(),
        auth.account.id.as_str(),
        entry,
    )
    .await
    {
        Ok(()) => {
            state.national_figures.invalidate();
            Ok(Redirect::to(&format!("/postes/{}", post.id)).into_response())
        }
        // Unknown and forbidden answer alike.
        Err(WriteError::NotFound(_)) => Err(WebError::Forbidden),
        Err(error) => refuse(crate::http::error::refusal(error)?).await,
    }
}

#[derive(Deserialize)]
pub struct HostForm {
    unit: String,
    share: String,
}

async fn set_host_unit(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<HostForm>,
) -> WebResult<Response> {
    let post = managed_post(&state, &auth, &id).await?;
    let Some(share) = form
        .share
        .trim()
        .trim_end_matches('%')
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|s| (1..=100).contains(s))
    else {
        return refused_page(
            &state,
            &auth,
            &csrf,
            &id,
            "Part du temps : un nombre entier de 1 à 100.".into(),
        )
        .await;
    };
    let entry = post_entry(
        &auth,
        &post,
        JournalAction::PostLifecycle,
        format!("unité d'accueil {} : {share} %", form.unit),
        ip.as_deref(),
    );
    match store_post::set_host_unit(&state.db, &post, &form.unit, share, entry).await {
        Ok(()) => Ok(Redirect::to(&format!("/postes/{}", post.id)).into_response()),
        Err(error) => {
            let message = crate::http::error::refusal(error)?;
            refused_page(&state, &auth, &csrf, &id, message).await
        }
    }
}

async fn remove_host_unit(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path((id, unit_id)): Path<(String, String)>,
) -> WebResult<Response> {
    let post = managed_post(&state, &auth, &id).await?;
    let entry = post_entry(
        &auth,
        &post,
        JournalAction::PostLifecycle,
        format!("unité d'accueil {unit_id} retirée"),
        ip.as_deref(),
    );
    if !store_post::remove_host_unit(&state.db, post.id.as_str(), &unit_id, entry).await? {
        return Err(WebError::BadRequest(
            "Unité : elle n'accueille pas ce poste.".into(),
        ));
    }
    Ok(Redirect::to(&format!("/postes/{}", post.id)).into_response())
}
