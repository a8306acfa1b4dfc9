//! The journal of one record: the rows about a case, or about a person, newest first.
//!
//! How the rows name their record: a case page, its writes, the referral that opened it, its
//! transfer and its purge are journaled `on("case", id)`; a person's page, their creation,
//! merge and household links, and the identities another page shows of them (look-alikes,
//! household, search results), `on("person", id)`. A case page shows the identities of its
//! persons under the case's one row, so a person's journal takes the rows of every case they
//! are in, and those of the records merged into theirs (a merge moves the cases, not the
//! rows). Lists that name no record (the post's latest persons, an appointment day) stay on
//! the post and are read in its access journal.

use crate::journal::{Row, SELECT_ROWS};
use crate::{Db, StoreError};

/// Rows shown on one page of a record's journal.
pub const PAGE_ROWS: i64 = 50;

/// A record whose journal is read.
#[derive(Debug, Clone, Copy)]
pub enum Record<'a> {
    Case(&'a str),
    Person(&'a str),
}

/// The person and the records merged into it, at any depth (merges stay within a post).
const MERGED: &str = "WITH RECURSIVE merged(id) AS (\
     SELECT CAST($1 AS TEXT) \
     UNION SELECT p.id FROM persons p JOIN merged m ON p.merged_into = m.id \
     WHERE p.post_id = (SELECT post_id FROM persons WHERE id = $1)) ";

/// The condition on journal rows about `record` (its id bound as `$1`), and the `WITH`
/// clause it needs.
fn about(record: Record<'_>) -> (&'static str, &'static str) {
    match record {
        Record::Case(_) => ("", "target_kind = 'case' AND target_id = $1"),
        Record::Person(_) => (
            MERGED,
            "(target_kind = 'person' AND target_id IN (SELECT id FROM merged)) \
             OR (target_kind = 'case' AND target_id IN \
                 (SELECT cp.case_id FROM case_persons cp WHERE cp.person_id IN (SELECT id FROM merged)))",
        ),
    }
}

fn id_of(record: Record<'_>) -> &str {
    match record {
        Record::Case(id) | Record::Person(id) => id,
    }
}

/// `limit` rows about `record` after the `offset` newest, newest first, and how many there
/// are in all.
pub async fn rows_about(
    db: &Db,
    record: Record<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Row>, i64), StoreError> {
    let (with, condition) = about(record);
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{with}{SELECT_ROWS} WHERE {condition} ORDER BY seq DESC LIMIT $2 OFFSET $3"
    )))
    .bind(id_of(record))
    .bind(limit)
    .bind(offset.max(0))
    .fetch_all(db.pool())
    .await?;
    let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{with}SELECT COUNT(*) FROM journal WHERE {condition}"
    )))
    .bind(id_of(record))
    .fetch_one(db.pool())
    .await?;
    Ok((rows, total))
}

/// The rows about some appointments (booked, moved, cancelled, their names read), newest
/// first: an appointment names its person in words, not by record, so the person's copy
/// finds them by name and adds their rows.
pub async fn rows_about_appointments(db: &Db, ids: &[String]) -> Result<Vec<Row>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!(
        "{SELECT_ROWS} WHERE target_kind = 'appointment' AND target_id IN ({}) ORDER BY seq DESC",
        placeholders.join(", ")
    )));
    for id in ids {
        query = query.bind(id);
    }
    Ok(query.fetch_all(db.pool()).await?)
}
