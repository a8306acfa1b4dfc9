//! Sessions, stored in the database so that several app servers can share them. The cookie
//! holds a random token; the table holds only its hash.

use crate::journal::{Entry, append};
use crate::{Db, StoreError};
use passerelle_domain::ids::AccountId;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub token_hash: String,
    pub account_id: Option<AccountId>,
    pub active_role_id: Option<String>,
    pub second_factor_done: i64,
    pub oidc_state: Option<String>,
    pub created_at: String,
    pub last_seen_at: String,
    pub ip: Option<String>,
    /// Opened on a trusted device without the second factor: it ends when the trust does.
    pub trusted_until: Option<String>,
}

impl Session {
    pub fn second_factor_done(&self) -> bool {
        self.second_factor_done != 0
    }
}

/// A new random token (what the cookie carries) and its hash (what the table keeps).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Opens a session (anonymous when `account_id` is None) at `now` (the `Db`'s clock, which
/// its expiry is measured on) and returns its token.
pub async fn create(
    connection: &mut AnyConnection,
    account_id: Option<&str>,
    ip: Option<&str>,
    now: &str,
) -> Result<String, StoreError> {
    let (token, hash) = new_token();
    sqlx::query("INSERT INTO sessions (token_hash, account_id, second_factor_done, created_at, last_seen_at, ip) VALUES ($1, $2, 0, $3, $3, $4)")
        .bind(&hash)
        .bind(account_id)
        .bind(now)
        .bind(ip)
        .execute(connection)
        .await?;
    Ok(token)
}

/// Opens an anonymous session outside any transaction (the OpenID Connect round trip keeps
/// its state in it) and returns its token.
pub async fn open_anonymous(db: &Db, ip: Option<&str>) -> Result<String, StoreError> {
    let mut connection = db.pool().acquire().await?;
    create(&mut connection, None, ip, &db.clock().now_text()).await
}

pub async fn find(db: &Db, token: &str) -> Result<Option<Session>, StoreError> {
    // A token that is not 64 hex characters cannot be ours: no query.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    Ok(sqlx::query_as(
        "SELECT token_hash, account_id, active_role_id, second_factor_done, oidc_state, created_at, last_seen_at, ip, trusted_until \
         FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(db.pool())
    .await?)
}

/// Records activity, at most once a minute per session to spare the database; true when it
/// wrote `now`.
pub async fn touch(db: &Db, session: &Session, now: &str) -> Result<bool, StoreError> {
    let stale = session.last_seen_at.get(..16) != now.get(..16);
    if stale {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&session.token_hash)
            .execute(db.pool())
            .await?;
    }
    Ok(stale)
}

pub async fn delete(connection: &mut AnyConnection, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(connection)
        .await?;
    Ok(())
}

/// Ends every session of an account ("log out everywhere", disabling, password change), and
/// the trust of its devices: the second factor is asked again at the next login.
pub async fn delete_for_account(
    connection: &mut AnyConnection,
    account_id: &str,
) -> Result<u64, StoreError> {
    super::trusted_device::revoke_all(&mut *connection, account_id).await?;
    Ok(sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(connection)
        .await?
        .rows_affected())
}

/// Ends every session of an account but one (the one that changed the password), and the
/// trust of its devices.
pub async fn delete_others_for_account(
    connection: &mut AnyConnection,
    account_id: &str,
    kept_token_hash: &str,
) -> Result<u64, StoreError> {
    super::trusted_device::revoke_all(&mut *connection, account_id).await?;
    Ok(
        sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
            .bind(account_id)
            .bind(kept_token_hash)
            .execute(connection)
            .await?
            .rows_affected(),
    )
}

pub async fn set_active_role(
    connection: &mut AnyConnection,
    token_hash: &str,
    role_id: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET active_role_id = $1 WHERE token_hash = $2")
        .bind(role_id)
        .bind(token_hash)
        .execute(connection)
        .await?;
    Ok(())
}

/// The session opened on a trusted device: the second factor counts as given, until `until`.
pub async fn mark_trusted(
    connection: &mut AnyConnection,
    token_hash: &str,
    until: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE sessions SET second_factor_done = 1, trusted_until = $1 WHERE token_hash = $2",
    )
    .bind(until)
    .bind(token_hash)
    .execute(connection)
    .await?;
    Ok(())
}

pub async fn mark_second_factor_done(
    connection: &mut AnyConnection,
    token_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET second_factor_done = 1 WHERE token_hash = $1")
        .bind(token_hash)
        .execute(connection)
        .await?;
    Ok(())
}

/// The session acts with another of the person's roles; journaled by `entry`.
pub async fn switch_role(
    db: &Db,
    token_hash: &str,
    role_id: &str,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    set_active_role(&mut tx, token_hash, role_id).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends one session (logging out, or a lock closing it); journaled by `entry` if any.
pub async fn end(db: &Db, token_hash: &str, entry: Option<Entry>) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    delete(&mut tx, token_hash).await?;
    if let Some(entry) = entry {
        append(&mut tx, entry).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ends every session of an account ("log out everywhere"); `entry` is told how many.
pub async fn end_all(
    db: &Db,
    account_id: &str,
    entry: impl FnOnce(u64) -> Entry,
) -> Result<u64, StoreError> {
    let mut tx = db.begin_write().await?;
    let ended = delete_for_account(&mut tx, account_id).await?;
    append(&mut tx, entry(ended)).await?;
    tx.commit().await?;
    Ok(ended)
}

pub async fn set_oidc_state(
    db: &Db,
    token_hash: &str,
    state: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET oidc_state = $1 WHERE token_hash = $2")
        .bind(state)
        .bind(token_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Number of open sessions of an account.
pub async fn count_for_account(db: &Db, account_id: &str) -> Result<i64, StoreError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(db.pool())
        .await?;
    Ok(count)
}
