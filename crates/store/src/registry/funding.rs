//! Agreements and funding lines of posts.

use crate::db::time_text::{date_to_text, now_text};
use crate::journal::{Entry, append};
use crate::registry::post::PostScope;
use crate::{Db, StoreError};
use passerelle_domain::ids::PostId;
use passerelle_domain::registry::funding::{Funder, Renewal};
use time::Date;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgreementRow {
    pub id: String,
    pub post_id: PostId,
    pub post_code: String,
    pub parties: String,
    pub starts_on: String,
    pub ends_on: String,
    pub renewal: Renewal,
}

const SELECT_AGREEMENTS: &str = "SELECT a.id, a.post_id, p.code AS post_code, a.parties, a.starts_on, a.ends_on, a.renewal \
     FROM agreements a JOIN posts p ON p.id = a.post_id";

pub async fn agreements_of(db: &Db, post_id: &str) -> Result<Vec<AgreementRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_AGREEMENTS} WHERE a.post_id = $1 ORDER BY a.starts_on"
    )))
    .bind(post_id)
    .fetch_all(db.pool())
    .await?)
}

/// Agreements of open posts ending between `from` and `to` (inclusive), soonest first:
/// the renewals to prepare.
pub async fn agreements_ending(
    db: &Db,
    scope: &PostScope,
    from: Date,
    to: Date,
) -> Result<Vec<AgreementRow>, StoreError> {
    let (condition, value) = scope.sql_condition();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_AGREEMENTS} WHERE {condition} AND p.status <> 'closed' AND a.ends_on >= $2 AND a.ends_on <= $3 \
         AND NOT EXISTS (SELECT 1 FROM agreements n WHERE n.post_id = a.post_id AND n.starts_on > a.ends_on) ORDER BY a.ends_on, p.code"
    )))
    .bind(value)
    .bind(date_to_text(from))
    .bind(date_to_text(to))
    .fetch_all(db.pool())
    .await?)
}

pub struct NewAgreement<'a> {
    pub parties: &'a str,
    pub starts_on: Date,
    pub ends_on: Date,
    pub renewal: Renewal,
}

pub async fn add_agreement(
    db: &Db,
    post_id: &str,
    agreement: &NewAgreement<'_>,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO agreements (id, post_id, parties, starts_on, ends_on, renewal, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(post_id)
        .bind(agreement.parties)
        .bind(date_to_text(agreement.starts_on))
        .bind(date_to_text(agreement.ends_on))
        .bind(agreement.renewal.code())
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FundingRow {
    pub year: i64,
    pub funder: Funder,
    pub amount_cents: i64,
}

pub async fn funding_of(db: &Db, post_id: &str) -> Result<Vec<FundingRow>, StoreError> {
    Ok(sqlx::query_as("SELECT year, funder, amount_cents FROM funding_lines WHERE post_id = $1 ORDER BY year DESC, funder")
        .bind(post_id)
        .fetch_all(db.pool())
        .await?)
}

/// Total funding per year and funder in a scope, most recent years first.
pub async fn funding_by_year(db: &Db, scope: &PostScope) -> Result<Vec<FundingRow>, StoreError> {
    let (condition, value) = scope.sql_condition();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT f.year, f.funder, CAST(SUM(f.amount_cents) AS BIGINT) AS amount_cents FROM funding_lines f JOIN posts p ON p.id = f.post_id \
         WHERE {condition} GROUP BY f.year, f.funder ORDER BY f.year DESC, f.funder"
    )))
    .bind(value)
    .fetch_all(db.pool())
    .await?)
}

/// Whether the line could be added: a post has one line per year and funder.
pub async fn add_funding(
    db: &Db,
    post_id: &str,
    year: i32,
    funder: Funder,
    amount_cents: i64,
    entry: Entry,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO funding_lines (id, post_id, year, funder, amount_cents, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (post_id, year, funder) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(post_id)
    .bind(i64::from(year))
    .bind(funder.code())
    .bind(amount_cents)
    .bind(now_text())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(true)
}
