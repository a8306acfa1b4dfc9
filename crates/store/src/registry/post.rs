//! Posts: the live national counts.

use crate::db::time_text::date_to_text;
use crate::{Db, StoreError};
use passerelle_domain::ids::{EmployerId, PostId, UnitId};
use passerelle_domain::registry::post::{PostCounts, Zone};
use passerelle_domain::registry::territory::DepartementCode;
use time::Date;

/// Posts existing on `at`, by zone. The SQL mirrors `passerelle_domain::registry::post::exists_on`;
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
    pub zone: Zone,
    pub status: PostStatus,
    pub departement_code: DepartementCode,
    pub departement: String,
    pub employer: String,
    pub employer_kind: String,
    pub fte: f64,
    pub created_on: Option<String>,
    pub closed_on: Option<String>,
    /// Host units with their share of the post's time, e.g. "Commissariat de Rennes (100 %)".
    pub host_units: Vec<String>,
    /// The same host units as (unit id, label), for links to their public pages.
    pub host_unit_links: Vec<(String, String)>,
}

/// Every post of the registry (optionally of one département), in code order.
pub async fn public_posts(
    db: &Db,
    departement: Option<&str>,
) -> Result<Vec<PublicPost>, StoreError> {
    let rows: Vec<(String, String, Zone, PostStatus, DepartementCode, String, String, String, f64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT p.id, p.code, p.zone, p.status, p.departement_code, d.name, e.name, e.kind, p.fte, p.created_on, p.closed_on \
         FROM posts p JOIN departements d ON d.code = p.departement_code JOIN employers e ON e.id = p.employer_id \
         WHERE ($1 = '' OR p.departement_code = $1) ORDER BY p.code",
    )
    .bind(departement.unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    let hosts: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT h.post_id, u.id, u.name, h.time_share_percent FROM post_host_units h JOIN units u ON u.id = h.unit_id \
         JOIN posts p ON p.id = h.post_id WHERE ($1 = '' OR p.departement_code = $1) ORDER BY h.time_share_percent DESC, u.name",
    )
    .bind(departement.unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    let mut by_post: std::collections::HashMap<String, Vec<(String, String)>> =
        std::collections::HashMap::new();
    for (post, unit_id, unit, share) in hosts {
        by_post
            .entry(post)
            .or_default()
            .push((unit_id, format!("{unit} ({share} %)")));
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
            )| {
                let host_unit_links = by_post.remove(&id).unwrap_or_default();
                PublicPost {
                    host_units: host_unit_links
                        .iter()
                        .map(|(_, label)| label.clone())
                        .collect(),
                    host_unit_links,
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
                }
            },
        )
        .collect())
}

/// A unit that hosts a filled post, for the public search of the social worker.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HostingUnit {
    pub id: String,
    pub name: String,
    pub commune_code: Option<String>,
}

/// The units of a département that host at least one filled post, by name.
pub async fn units_with_social_worker(
    db: &Db,
    departement: &str,
) -> Result<Vec<HostingUnit>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT u.id, u.name, u.commune_code FROM post_host_units h \
         JOIN posts p ON p.id = h.post_id JOIN units u ON u.id = h.unit_id \
         WHERE p.status = 'filled' AND COALESCE(u.departement_code, p.departement_code) = $1 \
         ORDER BY u.name, u.id",
    )
    .bind(departement)
    .fetch_all(db.pool())
    .await?)
}

// ---------------------------------------------------------------------------------------
// The lifecycle of a post, and the posts seen by the people who steer them.

use crate::{WriteError, WriteResult};
use passerelle_domain::access::Place;
use passerelle_domain::registry::post::{LifecycleError, PostStatus, check_move};

/// A post as its steering sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostRow {
    pub id: PostId,
    pub code: String,
    pub zone: Zone,
    pub status: PostStatus,
    pub departement_code: DepartementCode,
    pub employer_id: EmployerId,
    pub employer: String,
    pub fte: f64,
    pub created_on: Option<String>,
    pub closed_on: Option<String>,
    /// The date of the last step of the lifecycle: since when the post has its status.
    pub since: Option<String>,
}

pub(super) const SELECT_POSTS: &str = "SELECT p.id, p.code, p.zone, p.status, p.departement_code, p.employer_id, e.name AS employer, p.fte, \
     p.created_on, p.closed_on, (SELECT MAX(h.effective_on) FROM post_status_history h WHERE h.post_id = p.id) AS since \
     FROM posts p JOIN employers e ON e.id = p.employer_id";

pub async fn find(db: &Db, id: &str) -> Result<Option<PostRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_POSTS} WHERE p.id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// Which posts a list may show: the policy's scopes, applied in the query.
#[derive(Debug, Clone)]
pub enum PostScope {
    Nation,
    Departement(String),
    Employer(String),
}

impl PostScope {
    /// The condition on the posts table (aliased `p`) and its value, bound as `$1`.
    pub fn sql_condition(&self) -> (&'static str, String) {
        match self {
            PostScope::Nation => ("$1 = ''", String::new()),
            PostScope::Departement(code) => ("p.departement_code = $1", code.clone()),
            PostScope::Employer(id) => ("p.employer_id = $1", id.clone()),
        }
    }
}

/// Posts in a scope, optionally with one status, in code order.
pub async fn posts_in(
    db: &Db,
    scope: &PostScope,
    status: Option<PostStatus>,
) -> Result<Vec<PostRow>, StoreError> {
    let (condition, value) = scope.sql_condition();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_POSTS} WHERE {condition} AND ($2 = '' OR p.status = $2) ORDER BY p.code"
    )))
    .bind(value)
    .bind(status.map(PostStatus::code).unwrap_or(""))
    .fetch_all(db.pool())
    .await?)
}

/// The place of a post for the policy: itself, its employer, its département.
pub fn place_of(post: &PostRow) -> Place {
    Place {
        posts: vec![post.id.clone()],
        employers: vec![post.employer_id.clone()],
        departements: vec![post.departement_code.clone()],
        units: Vec::new(),
        replacements: Vec::new(),
    }
}

/// The steps of a post's lifecycle, oldest first.
pub async fn history(db: &Db, post_id: &str) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as("SELECT status, effective_on FROM post_status_history WHERE post_id = $1 ORDER BY effective_on, recorded_at, id")
        .bind(post_id)
        .fetch_all(db.pool())
        .await?)
}

/// A refused lifecycle step as the store's write error, naming its field (« statut » for the
/// move itself, « date » for its date) with the domain's French reason unchanged.
fn lifecycle_refusal(error: LifecycleError) -> WriteError {
    let field = match error {
        LifecycleError::IllegalMove { .. } => "statut",
        LifecycleError::BeforePreviousStep { .. } | LifecycleError::InTheFuture => "date",
    };
    let text = error.to_string();
    let reason = text
        .strip_prefix(field)
        .and_then(|rest| rest.strip_prefix(" : "))
        .unwrap_or(&text);
    WriteError::refused(field, reason)
}

/// Moves a post to its next status on a date, with its history, its status and its dates of
/// creation and closure written together, and the step journaled by the caller's entry.
pub async fn move_post(
    db: &Db,
    post_id: &str,
    next: PostStatus,
    on: Date,
    today: Date,
    by: &str,
    entry: crate::journal::Entry,
) -> WriteResult<()> {
    let mut tx = db.begin_write().await?;
    // Read inside the write transaction: two people moving the same post are serialised.
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT p.status, (SELECT MAX(h.effective_on) FROM post_status_history h WHERE h.post_id = p.id) FROM posts p WHERE p.id = $1",
    )
    .bind(post_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (current, since) = row.ok_or(WriteError::NotFound("poste"))?;
    let current = PostStatus::parse(&current).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let since = match since {
        Some(text) => crate::db::time_text::text_to_date(&text)?,
        None => Date::MIN,
    };
    check_move(current, since, next, on, today).map_err(lifecycle_refusal)?;
    let on_text = date_to_text(on);
    sqlx::query("INSERT INTO post_status_history (id, post_id, status, effective_on, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(post_id)
        .bind(next.code())
        .bind(&on_text)
        .bind(crate::db::time_text::now_text())
        .bind(by)
        .execute(&mut *tx)
        .await?;
    // A post counts from its first funding to its closure (domain::post::exists_on).
    sqlx::query(
        "UPDATE posts SET status = $1, \
         created_on = CASE WHEN $1 = 'funded' AND created_on IS NULL THEN $2 ELSE created_on END, \
         closed_on = CASE WHEN $1 = 'closed' THEN $2 ELSE closed_on END WHERE id = $3",
    )
    .bind(next.code())
    .bind(&on_text)
    .bind(post_id)
    .execute(&mut *tx)
    .await?;
    crate::journal::append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The registry as it stood on a date, in a scope: existing posts by zone and employer type,
/// and every post by the status it had that day (from the lifecycle history).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub by_zone: PostCounts,
    pub by_employer_kind: Vec<(String, u64)>,
    pub by_status: Vec<(String, u64)>,
}

pub async fn snapshot_on(db: &Db, scope: &PostScope, at: Date) -> Result<Snapshot, StoreError> {
    let (condition, value) = scope.sql_condition();
    let at_text = date_to_text(at);
    let existing: Vec<(String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT p.zone, e.kind, COUNT(*) FROM posts p JOIN employers e ON e.id = p.employer_id WHERE {condition} \
         AND p.created_on IS NOT NULL AND p.created_on <= $2 AND (p.closed_on IS NULL OR p.closed_on > $2) GROUP BY p.zone, e.kind ORDER BY e.kind"
    )))
    .bind(&value)
    .bind(&at_text)
    .fetch_all(db.pool())
    .await?;
    let mut snapshot = Snapshot::default();
    for (zone, kind, count) in existing {
        let count = u64::try_from(count).unwrap_or(0);
        snapshot.by_zone.add(
            Zone::parse(&zone).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            count,
        );
        match snapshot
            .by_employer_kind
            .iter_mut()
            .find(|(k, _)| *k == kind)
        {
            Some((_, total)) => *total += count,
            None => snapshot.by_employer_kind.push((kind, count)),
        }
    }
    // The last step on or before the date, per post: its status that day.
    let steps: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT h.post_id, h.status FROM post_status_history h JOIN posts p ON p.id = h.post_id WHERE {condition} \
         AND h.effective_on <= $2 ORDER BY h.post_id, h.effective_on, h.recorded_at, h.id"
    )))
    .bind(&value)
    .bind(&at_text)
    .fetch_all(db.pool())
    .await?;
    let mut last: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for (post, status) in steps {
        last.insert(post, status);
    }
    for status in PostStatus::ALL {
        let count = last
            .values()
            .filter(|s| s.as_str() == status.code())
            .count() as u64;
        snapshot.by_status.push((status.code().to_string(), count));
    }
    Ok(snapshot)
}

/// The social workers holding a post now, with the date each took it (their role's creation).
pub async fn holders(db: &Db, post_id: &str) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT a.display_name, r.created_at FROM account_roles r JOIN accounts a ON a.id = r.account_id \
         WHERE r.role = 'social_worker' AND r.scope_id = $1 AND a.disabled = 0 ORDER BY r.created_at",
    )
    .bind(post_id)
    .fetch_all(db.pool())
    .await?)
}

/// The units hosting a post: (unit id, name, share of the post's time in percent).
pub async fn host_units_of(
    db: &Db,
    post_id: &PostId,
) -> Result<Vec<(UnitId, String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.name, h.time_share_percent FROM post_host_units h JOIN units u ON u.id = h.unit_id WHERE h.post_id = $1 ORDER BY h.time_share_percent DESC, u.name",
    )
    .bind(post_id)
    .fetch_all(db.pool())
    .await?)
}

/// The units of a département that can host a post (brigades, compagnies, commissariats…).
pub async fn hostable_units(
    db: &Db,
    departement: &DepartementCode,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM units WHERE departement_code = $1 \
         AND kind IN ('groupement','compagnie','bta','cob','brigade_proximite','mpf','circonscription','commissariat') ORDER BY name",
    )
    .bind(departement)
    .fetch_all(db.pool())
    .await?)
}

/// Sets the share of a host unit (adding it if needed), keeping the total at most 100 %.
pub async fn set_host_unit(
    db: &Db,
    post: &PostRow,
    unit_id: &str,
    share: i64,
    entry: crate::journal::Entry,
) -> WriteResult<()> {
    if !hostable_units(db, &post.departement_code)
        .await?
        .iter()
        .any(|(id, _)| id == unit_id)
    {
        return Err(WriteError::refused(
            "unité",
            "elle ne peut pas accueillir ce poste (autre département, ou unité de commandement)",
        ));
    }
    let mut tx = db.begin_write().await?;
    let (others,): (i64,) = sqlx::query_as("SELECT CAST(COALESCE(SUM(time_share_percent), 0) AS BIGINT) FROM post_host_units WHERE post_id = $1 AND unit_id <> $2")
        .bind(&post.id)
        .bind(unit_id)
        .fetch_one(&mut *tx)
        .await?;
    if others + share > 100 {
        return Err(WriteError::refused(
            "part du temps",
            format!(
                "la somme des parts des unités d'accueil dépasserait 100 % ({} %)",
                others + share
            ),
        ));
    }
    sqlx::query(
        "INSERT INTO post_host_units (post_id, unit_id, time_share_percent) VALUES ($1, $2, $3) \
         ON CONFLICT (post_id, unit_id) DO UPDATE SET time_share_percent = excluded.time_share_percent",
    )
    .bind(&post.id)
    .bind(unit_id)
    .bind(share)
    .execute(&mut *tx)
    .await?;
    crate::journal::append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_host_unit(
    db: &Db,
    post_id: &str,
    unit_id: &str,
    entry: crate::journal::Entry,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let removed = sqlx::query("DELETE FROM post_host_units WHERE post_id = $1 AND unit_id = $2")
        .bind(post_id)
        .bind(unit_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed > 0 {
        crate::journal::append(&mut tx, entry).await?;
        tx.commit().await?;
    }
    Ok(removed > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The refusal shows the very text the domain gives, split into its field and reason.
    #[test]
    fn a_refused_step_keeps_the_domain_text() {
        for error in [
            LifecycleError::IllegalMove {
                from: "Projet",
                to: "Pourvu",
            },
            LifecycleError::BeforePreviousStep {
                previous: "02/01/2024".into(),
            },
            LifecycleError::InTheFuture,
        ] {
            let text = error.to_string();
            match lifecycle_refusal(error) {
                WriteError::Refused(refusal) => {
                    assert_eq!(refusal.to_string(), text);
                    assert!(!refusal.reason.contains(" : "), "{}", refusal.reason);
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
