//! Accounts: password hashing (Argon2id with the crate's recommended parameters).

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};

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

// ---------------------------------------------------------------------------------------
// Accounts, their roles in scopes, login failures, second factor, invitations.

use crate::db::time_text::now_text;
use crate::{Db, StoreError};
use passerelle_domain::access::{Place, Scope};
use passerelle_domain::identity::role::Role;
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: String,
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
    pub account_id: String,
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
            Role::Officer => Scope::Unit(id()?),
            Role::SocialWorker => Scope::Post(id()?),
            Role::Employer => Scope::Employer(id()?),
            Role::Prevention => Scope::Departement(id()?),
            Role::National | Role::Admin => Scope::Nation,
        })
    }
}

pub async fn roles_of(db: &Db, account_id: &str) -> Result<Vec<RoleRow>, StoreError> {
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
            let departement: Option<(Option<String>,)> =
                sqlx::query_as("SELECT departement_code FROM units WHERE id = $1")
                    .bind(id)
                    .fetch_optional(db.pool())
                    .await?;
            place.departements.extend(departement.and_then(|(d,)| d));
        }
        Scope::Post(id) => {
            place.posts.push(id.clone());
            let row: Option<(String, String)> =
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
            let row: Option<(String,)> =
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
    account_id: &str,
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
        Scope::Unit(id) => one("SELECT name FROM units WHERE id = $1", id.clone())
            .await?
            .unwrap_or_else(|| "Unité inconnue".into()),
        Scope::Post(id) => one("SELECT code FROM posts WHERE id = $1", id.clone())
            .await?
            .map(|c| format!("Poste {c}"))
            .unwrap_or_else(|| "Poste inconnu".into()),
        Scope::Employer(id) => one("SELECT name FROM employers WHERE id = $1", id.clone())
            .await?
            .unwrap_or_else(|| "Employeur inconnu".into()),
        Scope::Departement(code) => {
            let name = one(
                "SELECT name FROM departements WHERE code = $1",
                code.clone(),
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

// Login failures, counted per login name typed (hashed), known or not.

pub async fn login_lock(db: &Db, login_hash: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT locked_until FROM login_failures WHERE login_hash = $1")
            .bind(login_hash)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.and_then(|(until,)| until))
}

/// Takes the login name's row until the end of the transaction (creating it, with no
/// failure, if need be) and returns its lock. Attempts on one name then run one after the
/// other: parallel requests cannot all be checked before the first failure is counted.
pub async fn hold_login_lock(
    connection: &mut AnyConnection,
    login_hash: &str,
) -> Result<Option<String>, StoreError> {
    // A no-op update still locks the row on PostgreSQL; SQLite has one writer at a time.
    sqlx::query(
        "INSERT INTO login_failures (login_hash, failures, locked_until, updated_at) VALUES ($1, 0, NULL, $2) \
         ON CONFLICT (login_hash) DO UPDATE SET failures = login_failures.failures",
    )
    .bind(login_hash)
    .bind(now_text())
    .execute(&mut *connection)
    .await?;
    let (until,): (Option<String>,) =
        sqlx::query_as("SELECT locked_until FROM login_failures WHERE login_hash = $1")
            .bind(login_hash)
            .fetch_one(&mut *connection)
            .await?;
    Ok(until)
}

/// Counts one failure; locks the login name until `lock_until` once `threshold` is reached.
/// Returns true when this failure locked it.
pub async fn record_login_failure(
    connection: &mut AnyConnection,
    login_hash: &str,
    threshold: i64,
    lock_until: &str,
) -> Result<bool, StoreError> {
    let now = now_text();
    // Failures older than the lockout window are forgotten: the count starts again at 1.
    let window_start = crate::db::time_text::instant_to_text(
        time::OffsetDateTime::now_utc() - passerelle_domain::identity::account::LOCKOUT_DURATION,
    );
    sqlx::query(
        "INSERT INTO login_failures (login_hash, failures, locked_until, updated_at) VALUES ($1, 1, NULL, $2) \
         ON CONFLICT (login_hash) DO UPDATE SET \
         failures = CASE WHEN login_failures.updated_at < $3 THEN 1 ELSE login_failures.failures + 1 END, \
         updated_at = excluded.updated_at",
    )
    .bind(login_hash)
    .bind(&now)
    .bind(&window_start)
    .execute(&mut *connection)
    .await?;
    let locked = sqlx::query("UPDATE login_failures SET locked_until = $1, failures = 0 WHERE login_hash = $2 AND failures >= $3")
        .bind(lock_until)
        .bind(login_hash)
        .bind(threshold)
        .execute(&mut *connection)
        .await?
        .rows_affected();
    Ok(locked > 0)
}

/// An attempt counted before it is checked: the lock in force (then nothing was counted),
/// or the failures counted with this one.
#[derive(Debug, Clone)]
pub struct LoginAttempt {
    pub locked_until: Option<String>,
    pub failures: i64,
}

/// Counts an attempt as a failure before it is checked, unless the login name is locked;
/// `give_back_login_attempt` takes the count back when it proves right. Parallel attempts
/// thus each see the ones before them, however long the check takes (Argon2).
pub async fn reserve_login_attempt(
    connection: &mut AnyConnection,
    login_hash: &str,
) -> Result<LoginAttempt, StoreError> {
    let locked_until = hold_login_lock(connection, login_hash).await?;
    if locked_until
        .as_deref()
        .is_some_and(|until| until > now_text().as_str())
    {
        return Ok(LoginAttempt {
            locked_until,
            failures: 0,
        });
    }
    let window_start = crate::db::time_text::instant_to_text(
        time::OffsetDateTime::now_utc() - passerelle_domain::identity::account::LOCKOUT_DURATION,
    );
    // Failures older than the lockout window are forgotten: the count starts again at 1.
    sqlx::query(
        "UPDATE login_failures SET \
         failures = CASE WHEN updated_at < $2 THEN 1 ELSE failures + 1 END, updated_at = $3 \
         WHERE login_hash = $1",
    )
    .bind(login_hash)
    .bind(&window_start)
    .bind(now_text())
    .execute(&mut *connection)
    .await?;
    let (failures,): (i64,) =
        sqlx::query_as("SELECT failures FROM login_failures WHERE login_hash = $1")
            .bind(login_hash)
            .fetch_one(&mut *connection)
            .await?;
    Ok(LoginAttempt {
        locked_until: None,
        failures,
    })
}

/// Takes back the count of an attempt that proved right (or was not checked).
pub async fn give_back_login_attempt(
    connection: &mut AnyConnection,
    login_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE login_failures SET failures = failures - 1 WHERE login_hash = $1 AND failures > 0",
    )
    .bind(login_hash)
    .execute(connection)
    .await?;
    Ok(())
}

/// Locks a login name until `lock_until`; its count starts again after the lock.
pub async fn lock_login(
    connection: &mut AnyConnection,
    login_hash: &str,
    lock_until: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE login_failures SET locked_until = $1, failures = 0 WHERE login_hash = $2")
        .bind(lock_until)
        .bind(login_hash)
        .execute(connection)
        .await?;
    Ok(())
}

pub async fn clear_login_failures(
    connection: &mut AnyConnection,
    login_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failures WHERE login_hash = $1")
        .bind(login_hash)
        .execute(connection)
        .await?;
    Ok(())
}

// Second factor.

pub async fn set_pending_totp(
    connection: &mut AnyConnection,
    account_id: &str,
    sealed_secret: &[u8],
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET totp_secret_sealed = $1, totp_enabled = 0, totp_last_step = 0 WHERE id = $2")
        .bind(sealed_secret)
        .bind(account_id)
        .execute(connection)
        .await?;
    Ok(())
}

pub async fn enable_totp(
    connection: &mut AnyConnection,
    account_id: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET totp_enabled = 1 WHERE id = $1")
        .bind(account_id)
        .execute(connection)
        .await?;
    Ok(())
}

/// Accepts a TOTP time step only if it is later than the last one accepted: a code can be
/// used once. Returns false for a replay. Atomic, so two servers cannot both accept it.
pub async fn consume_totp_step(
    connection: &mut AnyConnection,
    account_id: &str,
    step: i64,
) -> Result<bool, StoreError> {
    let updated = sqlx::query(
        "UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
    )
    .bind(step)
    .bind(account_id)
    .execute(connection)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

pub async fn replace_recovery_codes(
    connection: &mut AnyConnection,
    account_id: &str,
    code_hashes: &[String],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *connection)
        .await?;
    for hash in code_hashes {
        sqlx::query("INSERT INTO recovery_codes (id, account_id, code_hash) VALUES ($1, $2, $3)")
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(account_id)
            .bind(hash)
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

/// Uses a recovery code once. Returns false when unknown or already used.
pub async fn use_recovery_code(
    connection: &mut AnyConnection,
    account_id: &str,
    code_hash: &str,
) -> Result<bool, StoreError> {
    let updated = sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL")
        .bind(now_text())
        .bind(account_id)
        .bind(code_hash)
        .execute(connection)
        .await?
        .rows_affected();
    Ok(updated == 1)
}

pub async fn unused_recovery_codes(db: &Db, account_id: &str) -> Result<i64, StoreError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(db.pool())
    .await?;
    Ok(count)
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

pub async fn accept_invitation(
    connection: &mut AnyConnection,
    account_id: &str,
    password_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET password_hash = $1, invitation_token_hash = NULL, invitation_expires_at = NULL WHERE id = $2")
        .bind(password_hash)
        .bind(account_id)
        .execute(connection)
        .await?;
    Ok(())
}

pub async fn set_password(
    connection: &mut AnyConnection,
    account_id: &str,
    password_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(account_id)
        .execute(connection)
        .await?;
    Ok(())
}

pub async fn link_oidc(
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

pub async fn set_disabled(
    connection: &mut AnyConnection,
    account_id: &str,
    disabled: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(account_id)
        .execute(connection)
        .await?;
    Ok(())
}

pub async fn grant_role(
    connection: &mut AnyConnection,
    account_id: &str,
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

pub async fn revoke_role(connection: &mut AnyConnection, role_id: &str) -> Result<(), StoreError> {
    // Sessions acting with that role fall back to the role chooser.
    sqlx::query("UPDATE sessions SET active_role_id = NULL WHERE active_role_id = $1")
        .bind(role_id)
        .execute(&mut *connection)
        .await?;
    sqlx::query("DELETE FROM account_roles WHERE id = $1")
        .bind(role_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// One line of the accounts list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountListRow {
    pub id: String,
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
