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

/// A département with its posts on a date, by zone.
#[derive(Debug, Clone)]
pub struct DepartementCoverage {
    pub code: String,
    pub name: String,
    pub population: i64,
    pub posts: PostCounts,
}

/// Every département (including those without a post) with its posts existing on `at`.
pub async fn coverage_on(db: &Db, at: Date) -> Result<Vec<DepartementCoverage>, StoreError> {
    let rows: Vec<(String, String, i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT d.code, d.name, d.population, p.zone, COUNT(p.id) FROM departements d \
         LEFT JOIN posts p ON p.departement_code = d.code AND p.created_on IS NOT NULL AND p.created_on <= $1 \
         AND (p.closed_on IS NULL OR p.closed_on > $1) \
         GROUP BY d.code, d.name, d.population, p.zone ORDER BY d.code",
    )
    .bind(date_to_text(at))
    .fetch_all(db.pool())
    .await?;
    let mut result: Vec<DepartementCoverage> = Vec::new();
    for (code, name, population, zone, count) in rows {
        if result.last().is_none_or(|last| last.code != code) {
            result.push(DepartementCoverage {
                code: code.clone(),
                name,
                population,
                posts: PostCounts::default(),
            });
        }
        if let (Some(zone), Some(last)) = (zone, result.last_mut()) {
            let zone = Zone::parse(&zone).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            last.posts.add(zone, u64::try_from(count).unwrap_or(0));
        }
    }
    Ok(result)
}

/// A post as published: registry facts only, no person.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublicPost {
    pub code: String,
    pub zone: String,
    pub status: String,
    pub departement_code: String,
    pub departement: String,
    pub employer: String,
    pub employer_kind: String,
    pub fte: f64,
    pub created_on: Option<String>,
    pub closed_on: Option<String>,
    /// Host units with their share of the post's time, e.g. "Commissariat de Rennes (100 %)".
    pub host_units: Vec<String>,
}

/// Every post of the registry (optionally of one département), in code order.
pub async fn public_posts(
    db: &Db,
    departement: Option<&str>,
) -> Result<Vec<PublicPost>, StoreError> {
    let rows: Vec<(String, String, String, String, String, String, String, String, f64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT p.id, p.code, p.zone, p.status, p.departement_code, d.name, e.name, e.kind, p.fte, p.created_on, p.closed_on \
         FROM posts p JOIN departements d ON d.code = p.departement_code JOIN employers e ON e.id = p.employer_id \
         WHERE ($1 = '' OR p.departement_code = $1) ORDER BY p.code",
    )
    .bind(departement.unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    let hosts: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT h.post_id, u.name, h.time_share_percent FROM post_host_units h JOIN units u ON u.id = h.unit_id \
         JOIN posts p ON p.id = h.post_id WHERE ($1 = '' OR p.departement_code = $1) ORDER BY h.time_share_percent DESC, u.name",
    )
    .bind(departement.unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    let mut by_post: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for (post, unit, share) in hosts {
        by_post
            .entry(post)
            .or_default()
            .push(format!("{unit} ({share} %)"));
    }
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                code,
                zone,
                status,
                departement_code,
                departement,
                employer,
                employer_kind,
                fte,
                created_on,
                closed_on,
            )| PublicPost {
                host_units: by_post.remove(&id).unwrap_or_default(),
                code,
                zone,
                status,
                departement_code,
                departement,
                employer,
                employer_kind,
                fte,
                created_on,
                closed_on,
            },
        )
        .collect())
}
