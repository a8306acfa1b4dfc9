//! Forgotten passwords: every request is counted (per address typed and per client network
//! address, known or not); a request for an account that may have one writes its reset,
//! which is at once the link's record (the token's SHA-256 hash only) and the outbox row the
//! mail task sends. Using the link spends it, sets the password and ends every session and
//! every trusted device of the account: the second factor is asked at the next login.

use super::lockout::{address_hash, login_hash};
use crate::db::time_text::instant_to_text;
use crate::journal::{Entry, append};
use crate::mail::outbox::{MAX_ATTEMPTS, instant};
use crate::{Db, StoreError};
use passerelle_domain::identity::account::{
    PASSWORD_RESET_VALIDITY, PASSWORD_RESET_WINDOW, PASSWORD_RESETS_PER_EMAIL,
    PASSWORD_RESETS_PER_NETWORK_ADDRESS,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// What became of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested {
    /// Counted; a reset was written if an account has the address.
    Counted { reset_written: bool },
    /// Too many for this address typed: counted, nothing sent (the page says the same).
    TooManyForEmail,
    /// Too many from this network: refused, and the page says so.
    TooManyFromNetwork,
}

/// The SHA-256 hash (hex) a reset's token is kept under.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new reset's id: the token is computed from it by the caller, who holds the key.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The request for `email` from `ip`: counted, limited, journaled by `entry` (told whether it
/// was limited); when `account` (the account having the address, able to receive a link) is
/// given and no limit is reached, its reset `(id, token hash)` is written and due now.
pub async fn request(
    db: &Db,
    email: &str,
    ip: Option<&str>,
    account: Option<(&str, &str, &str)>,
    entry: impl FnOnce(Requested) -> Entry,
) -> Result<Requested, StoreError> {
    let now = db.clock().now();
    let since = instant_to_text(now - PASSWORD_RESET_WINDOW);
    let (email_hash, network) = (login_hash(email), ip.map(address_hash));
    let mut tx = db.begin_write().await?;
    let from_network: i64 = match &network {
        Some(network) => {
            sqlx::query_as::<_, (i64,)>(
                "SELECT COUNT(*) FROM password_reset_requests WHERE address_hash = $1 AND requested_at > $2",
            )
            .bind(network)
            .bind(&since)
            .fetch_one(&mut *tx)
            .await?
            .0
        }
        None => 0,
    };
    let for_email: i64 = sqlx::query_as::<_, (i64,)>(
        "SELECT COUNT(*) FROM password_reset_requests WHERE email_hash = $1 AND requested_at > $2",
    )
    .bind(&email_hash)
    .bind(&since)
    .fetch_one(&mut *tx)
    .await?
    .0;
    let outcome = if from_network >= PASSWORD_RESETS_PER_NETWORK_ADDRESS {
        Requested::TooManyFromNetwork
    } else if for_email >= PASSWORD_RESETS_PER_EMAIL {
        Requested::TooManyForEmail
    } else {
        Requested::Counted {
            reset_written: account.is_some(),
        }
    };
    if outcome != Requested::TooManyFromNetwork {
        // Requests older than the window count no more: they go as new ones come.
        sqlx::query("DELETE FROM password_reset_requests WHERE requested_at <= $1")
            .bind(instant_to_text(now - PASSWORD_RESET_WINDOW * 2))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO password_reset_requests (id, email_hash, address_hash, requested_at) VALUES ($1, $2, $3, $4)")
            .bind(new_id())
            .bind(&email_hash)
            .bind(&network)
            .bind(instant_to_text(now))
            .execute(&mut *tx)
            .await?;
    }
    if let (Requested::Counted { .. }, Some((account_id, id, hash))) = (outcome, account) {
        sqlx::query(
            "INSERT INTO password_resets (id, account_id, token_hash, created_at, expires_at, attempts, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $4)",
        )
        .bind(id)
        .bind(account_id)
        .bind(hash)
        .bind(instant(now))
        .bind(instant(now + PASSWORD_RESET_VALIDITY))
        .execute(&mut *tx)
        .await?;
    }
    append(&mut tx, entry(outcome)).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// A reset e-mail due for sending, with what its text needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueReset {
    pub id: String,
    pub attempts: i64,
    pub to_address: String,
    pub to_name: String,
    pub expires_at: String,
    /// The account signs in with ProConnect only: the message says so, with no link.
    pub proconnect_only: i64,
}

/// Reset e-mails due at `now`, oldest first: never for a disabled account, nor once expired.
pub async fn due(db: &Db, now: OffsetDateTime, limit: i64) -> Result<Vec<DueReset>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.attempts, a.email AS to_address, a.display_name AS to_name, r.expires_at, \
         CASE WHEN a.password_hash IS NULL AND a.oidc_subject IS NOT NULL THEN 1 ELSE 0 END AS proconnect_only \
         FROM password_resets r JOIN accounts a ON a.id = r.account_id \
         WHERE r.sent_at IS NULL AND r.used_at IS NULL AND r.attempts < $1 AND r.next_attempt_at <= $2 \
         AND r.expires_at > $2 AND a.disabled = 0 \
         ORDER BY r.next_attempt_at, r.id LIMIT $3",
    )
    .bind(MAX_ATTEMPTS)
    .bind(instant(now))
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// A reset as its link finds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResetRow {
    pub id: String,
    pub account_id: String,
    pub token_hash: String,
    pub expires_at: String,
    pub used_at: Option<String>,
}

impl ResetRow {
    /// Not used yet and not expired at `now`.
    pub fn usable(&self, now: OffsetDateTime) -> bool {
        self.used_at.is_none() && self.expires_at.as_str() > instant(now).as_str()
    }
}

pub async fn find(db: &Db, id: &str) -> Result<Option<ResetRow>, StoreError> {
    // Ids are UUIDs: anything longer is not ours, no query.
    if id.len() > 36 {
        return Ok(None);
    }
    Ok(sqlx::query_as(
        "SELECT id, account_id, token_hash, expires_at, used_at FROM password_resets WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// The link is used: spent (with every other link of the account), the password set, every
/// session and trusted device of the account ended; journaled by `entry`. False (nothing
/// written) when it was spent or expired meanwhile.
pub async fn reset_password(
    db: &Db,
    reset: &ResetRow,
    password_hash: &str,
    entry: Entry,
) -> Result<bool, StoreError> {
    let now = instant(db.clock().now());
    let mut tx = db.begin_write().await?;
    let spent = sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(&now)
    .bind(&reset.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if spent != 1 {
        tx.commit().await?;
        return Ok(false);
    }
    sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL",
    )
    .bind(&now)
    .bind(&reset.account_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(&reset.account_id)
        .execute(&mut *tx)
        .await?;
    super::session::delete_for_account(&mut tx, &reset.account_id).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(true)
}
