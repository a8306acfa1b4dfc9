//! The accounts an administrator has in charge, a page at a time: the remit applied in the
//! query (an account whose every role lies inside it, as `access::decide` wants for
//! `Resource::Account`), filtered by role, département and state, searched by name or
//! address.

use super::account::AccountListRow;
use crate::registry::post_list::like_pattern;
use crate::{Db, StoreError};
use passerelle_domain::access::Scope;
use passerelle_domain::identity::role::Role;
use passerelle_domain::registry::territory::DepartementCode;

/// The state of an account, as the list filters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    Active,
    Invited,
    Disabled,
}

impl AccountState {
    pub const ALL: &'static [AccountState] = &[Self::Active, Self::Invited, Self::Disabled];

    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "actif",
            Self::Invited => "invite",
            Self::Disabled => "desactive",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Actif",
            Self::Invited => "Invitation en attente",
            Self::Disabled => "Désactivé",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.code() == text)
    }

    fn condition(self) -> &'static str {
        match self {
            Self::Active => "a.disabled = 0 AND a.invitation_token_hash IS NULL",
            Self::Invited => "a.disabled = 0 AND a.invitation_token_hash IS NOT NULL",
            Self::Disabled => "a.disabled <> 0",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub role: Option<Role>,
    /// Accounts holding a role placed in this département.
    pub departement: Option<DepartementCode>,
    pub state: Option<AccountState>,
    pub search: String,
}

/// Whether the role `r` lies inside the remit of an administrator working in `$1`; None:
/// the administrator holds no remit over accounts.
fn in_remit(role: Role, scope: &Scope) -> Option<(&'static str, String)> {
    match (role, scope) {
        (Role::Admin, _) => Some(("1 = 1", String::new())),
        (Role::Employer, Scope::Employer(employer)) => Some((
            "((r.role = 'social_worker' AND EXISTS (SELECT 1 FROM posts p WHERE p.id = r.scope_id AND p.employer_id = $1)) \
             OR (r.role = 'employer' AND r.scope_id = $1))",
            employer.to_string(),
        )),
        (Role::Prevention, Scope::Departement(code)) => Some((
            "(r.role = 'officer' AND EXISTS (SELECT 1 FROM units u WHERE u.id = r.scope_id AND u.departement_code = $1))",
            code.to_string(),
        )),
        _ => None,
    }
}

/// The condition on accounts (`a`), values bound as `$1` (the remit) to `$4`.
fn condition(role: Role, scope: &Scope, filter: &AccountFilter) -> Option<(String, String)> {
    let (remit, value) = in_remit(role, scope)?;
    // The administrator sees every account, roleless ones too; the others an account with a
    // role inside their remit and none outside it.
    let remit = if role == Role::Admin {
        "($1 = '' OR $1 <> '')".to_string()
    } else {
        format!(
            "EXISTS (SELECT 1 FROM account_roles r WHERE r.account_id = a.id AND {remit}) \
             AND NOT EXISTS (SELECT 1 FROM account_roles r WHERE r.account_id = a.id \
             AND (CASE WHEN {remit} THEN 1 ELSE 0 END) = 0)"
        )
    };
    let state = filter.state.map_or("1 = 1", AccountState::condition);
    Some((
        format!(
            "{remit} AND {state} \
             AND ($2 = '' OR EXISTS (SELECT 1 FROM account_roles r WHERE r.account_id = a.id AND r.role = $2)) \
             AND ($3 = '' OR EXISTS (SELECT 1 FROM account_roles r WHERE r.account_id = a.id AND (r.scope_id = $3 \
               OR r.scope_id IN (SELECT id FROM units WHERE departement_code = $3) \
               OR r.scope_id IN (SELECT id FROM posts WHERE departement_code = $3) \
               OR r.scope_id IN (SELECT id FROM employers WHERE departement_code = $3)))) \
             AND ($4 = '' OR LOWER(a.display_name) LIKE $4 ESCAPE '\\' OR LOWER(a.email) LIKE $4 ESCAPE '\\')"
        ),
        value,
    ))
}

fn filter_values(filter: &AccountFilter) -> (&'static str, String, String) {
    (
        filter.role.map(Role::code).unwrap_or(""),
        filter
            .departement
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        like_pattern(&filter.search),
    )
}

pub async fn count_accounts(
    db: &Db,
    role: Role,
    scope: &Scope,
    filter: &AccountFilter,
) -> Result<u64, StoreError> {
    let Some((condition, remit)) = condition(role, scope, filter) else {
        return Ok(0);
    };
    let (role_code, departement, search) = filter_values(filter);
    let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM accounts a WHERE {condition}"
    )))
    .bind(remit)
    .bind(role_code)
    .bind(departement)
    .bind(search)
    .fetch_one(db.pool())
    .await?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// A page of the accounts, by address.
pub async fn accounts_page(
    db: &Db,
    role: Role,
    scope: &Scope,
    filter: &AccountFilter,
    limit: u64,
    offset: u64,
) -> Result<Vec<AccountListRow>, StoreError> {
    let Some((condition, remit)) = condition(role, scope, filter) else {
        return Ok(Vec::new());
    };
    let (role_code, departement, search) = filter_values(filter);
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT a.id, a.email, a.display_name, a.disabled, a.totp_enabled, \
         CASE WHEN a.invitation_token_hash IS NULL THEN 0 ELSE 1 END AS invited FROM accounts a \
         WHERE {condition} ORDER BY a.email, a.id LIMIT $5 OFFSET $6"
    )))
    .bind(remit)
    .bind(role_code)
    .bind(departement)
    .bind(search)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .bind(i64::try_from(offset).unwrap_or(i64::MAX))
    .fetch_all(db.pool())
    .await?)
}
