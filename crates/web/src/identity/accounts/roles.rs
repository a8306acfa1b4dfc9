//! Roles given and taken back on an account's page, and what the forms offer: the roles an
//! actor may give and the scopes it may give them in.

use super::managed_account;
use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{self, Action, CaseAccessKind, Place, Resource, Scope};
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::{AccountId, EmployerId, PostId};
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::case_access::NewProposal;
use passerelle_store::identity::{account, administration};
use passerelle_store::journal::Entry;
use serde::Deserialize;

/// A scope offered in the forms, as "kind:id".
pub struct ScopeOption {
    pub value: String,
    pub label: String,
}

/// The roles this actor may give, with the scopes it may give them in (inside `departement`
/// for the admin, who picks a département first).
pub(crate) async fn grantable(
    state: &AppState,
    auth: &Authenticated,
    departement: Option<&str>,
) -> WebResult<Vec<(Role, Vec<ScopeOption>)>> {
    let departement = match &auth.actor.grant.scope {
        Scope::Departement(code) => Some(code.to_string()),
        Scope::Employer(id) => account::place_of(&state.db, &Scope::Employer(id.clone()))
            .await?
            .departements
            .first()
            .map(ToString::to_string),
        _ => departement.map(str::to_string),
    };
    let mut result = Vec::new();
    for &role in Role::ALL {
        let choices = match (role, &departement) {
            (Role::National | Role::Admin, _) => vec![ScopeOption {
                value: "nation:".into(),
                label: "National".into(),
            }],
            (_, Some(code)) => account::scope_choices(&state.db, role, code)
                .await?
                .into_iter()
                .map(|c| ScopeOption {
                    value: format!("{}:{}", role.scope_kind().code(), c.id),
                    label: c.label,
                })
                .collect(),
            (_, None) => Vec::new(),
        };
        let mut allowed = Vec::new();
        for option in choices {
            let (role, scope_id) = parse_scope(role, &option.value)?;
            let place = place_for(state, role, scope_id.as_deref()).await?;
            if access::decide(
                &auth.actor,
                Action::Grant,
                &Resource::RoleAt { role, at: &place },
            )
            .is_allowed()
            {
                allowed.push(option);
            }
        }
        if !allowed.is_empty() {
            result.push((role, allowed));
        }
    }
    Ok(result)
}

pub(crate) fn parse_scope(role: Role, value: &str) -> WebResult<(Role, Option<String>)> {
    let (kind, id) = value
        .split_once(':')
        .ok_or_else(|| WebError::BadRequest("Périmètre : valeur illisible.".into()))?;
    if kind != role.scope_kind().code() {
        return Err(WebError::BadRequest(format!(
            "Périmètre : le rôle « {} » se tient dans un périmètre de type « {} ».",
            role.label(),
            role.scope_kind().label()
        )));
    }
    Ok((
        role,
        if id.is_empty() {
            None
        } else {
            Some(id.to_string())
        },
    ))
}

pub(crate) async fn place_for(
    state: &AppState,
    role: Role,
    scope_id: Option<&str>,
) -> WebResult<Place> {
    let scope = account::RoleRow {
        id: String::new(),
        account_id: AccountId::new(""),
        role: role.code().into(),
        scope_id: scope_id.map(str::to_string),
    }
    .scope()?;
    Ok(account::place_of(&state.db, &scope).await?)
}

/// The post a case-opening role is held on.
pub(super) async fn case_post(
    state: &AppState,
    scope_id: Option<&str>,
) -> WebResult<passerelle_store::registry::post::PostRow> {
    passerelle_store::registry::post::find(&state.db, scope_id.unwrap_or_default())
        .await?
        .ok_or_else(|| WebError::BadRequest("Périmètre : ce poste n'existe pas.".into()))
}

#[derive(Deserialize)]
pub struct GrantForm {
    role: String,
    scope: String,
}

pub(super) async fn grant_role(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<GrantForm>,
) -> WebResult<Response> {
    let (target, _, _) = managed_account(&state, &auth, &id).await?;
    let role = Role::parse(&form.role).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let (role, scope_id) = parse_scope(role, &form.scope)?;
    if !account::scope_exists(&state.db, role, scope_id.as_deref()).await? {
        return Err(WebError::BadRequest("Périmètre : il n'existe pas.".into()));
    }
    let place = place_for(&state, role, scope_id.as_deref()).await?;
    auth.require(Action::Grant, &Resource::RoleAt { role, at: &place })?;
    if access::opens_case_content(role) {
        // Two people: this is only a proposal, confirmed on the post's page.
        let post = case_post(&state, scope_id.as_deref()).await?;
        let new = NewProposal {
            kind: CaseAccessKind::Role,
            post_id: &post.id,
            account_id: &target.id,
            replacement: None,
            proposed_by: &auth.account.id,
        };
        return match crate::identity::case_access::propose(&state, &auth, new, &post, ip.as_deref())
            .await?
        {
            Ok(()) => Ok(Redirect::to(&format!("/comptes/{}", target.id)).into_response()),
            Err(message) => Err(WebError::BadRequest(message)),
        };
    }
    administration::grant_role(
        &state.db,
        &target.id,
        role,
        scope_id.as_deref(),
        Entry::new(JournalAction::RoleGranted)
            .by(auth.account.id.as_str(), Some(auth.role().code()))
            .from_ip(ip.as_deref())
            .in_employer(place.employers.first().map(EmployerId::as_str)),
    )
    .await?
    .ok_or_else(|| {
        WebError::BadRequest("Rôle : ce compte a déjà ce rôle dans ce périmètre.".into())
    })?;
    Ok(Redirect::to(&format!("/comptes/{}", target.id)).into_response())
}

pub(super) async fn revoke_role(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path((id, role_id)): Path<(String, String)>,
) -> WebResult<Response> {
    let (target, roles, _) = managed_account(&state, &auth, &id).await?;
    let role = roles
        .iter()
        .find(|r| r.id == role_id)
        .ok_or_else(|| WebError::BadRequest("Rôle : ce compte n'a pas ce rôle.".into()))?;
    let place = account::place_of(&state.db, &role.scope()?).await?;
    auth.require(
        Action::Grant,
        &Resource::RoleAt {
            role: role.role()?,
            at: &place,
        },
    )?;
    administration::revoke_role(
        &state.db,
        &role.id,
        Entry::new(JournalAction::RoleRevoked)
            .by(auth.account.id.as_str(), Some(auth.role().code()))
            .on("account", &target.id)
            .detail(format!(
                "{} ({}) n'a plus le rôle {} ({})",
                target.display_name,
                target.email,
                role.role()?.label(),
                role.id
            ))
            .from_ip(ip.as_deref())
            .in_employer(place.employers.first().map(EmployerId::as_str))
            .in_post(place.posts.first().map(PostId::as_str)),
    )
    .await?;
    Ok(Redirect::to(&format!("/comptes/{}", target.id)).into_response())
}
