//! The accounts an administrator may see, and the page of one account (its roles, the case
//! access proposed for it, the forms to give roles).

use super::{DepartementQuery, managed_account, status_of};
use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::WebResult;
use crate::http::layout::Shell;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use passerelle_domain::access::{self, Action, Resource};
use passerelle_domain::identity::role::Role;
use passerelle_store::identity::account;
use passerelle_store::identity::case_access;

use super::invitations::invite_page;
use super::roles::ScopeOption;

pub struct AccountLine {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub status: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/accounts.html")]
pub struct AccountsPage {
    shell: Shell,
    accounts: Vec<AccountLine>,
}

pub(super) async fn list_accounts(
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
                id: row.id.to_string(),
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

pub(super) async fn show_account(
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
    let pending = case_access::open_of_account(&state.db, target.id.as_str())
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
            (p.post_id.into_string(), text)
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
        id: target.id.to_string(),
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
