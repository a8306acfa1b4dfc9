//! API tokens of machine clients: a role in a scope, read-only, with a name and an expiry.
//! The client holds `psr_<id>_<secret>` (32 random bytes in hex); the table only the SHA-256
//! of the secret, compared in constant time. Every call reads the row: a revocation or an
//! expiry answers at once, on every server.

use crate::db::time_text::instant_to_text;
use crate::journal::{Entry, append};
use crate::{Db, StoreError, WriteError, WriteResult};
use passerelle_domain::access::{Grant, Machine};
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::AccountId;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::Date;

/// What a token's text starts with, so that a leaked one is recognised (secret scanners).
pub const TOKEN_PREFIX: &str = "psr_";
/// The longest name a token takes.
pub const NAME_MAX_CHARS: usize = 80;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: String,
    pub name: String,
    secret_hash: String,
    pub role: String,
    pub scope_id: Option<String>,
    pub created_by: AccountId,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

impl ApiTokenRow {
    /// The grant the token acts through, as the policy sees it.
    pub fn machine(&self) -> Result<Machine, StoreError> {
        let role = crate::identity::account::RoleRow {
            id: self.id.clone(),
            account_id: self.created_by.clone(),
            role: self.role.clone(),
            scope_id: self.scope_id.clone(),
        };
        Ok(Machine {
            token_id: self.id.clone(),
            grant: Grant {
                role: role.role()?,
                scope: role.scope()?,
            },
        })
    }

    pub fn role(&self) -> Result<Role, StoreError> {
        Role::parse(&self.role).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

/// What a presented token comes to.
#[derive(Debug)]
pub enum Presented {
    Valid(Box<ApiTokenRow>),
    /// Not a token of ours, or a wrong secret: the answer does not say which.
    Unknown,
    Expired,
    Revoked,
}

/// The token's columns, then `$rest` (a literal: the query stays a static string).
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, name, secret_hash, role, scope_id, created_by, created_at, expires_at, revoked_at, last_used_at FROM api_tokens ",
            $rest
        )
    };
}

fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new token for `name`, acting as `role` at `scope_id`, accepted until the end of
/// `last_day` (UTC midnight after it): its text, shown once, and its id. Journaled by
/// `entry`, which gets the token as its target.
pub async fn create(
    db: &Db,
    name: &str,
    role: Role,
    scope_id: Option<&str>,
    last_day: Date,
    created_by: &str,
    entry: Entry,
) -> WriteResult<(String, String)> {
    let name = name.trim();
    if name.is_empty() {
        return Err(WriteError::refused("Nom du jeton", "à remplir"));
    }
    if name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(WriteError::refused(
            "Nom du jeton",
            format!("{NAME_MAX_CHARS} caractères au plus, sur une ligne"),
        ));
    }
    if !passerelle_domain::access::token_may_hold(role) {
        return Err(WriteError::refused(
            "Rôle",
            format!(
                "un jeton ne peut pas agir comme « {} » (pilotage national, départemental ou employeur seulement)",
                role.label()
            ),
        ));
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let expires = last_day
        .next_day()
        .unwrap_or(last_day)
        .midnight()
        .assume_utc();
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO api_tokens (id, name, secret_hash, role, scope_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(&id)
        .bind(name)
        .bind(secret_hash(&secret))
        .bind(role.code())
        .bind(scope_id)
        .bind(created_by)
        .bind(db.clock().now_text())
        .bind(instant_to_text(expires))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    append(&mut tx, entry.on("api_token", &id)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok((format!("{TOKEN_PREFIX}{id}_{secret}"), id))
}

/// What the text a client presented comes to, now.
pub async fn presented(db: &Db, text: &str) -> Result<Presented, StoreError> {
    let Some((id, secret)) = text
        .strip_prefix(TOKEN_PREFIX)
        .and_then(|rest| rest.split_once('_'))
    else {
        return Ok(Presented::Unknown);
    };
    // Not shaped like ours: no query.
    let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex(id, 32) || !hex(secret, 64) {
        return Ok(Presented::Unknown);
    }
    let row: Option<ApiTokenRow> = sqlx::query_as(select!("WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else {
        return Ok(Presented::Unknown);
    };
    use subtle::ConstantTimeEq;
    let matches: bool = secret_hash(secret)
        .as_bytes()
        .ct_eq(row.secret_hash.as_bytes())
        .into();
    Ok(if !matches {
        Presented::Unknown
    } else if row.revoked_at.is_some() {
        Presented::Revoked
    } else if row.expires_at.as_str() <= db.clock().now_text().as_str() {
        Presented::Expired
    } else {
        Presented::Valid(Box::new(row))
    })
}

/// Records one call of a valid token: its journal row (`entry`, aimed at the token) and the
/// time it was last used, in one transaction.
pub async fn record_call(db: &Db, token_id: &str, entry: Entry) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(db.clock().now_text())
        .bind(token_id)
        .execute(&mut *tx)
        .await?;
    append(&mut tx, entry.on("api_token", token_id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Revokes a token (from now on it answers 401), journaled by `entry`. A token already
/// revoked stays as it was.
pub async fn revoke(db: &Db, token_id: &str, revoked_by: &str, entry: Entry) -> WriteResult<()> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(db.clock().now_text())
    .bind(revoked_by)
    .bind(token_id)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    if done.rows_affected() == 0 {
        return Err(WriteError::NotFound("jeton actif"));
    }
    append(&mut tx, entry.on("api_token", token_id)).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Every token, the newest first (the administration's list).
pub async fn list(db: &Db) -> Result<Vec<ApiTokenRow>, StoreError> {
    Ok(sqlx::query_as(select!("ORDER BY created_at DESC, id"))
        .fetch_all(db.pool())
        .await?)
}

pub async fn find(db: &Db, token_id: &str) -> Result<Option<ApiTokenRow>, StoreError> {
    Ok(sqlx::query_as(select!("WHERE id = $1"))
        .bind(token_id)
        .fetch_optional(db.pool())
        .await?)
}
