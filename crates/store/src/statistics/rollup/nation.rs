//! The nation's rollups: every cell summed over the posts, and the totals grouped by an
//! attribute of the posts (zone, employer type), kept with the posts' rollups, regrouped when
//! a post or an employer changes, and summed again from the posts' rollups for the checks.

use crate::statistics::rollup::CellKey;
use crate::statistics::rollup::report::PostAttribute;
use crate::{Db, StoreError};
use passerelle_domain::statistics::TOTAL;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// The attributes of a post its totals are grouped by in the nation's rollups.
#[derive(Debug, Clone)]
pub(super) struct PostGroups {
    zone: String,
    employer_kind: String,
}

pub(super) async fn post_groups(
    connection: &mut AnyConnection,
    post_id: &str,
) -> Result<PostGroups, StoreError> {
    let (zone, employer_kind): (String, String) = sqlx::query_as(
        "SELECT p.zone, e.kind FROM posts p JOIN employers e ON e.id = p.employer_id WHERE p.id = $1",
    )
    .bind(post_id)
    .fetch_one(&mut *connection)
    .await?;
    Ok(PostGroups {
        zone,
        employer_kind,
    })
}

/// The nation's rollups: grouping `all` holds every cell summed over the posts; the other
/// groupings hold the totals by an attribute of the posts (`PostAttribute::grouping`).
pub(super) const NATION_ALL: &str = "all";

/// Adds `delta` to a post's cell in every grouping of the nation's rollups it belongs to.
pub(super) async fn add_to_nation(
    connection: &mut AnyConnection,
    (_, month, indicator, dimension, value): &CellKey,
    delta: i64,
    groups: &PostGroups,
) -> Result<(), StoreError> {
    let mut targets = vec![(NATION_ALL, "")];
    if dimension == TOTAL {
        targets.push((PostAttribute::Zone.grouping(), groups.zone.as_str()));
        targets.push((
            PostAttribute::EmployerKind.grouping(),
            groups.employer_kind.as_str(),
        ));
    }
    for (grouping, group_value) in targets {
        sqlx::query(
            "INSERT INTO nation_rollups (grouping, group_value, indicator, dimension, month, value, count) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (grouping, indicator, dimension, month, group_value, value) DO UPDATE SET count = nation_rollups.count + excluded.count",
        )
        .bind(grouping)
        .bind(group_value)
        .bind(indicator)
        .bind(dimension)
        .bind(month)
        .bind(value)
        .bind(delta)
        .execute(&mut *connection)
        .await?;
        sqlx::query(
            "DELETE FROM nation_rollups WHERE grouping = $1 AND indicator = $2 AND dimension = $3 AND month = $4 AND group_value = $5 AND value = $6 AND count = 0",
        )
        .bind(grouping)
        .bind(indicator)
        .bind(dimension)
        .bind(month)
        .bind(group_value)
        .bind(value)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// The nation's rollups as the posts' rollups sum them: one SELECT per grouping, giving
/// (grouping, group_value, indicator, dimension, month, value, count).
pub(super) fn nation_sums() -> [String; 3] {
    let sum = "CAST(SUM(r.count) AS BIGINT)";
    let cells = "r.indicator, r.dimension, r.month, r.value";
    [
        format!(
            "SELECT '{NATION_ALL}', '', {cells}, {sum} FROM activity_rollups r GROUP BY {cells}"
        ),
        format!(
            "SELECT '{}', p.zone, {cells}, {sum} FROM activity_rollups r JOIN posts p ON p.id = r.post_id \
             WHERE r.dimension = '{TOTAL}' GROUP BY p.zone, {cells}",
            PostAttribute::Zone.grouping()
        ),
        format!(
            "SELECT '{}', e.kind, {cells}, {sum} FROM activity_rollups r JOIN posts p ON p.id = r.post_id \
             JOIN employers e ON e.id = p.employer_id WHERE r.dimension = '{TOTAL}' GROUP BY e.kind, {cells}",
            PostAttribute::EmployerKind.grouping()
        ),
    ]
}

pub(super) const NATION_COLUMNS: &str =
    "grouping, group_value, indicator, dimension, month, value, count";

/// Counts the nation's groupings by post attribute again from the posts' rollups: call it in
/// the transaction that changes a post's zone or employer, or an employer's type.
pub async fn regroup_nation(connection: &mut AnyConnection) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM nation_rollups WHERE grouping <> $1")
        .bind(NATION_ALL)
        .execute(&mut *connection)
        .await?;
    for select in &nation_sums()[1..] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO nation_rollups ({NATION_COLUMNS}) {select}"
        )))
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// A cell of the nation's rollups: (grouping, group_value, indicator, dimension, month, value).
pub type NationKey = (String, String, String, String, String, String);

/// The nation's rollups as stored, and as the posts' rollups sum them: the tests compare them.
pub async fn nation_stored_and_summed(
    db: &Db,
) -> Result<(BTreeMap<NationKey, i64>, BTreeMap<NationKey, i64>), StoreError> {
    type Row = (String, String, String, String, String, String, i64);
    let into_map = |rows: Vec<Row>| -> BTreeMap<NationKey, i64> {
        rows.into_iter()
            .map(|(g, gv, i, d, m, v, n)| ((g, gv, i, d, m, v), n))
            .collect()
    };
    let stored: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {NATION_COLUMNS} FROM nation_rollups"
    )))
    .fetch_all(db.pool())
    .await?;
    let mut summed = Vec::new();
    for select in nation_sums() {
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(select))
            .fetch_all(db.pool())
            .await?;
        summed.extend(rows);
    }
    Ok((into_map(stored), into_map(summed)))
}
