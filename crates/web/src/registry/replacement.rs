//! Vacant post continuity: the employer (or the national steering) proposes a replacement
//! social worker of the same employer or département for a post's cases, for a period, with a
//! reason; a second person confirms it (`case_access`); either can end it early. Every step
//! is journaled in the post (its access log) and as security events; the post's page lists
//! them.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::{FrenchForm, parse_date};
use crate::http::route_table::RouteTable;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::CaseAccessKind;
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::ids::AccountId;
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::case_access::NewProposal;
use passerelle_store::registry::replacement as store_replacement;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/postes/{id}/remplacements", grant)
        .post("/postes/{id}/remplacements/{replacement}/retirer", revoke)
}

/// A replacement is for a vacancy or a leave, not a permanent second holder.
const MAX_DAYS: i64 = 366;
const REASON_MAX_CHARS: usize = 300;

pub struct ReplacementLine {
    pub id: String,
    pub who: String,
    pub reason: String,
    pub period: String,
    /// Current, coming, ended or withdrawn.
    pub state: &'static str,
    pub can_end: bool,
}

/// The post's replacements as its page lists them.
pub async fn lines(
    state: &AppState,
    post_id: &str,
    today: time::Date,
) -> WebResult<Vec<ReplacementLine>> {
    let today_text = passerelle_store::db::time_text::date_to_text(today);
    Ok(store_replacement::of_post(&state.db, post_id)
        .await?
        .into_iter()
        .map(|row| {
            let state = if row.revoked_at.is_some() {
                "retiré"
            } else if row.ends_on < today_text {
                "terminé"
            } else if row.starts_on > today_text {
                "à venir"
            } else {
                "en cours"
            };
            ReplacementLine {
                can_end: row.revoked_at.is_none() && row.ends_on >= today_text,
                who: format!("{} ({})", row.account_name, row.account_email),
                reason: row.reason,
                period: format!(
                    "du {} au {}",
                    crate::http::clock::french_day_of(&row.starts_on),
                    crate::http::clock::french_day_of(&row.ends_on)
                ),
                state,
                id: row.id,
            }
        })
        .collect())
}

/// The post, once the policy lets the actor grant replacements on it.
async fn grantable_post(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
) -> WebResult<passerelle_store::registry::post::PostRow> {
    let post = passerelle_store::registry::post::find(&state.db, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    auth.require(
        Action::Manage,
        &Resource::Replacements {
            post: &passerelle_store::registry::post::place_of(&post),
        },
    )?;
    Ok(post)
}

#[derive(serde::Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

async fn grant(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<GrantForm>,
) -> WebResult<Response> {
    let post = grantable_post(&state, &auth, &id).await?;
    let checked = async {
        let reason = form.reason.split_whitespace().collect::<Vec<_>>().join(" ");
        if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
            return Err(format!(
                "Motif : requis, {REASON_MAX_CHARS} caractères au plus."
            ));
        }
        let message = |e: WebError| match e {
            WebError::BadRequest(message) => message,
            other => other.to_string(),
        };
        let starts_on = parse_date("Début", &form.starts_on).map_err(message)?;
        let ends_on = parse_date("Fin", &form.ends_on).map_err(message)?;
        if ends_on < starts_on {
            return Err("Fin : la fin précède le début.".into());
        }
        if (ends_on - starts_on).whole_days() >= MAX_DAYS {
            return Err(format!(
                "Fin : un remplacement dure au plus {MAX_DAYS} jours ; renouvelez-le au besoin."
            ));
        }
        if ends_on < crate::http::clock::paris_today() {
            return Err("Fin : la période est déjà passée.".into());
        }
        let account = store_replacement::social_worker_by_email(&state.db, &form.email)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                "Courriel : aucun compte d'intervenant social actif à cette adresse.".to_string()
            })?;
        Ok((reason, starts_on, ends_on, account))
    }
    .await;
    let (reason, starts_on, ends_on, (account_id, _name)) = match checked {
        Ok(checked) => checked,
        Err(message) => {
            let page = crate::registry::post::post_page(
                &state,
                &auth,
                &csrf,
                post.id.as_str(),
                Some(message),
            )
            .await?;
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    // Two people: this is a proposal, confirmed by a second person on the post's page.
    let new = NewProposal {
        kind: CaseAccessKind::Replacement,
        post_id: &post.id,
        account_id: &AccountId::new(&account_id),
        replacement: Some((&reason, starts_on, ends_on)),
        proposed_by: &auth.account.id,
    };
    if let Err(message) =
        crate::identity::case_access::propose(&state, &auth, new, &post, ip.as_deref()).await?
    {
        let page =
            crate::registry::post::post_page(&state, &auth, &csrf, post.id.as_str(), Some(message))
                .await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    Ok(Redirect::to(&format!("/postes/{}#acces-dossiers", post.id)).into_response())
}

async fn revoke(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path((id, replacement)): Path<(String, String)>,
) -> WebResult<Response> {
    let post = grantable_post(&state, &auth, &id).await?;
    let entry = crate::journal::entry::post_entry(
        &auth,
        &post,
        JournalAction::ReplacementEnded,
        "remplacement retiré".into(),
        ip.as_deref(),
    );
    if !store_replacement::revoke(&state.db, post.id.as_str(), &replacement, entry).await? {
        return Err(WebError::BadRequest(
            "Ce remplacement n'existe pas ou est déjà retiré.".into(),
        ));
    }
    Ok(Redirect::to(&format!("/postes/{}#remplacements", post.id)).into_response())
}
