//! The posts list of the people who steer them, a page at a time: the policy's scope, the
//! reader's filters and search, all applied in the query; the count beside; the whole
//! filtered list for the export.

use super::post::{PostRow, PostScope};
use crate::{Db, StoreError};
use passerelle_domain::ids::EmployerId;
use passerelle_domain::registry::post::{PostStatus, Zone};
use passerelle_domain::registry::territory::DepartementCode;

/// What the reader filters the posts on; `search` looks in the post's code, its host
/// units' names and their communes' names.
#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    pub departement: Option<DepartementCode>,
    pub zone: Option<Zone>,
    pub status: Option<PostStatus>,
    pub employer: Option<EmployerId>,
    pub search: String,
}

/// A text for `LIKE … ESCAPE '\'`, lower-case, matching anywhere; `%` and `_` typed by the
/// reader are taken as such. Empty: no search.
pub fn like_pattern(search: &str) -> String {
    let search = search.trim().to_lowercase();
    if search.is_empty() {
        return String::new();
    }
    let mut pattern = String::from("%");
    for c in search.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The condition on posts (`p`), its values bound as `$1` (the scope) to `$6`.
const FILTERED: &str = "($2 = '' OR p.departement_code = $2) AND ($3 = '' OR p.zone = $3) \
     AND ($4 = '' OR p.status = $4) AND ($5 = '' OR p.employer_id = $5) \
     AND ($6 = '' OR LOWER(p.code) LIKE $6 ESCAPE '\\' OR EXISTS (SELECT 1 FROM post_host_units hu \
     JOIN units u ON u.id = hu.unit_id LEFT JOIN communes c ON c.code = u.commune_code \
     WHERE hu.post_id = p.id AND (LOWER(u.name) LIKE $6 ESCAPE '\\' OR LOWER(c.name) LIKE $6 ESCAPE '\\')))";

fn bind_filter<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    scope: &PostScope,
    filter: &PostFilter,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    query
        .bind(scope.sql_condition().1)
        .bind(
            filter
                .departement
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        )
        .bind(filter.zone.map(Zone::code).unwrap_or(""))
        .bind(filter.status.map(PostStatus::code).unwrap_or(""))
        .bind(
            filter
                .employer
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        )
        .bind(like_pattern(&filter.search))
}

/// How many posts of the scope the filter keeps.
pub async fn count_posts(
    db: &Db,
    scope: &PostScope,
    filter: &PostFilter,
) -> Result<u64, StoreError> {
    let (condition, _) = scope.sql_condition();
    let (count,): (i64,) = bind_filter(
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM posts p WHERE {condition} AND {FILTERED}"
        ))),
        scope,
        filter,
    )
    .fetch_one(db.pool())
    .await?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// One page of the posts the filter keeps, in code order; `limit` None: all of them.
pub async fn filtered_posts(
    db: &Db,
    scope: &PostScope,
    filter: &PostFilter,
    limit: Option<u64>,
    offset: u64,
) -> Result<Vec<PostRow>, StoreError> {
    let (condition, _) = scope.sql_condition();
    let limit = limit.map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX));
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    Ok(bind_filter(
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{} WHERE {condition} AND {FILTERED} ORDER BY p.code, p.id LIMIT $7 OFFSET $8",
            super::post::SELECT_POSTS
        ))),
        scope,
        filter,
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?)
}

/// The départements (code, name) holding posts in the scope: the choices of the filter.
pub async fn departements_with_posts(
    db: &Db,
    scope: &PostScope,
) -> Result<Vec<(String, String)>, StoreError> {
    let (condition, value) = scope.sql_condition();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT d.code, d.name FROM posts p JOIN departements d ON d.code = p.departement_code \
         WHERE {condition} ORDER BY d.code"
    )))
    .bind(value)
    .fetch_all(db.pool())
    .await?)
}

/// The employers (id, name, département) of posts in the scope, optionally of one
/// département: the choices of the filter.
pub async fn employers_with_posts(
    db: &Db,
    scope: &PostScope,
    departement: Option<&DepartementCode>,
) -> Result<Vec<(EmployerId, String, String)>, StoreError> {
    let (condition, value) = scope.sql_condition();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT e.id, e.name, e.departement_code FROM posts p JOIN employers e ON e.id = p.employer_id \
         WHERE {condition} AND ($2 = '' OR p.departement_code = $2) ORDER BY e.departement_code, e.name, e.id"
    )))
    .bind(value)
    .bind(departement.map(ToString::to_string).unwrap_or_default())
    .fetch_all(db.pool())
    .await?)
}

/// The post created last (identifiers are ordered by time): where the form that created
/// one leads.
pub async fn latest_created(db: &Db) -> Result<Option<passerelle_domain::ids::PostId>, StoreError> {
    let row: Option<(passerelle_domain::ids::PostId,)> =
        sqlx::query_as("SELECT id FROM posts ORDER BY created_at DESC, id DESC LIMIT 1")
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(id,)| id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_is_escaped_and_lower_case() {
        assert_eq!(like_pattern("  "), "");
        assert_eq!(like_pattern("Rennes"), "%rennes%");
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
