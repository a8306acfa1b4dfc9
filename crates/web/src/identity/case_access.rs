//! Access to a post's case content, given by two people: the social worker role on a post
//! (from the accounts pages) and a replacement in it (from the post's page) are proposed by
//! one person and confirmed, or refused, by a second one on the post's page. Who may do each
//! step is `domain::access`'s; every step is journaled in the post, with names, and the
//! post's social workers are told by e-mail.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp};
use crate::http::error::{WebError, WebResult};
use passerelle_domain::ids::AccountId;
// The store names the account the step is about (`Entry::on`).
use crate::http::route_table::RouteTable;
use crate::journal::entry::post_entry;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{self, Action, CaseAccessKind, Resource};
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::case_access::{self as store, NewProposal, ProposalRow};
use passerelle_store::registry::post::PostRow;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/postes/{id}/acces/{proposal}/confirmer", confirm)
        .post("/postes/{id}/acces/{proposal}/refuser", decline)
}

fn what(kind: CaseAccessKind, replacement: Option<(&str, &str, &str)>) -> String {
    match (kind, replacement) {
        (CaseAccessKind::Replacement, Some((reason, starts, ends))) => format!(
            "remplacement du {} au {} (motif : {reason})",
            crate::http::clock::french_day_of(starts),
            crate::http::clock::french_day_of(ends)
        ),
        _ => "rôle d'intervenant social du poste".into(),
    }
}

/// What a stored proposal gives, in words.
fn what_of(row: &ProposalRow) -> WebResult<String> {
    let replacement = match (&row.reason, &row.starts_on, &row.ends_on) {
        (Some(r), Some(s), Some(e)) => Some((r.as_str(), s.as_str(), e.as_str())),
        _ => None,
    };
    Ok(what(row.kind()?, replacement))
}

/// Proposes that `grantee` open the cases of `post`, if the policy lets the actor; the error
/// is the French sentence the form shows.
pub async fn propose(
    state: &AppState,
    auth: &Authenticated,
    new: NewProposal<'_>,
    post: &PostRow,
    ip: Option<&str>,
) -> WebResult<Result<(), String>> {
    let place = passerelle_store::registry::post::place_of(post);
    let grantee_roles =
        passerelle_store::identity::account::roles_with_places(&state.db, new.account_id).await?;
    let allowed = access::decide(
        &auth.actor,
        Action::Grant,
        &Resource::CaseAccessProposal {
            kind: new.kind,
            post: &place,
            grantee: new.account_id,
            grantee_roles: &grantee_roles,
        },
    );
    if !allowed.is_allowed() {
        return Ok(Err(refusal(auth, new.kind, new.account_id.as_str())));
    }
    if let Some((_, starts, ends)) = new.replacement
        && let Some((from, to)) = store::overlapping_replacement(
            &state.db,
            post.id.as_str(),
            new.account_id.as_str(),
            starts,
            ends,
        )
        .await?
    {
        return Ok(Err(format!(
            "Début : cette personne remplace déjà sur ce poste du {} au {} ; retirez ce \
             remplacement ou choisissez une autre période.",
            crate::http::clock::french_day_of(&from),
            crate::http::clock::french_day_of(&to)
        )));
    }
    let grantee = passerelle_store::identity::account::find(&state.db, new.account_id.as_str())
        .await?
        .ok_or(WebError::Forbidden)?;
    let replacement = new.replacement.map(|(reason, starts, ends)| {
        (
            reason.to_string(),
            passerelle_store::db::time_text::date_to_text(starts),
            passerelle_store::db::time_text::date_to_text(ends),
        )
    });
    let detail = format!(
        "{} ({}) proposé·e pour le {} ; en attente de confirmation par une seconde personne",
        grantee.display_name,
        grantee.email,
        what(
            new.kind,
            replacement
                .as_ref()
                .map(|(r, s, e)| (r.as_str(), s.as_str(), e.as_str()))
        )
    );
    let entry = post_entry(auth, post, JournalAction::CaseAccessProposed, detail, ip);
    match store::propose(&state.db, &new, entry).await? {
        Some(_) => Ok(Ok(())),
        None => Ok(Err(
            "Cet accès est déjà proposé et attend sa confirmation sur la page du poste.".into(),
        )),
    }
}

/// Why a proposal is refused, in the words of the form.
fn refusal(auth: &Authenticated, kind: CaseAccessKind, grantee: &str) -> String {
    if grantee == auth.account.id {
        return "Vous ne pouvez pas vous donner à vous-même l'accès aux dossiers d'un poste : \
                une autre personne doit le proposer."
            .into();
    }
    match kind {
        CaseAccessKind::Role => {
            "Rôle : vous ne pouvez pas proposer ce rôle pour ce compte (il relève de votre \
             propre périmètre, ou ce poste n'est pas dans le vôtre)."
                .into()
        }
        CaseAccessKind::Replacement => {
            "Courriel : le remplaçant doit être intervenant social d'un poste du même employeur \
             ou du même département, et ne pas partager votre rôle."
                .into()
        }
    }
}

/// A proposal waiting on a post's page, with what the reader may do with it.
pub struct PendingLine {
    pub id: String,
    pub text: String,
    pub can_confirm: bool,
    pub can_decline: bool,
}

/// The open proposals of a post as its page lists them.
pub async fn pending_lines(
    state: &AppState,
    auth: &Authenticated,
    post: &PostRow,
) -> WebResult<Vec<PendingLine>> {
    let place = passerelle_store::registry::post::place_of(post);
    let mut lines = Vec::new();
    for row in store::open_of_post(&state.db, post.id.as_str()).await? {
        let can_confirm = may_decide(state, auth, &place, &row).await?;
        lines.push(PendingLine {
            text: format!(
                "{} ({}) — {} — proposé par {} le {}",
                row.account_name,
                row.account_email,
                what_of(&row)?,
                row.proposer_name,
                crate::http::clock::french_day_of(&row.proposed_at)
            ),
            can_decline: can_confirm || row.proposed_by == auth.account.id,
            can_confirm,
            id: row.id,
        });
    }
    Ok(lines)
}

async fn may_decide(
    state: &AppState,
    auth: &Authenticated,
    place: &passerelle_domain::access::Place,
    row: &ProposalRow,
) -> WebResult<bool> {
    let proposer_roles = passerelle_store::identity::account::roles_with_places(
        &state.db,
        &AccountId::new(&row.proposed_by),
    )
    .await?;
    Ok(access::decide(
        &auth.actor,
        Action::Confirm,
        &Resource::CaseAccessDecision {
            post: place,
            grantee: &row.account_id,
            proposer: &AccountId::new(&row.proposed_by),
            proposer_roles: &proposer_roles,
        },
    )
    .is_allowed())
}

/// The post and its open proposal; unknown and forbidden answer alike.
async fn post_and_proposal(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
    proposal: &str,
) -> WebResult<(PostRow, ProposalRow)> {
    let post = passerelle_store::registry::post::find(&state.db, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    auth.require(
        Action::View,
        &Resource::Post {
            post: &passerelle_store::registry::post::place_of(&post),
        },
    )?;
    let row = store::find_open(&state.db, post.id.as_str(), proposal)
        .await?
        .ok_or_else(|| {
            WebError::BadRequest("Cette proposition n'existe pas ou a déjà été tranchée.".into())
        })?;
    Ok((post, row))
}

async fn confirm(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path((id, proposal)): Path<(String, String)>,
) -> WebResult<Response> {
    let (post, row) = post_and_proposal(&state, &auth, &id, &proposal).await?;
    if !may_decide(
        &state,
        &auth,
        &passerelle_store::registry::post::place_of(&post),
        &row,
    )
    .await?
    {
        return Err(WebError::Forbidden);
    }
    let detail = format!(
        "{} ({}) peut ouvrir les dossiers du poste : {} proposé par {}, confirmé",
        row.account_name,
        row.account_email,
        what_of(&row)?,
        row.proposer_name
    );
    let entry = post_entry(
        &auth,
        &post,
        JournalAction::CaseAccessConfirmed,
        detail,
        ip.as_deref(),
    );
    if !store::confirm(&state.db, &row, &auth.account.id, entry).await? {
        return Err(WebError::BadRequest(
            "Cette proposition a déjà été tranchée.".into(),
        ));
    }
    Ok(Redirect::to(&format!("/postes/{}#acces-dossiers", post.id)).into_response())
}

async fn decline(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path((id, proposal)): Path<(String, String)>,
) -> WebResult<Response> {
    let (post, row) = post_and_proposal(&state, &auth, &id, &proposal).await?;
    let withdrawn = row.proposed_by == auth.account.id;
    if !withdrawn
        && !may_decide(
            &state,
            &auth,
            &passerelle_store::registry::post::place_of(&post),
            &row,
        )
        .await?
    {
        return Err(WebError::Forbidden);
    }
    let detail = format!(
        "proposition d'accès de {} ({}) {}",
        row.account_name,
        row.account_email,
        if withdrawn {
            "retirée par son auteur"
        } else {
            "refusée"
        }
    );
    let entry = post_entry(
        &auth,
        &post,
        JournalAction::CaseAccessDeclined,
        detail,
        ip.as_deref(),
    );
    if !store::decline(&state.db, &row, &auth.account.id, withdrawn, entry).await? {
        return Err(WebError::BadRequest(
            "Cette proposition a déjà été tranchée.".into(),
        ));
    }
    Ok(Redirect::to(&format!("/postes/{}#acces-dossiers", post.id)).into_response())
}
