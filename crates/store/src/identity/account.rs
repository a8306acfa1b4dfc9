//! Accounts: password hashing (Argon2id with the crate's recommended parameters), the
//! account and role rows and their scopes, invitations and passwords.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use passerelle_domain::ids::{AccountId, EmployerId};

#[derive(Debug, thiserror::Error)]
#[error("échec du hachage du mot de passe")]
pub struct PasswordHashError;

/// A PHC string (`$argon2id$…`) with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, PasswordHashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|_| PasswordHashError)
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

// ---------------------------------------------------------------------------------------
// Accounts, their roles in scopes, invitations, passwords.

use crate::db::time_text::now_text;
use crate::journal::{Entry, append};
use crate::{Db, StoreError};
use passerelle_domain::access::{Place, Scope};
use passerelle_domain::identity::role::Role;
use passerelle_domain::registry::territory::DepartementCode;
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: AccountId,
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub disabled: i64,
    pub totp_secret_sealed: Option<Vec<u8>>,
    pub totp_enabled: i64,
    pub totp_last_step: i64,
    pub oidc_subject: Option<String>,
    pub invitation_expires_at: Option<String>,
}

impl AccountRow {
    pub fn is_disabled(&self) -> bool {
        self.disabled != 0
    }
    pub fn has_totp(&self) -> bool {
        self.totp_enabled != 0
    }
}

const SELECT_ACCOUNT: &str = "SELECT id, email, display_name, password_hash, disabled, totp_secret_sealed, totp_enabled, \
     totp_last_step, oidc_subject, invitation_expires_at FROM accounts";

fn select_account_where(condition: &str) -> sqlx::AssertSqlSafe<String> {
    // Built from our own constant and a constant condition: no user text.
    sqlx::AssertSqlSafe(format!("{SELECT_ACCOUNT} WHERE {condition}"))
}

pub async fn find(db: &Db, id: &str) -> Result<Option<AccountRow>, StoreError> {
    Ok(sqlx::query_as(select_account_where("id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<AccountRow>, StoreError> {
    Ok(sqlx::query_as(select_account_where("email = $1"))
        .bind(email)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn find_by_oidc_subject(
    db: &Db,
    subject: &str,
) -> Result<Option<AccountRow>, StoreError> {
    Ok(sqlx::query_as(select_account_where("oidc_subject = $1"))
        .bind(subject)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn find_by_invitation(
    db: &Db,
    token_hash: &str,
) -> Result<Option<AccountRow>, StoreError> {
    Ok(
        sqlx::query_as(select_account_where("invitation_token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// A role held by an account, with the id of its scope (none for national roles).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoleRow {
    pub id: String,
    pub account_id: AccountId,
    pub role: String,
    pub scope_id: Option<String>,
}

impl RoleRow {
    pub fn role(&self) -> Result<Role, StoreError> {
        Role::parse(&self.role).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// The scope the role is held in, as the policy sees it.
    pub fn scope(&self) -> Result<Scope, StoreError> {
        let id = || {
            self.scope_id
                .clone()
                .ok_or_else(|| StoreError::Corrupt(format!("rôle {} sans périmètre", self.id)))
        };
        Ok(match self.role()? {
            Role::Officer => Scope::Unit(id()?.into()),
            Role::SocialWorker => Scope::Post(id()?.into()),
            Role::Employer => Scope::Employer(id()?.into()),
            Role::Prevention => Scope::Departement(
                DepartementCode::parse(&id()?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            ),
            Role::National | Role::Admin => Scope::Nation,
        })
    }
}

pub async fn roles_of(db: &Db, account_id: &AccountId) -> Result<Vec<RoleRow>, StoreError> {
    Ok(sqlx::query_as("SELECT id, account_id, role, scope_id FROM account_roles WHERE account_id = $1 ORDER BY created_at, id")
        .bind(account_id)
        .fetch_all(db.pool())
        .await?)
}

pub async fn find_role(db: &Db, role_id: &str) -> Result<Option<RoleRow>, StoreError> {
    Ok(
        sqlx::query_as("SELECT id, account_id, role, scope_id FROM account_roles WHERE id = $1")
            .bind(role_id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Every scope that contains `scope`: what the policy needs to decide about it.
pub async fn place_of(db: &Db, scope: &Scope) -> Result<Place, StoreError> {
    let mut place = Place::default();
    match scope {
        Scope::Unit(id) => {
            place.units.push(id.clone());
            let departement: Option<(Option<DepartementCode>,)> =
                sqlx::query_as("SELECT departement_code FROM units WHERE id = $1")
                    .bind(id)
                    .fetch_optional(db.pool())
                    .await?;
            place.departements.extend(departement.and_then(|(d,)| d));
        }
        Scope::Post(id) => {
            place.posts.push(id.clone());
            let row: Option<(EmployerId, DepartementCode)> =
                sqlx::query_as("SELECT employer_id, departement_code FROM posts WHERE id = $1")
                    .bind(id)
                    .fetch_optional(db.pool())
                    .await?;
            if let Some((employer, departement)) = row {
                place.employers.push(employer);
                place.departements.push(departement);
            }
        }
        Scope::Employer(id) => {
            place.employers.push(id.clone());
            let row: Option<(DepartementCode,)> =
                sqlx::query_as("SELECT departement_code FROM employers WHERE id = $1")
                    .bind(id)
                    .fetch_optional(db.pool())
                    .await?;
            place.departements.extend(row.map(|(d,)| d));
        }
        Scope::Departement(code) => place.departements.push(code.clone()),
        Scope::Nation => {}
    }
    Ok(place)
}

/// Whether a scope id names something that exists, for the kind of scope of `role`.
pub async fn scope_exists(db: &Db, role: Role, scope_id: Option<&str>) -> Result<bool, StoreError> {
    use passerelle_domain::identity::role::ScopeKind;
    let table = match role.scope_kind() {
        ScopeKind::Unit => "units WHERE id = $1",
        ScopeKind::Post => "posts WHERE id = $1",
        ScopeKind::Employer => "employers WHERE id = $1",
        ScopeKind::Departement => "departements WHERE code = $1",
        ScopeKind::Nation => return Ok(scope_id.is_none()),
    };
    let Some(id) = scope_id else { return Ok(false) };
    let found: Option<(i64,)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT 1 FROM {table}")))
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// The roles of an account with the places of their scopes (for the policy).
pub async fn roles_with_places(
    db: &Db,
    account_id: &AccountId,
) -> Result<Vec<(Role, Place)>, StoreError> {
    let mut result = Vec::new();
    for row in roles_of(db, account_id).await? {
        result.push((row.role()?, place_of(db, &row.scope()?).await?));
    }
    Ok(result)
}

/// A human label for a scope: "Poste ISCG-35-003", the unit's name, "Département 35 — …".
pub async fn scope_label(db: &Db, scope: &Scope) -> Result<String, StoreError> {
    let one = |sql: &'static str, id: String| async move {
        let row: Option<(String,)> = sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
        Ok::<_, StoreError>(row.map(|(label,)| label))
    };
    Ok(match scope {
        Scope::Unit(id) => one("SELECT name FROM units WHERE id = $1", id.to_string())
            .await?
            .unwrap_or_else(|| "Unité inconnue".into()),
        Scope::Post(id) => one("SELECT code FROM posts WHERE id = $1", id.to_string())
            .await?
            .map(|c| format!("Poste {c}"))
            .unwrap_or_else(|| "Poste inconnu".into()),
        Scope::Employer(id) => one("SELECT name FROM employers WHERE id = $1", id.to_string())
            .await?
            .unwrap_or_else(|| "Employeur inconnu".into()),
        Scope::Departement(code) => {
            let name = one(
                "SELECT name FROM departements WHERE code = $1",
                code.to_string(),
            )
            .await?
            .unwrap_or_default();
            format!("Département {code} — {name}")
        }
        Scope::Nation => "National".into(),
    })
}

/// The employer an account works for, if any: where its security events are shown.
pub async fn employer_of(db: &Db, account_id: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT COALESCE(p.employer_id, r.scope_id) FROM account_roles r LEFT JOIN posts p ON r.role = 'social_worker' AND p.id = r.scope_id \
         WHERE r.account_id = $1 AND r.role IN ('social_worker', 'employer') ORDER BY r.created_at LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(id,)| id))
}

// Administration.

/// Creates an invited account (no password yet) and returns its id.
pub async fn invite(
    connection: &mut AnyConnection,
    email: &str,
    display_name: &str,
    invited_by: Option<&str>,
    token_hash: &str,
    expires_at: &str,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO accounts (id, email, display_name, password_hash, disabled, created_at, invited_by, invitation_token_hash, invitation_expires_at) \
         VALUES ($1, $2, $3, NULL, 0, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(email)
    .bind(display_name)
    .bind(now_text())
    .bind(invited_by)
    .bind(token_hash)
    .bind(expires_at)
    .execute(connection)
    .await?;
    Ok(id)
}

/// The invited person chose a password: the invitation is spent; journaled by `entry`.
pub async fn accept_invitation(
    db: &Db,
    account_id: &str,
    password_hash: &str,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE accounts SET password_hash = $1, invitation_token_hash = NULL, invitation_expires_at = NULL WHERE id = $2")
        .bind(password_hash)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// A new password: whoever else was signed in with the old one is out, the session
/// `kept_session` (the one that changed it) stays. `entry` is told how many sessions ended.
/// Returns that number.
pub async fn change_password(
    db: &Db,
    account_id: &str,
    password_hash: &str,
    kept_session: &str,
    entry: impl FnOnce(u64) -> Entry,
) -> Result<u64, StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let ended =
        super::session::delete_others_for_account(&mut tx, account_id, kept_session).await?;
    append(&mut tx, entry(ended)).await?;
    tx.commit().await?;
    Ok(ended)
}

pub(crate) async fn link_oidc(
    connection: &mut AnyConnection,
    account_id: &str,
    subject: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET oidc_subject = $1, invitation_token_hash = NULL, invitation_expires_at = NULL WHERE id = $2")
        .bind(subject)
        .bind(account_id)
        .execute(connection)
        .await?;
    Ok(())
}

pub async fn grant_role(
    connection: &mut AnyConnection,
    account_id: &AccountId,
    role: Role,
    scope_id: Option<&str>,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO account_roles (id, account_id, role, scope_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(account_id)
        .bind(role.code())
        .bind(scope_id)
        .bind(now_text())
        .execute(connection)
        .await?;
    Ok(id)
}

/// One line of the accounts list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountListRow {
    pub id: AccountId,
    pub email: String,
    pub display_name: String,
    pub disabled: i64,
    pub totp_enabled: i64,
    pub invited: i64,
}

/// Accounts having at least one role inside the scope an administrator works in. The
/// policy then checks each account in full; this query keeps the rest out of the list.
pub async fn accounts_in_remit(
    db: &Db,
    role: Role,
    scope: &Scope,
) -> Result<Vec<AccountListRow>, StoreError> {
    let base = "SELECT DISTINCT a.id, a.email, a.display_name, a.disabled, a.totp_enabled, \
                CASE WHEN a.invitation_token_hash IS NULL THEN 0 ELSE 1 END AS invited FROM accounts a";
    let rows = match (role, scope) {
        (Role::Admin, _) => sqlx::query_as(sqlx::AssertSqlSafe(format!("{base} ORDER BY a.email"))).fetch_all(db.pool()).await?,
        (Role::Employer, Scope::Employer(employer)) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{base} JOIN account_roles r ON r.account_id = a.id LEFT JOIN posts p ON r.role = 'social_worker' AND p.id = r.scope_id \
                 WHERE (r.role = 'social_worker' AND p.employer_id = $1) OR (r.role = 'employer' AND r.scope_id = $1) ORDER BY a.email"
            )))
            .bind(employer)
            .fetch_all(db.pool())
            .await?
        }
        (Role::Prevention, Scope::Departement(code)) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{base} JOIN account_roles r ON r.account_id = a.id JOIN units u ON r.role = 'officer' AND u.id = r.scope_id \
                 WHERE u.departement_code = $1 ORDER BY a.email"
            )))
            .bind(code)
            .fetch_all(db.pool())
            .await?
        }
        _ => Vec::new(),
    };
    Ok(rows)
}

/// A choice offered when giving a role: a scope id and its label.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScopeChoice {
    pub id: String,
    pub label: String,
}

/// The scopes in which `role` can be given inside a département (for the forms).
pub async fn scope_choices(
    db: &Db,
    role: Role,
    departement: &str,
) -> Result<Vec<ScopeChoice>, StoreError> {
    use passerelle_domain::identity::role::ScopeKind;
    let sql = match role.scope_kind() {
        ScopeKind::Unit => {
            "SELECT id, name AS label FROM units WHERE departement_code = $1 AND kind IN ('groupement','compagnie','bta','cob','brigade_proximite','mpf','circonscription','commissariat') ORDER BY name"
        }
        ScopeKind::Post => {
            "SELECT id, code AS label FROM posts WHERE departement_code = $1 AND status <> 'closed' ORDER BY code"
        }
        ScopeKind::Employer => {
            "SELECT id, name AS label FROM employers WHERE departement_code = $1 ORDER BY name"
        }
        ScopeKind::Departement => {
            "SELECT code AS id, code || ' — ' || name AS label FROM departements WHERE code = $1"
        }
        ScopeKind::Nation => return Ok(Vec::new()),
    };
    Ok(sqlx::query_as(sql)
        .bind(departement)
        .fetch_all(db.pool())
        .await?)
}

/// The names of `ids` as pages show them: « Prénom Nom (adresse) », by account id. The
/// journals store ids; a social worker reading who opened the post's cases needs names.
pub async fn names_of(
    db: &Db,
    ids: &[String],
) -> Result<std::collections::HashMap<String, String>, StoreError> {
    let mut names = std::collections::HashMap::new();
    for chunk in ids.chunks(200) {
        let placeholders = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql =
            format!("SELECT id, display_name, email FROM accounts WHERE id IN ({placeholders})");
        let mut query = sqlx::query_as::<_, (String, String, String)>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(id);
        }
        for (id, name, email) in query.fetch_all(db.pool()).await? {
            names.insert(id, format!("{name} ({email})"));
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterie", &hash));
        assert!(!verify_password("x", "not a hash"));
    }
}
