//! The registry's units as a list, a page at a time: filtered by département and kind,
//! searched by name, counted, and whole for the export.

use super::post_list::like_pattern;
use crate::{Db, StoreError};
use passerelle_domain::ids::UnitId;
use passerelle_domain::registry::territory::DepartementCode;
use passerelle_domain::registry::unit::UnitKind;

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub departement: Option<DepartementCode>,
    pub kind: Option<UnitKind>,
    pub search: String,
}

/// A unit as the list shows it, with the name of the unit it belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitListRow {
    pub id: UnitId,
    pub kind: UnitKind,
    pub name: String,
    pub departement_code: Option<DepartementCode>,
    pub commune_code: Option<String>,
    pub commune: Option<String>,
    pub parent: Option<String>,
}

/// The condition on units (`u`), its values bound as `$1` to `$3`.
const FILTERED: &str = "($1 = '' OR u.departement_code = $1) AND ($2 = '' OR u.kind = $2) \
     AND ($3 = '' OR LOWER(u.name) LIKE $3 ESCAPE '\\')";

fn values(filter: &UnitFilter) -> (String, &'static str, String) {
    (
        filter
            .departement
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        filter.kind.map(UnitKind::code).unwrap_or(""),
        like_pattern(&filter.search),
    )
}

pub async fn count_units(db: &Db, filter: &UnitFilter) -> Result<u64, StoreError> {
    let (departement, kind, search) = values(filter);
    let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM units u WHERE {FILTERED}"
    )))
    .bind(departement)
    .bind(kind)
    .bind(search)
    .fetch_one(db.pool())
    .await?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// One page of the units the filter keeps, by département then name; `limit` None: all.
pub async fn filtered_units(
    db: &Db,
    filter: &UnitFilter,
    limit: Option<u64>,
    offset: u64,
) -> Result<Vec<UnitListRow>, StoreError> {
    let (departement, kind, search) = values(filter);
    let limit = limit.map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX));
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT u.id, u.kind, u.name, u.departement_code, u.commune_code, c.name AS commune, p.name AS parent \
         FROM units u LEFT JOIN units p ON p.id = u.parent_id LEFT JOIN communes c ON c.code = u.commune_code \
         WHERE {FILTERED} ORDER BY COALESCE(u.departement_code, ''), u.name, u.id LIMIT $4 OFFSET $5"
    )))
    .bind(departement)
    .bind(kind)
    .bind(search)
    .bind(limit)
    .bind(i64::try_from(offset).unwrap_or(i64::MAX))
    .fetch_all(db.pool())
    .await?)
}
