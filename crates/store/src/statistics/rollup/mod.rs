//! The activity rollups, kept in the transaction of every write to a case: the case's counted
//! facts are read again, `domain::statistics::contribution` says which cells they count for,
//! and the rollups change by the difference with what the case counted for before. A report
//! reads the rollups (O(cells)), never the events. `recompute` counts everything again from
//! the facts with the same function: the tests compare the two.

use crate::db::bulk::{Value, insert_rows};
use crate::{Db, StoreError};
use passerelle_domain::statistics::{
    COUNTING_VERSION, CaseFacts, Cell, PersonFacts, TOTAL, contribution, difference,
    person_contribution,
};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

mod verify;
pub use verify::{Difference, Verification, verify};

/// A cell as stored: (post, month, indicator, dimension, value).
pub type CellKey = (String, String, String, String, String);

fn key(cell: &Cell) -> CellKey {
    (
        cell.post_id.clone(),
        cell.month.clone(),
        cell.indicator.to_string(),
        cell.dimension.to_string(),
        cell.value.clone(),
    )
}

type CaseRowFacts = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    String,
);

const CASE_FACTS: &str = "SELECT id, post_id, received_at, source, urgency, categories, consent, criminal, referral_unit_id, status, closure_outcome, status_changed_at FROM cases";

fn facts_of(row: CaseRowFacts) -> (String, CaseFacts) {
    let (
        id,
        post_id,
        received_at,
        source,
        urgency,
        categories,
        consent,
        criminal,
        unit_id,
        status,
        closure_outcome,
        status_changed_at,
    ) = row;
    (
        id,
        CaseFacts {
            post_id,
            received_at,
            source,
            urgency,
            categories,
            consent: consent != 0,
            criminal: criminal.map(|c| c != 0),
            unit_id,
            status,
            closure_outcome,
            status_changed_at,
            ..CaseFacts::default()
        },
    )
}

/// The first contact or attempt of a case (its status history), the same way for one case
/// and for all.
const FIRST_CONTACT_OF_CASE: &str = "SELECT MIN(at) FROM case_status_history WHERE case_id = $1 AND status IN ('contact_attempted', 'in_contact')";

/// The counted facts of one case, read inside the caller's transaction.
async fn case_facts(
    connection: &mut AnyConnection,
    case_id: &str,
) -> Result<Option<CaseFacts>, StoreError> {
    let row: Option<CaseRowFacts> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{CASE_FACTS} WHERE id = $1")))
            .bind(case_id)
            .fetch_optional(&mut *connection)
            .await?;
    let Some((_, mut facts)) = row.map(facts_of) else {
        return Ok(None);
    };
    let (first_contact,): (Option<String>,) = sqlx::query_as(FIRST_CONTACT_OF_CASE)
        .bind(case_id)
        .fetch_one(&mut *connection)
        .await?;
    facts.first_contact_at = first_contact;
    facts.interviews =
        sqlx::query_as("SELECT held_on, place FROM case_interviews WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(&mut *connection)
            .await?;
    facts.actions = sqlx::query_as("SELECT done_on, kind FROM case_actions WHERE case_id = $1")
        .bind(case_id)
        .fetch_all(&mut *connection)
        .await?;
    facts.orientations = sqlx::query_as(
        "SELECT proposed_on, partner_type, status FROM case_orientations WHERE case_id = $1",
    )
    .bind(case_id)
    .fetch_all(&mut *connection)
    .await?;
    facts.transfers =
        sqlx::query_as("SELECT at, from_post, to_post FROM case_transfers WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(&mut *connection)
            .await?;
    Ok(Some(facts))
}

/// The columns of a rollup cell, as stored.
const ROLLUP_COLUMNS: [&str; 6] = [
    "post_id",
    "month",
    "indicator",
    "dimension",
    "value",
    "count",
];

/// Whose contribution to the rollups a contribution set keeps: a case's or a person's.
#[derive(Debug, Clone, Copy)]
enum Contributor<'a> {
    Case(&'a str),
    Person(&'a str),
}

impl Contributor<'_> {
    fn table(self) -> &'static str {
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

    fn columns(self) -> [&'static str; 2] {
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

fn encode_cells(cells: &BTreeMap<CellKey, i64>) -> Result<String, StoreError> {
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

fn cell_keys(cells: &BTreeMap<Cell, i64>) -> BTreeMap<CellKey, i64> {
    cells.iter().map(|(c, n)| (key(c), *n)).collect()
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
async fn add_to_post_cell(
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

/// The attributes of a post its totals are grouped by in the nation's rollups.
#[derive(Debug, Clone)]
struct PostGroups {
    zone: String,
    employer_kind: String,
}

async fn post_groups(
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
const NATION_ALL: &str = "all";

/// Adds `delta` to a post's cell in every grouping of the nation's rollups it belongs to.
async fn add_to_nation(
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
fn nation_sums() -> [String; 3] {
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

const NATION_COLUMNS: &str = "grouping, group_value, indicator, dimension, month, value, count";

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

/// The person's columns and cases as `PersonFacts`.
const PERSON_FACTS: &str = "SELECT id, post_id, sex, age_band, known_to_social_services FROM persons WHERE merged_into IS NULL";
/// With the post that received each case: the sending post of its first transfer, if any.
const PERSON_CASES: &str = "SELECT DISTINCT cp.person_id, c.id, c.received_at, c.status, c.status_changed_at, \
     COALESCE((SELECT t.from_post FROM case_transfers t WHERE t.case_id = c.id ORDER BY t.at, t.id LIMIT 1), c.post_id) \
     FROM case_persons cp JOIN cases c ON c.id = cp.case_id WHERE cp.person_id IS NOT NULL";

type PersonRow = (String, String, String, Option<String>, String);
type PersonCaseRow = (String, String, String, String, String, String);

fn person_facts_of((_, post_id, sex, age_band, known): PersonRow) -> PersonFacts {
    PersonFacts {
        post_id,
        sex,
        age_band,
        known_to_social_services: known,
        cases: Vec::new(),
    }
}

fn person_case_of(
    (_, _, received_at, status, changed_at, received_by): PersonCaseRow,
) -> (String, Option<String>, String) {
    (
        received_at,
        (status == "closed").then_some(changed_at),
        received_by,
    )
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

/// One post's cases and persons with what each contributes, computed from the facts (a few
/// reads of the post's rows, so that a whole rebuild never holds more than one post).
struct PostContributions {
    cases: Vec<(String, BTreeMap<Cell, i64>)>,
    persons: Vec<(String, BTreeMap<Cell, i64>)>,
}

impl PostContributions {
    /// The post's rollups: every contribution summed.
    fn totals(&self) -> BTreeMap<CellKey, i64> {
        let mut totals = BTreeMap::new();
        for (_, cells) in self.cases.iter().chain(&self.persons) {
            for (cell, count) in cells {
                *totals.entry(key(cell)).or_insert(0) += count;
            }
        }
        totals
    }
}

async fn post_contributions(
    connection: &mut AnyConnection,
    post_id: &str,
) -> Result<PostContributions, StoreError> {
    Ok(PostContributions {
        cases: post_case_contributions(connection, post_id).await?,
        persons: post_person_contributions(connection, post_id).await?,
    })
}

/// The rows `sql` reads for the post bound as `$1`.
async fn rows_of_post<R>(
    connection: &mut AnyConnection,
    sql: String,
    post_id: &str,
) -> Result<Vec<R>, StoreError>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(post_id)
        .fetch_all(&mut *connection)
        .await?)
}

/// Hands each (owner id, value) to its owner's facts with `put`; rows of unknown owners are
/// skipped.
fn attach<F, V>(facts: &mut HashMap<String, F>, rows: Vec<(String, V)>, put: impl Fn(&mut F, V)) {
    for (owner, value) in rows {
        if let Some(owner_facts) = facts.get_mut(&owner) {
            put(owner_facts, value);
        }
    }
}

async fn post_person_contributions(
    connection: &mut AnyConnection,
    post_id: &str,
) -> Result<Vec<(String, BTreeMap<Cell, i64>)>, StoreError> {
    let persons: Vec<PersonRow> = rows_of_post(
        connection,
        format!("{PERSON_FACTS} AND post_id = $1"),
        post_id,
    )
    .await?;
    let mut facts: HashMap<String, PersonFacts> = persons
        .into_iter()
        .map(|row| (row.0.clone(), person_facts_of(row)))
        .collect();
    let cases: Vec<PersonCaseRow> = rows_of_post(
        connection,
        format!("{PERSON_CASES} AND cp.person_id IN (SELECT id FROM persons WHERE post_id = $1)"),
        post_id,
    )
    .await?;
    let cases = cases
        .into_iter()
        .map(|row| (row.0.clone(), person_case_of(row)))
        .collect();
    attach(&mut facts, cases, |f, case| f.cases.push(case));
    Ok(facts
        .into_iter()
        .map(|(id, facts)| (id, person_contribution(&facts)))
        .collect())
}

/// The rows of a table of case facts (`case_id` first) for the cases of the post bound as `$1`.
const OF_POST_CASES: &str = "case_id IN (SELECT id FROM cases WHERE post_id = $1)";

async fn post_case_contributions(
    connection: &mut AnyConnection,
    post_id: &str,
) -> Result<Vec<(String, BTreeMap<Cell, i64>)>, StoreError> {
    let cases: Vec<CaseRowFacts> = rows_of_post(
        connection,
        format!("{CASE_FACTS} WHERE post_id = $1"),
        post_id,
    )
    .await?;
    let mut facts: HashMap<String, CaseFacts> = cases.into_iter().map(facts_of).collect();
    let first_contacts: Vec<(String, Option<String>)> = rows_of_post(
        connection,
        format!(
            "SELECT case_id, MIN(at) FROM case_status_history WHERE status IN ('contact_attempted', 'in_contact') AND {OF_POST_CASES} GROUP BY case_id"
        ),
        post_id,
    )
    .await?;
    attach(&mut facts, first_contacts, |f, at| f.first_contact_at = at);
    let interviews: Vec<(String, String, String)> = rows_of_post(
        connection,
        format!("SELECT case_id, held_on, place FROM case_interviews WHERE {OF_POST_CASES}"),
        post_id,
    )
    .await?;
    let interviews = interviews
        .into_iter()
        .map(|(id, day, place)| (id, (day, place)))
        .collect();
    attach(&mut facts, interviews, |f, interview| {
        f.interviews.push(interview)
    });
    let actions: Vec<(String, String, String)> = rows_of_post(
        connection,
        format!("SELECT case_id, done_on, kind FROM case_actions WHERE {OF_POST_CASES}"),
        post_id,
    )
    .await?;
    let actions = actions
        .into_iter()
        .map(|(id, day, kind)| (id, (day, kind)))
        .collect();
    attach(&mut facts, actions, |f, action| f.actions.push(action));
    let orientations: Vec<(String, String, String, String)> = rows_of_post(
        connection,
        format!(
            "SELECT case_id, proposed_on, partner_type, status FROM case_orientations WHERE {OF_POST_CASES}"
        ),
        post_id,
    )
    .await?;
    let orientations = orientations
        .into_iter()
        .map(|(id, day, partner, status)| (id, (day, partner, status)))
        .collect();
    attach(&mut facts, orientations, |f, orientation| {
        f.orientations.push(orientation)
    });
    let transfers: Vec<(String, String, String, String)> = rows_of_post(
        connection,
        format!("SELECT case_id, at, from_post, to_post FROM case_transfers WHERE {OF_POST_CASES}"),
        post_id,
    )
    .await?;
    let transfers = transfers
        .into_iter()
        .map(|(id, at, from, to)| (id, (at, from, to)))
        .collect();
    attach(&mut facts, transfers, |f, transfer| {
        f.transfers.push(transfer)
    });
    Ok(facts
        .into_iter()
        .map(|(id, facts)| (id, contribution(&facts)))
        .collect())
}

async fn post_ids(connection: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM posts ORDER BY id")
        .fetch_all(&mut *connection)
        .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

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
