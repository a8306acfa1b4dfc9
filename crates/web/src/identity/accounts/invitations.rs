//! Inviting a person: the form, and the invitation itself with its first role (or, for a
//! role that opens case content, the proposal of it, confirmed by a second person).

use super::DepartementQuery;
use super::roles::{ScopeOption, case_post, grantable, parse_scope, place_for};
use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use passerelle_domain::access::{self, Action, CaseAccessKind, Resource, Scope};
use passerelle_domain::identity::account::{DisplayName, Email};
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::AccountId;
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::administration::{self, FirstRole, Invitation};
use passerelle_store::identity::{account, session};
use passerelle_store::journal::Entry;
use serde::Deserialize;

/// How long an invitation link stays valid.
const INVITATION_DAYS: i64 = 7;

#[derive(Template, WebTemplate)]
#[template(path = "identity/invite.html")]
pub struct InvitePage {
    shell: Shell,
    pub(super) departements: Vec<(String, String)>,
    pub(super) departement: String,
    pub(super) needs_departement: bool,
    pub(super) grantable: Vec<(Role, Vec<ScopeOption>)>,
    error: Option<String>,
    email: String,
    display_name: String,
    invitation_url: Option<String>,
}

pub(super) async fn invite_page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    departement: Option<&str>,
) -> WebResult<InvitePage> {
    let needs_departement = matches!(auth.actor.grant.scope, Scope::Nation);
    let departements = if needs_departement {
        passerelle_store::registry::territory::departements(&state.db)
            .await?
            .into_iter()
            .map(|d| (d.code.clone(), format!("{} — {}", d.code, d.name)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(InvitePage {
        shell: Shell::for_actor("Inviter une personne", auth, csrf)
            .under("Comptes", "/comptes")
            .at("/comptes"),
        departements,
        departement: departement.unwrap_or_default().to_string(),
        needs_departement,
        grantable: grantable(state, auth, departement).await?,
        error: None,
        email: String::new(),
        display_name: String::new(),
        invitation_url: None,
    })
}

pub(super) async fn show_invite(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<DepartementQuery>,
) -> WebResult<InvitePage> {
    auth.require(Action::View, &Resource::Accounts)?;
    let departement = query
        .departement
        .filter(|d| passerelle_domain::registry::territory::DepartementCode::parse(d).is_ok());
    invite_page(&state, &auth, &csrf, departement.as_deref()).await
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    display_name: String,
    role: String,
    scope: String,
    departement: Option<String>,
}

pub(super) async fn invite(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(form): FrenchForm<InviteForm>,
) -> WebResult<Response> {
    auth.require(Action::View, &Resource::Accounts)?;
    let departement = form
        .departement
        .clone()
        .filter(|d| passerelle_domain::registry::territory::DepartementCode::parse(d).is_ok());
    let mut page = invite_page(&state, &auth, &csrf, departement.as_deref()).await?;
    page.email = form.email.chars().take(254).collect();
    page.display_name = form.display_name.chars().take(100).collect();
    let refuse = |mut page: InvitePage, message: String| {
        page.error = Some(message);
        Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(error) => return refuse(page, error.to_string()),
    };
    let name = match DisplayName::parse(&form.display_name) {
        Ok(name) => name,
        Err(error) => return refuse(page, error.to_string()),
    };
    let role = match Role::parse(&form.role) {
        Ok(role) => role,
        Err(error) => return refuse(page, error.to_string()),
    };
    let (role, scope_id) = match parse_scope(role, &form.scope) {
        Ok(parsed) => parsed,
        Err(WebError::BadRequest(message)) => return refuse(page, message),
        Err(other) => return Err(other),
    };
    if !account::scope_exists(&state.db, role, scope_id.as_deref()).await? {
        return refuse(page, "Périmètre : il n'existe pas.".into());
    }
    let place = place_for(&state, role, scope_id.as_deref()).await?;
    auth.require(Action::Grant, &Resource::RoleAt { role, at: &place })?;
    if account::find_by_email(&state.db, email.as_str())
        .await?
        .is_some()
    {
        return refuse(page, "Adresse électronique : un compte existe déjà avec cette adresse ; ouvrez-le pour lui ajouter un rôle.".into());
    }
    if access::opens_case_content(role) {
        let post = case_post(&state, scope_id.as_deref()).await?;
        let allowed = access::decide(
            &auth.actor,
            Action::Grant,
            &Resource::CaseAccessProposal {
                kind: CaseAccessKind::Role,
                post: &passerelle_store::registry::post::place_of(&post),
                grantee: &AccountId::new(""),
                grantee_roles: &[],
            },
        );
        if !allowed.is_allowed() {
            return Err(WebError::Forbidden);
        }
    }
    let (token, token_hash) = session::new_token();
    let expires = passerelle_store::db::time_text::instant_to_text(
        state.db.clock().now() + time::Duration::days(INVITATION_DAYS),
    );
    let employer = place.employers.first().cloned();
    // The account and its first role (or the proposal of it) in one transaction: an
    // invitation never stays without the role it was sent for.
    let proposed_post = if access::opens_case_content(role) {
        Some(case_post(&state, scope_id.as_deref()).await?)
    } else {
        None
    };
    let first_role = match &proposed_post {
        Some(post) => FirstRole::Proposed {
            post_id: &post.id,
            entry: crate::journal::entry::post_entry(
                &auth,
                post,
                JournalAction::CaseAccessProposed,
                format!(
                    "{} ({}) invité·e et proposé·e pour le rôle d'intervenant social du poste ; en attente de confirmation par une seconde personne",
                    name.as_str(),
                    email.as_str()
                ),
                ip.as_deref(),
            ),
        },
        None => FirstRole::Granted {
            role,
            scope_id: scope_id.as_deref(),
            entry: Entry::new(JournalAction::RoleGranted)
                .by(auth.account.id.as_str(), Some(auth.role().code()))
                .from_ip(ip.as_deref())
                .in_employer(employer.as_ref().map(|id| id.as_str())),
        },
    };
    administration::invite(
        &state.db,
        &Invitation {
            email: email.as_str(),
            display_name: name.as_str(),
            invited_by: auth.account.id.as_str(),
            token_hash: &token_hash,
            expires_at: &expires,
        },
        first_role,
        Entry::new(JournalAction::AccountInvited)
            .by(auth.account.id.as_str(), Some(auth.role().code()))
            .from_ip(ip.as_deref())
            .in_employer(employer.as_ref().map(|id| id.as_str())),
    )
    .await?;
    page.invitation_url = Some(format!(
        "{}/invitation/{token}",
        state.config.public_url.trim_end_matches('/')
    ));
    page.email = String::new();
    page.display_name = String::new();
    Ok(page.into_response())
}
