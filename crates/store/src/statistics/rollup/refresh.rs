//! The write path, inside the transaction of every write to a case or a person: the
//! contributor's row locked, its facts read again, and the rollups (the posts' and the
//! nation's) changed by the difference with the contribution set stored for it.

use crate::StoreError;
use crate::statistics::rollup::facts::{
    PERSON_CASES, PERSON_FACTS, PersonCaseRow, PersonRow, case_facts, person_case_of,
    person_facts_of,
};
use crate::statistics::rollup::nation::{PostGroups, add_to_nation, post_groups};
use crate::statistics::rollup::{CellKey, cell_keys};
use passerelle_domain::statistics::{Cell, contribution, difference, person_contribution};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

/// Whose contribution to the rollups a contribution set keeps: a case's or a person's.
#[derive(Debug, Clone, Copy)]
pub(super) enum Contributor<'a> {
    Case(&'a str),
    Person(&'a str),
}

impl Contributor<'_> {
    pub(super) fn table(self) -> &'static str {
        match self {
            Contributor::Case(_) => "case_contribution_sets",
            Contributor::Person(_) => "person_contribution_sets",
        }
    }

    fn owner_column(self) -> &'static str {
        match self {
            Contributor::Case(_) => "case_id",
            Contributor::Person(_) => "person_id",
        }
    }

    pub(super) fn columns(self) -> [&'static str; 2] {
        [self.owner_column(), "cells"]
    }

    fn value(&self) -> &str {
        match self {
            Contributor::Case(id) | Contributor::Person(id) => id,
        }
    }
}

/// A contributor's cells as stored: one JSON array of [post, month, indicator, dimension,
/// value, count] (one row per contributor, not per cell).
type StoredCell = (String, String, String, String, String, i64);

pub(super) fn encode_cells(cells: &BTreeMap<CellKey, i64>) -> Result<String, StoreError> {
    let rows: Vec<(&str, &str, &str, &str, &str, i64)> = cells
        .iter()
        .map(|((p, m, i, d, v), n)| {
            (
                p.as_str(),
                m.as_str(),
                i.as_str(),
                d.as_str(),
                v.as_str(),
                *n,
            )
        })
        .collect();
    serde_json::to_string(&rows).map_err(|error| StoreError::Corrupt(error.to_string()))
}

fn decode_cells(text: &str) -> Result<BTreeMap<CellKey, i64>, StoreError> {
    let rows: Vec<StoredCell> = serde_json::from_str(text)
        .map_err(|error| StoreError::Corrupt(format!("contribution aux statistiques : {error}")))?;
    Ok(rows
        .into_iter()
        .map(|(p, m, i, d, v, n)| ((p, m, i, d, v), n))
        .collect())
}

/// Holds the row of a case (or a person) until the transaction ends, before its facts and
/// its stored contribution are read. On PostgreSQL two transactions writing to the same case
/// (two interviews at once, a double click) would otherwise both read the same stored cells
/// and both add their difference: the figures would drift for good. A lock rather than a
/// serialisable retry: every write path refreshes through here, and waiting for the other
/// writer of the same case is short and never fails. SQLite needs none: a write transaction
/// holds the whole database from its start (BEGIN IMMEDIATE). `NO KEY UPDATE`, the lock an
/// UPDATE of the case takes anyway: it does not wait for the key-share locks that the rows
/// just added under the case hold (a `FOR UPDATE` there deadlocks two writers).
async fn lock_contributor(
    connection: &mut AnyConnection,
    table: &'static str,
    id: &str,
) -> Result<(), StoreError> {
    if crate::Backend::of_connection(connection) == crate::Backend::Postgres {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM {table} WHERE id = $1 FOR NO KEY UPDATE"
        )))
        .bind(id)
        .fetch_optional(&mut *connection)
        .await?;
    }
    Ok(())
}

/// Replaces what `who` adds to the rollups by `after`: the rollups change by the difference.
async fn replace_contribution(
    connection: &mut AnyConnection,
    who: Contributor<'_>,
    after: BTreeMap<Cell, i64>,
) -> Result<(), StoreError> {
    let (table, owner) = (who.table(), who.owner_column());
    let stored: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT cells FROM {table} WHERE {owner} = $1"
    )))
    .bind(who.value())
    .fetch_optional(&mut *connection)
    .await?;
    let before_keys = match stored {
        Some((text,)) => decode_cells(&text)?,
        None => BTreeMap::new(),
    };
    let after_keys = cell_keys(&after);
    if before_keys == after_keys {
        return Ok(());
    }
    let mut groups_of_post: HashMap<String, PostGroups> = HashMap::new();
    for (cell, delta) in difference(&before_keys, &after_keys) {
        let groups = match groups_of_post.get(&cell.0) {
            Some(groups) => groups.clone(),
            None => {
                let groups = post_groups(connection, &cell.0).await?;
                groups_of_post.insert(cell.0.clone(), groups.clone());
                groups
            }
        };
        add_to_nation(connection, &cell, delta, &groups).await?;
        add_to_post_cell(connection, &cell, delta).await?;
        let (post_id, month, indicator, dimension, value) = cell;
        sqlx::query(
            "DELETE FROM activity_rollups WHERE post_id = $1 AND month = $2 AND indicator = $3 AND dimension = $4 AND value = $5 AND count = 0",
        )
        .bind(&post_id)
        .bind(&month)
        .bind(&indicator)
        .bind(&dimension)
        .bind(&value)
        .execute(&mut *connection)
        .await?;
    }
    if after_keys.is_empty() {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE {owner} = $1"
        )))
        .bind(who.value())
        .execute(&mut *connection)
        .await?;
    } else {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} ({owner}, cells) VALUES ($1, $2) \
             ON CONFLICT ({owner}) DO UPDATE SET cells = excluded.cells"
        )))
        .bind(who.value())
        .bind(encode_cells(&after_keys)?)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// Adds `delta` to one cell of a post's rollups.
pub(super) async fn add_to_post_cell(
    connection: &mut AnyConnection,
    (post_id, month, indicator, dimension, value): &CellKey,
    delta: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO activity_rollups (post_id, month, indicator, dimension, value, count) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (post_id, month, indicator, dimension, value) DO UPDATE SET count = activity_rollups.count + excluded.count",
    )
    .bind(post_id)
    .bind(month)
    .bind(indicator)
    .bind(dimension)
    .bind(value)
    .bind(delta)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Brings the rollups up to date with one case's facts, and with those of its persons (whose
/// recurrences depend on its dates). Call it in every transaction that writes a counted fact
/// of the case, after the write.
pub async fn refresh_case(connection: &mut AnyConnection, case_id: &str) -> Result<(), StoreError> {
    lock_contributor(connection, "cases", case_id).await?;
    let after = match case_facts(connection, case_id).await? {
        Some(facts) => contribution(&facts),
        None => BTreeMap::new(),
    };
    replace_contribution(connection, Contributor::Case(case_id), after).await?;
    let persons: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT person_id FROM case_persons WHERE case_id = $1 AND person_id IS NOT NULL",
    )
    .bind(case_id)
    .fetch_all(&mut *connection)
    .await?;
    for (person_id,) in persons {
        refresh_person(connection, &person_id).await?;
    }
    Ok(())
}

/// Brings the rollups up to date with one person's facts (a person merged into another
/// counts for nothing). Call it when a person joins a case or is merged.
pub async fn refresh_person(
    connection: &mut AnyConnection,
    person_id: &str,
) -> Result<(), StoreError> {
    lock_contributor(connection, "persons", person_id).await?;
    let person: Option<PersonRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{PERSON_FACTS} AND id = $1")))
            .bind(person_id)
            .fetch_optional(&mut *connection)
            .await?;
    let after = match person {
        Some(row) => {
            let mut facts = person_facts_of(row);
            let cases: Vec<PersonCaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{PERSON_CASES} AND cp.person_id = $1"
            )))
            .bind(person_id)
            .fetch_all(&mut *connection)
            .await?;
            facts.cases = cases.into_iter().map(person_case_of).collect();
            person_contribution(&facts)
        }
        None => BTreeMap::new(),
    };
    replace_contribution(connection, Contributor::Person(person_id), after).await
}
