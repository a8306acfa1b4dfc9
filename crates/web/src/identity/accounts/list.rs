//! The accounts an administrator may see, and the page of one account (its roles, the case
//! access proposed for it, the forms to give roles).

use super::{DepartementQuery, managed_account, status_of};
use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::WebResult;
use crate::http::layout::Shell;
use crate::http::listing::{Listing, PAGE_SIZE, Pagination};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, RawQuery, State};
use passerelle_domain::access::{self, Action, Resource};
use passerelle_domain::identity::role::Role;
use passerelle_domain::registry::territory::DepartementCode;
use passerelle_store::identity::account;
use passerelle_store::identity::account_list::{self, AccountFilter, AccountState};
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
    pagination: Pagination,
    summary: String,
    notices: Vec<String>,
    search: String,
    role: String,
    departement: String,
    account_state: String,
    roles: &'static [Role],
    states: &'static [AccountState],
    departements: Vec<(String, String)>,
}

const FILTERS: &[&str] = &["role", "departement", "etat"];

/// The accounts in the actor's remit, a page at a time (`http::listing`), filtered by role,
/// département and state, searched by name or address. No export: the list names persons,
/// and the policy gives nobody the right to take it away.
pub(super) async fn list_accounts(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    RawQuery(raw): RawQuery,
) -> WebResult<AccountsPage> {
    auth.require(Action::View, &Resource::Accounts)?;
    let mut listing = Listing::parse(raw.as_deref(), FILTERS);
    let filter = AccountFilter {
        role: listing.read_filter("role", "Rôle", |text| Role::parse(text).ok()),
        departement: listing.read_filter("departement", "Département", |text| {
            DepartementCode::parse(text).ok()
        }),
        state: listing.read_filter("etat", "État", AccountState::parse),
        search: listing.search.clone(),
    };
    let (role, scope) = (auth.role(), &auth.actor.grant.scope);
    let total = account_list::count_accounts(&state.db, role, scope, &filter).await?;
    listing.clamp_to(total);
    let rows =
        account_list::accounts_page(&state.db, role, scope, &filter, PAGE_SIZE, listing.offset())
            .await?;
    let mut accounts = Vec::new();
    for row in rows {
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
    let pagination = listing.pagination("/comptes", total);
    Ok(AccountsPage {
        shell: Shell::for_actor("Comptes", &auth, &csrf).at("/comptes"),
        summary: pagination.summary("compte", "comptes"),
        pagination,
        accounts,
        search: listing.search.clone(),
        role: listing.filter("role").unwrap_or_default().into(),
        departement: listing.filter("departement").unwrap_or_default().into(),
        account_state: listing.filter("etat").unwrap_or_default().into(),
        notices: listing.notices,
        roles: Role::ALL,
        states: AccountState::ALL,
        departements: passerelle_store::registry::territory::departements(&state.db)
            .await?
            .into_iter()
            .map(|d| (d.code, d.name))
            .collect(),
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
        shell: Shell::for_actor(&target.display_name, &auth, &csrf)
            .under("Comptes", "/comptes")
            .at("/comptes"),
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
