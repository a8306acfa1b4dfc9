//! Counting everything again from the facts: the rebuild of every rollup (after a bulk load,
//! or when the counting rules changed), and the recount the verification compares with the
//! rollups as stored.

use crate::db::bulk::{Value, insert_rows};
use crate::statistics::rollup::facts::{post_contributions, post_ids};
use crate::statistics::rollup::nation::{NATION_COLUMNS, nation_sums, regroup_nation};
use crate::statistics::rollup::refresh::{Contributor, add_to_post_cell, encode_cells};
use crate::statistics::rollup::{CellKey, cell_keys};
use crate::{Db, StoreError};
use passerelle_domain::statistics::COUNTING_VERSION;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// The columns of a rollup cell, as stored.
const ROLLUP_COLUMNS: [&str; 6] = [
    "post_id",
    "month",
    "indicator",
    "dimension",
    "value",
    "count",
];

/// The rollups as a full recomputation from the facts would give them.
pub async fn recompute(db: &Db) -> Result<BTreeMap<CellKey, i64>, StoreError> {
    let mut connection = db.pool().acquire().await?;
    let mut totals = BTreeMap::new();
    for post_id in post_ids(&mut connection).await? {
        // Summed, not replaced: a case transferred away still counts for this post.
        for (cell, count) in post_contributions(&mut connection, &post_id)
            .await?
            .totals()
        {
            *totals.entry(cell).or_insert(0) += count;
        }
    }
    Ok(totals)
}

/// The rollups as stored.
pub async fn stored(db: &Db) -> Result<BTreeMap<CellKey, i64>, StoreError> {
    let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT post_id, month, indicator, dimension, value, count FROM activity_rollups",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(p, m, i, d, v, n)| ((p, m, i, d, v), n))
        .collect())
}

/// Rebuilds every rollup from the facts, in one transaction, one post at a time: after a bulk
/// load (the demo) that wrote cases without refreshing them one by one. `progress` is told
/// how many posts are done out of how many. Returns the number of rollup cells written.
pub async fn rebuild(db: &Db, progress: impl FnMut(u64, u64)) -> Result<u64, StoreError> {
    let mut tx = db.begin_write().await?;
    mark_counted(&mut tx).await?;
    let written = rebuild_in(&mut tx, progress).await?;
    tx.commit().await?;
    Ok(written)
}

/// Rebuilds the rollups if they were built with other counting rules than this code's
/// (`COUNTING_VERSION`), or never: run after the migrations. Several servers starting at once
/// rebuild once: the first marks the version and holds the row until it commits.
pub async fn bring_up_to_date(db: &Db) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    if mark_counted(&mut tx).await? {
        let started = std::time::Instant::now();
        let cells = rebuild_in(&mut tx, |_, _| {}).await?;
        tx.commit().await?;
        tracing::info!(
            version = COUNTING_VERSION,
            cells,
            seconds = started.elapsed().as_secs_f64(),
            "statistiques recomptées selon les règles de comptage en vigueur"
        );
    }
    Ok(())
}

/// Records that the rollups follow this code's counting rules; false if they already did.
async fn mark_counted(connection: &mut AnyConnection) -> Result<bool, StoreError> {
    let changed = sqlx::query("UPDATE rollup_counting SET version = $1 WHERE version <> $1")
        .bind(COUNTING_VERSION)
        .execute(&mut *connection)
        .await?
        .rows_affected();
    Ok(changed > 0)
}

async fn rebuild_in(
    connection: &mut AnyConnection,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, StoreError> {
    let backend = crate::Backend::of_connection(connection);
    for table in [
        "activity_rollups",
        "nation_rollups",
        Contributor::Case("").table(),
        Contributor::Person("").table(),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *connection)
            .await?;
    }
    let posts = post_ids(connection).await?;
    let mut written = 0;
    // What the cases and persons of one post count for other posts (a case transferred in
    // keeps the sending post's work there): added once every post's own cells are written.
    let mut elsewhere: BTreeMap<CellKey, i64> = BTreeMap::new();
    for (done, post_id) in posts.iter().enumerate() {
        let post = post_contributions(connection, post_id).await?;
        for (contributions, who) in [
            (&post.cases, Contributor::Case("")),
            (&post.persons, Contributor::Person("")),
        ] {
            let mut rows = Vec::with_capacity(contributions.len());
            for (owner, cells) in contributions.iter().filter(|(_, cells)| !cells.is_empty()) {
                rows.push(vec![
                    owner.as_str().into(),
                    encode_cells(&cell_keys(cells))?.into(),
                ]);
            }
            insert_rows(connection, backend, who.table(), &who.columns(), &rows).await?;
        }
        let (own, others): (BTreeMap<CellKey, i64>, BTreeMap<CellKey, i64>) = post
            .totals()
            .into_iter()
            .partition(|((p, _, _, _, _), _)| p == post_id);
        for (cell, count) in others {
            *elsewhere.entry(cell).or_insert(0) += count;
        }
        let rollup_rows: Vec<Vec<Value>> = own
            .iter()
            .map(|((p, m, i, d, v), n)| {
                vec![
                    p.as_str().into(),
                    m.as_str().into(),
                    i.as_str().into(),
                    d.as_str().into(),
                    v.as_str().into(),
                    (*n).into(),
                ]
            })
            .collect();
        written += insert_rows(
            connection,
            backend,
            "activity_rollups",
            &ROLLUP_COLUMNS,
            &rollup_rows,
        )
        .await?;
        progress(done as u64 + 1, posts.len() as u64);
    }
    for (cell, count) in &elsewhere {
        add_to_post_cell(connection, cell, *count).await?;
        written += 1;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO nation_rollups ({NATION_COLUMNS}) {}",
        nation_sums()[0]
    )))
    .execute(&mut *connection)
    .await?;
    regroup_nation(connection).await?;
    Ok(written)
}
