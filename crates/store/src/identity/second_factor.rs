//! The second factor as stored: the sealed TOTP secret, the last time step accepted (a code
//! is used once), the one-time recovery codes; enrolment and the consumption of a code.
//! The codes themselves are computed and checked against the secret in the web crate,
//! which holds the keys: the store is given what the code turned out to be.

use crate::db::time_text::now_text;
use crate::journal::{Entry, append};
use crate::{Db, StoreError};
use sqlx::AnyConnection;

/// What a typed code turned out to be, once checked against the secret (no database).
#[derive(Debug, Clone)]
pub enum Code {
    /// A TOTP code matching this time step: accepted if the step was not used yet.
    Step(i64),
    /// A recovery code, hashed: accepted if unused.
    Recovery(String),
    /// Neither.
    Wrong,
}

/// The answer to a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeOutcome {
    Accepted { recovery_code: bool },
    Wrong,
    Replayed,
}

/// Consumes a code, atomically, through `connection` (the transaction that counts the
/// attempt).
pub(crate) async fn consume(
    connection: &mut AnyConnection,
    account_id: &str,
    code: &Code,
) -> Result<CodeOutcome, StoreError> {
    Ok(match code {
        Code::Step(step) => {
            if consume_totp_step(connection, account_id, *step).await? {
                CodeOutcome::Accepted {
                    recovery_code: false,
                }
            } else {
                CodeOutcome::Replayed
            }
        }
        Code::Recovery(hash) => {
            if use_recovery_code(connection, account_id, hash).await? {
                CodeOutcome::Accepted {
                    recovery_code: true,
                }
            } else {
                CodeOutcome::Wrong
            }
        }
        Code::Wrong => CodeOutcome::Wrong,
    })
}

/// Keeps a new secret, sealed, until a code confirms it (each showing of the enrolment page
/// draws a new one).
pub async fn start_enrolment(
    db: &Db,
    account_id: &str,
    sealed_secret: &[u8],
) -> Result<(), StoreError> {
    let mut connection = db.pool().acquire().await?;
    set_pending_totp(&mut connection, account_id, sealed_secret).await
}

/// The pending secret is confirmed by a code of time `step`: the second factor is on, the
/// recovery codes replaced, the session counts as having passed it; journaled by `entry`.
pub async fn enrol(
    db: &Db,
    account_id: &str,
    step: i64,
    recovery_hashes: &[String],
    session_token_hash: &str,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    consume_totp_step(&mut tx, account_id, step).await?;
    enable_totp(&mut tx, account_id).await?;
    replace_recovery_codes(&mut tx, account_id, recovery_hashes).await?;
    super::session::mark_second_factor_done(&mut tx, session_token_hash).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Second factor.

async fn set_pending_totp(
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

async fn enable_totp(connection: &mut AnyConnection, account_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET totp_enabled = 1 WHERE id = $1")
        .bind(account_id)
        .execute(connection)
        .await?;
    Ok(())
}

/// Accepts a TOTP time step only if it is later than the last one accepted: a code can be
/// used once. Returns false for a replay. Atomic, so two servers cannot both accept it.
async fn consume_totp_step(
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

async fn replace_recovery_codes(
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
async fn use_recovery_code(
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
