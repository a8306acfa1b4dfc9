//! Posts: the live national counts.

use crate::time_text::date_to_text;
use crate::{Db, StoreError};
use passerelle_domain::post::{PostCounts, Zone};
use time::Date;

/// Posts existing on `at`, by zone. The SQL mirrors `passerelle_domain::post::exists_on`;
/// a store test checks the two agree.
pub async fn counts_on(db: &Db, at: Date) -> Result<PostCounts, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT zone, COUNT(*) FROM posts \
         WHERE created_on IS NOT NULL AND created_on <= $1 AND (closed_on IS NULL OR closed_on > $1) \
         GROUP BY zone",
    )
    .bind(date_to_text(at))
    .fetch_all(db.pool())
    .await?;
    let mut counts = PostCounts::default();
    for (zone, count) in rows {
        let zone = Zone::parse(&zone).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        counts.add(zone, u64::try_from(count).unwrap_or(0));
    }
    Ok(counts)
}

/// The number of départements with at least one existing post on `at`.
pub async fn departements_covered_on(db: &Db, at: Date) -> Result<u64, StoreError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(DISTINCT departement_code) FROM posts \
         WHERE created_on IS NOT NULL AND created_on <= $1 AND (closed_on IS NULL OR closed_on > $1)",
    )
    .bind(date_to_text(at))
    .fetch_one(db.pool())
    .await?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Every post in the registry, whatever its status.
pub async fn count_all(db: &Db) -> Result<i64, StoreError> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM posts")
        .fetch_one(db.pool())
        .await?;
    Ok(count)
}
