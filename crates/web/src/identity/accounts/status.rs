//! Disabling an account (its sessions end), enabling it again, unlocking it after too
//! many failed logins.

use super::managed_account;
use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp};
use crate::http::error::{WebError, WebResult};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::{administration, lockout};
use passerelle_store::journal::Entry;

async fn set_disabled(
    state: AppState,
    auth: Authenticated,
    ip: Option<String>,
    id: String,
    disabled: bool,
) -> WebResult<Response> {
    let (target, _, places) = managed_account(&state, &auth, &id).await?;
    if target.id == auth.account.id {
        return Err(WebError::BadRequest(
            "Vous ne pouvez pas désactiver votre propre compte.".into(),
        ));
    }
    let employer = places
        .iter()
        .find_map(|(_, p)| p.employers.first().cloned());
    let action = if disabled {
        JournalAction::AccountDisabled
    } else {
        JournalAction::AccountEnabled
    };
    administration::set_disabled(
        &state.db,
        target.id.as_str(),
        disabled,
        Entry::new(action)
            .by(auth.account.id.as_str(), Some(auth.role().code()))
            .on("account", &target.id)
            .from_ip(ip.as_deref())
            .in_employer(employer.as_ref().map(|id| id.as_str())),
    )
    .await?;
    Ok(Redirect::to(&format!("/comptes/{}", target.id)).into_response())
}

pub(super) async fn disable(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<Response> {
    set_disabled(state, auth, ip, id, true).await
}

pub(super) async fn enable(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<Response> {
    set_disabled(state, auth, ip, id, false).await
}

pub(super) async fn unlock(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (target, _, places) = managed_account(&state, &auth, &id).await?;
    let employer = places
        .iter()
        .find_map(|(_, p)| p.employers.first().cloned());
    lockout::unlock(
        &state.db,
        &target.email,
        Entry::new(JournalAction::AccountUnlocked)
            .by(auth.account.id.as_str(), Some(auth.role().code()))
            .on("account", &target.id)
            .from_ip(ip.as_deref())
            .in_employer(employer.as_ref().map(|id| id.as_str())),
    )
    .await?;
    Ok(Redirect::to(&format!("/comptes/{}", target.id)).into_response())
}
