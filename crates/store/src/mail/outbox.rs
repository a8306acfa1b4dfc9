//! The outbox of status-change e-mails to referring officers. A row is written in the
//! transaction that changes the status (so a refused change announces nothing), then claimed,
//! sent and marked by the server's mail task. A row holds codes and dates, never content.

use crate::db::time_text::instant_to_text;
use crate::{Db, StoreError};
use sqlx::AnyConnection;
use time::{Duration, OffsetDateTime};

/// After this many failed attempts a message is given up (kept, with its last error).
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed message is left to its sender before another may try it.
const CLAIM: Duration = Duration::minutes(2);

/// The outboxes the mail task sends: status changes to referring officers, the access
/// notices to a post's social workers (`case_access`), and the links of forgotten passwords
/// (`identity::password_reset`). They share their claim and retry rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outbox {
    Status,
    Access,
    /// The links of forgotten passwords (`identity::password_reset`).
    PasswordReset,
}

impl Outbox {
    fn table(self) -> &'static str {
        match self {
            Outbox::Status => "mail_outbox",
            Outbox::Access => "access_mail_outbox",
            Outbox::PasswordReset => "password_resets",
        }
    }
}

/// Whole seconds, so that the stored instants compare as text.
pub fn instant(at: OffsetDateTime) -> String {
    instant_to_text(at.replace_nanosecond(0).unwrap_or(at))
}

/// Queues the announcement of the status `case_id` has now, if its officer asked for it and
/// someone else made the change. Call it inside the status change's transaction, after it.
pub async fn queue_status_mail(
    connection: &mut AnyConnection,
    case_id: &str,
    by: &str,
) -> Result<(), StoreError> {
    let now = instant(OffsetDateTime::now_utc());
    sqlx::query(
        "INSERT INTO mail_outbox (id, case_id, status, closure_outcome, created_at, attempts, next_attempt_at) \
         SELECT $1, c.id, c.status, c.closure_outcome, $2, 0, $2 FROM cases c \
         WHERE c.id = $3 AND c.notify_referrer = 1 AND c.referred_by IS NOT NULL AND c.referred_by <> $4",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&now)
    .bind(case_id)
    .bind(by)
    .execute(connection)
    .await?;
    Ok(())
}

/// A message due for sending, with what its text may say.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueMail {
    pub id: String,
    pub attempts: i64,
    pub to_address: String,
    pub to_name: String,
    pub status: String,
    pub closure_outcome: Option<String>,
    pub received_at: String,
    pub unit_name: Option<String>,
}

/// Messages due at `now`, oldest first; those of a disabled account are never due.
pub async fn due(db: &Db, now: OffsetDateTime, limit: i64) -> Result<Vec<DueMail>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT o.id, o.attempts, a.email AS to_address, a.display_name AS to_name, o.status, \
         o.closure_outcome, c.received_at, u.name AS unit_name \
         FROM mail_outbox o JOIN cases c ON c.id = o.case_id JOIN accounts a ON a.id = c.referred_by \
         LEFT JOIN units u ON u.id = c.referral_unit_id \
         WHERE o.sent_at IS NULL AND o.attempts < $1 AND o.next_attempt_at <= $2 AND a.disabled = 0 \
         ORDER BY o.next_attempt_at, o.id LIMIT $3",
    )
    .bind(MAX_ATTEMPTS)
    .bind(instant(now))
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// Takes a due message for this sender; false when another sender took it first.
pub async fn claim(
    db: &Db,
    outbox: Outbox,
    id: &str,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let taken = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {} SET next_attempt_at = $1 WHERE id = $2 AND sent_at IS NULL AND next_attempt_at <= $3",
        outbox.table()
    )))
    .bind(instant(now + CLAIM))
    .bind(id)
    .bind(instant(now))
    .execute(db.pool())
    .await?;
    Ok(taken.rows_affected() == 1)
}

pub async fn mark_sent(
    db: &Db,
    outbox: Outbox,
    id: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {} SET sent_at = $1, last_error = NULL WHERE id = $2",
        outbox.table()
    )))
    .bind(instant(now))
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Records a failed attempt; the next one waits 1, 2, 4… minutes (at most about 2 hours).
pub async fn mark_failed(
    db: &Db,
    outbox: Outbox,
    (id, attempts): (&str, i64),
    error: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let wait = Duration::minutes(1i64 << attempts.clamp(0, 7));
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {} SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3",
        outbox.table()
    )))
    .bind(error.chars().take(500).collect::<String>())
    .bind(instant(now + wait))
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// What the outbox holds: (waiting, sent, given up), for the operations page and the tests.
pub async fn counts(db: &Db) -> Result<(i64, i64, i64), StoreError> {
    let (waiting, sent, given_up): (i64, i64, i64) = sqlx::query_as(
        "SELECT \
         COALESCE(SUM(CASE WHEN sent_at IS NULL AND attempts < $1 THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN sent_at IS NULL AND attempts >= $1 THEN 1 ELSE 0 END), 0) \
         FROM mail_outbox",
    )
    .bind(MAX_ATTEMPTS)
    .fetch_one(db.pool())
    .await?;
    Ok((waiting, sent, given_up))
}
