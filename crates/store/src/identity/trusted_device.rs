//! Devices trusted for a shift: the cookie holds a random token, the table its hash, the
//! account it is bound to and the end of the trust (12 hours after the second factor was
//! given there, never moved on). Ended with the account's sessions (`session::
//! delete_for_account`: logging out everywhere, a new password, a disabled account).

use super::session::{new_token, token_hash};
use crate::db::time_text::instant_to_text;
use crate::journal::{Entry, append};
use crate::{Db, StoreError};
use passerelle_domain::identity::account::TRUSTED_DEVICE_DURATION;
use sqlx::AnyConnection;

/// The device where the second factor was just given is trusted until 12 hours from now;
/// journaled by `entry`. Returns the cookie's token and the end of the trust.
pub async fn trust(
    db: &Db,
    account_id: &str,
    entry: Entry,
) -> Result<(String, String), StoreError> {
    let now = db.clock().now();
    let until = instant_to_text(now + TRUSTED_DEVICE_DURATION);
    let (token, hash) = new_token();
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM trusted_devices WHERE account_id = $1 AND expires_at <= $2")
        .bind(account_id)
        .bind(instant_to_text(now))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO trusted_devices (token_hash, account_id, second_factor_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(&hash)
        .bind(account_id)
        .bind(instant_to_text(now))
        .bind(&until)
        .execute(&mut *tx)
        .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok((token, until))
}

/// The end of the trust of the device whose cookie holds `token`, if it is trusted for
/// `account_id` (and no other) and still is now.
pub async fn trusted_until(
    db: &Db,
    token: &str,
    account_id: &str,
) -> Result<Option<String>, StoreError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT expires_at FROM trusted_devices WHERE token_hash = $1 AND account_id = $2 AND expires_at > $3",
    )
    .bind(token_hash(token))
    .bind(account_id)
    .bind(db.clock().now_text())
    .fetch_optional(db.pool())
    .await?;
    Ok(found.map(|(until,)| until))
}

/// Ends the trust of every device of an account.
pub async fn revoke_all(
    connection: &mut AnyConnection,
    account_id: &str,
) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM trusted_devices WHERE account_id = $1")
            .bind(account_id)
            .execute(connection)
            .await?
            .rows_affected(),
    )
}

/// Devices trusted now for an account (the account page, the tests).
pub async fn count_for_account(db: &Db, account_id: &str) -> Result<i64, StoreError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM trusted_devices WHERE account_id = $1 AND expires_at > $2",
    )
    .bind(account_id)
    .bind(db.clock().now_text())
    .fetch_one(db.pool())
    .await?;
    Ok(count)
}
