//! Vacant post continuity: a replacement social worker, granted by the employer, works on a
//! post's cases for a period. The policy reads the accounts replacing today in the post's
//! place; grants and revocations are journaled in the post.

use crate::db::time_text::{date_to_text, now_text};
use crate::journal::{Entry, append};
use crate::{Db, StoreError};
use passerelle_domain::access::Place;
use passerelle_domain::ids::{AccountId, PostId};
use time::Date;

/// A post's place for its case files: its own scopes, and the accounts replacing in it today.
pub async fn case_place(
    db: &Db,
    post: &crate::registry::post::PostRow,
    today: Date,
) -> Result<Place, StoreError> {
    let mut place = crate::registry::post::place_of(post);
    let day = date_to_text(today);
    let rows: Vec<(AccountId,)> = sqlx::query_as(
        "SELECT account_id FROM post_replacements WHERE post_id = $1 AND revoked_at IS NULL AND starts_on <= $2 AND ends_on >= $2",
    )
    .bind(&post.id)
    .bind(&day)
    .fetch_all(db.pool())
    .await?;
    place.replacements = rows.into_iter().map(|(id,)| id).collect();
    Ok(place)
}

/// A replacement as listed on the post's page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReplacementRow {
    pub id: String,
    pub post_id: PostId,
    pub post_code: String,
    pub account_id: AccountId,
    pub account_name: String,
    pub account_email: String,
    pub reason: String,
    pub starts_on: String,
    pub ends_on: String,
    pub revoked_at: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.post_id, p.code AS post_code, r.account_id, a.display_name AS account_name, a.email AS account_email, r.reason, r.starts_on, r.ends_on, r.revoked_at \
     FROM post_replacements r JOIN accounts a ON a.id = r.account_id JOIN posts p ON p.id = r.post_id";

/// The replacements of a post, newest first.
pub async fn of_post(db: &Db, post_id: &str) -> Result<Vec<ReplacementRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.post_id = $1 ORDER BY r.starts_on DESC, r.id DESC"
    )))
    .bind(post_id)
    .fetch_all(db.pool())
    .await?)
}

/// The posts an account replaces in today.
pub async fn current_of_account(
    db: &Db,
    account_id: &str,
    today: Date,
) -> Result<Vec<ReplacementRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.account_id = $1 AND r.revoked_at IS NULL AND r.starts_on <= $2 AND r.ends_on >= $2 ORDER BY p.code"
    )))
    .bind(account_id)
    .bind(date_to_text(today))
    .fetch_all(db.pool())
    .await?)
}

/// In one read, the two things an inbox needs of today's replacements: the post's place
/// (with the accounts replacing in it) and the posts the reading account replaces in.
pub async fn place_and_account_posts(
    db: &Db,
    post: &crate::registry::post::PostRow,
    account_id: &str,
    today: Date,
) -> Result<(Place, Vec<ReplacementRow>), StoreError> {
    let rows: Vec<ReplacementRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE (r.post_id = $1 OR r.account_id = $2) AND r.revoked_at IS NULL AND r.starts_on <= $3 AND r.ends_on >= $3 ORDER BY p.code"
    )))
    .bind(&post.id)
    .bind(account_id)
    .bind(date_to_text(today))
    .fetch_all(db.pool())
    .await?;
    let mut place = crate::registry::post::place_of(post);
    place.replacements = rows
        .iter()
        .filter(|r| r.post_id == post.id)
        .map(|r| r.account_id.clone())
        .collect();
    let account_posts = rows
        .into_iter()
        .filter(|r| r.account_id == account_id)
        .collect();
    Ok((place, account_posts))
}

/// The account of a social worker, by e-mail: (id, display name), if it holds that role.
pub async fn social_worker_by_email(
    db: &Db,
    email: &str,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT a.id, a.display_name FROM accounts a JOIN account_roles r ON r.account_id = a.id \
         WHERE lower(a.email) = lower($1) AND r.role = 'social_worker' AND a.disabled = 0",
    )
    .bind(email.trim())
    .fetch_optional(db.pool())
    .await?)
}

pub struct NewReplacement<'a> {
    pub post_id: &'a str,
    pub account_id: &'a str,
    pub reason: &'a str,
    pub starts_on: Date,
    pub ends_on: Date,
    pub granted_by: &'a str,
}

pub async fn grant(db: &Db, new: &NewReplacement<'_>, entry: Entry) -> Result<String, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO post_replacements (id, post_id, account_id, reason, starts_on, ends_on, granted_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(new.post_id)
    .bind(new.account_id)
    .bind(new.reason)
    .bind(date_to_text(new.starts_on))
    .bind(date_to_text(new.ends_on))
    .bind(new.granted_by)
    .bind(now_text())
    .execute(&mut *tx)
    .await?;
    append(&mut tx, entry.on("replacement", &id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Ends a replacement of `post_id` now; false when there was none to end.
pub async fn revoke(db: &Db, post_id: &str, id: &str, entry: Entry) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let ended = sqlx::query("UPDATE post_replacements SET revoked_at = $1 WHERE id = $2 AND post_id = $3 AND revoked_at IS NULL")
        .bind(now_text())
        .bind(id)
        .bind(post_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    if ended {
        append(&mut tx, entry.on("replacement", id)).await?;
        tx.commit().await?;
    }
    Ok(ended)
}
