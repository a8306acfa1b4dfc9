//! Administration of accounts: the admin manages everyone; an employer its staff; a
//! prevention referent invites the officers of its département. Every change is journaled.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{self, Action, CaseAccessKind, Place, Resource, Scope};
use passerelle_domain::identity::account::{DisplayName, Email};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::identity::role::Role;
use passerelle_store::registry::case_access;
use passerelle_store::registry::case_access::NewProposal;
use passerelle_store::identity::administration::{self, FirstRole, Invitation};
use passerelle_store::identity::{account, lockout, session};
use passerelle_store::journal::Entry;
use serde::Deserialize;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/comptes", list_accounts)
        .form("/comptes/inviter", show_invite, invite)
        .get("/comptes/{id}", show_account)
        .post("/comptes/{id}/roles", grant_role)
        .post("/comptes/{id}/roles/{role_id}/retirer", revoke_role)
        .post("/comptes/{id}/desactiver", disable)
        .post("/comptes/{id}/reactiver", enable)
        .post("/comptes/{id}/debloquer", unlock)
}

/// How long an invitation link stays valid.
const INVITATION_DAYS: i64 = 7;

pub struct AccountLine {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub status: &'static str,
}

fn status_of(disabled: bool, invited: bool, totp: bool) -> &'static str {
    match (disabled, invited, totp) {
        (true, _, _) => "Désactivé",
        (false, true, _) => "Invitation en attente",
        (false, false, true) => "Actif, second facteur activé",
        (false, false, false) => "Actif",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/accounts.html")]
pub struct AccountsPage {
    shell: Shell,
    accounts: Vec<AccountLine>,
}

async fn list_accounts(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
) -> WebResult<AccountsPage> {
    auth.require(Action::View, &Resource::Accounts)?;
    let mut accounts = Vec::new();
    for row in account::accounts_in_remit(&state.db, auth.role(), &auth.actor.grant.scope).await? {
        // The query keeps what is outside the remit out; the policy checks each in full.
        let roles = account::roles_with_places(&state.db, &row.id).await?;
        if access::decide(
            &auth.actor,
            Action::View,
            &Resource::Account { roles: &roles },
        )
        .is_allowed()
        {
            accounts.push(AccountLine {
                status: status_of(row.disabled != 0, row.invited != 0, row.totp_enabled != 0),
                id: row.id,
                email: row.email,
                display_name: row.display_name,
            });
        }
    }
    Ok(AccountsPage {
        shell: Shell::for_actor("Comptes", &auth, &csrf).at("/comptes"),
        accounts,
    })
}

/// A scope offered in the forms, as "kind:id".
pub struct ScopeOption {
    pub value: String,
    pub label: String,
}

/// The roles this actor may give, with the scopes it may give them in (inside `departement`
/// for the admin, who picks a département first).
async fn grantable(
    state: &AppState,
    auth: &Authenticated,
    departement: Option<&str>,
) -> WebResult<Vec<(Role, Vec<ScopeOption>)>> {
    let departement = match &auth.actor.grant.scope {
        Scope::Departement(code) => Some(code.clone()),
        Scope::Employer(id) => account::place_of(&state.db, &Scope::Employer(id.clone()))
            .await?
            .departements
            .first()
            .cloned(),
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

fn parse_scope(role: Role, value: &str) -> WebResult<(Role, Option<String>)> {
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

async fn place_for(state: &AppState, role: Role, scope_id: Option<&str>) -> WebResult<Place> {
    let scope = account::RoleRow {
        id: String::new(),
        account_id: String::new(),
        role: role.code().into(),
        scope_id: scope_id.map(str::to_string),
    }
    .scope()?;
    Ok(account::place_of(&state.db, &scope).await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/invite.html")]
pub struct InvitePage {
    shell: Shell,
    departements: Vec<(String, String)>,
    departement: String,
    needs_departement: bool,
    grantable: Vec<(Role, Vec<ScopeOption>)>,
    error: Option<String>,
    email: String,
    display_name: String,
    invitation_url: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct DepartementQuery {
    departement: Option<String>,
}

async fn invite_page(
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
        shell: Shell::for_actor("Inviter une personne", auth, csrf).at("/comptes"),
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

async fn show_invite(
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

async fn invite(
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
                grantee: "",
                grantee_roles: &[],
            },
        );
        if !allowed.is_allowed() {
            return Err(WebError::Forbidden);
        }
    }
    let (token, token_hash) = session::new_token();
    let expires = passerelle_store::db::time_text::instant_to_text(
        time::OffsetDateTime::now_utc() + time::Duration::days(INVITATION_DAYS),
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
                .by(&auth.account.id, Some(auth.role().code()))
                .from_ip(ip.as_deref())
                .in_employer(employer.as_deref()),
        },
    };
    administration::invite(
        &state.db,
        &Invitation {
            email: email.as_str(),
            display_name: name.as_str(),
            invited_by: &auth.account.id,
            token_hash: &token_hash,
            expires_at: &expires,
        },
        first_role,
        Entry::new(JournalAction::AccountInvited)
            .by(&auth.account.id, Some(auth.role().code()))
            .from_ip(ip.as_deref())
            .in_employer(employer.as_deref()),
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

/// The post a case-opening role is held on.
async fn case_post(
    state: &AppState,
    scope_id: Option<&str>,
) -> WebResult<passerelle_store::registry::post::PostRow> {
    passerelle_store::registry::post::find(&state.db, scope_id.unwrap_or_default())
        .await?
        .ok_or_else(|| WebError::BadRequest("Périmètre : ce poste n'existe pas.".into()))
}

/// The account at `id` if the actor may manage it, with its roles and their places.
async fn managed_account(
    state: &AppState,
    auth: &Authenticated,
    id: &str,
) -> WebResult<(
    account::AccountRow,
    Vec<account::RoleRow>,
    Vec<(Role, Place)>,
)> {
    // Unknown and forbidden answer alike: the page does not reveal which accounts exist.
    let target = account::find(&state.db, id)
        .await?
        .ok_or(WebError::Forbidden)?;
    let places = account::roles_with_places(&state.db, &target.id).await?;
    auth.require(Action::Manage, &Resource::Account { roles: &places })?;
    let roles = account::roles_of(&state.db, &target.id).await?;
    Ok((target, roles, places))
}

pub struct ManagedRole {
    pub id: String,
    pub role_label: &'static str,
    pub scope_label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/account_admin.html")]
pub struct AccountAdminPage {
    shell: Shell,
    id: String,
    email: String,
    display_name: String,
    status: &'static str,
    disabled: bool,
    roles: Vec<ManagedRole>,
    /// Case access proposed for this account, waiting for a second person: (post id, text).
    pending: Vec<(String, String)>,
    grantable: Vec<(Role, Vec<ScopeOption>)>,
    departements: Vec<(String, String)>,
    departement: String,
    needs_departement: bool,
}

async fn show_account(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<DepartementQuery>,
) -> WebResult<AccountAdminPage> {
    let (target, roles, _) = managed_account(&state, &auth, &id).await?;
    let mut managed = Vec::new();
    for role in &roles {
        managed.push(ManagedRole {
            id: role.id.clone(),
            role_label: role.role()?.label(),
            scope_label: account::scope_label(&state.db, &role.scope()?).await?,
        });
    }
    let pending = case_access::open_of_account(&state.db, &target.id)
        .await?
        .into_iter()
        .map(|p| {
            let what = if p.kind == "replacement" {
                "Remplacement sur le poste"
            } else {
                "Rôle d'intervenant social du poste"
            };
            let text = format!(
                "{what} {}, proposé par {} le {}",
                p.post_code,
                p.proposer_name,
                crate::http::clock::french_day_of(&p.proposed_at)
            );
            (p.post_id, text)
        })
        .collect();
    let departement = query
        .departement
        .filter(|d| passerelle_domain::registry::territory::DepartementCode::parse(d).is_ok());
    let invite = invite_page(&state, &auth, &csrf, departement.as_deref()).await?;
    Ok(AccountAdminPage {
        shell: Shell::for_actor(&target.display_name, &auth, &csrf).at("/comptes"),
        status: status_of(
            target.is_disabled(),
            target.invitation_expires_at.is_some(),
            target.has_totp(),
        ),
        disabled: target.is_disabled(),
        id: target.id,
        email: target.email,
        display_name: target.display_name,
        roles: managed,
        pending,
        grantable: invite.grantable,
        departements: invite.departements,
        departement: invite.departement,
        needs_departement: invite.needs_departement,
    })
}

#[derive(Deserialize)]
pub struct GrantForm {
    role: String,
    scope: String,
}

async fn grant_role(
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
        return match crate::registry::case_access::propose(&state, &auth, new, &post, ip.as_deref()).await? {
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
            .by(&auth.account.id, Some(auth.role().code()))
            .from_ip(ip.as_deref())
            .in_employer(place.employers.first().map(String::as_str)),
    )
    .await?
    .ok_or_else(|| {
        WebError::BadRequest("Rôle : ce compte a déjà ce rôle dans ce périmètre.".into())
    })?;
    Ok(Redirect::to(&format!("/comptes/{}", target.id)).into_response())
}

async fn revoke_role(
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
            .by(&auth.account.id, Some(auth.role().code()))
            .on("account", &target.id)
            .detail(format!(
                "{} ({}) n'a plus le rôle {} ({})",
                target.display_name,
                target.email,
                role.role()?.label(),
                role.id
            ))
            .from_ip(ip.as_deref())
            .in_employer(place.employers.first().map(String::as_str))
            .in_post(place.posts.first().map(String::as_str)),
    )
    .await?;
    Ok(Redirect::to(&format!("/comptes/{}", target.id)).into_response())
}

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
        &target.id,
        disabled,
        Entry::new(action)
            .by(&auth.account.id, Some(auth.role().code()))
            .on("account", &target.id)
            .from_ip(ip.as_deref())
            .in_employer(employer.as_deref()),
    )
    .await?;
    Ok(Redirect::to(&format!("/comptes/{}", target.id)).into_response())
}

async fn disable(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<Response> {
    set_disabled(state, auth, ip, id, true).await
}

async fn enable(
    State(state): State<AppState>,
    auth: Authenticated,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
) -> WebResult<Response> {
    set_disabled(state, auth, ip, id, false).await
}

async fn unlock(
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
            .by(&auth.account.id, Some(auth.role().code()))
            .on("account", &target.id)
            .from_ip(ip.as_deref())
            .in_employer(employer.as_deref()),
    )
    .await?;
    Ok(Redirect::to(&format!("/comptes/{}", target.id)).into_response())
}
