//! Reading the rollups for the dashboards: one indicator's counts by (month, value) in a
//! scope (a post, an employer's posts, a département, the nation), or its totals by an
//! attribute of the posts; a read of the rollups, whatever the number of cases behind them.

use crate::statistics::rollup::nation::NATION_ALL;
use crate::{Db, StoreError};
use passerelle_domain::statistics::TOTAL;

/// Whose activity a report sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportScope {
    Post(String),
    Employer(String),
    Departement(String),
    Nation,
}

impl ReportScope {
    /// The condition on a table whose post column is `post_column`, joined to `posts p`, with
    /// its value to bind as `$1`.
    pub fn condition(&self, post_column: &str) -> (String, String) {
        match self {
            ReportScope::Post(id) => (format!("{post_column} = $1"), id.clone()),
            ReportScope::Employer(id) => ("p.employer_id = $1".into(), id.clone()),
            ReportScope::Departement(code) => ("p.departement_code = $1".into(), code.clone()),
            ReportScope::Nation => ("$1 = ''".into(), String::new()),
        }
    }
}

/// One indicator's counts by (month, value) over `first_month..=last_month` (`YYYY-MM`) in a
/// scope: a read of the rollups, whatever the number of cases behind them.
pub async fn report(
    db: &Db,
    scope: &ReportScope,
    indicator: &str,
    dimension: &str,
    first_month: &str,
    last_month: &str,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    grouped_report(
        db,
        scope,
        None,
        indicator,
        dimension,
        first_month,
        last_month,
    )
    .await
}

/// What a report can break an indicator's total down by, beyond its own dimensions: an
/// attribute of the post that counted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostAttribute {
    Zone,
    EmployerKind,
}

impl PostAttribute {
    /// Its grouping in the nation's rollups.
    pub fn grouping(self) -> &'static str {
        match self {
            PostAttribute::Zone => "zone",
            PostAttribute::EmployerKind => "employer_kind",
        }
    }
}

/// One indicator's totals by (month, attribute of the post) in a scope.
pub async fn report_by_post(
    db: &Db,
    scope: &ReportScope,
    attribute: PostAttribute,
    indicator: &str,
    first_month: &str,
    last_month: &str,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    grouped_report(
        db,
        scope,
        Some(attribute),
        indicator,
        TOTAL,
        first_month,
        last_month,
    )
    .await
}

/// The rollups of a scope summed by (month, `group`), `group` an expression of our own.
async fn grouped_report(
    db: &Db,
    scope: &ReportScope,
    by_post: Option<PostAttribute>,
    indicator: &str,
    dimension: &str,
    first_month: &str,
    last_month: &str,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    if *scope == ReportScope::Nation {
        let (grouping, column) = match by_post {
            None => (NATION_ALL, "value"),
            Some(attribute) => (attribute.grouping(), "group_value"),
        };
        return Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT month, {column}, CAST(SUM(count) AS BIGINT) FROM nation_rollups \
             WHERE grouping = $1 AND indicator = $2 AND dimension = $3 AND month >= $4 AND month <= $5 \
             GROUP BY month, {column} ORDER BY month, {column}"
        )))
        .bind(grouping)
        .bind(indicator)
        .bind(dimension)
        .bind(first_month)
        .bind(last_month)
        .fetch_all(db.pool())
        .await?);
    }
    let (condition, scope_value) = scope.condition("r.post_id");
    // The posts are read only when the scope or the grouping needs them: a post's report
    // stays in the rollups' covering index.
    let group = match by_post {
        None => "r.value",
        Some(PostAttribute::Zone) => "p.zone",
        Some(PostAttribute::EmployerKind) => {
            "(SELECT e.kind FROM employers e WHERE e.id = p.employer_id)"
        }
    };
    let posts = if by_post.is_some() || condition.contains("p.") {
        " JOIN posts p ON p.id = r.post_id"
    } else {
        ""
    };
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT r.month, {group} AS grouped, CAST(SUM(r.count) AS BIGINT) FROM activity_rollups r{posts} \
         WHERE {condition} AND r.indicator = $2 AND r.dimension = $3 AND r.month >= $4 AND r.month <= $5 \
         GROUP BY r.month, grouped ORDER BY r.month, grouped"
    )))
    .bind(&scope_value)
    .bind(indicator)
    .bind(dimension)
    .bind(first_month)
    .bind(last_month)
    .fetch_all(db.pool())
    .await?)
}
