//! The activity rollups, kept in the transaction of every write to a case: the case's counted
//! facts are read again, `domain::statistics::contribution` says which cells they count for,
//! and the rollups change by the difference with what the case counted for before. A report
//! reads the rollups (O(cells)), never the events. `recompute` counts everything again from
//! the facts with the same function: the tests compare the two.

use crate::bulk::{Value, insert_rows};
use crate::{Db, StoreError};
use passerelle_domain::statistics::{
    CaseFacts, Cell, PersonFacts, contribution, difference, person_contribution,
};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

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
const FIRST_CONTACTS: &str = "SELECT case_id, MIN(at) FROM case_status_history WHERE status IN ('contact_attempted', 'in_contact') GROUP BY case_id";

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
    Ok(Some(facts))
}

/// The columns of a rollup cell, as stored (a contribution adds its owner first).
const ROLLUP_COLUMNS: [&str; 6] = [
    "post_id",
    "month",
    "indicator",
    "dimension",
    "value",
    "count",
];

/// Whose contribution to the rollups a contributions table keeps: a case's or a person's.
#[derive(Debug, Clone, Copy)]
enum Contributor<'a> {
    Case(&'a str),
    Person(&'a str),
}

impl Contributor<'_> {
    fn table(self) -> &'static str {
        match self {
            Contributor::Case(_) => "case_contributions",
            Contributor::Person(_) => "person_contributions",
        }
    }

    fn columns(self) -> [&'static str; 7] {
        let [post, month, indicator, dimension, value, count] = ROLLUP_COLUMNS;
        [
            self.owner_column(),
            post,
            month,
            indicator,
            dimension,
            value,
            count,
        ]
    }

    fn owner_column(self) -> &'static str {
        match self {
            Contributor::Case(_) => "case_id",
            Contributor::Person(_) => "person_id",
        }
    }

    fn value(&self) -> &str {
        match self {
            Contributor::Case(id) | Contributor::Person(id) => id,
        }
    }
}

/// Replaces what `who` adds to the rollups by `after`: the rollups change by the difference.
async fn replace_contribution(
    connection: &mut AnyConnection,
    who: Contributor<'_>,
    after: BTreeMap<Cell, i64>,
) -> Result<(), StoreError> {
    let (table, owner) = (who.table(), who.owner_column());
    let before_rows: Vec<(String, String, String, String, String, i64)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT post_id, month, indicator, dimension, value, count FROM {table} WHERE {owner} = $1"
        )))
        .bind(who.value())
        .fetch_all(&mut *connection)
        .await?;
    let after_keys: BTreeMap<CellKey, i64> = after.iter().map(|(c, n)| (key(c), *n)).collect();
    let before_keys: BTreeMap<CellKey, i64> = before_rows
        .into_iter()
        .map(|(p, m, i, d, v, n)| ((p, m, i, d, v), n))
        .collect();
    if before_keys == after_keys {
        return Ok(());
    }
    for (cell, delta) in difference(&before_keys, &after_keys) {
        let (post_id, month, indicator, dimension, value) = cell;
        sqlx::query(
            "INSERT INTO activity_rollups (post_id, month, indicator, dimension, value, count) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (post_id, month, indicator, dimension, value) DO UPDATE SET count = activity_rollups.count + excluded.count",
        )
        .bind(&post_id)
        .bind(&month)
        .bind(&indicator)
        .bind(&dimension)
        .bind(&value)
        .bind(delta)
        .execute(&mut *connection)
        .await?;
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
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE {owner} = $1"
    )))
    .bind(who.value())
    .execute(&mut *connection)
    .await?;
    let backend = crate::Backend::of_connection(connection);
    insert_rows(
        connection,
        backend,
        table,
        &who.columns(),
        &after_keys
            .iter()
            .map(|(cell, count)| contribution_row(who.value(), cell, *count))
            .collect::<Vec<_>>(),
    )
    .await?;
    Ok(())
}

/// Brings the rollups up to date with one case's facts, and with those of its persons (whose
/// recurrences depend on its dates). Call it in every transaction that writes a counted fact
/// of the case, after the write.
pub async fn refresh_case(connection: &mut AnyConnection, case_id: &str) -> Result<(), StoreError> {
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
const PERSON_CASES: &str = "SELECT DISTINCT cp.person_id, c.id, c.received_at, c.status, c.status_changed_at \
     FROM case_persons cp JOIN cases c ON c.id = cp.case_id WHERE cp.person_id IS NOT NULL";

type PersonRow = (String, String, String, Option<String>, String);
type PersonCaseRow = (String, String, String, String, String);

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
    (_, _, received_at, status, changed_at): PersonCaseRow,
) -> (String, Option<String>) {
    (received_at, (status == "closed").then_some(changed_at))
}

/// Brings the rollups up to date with one person's facts (a person merged into another
/// counts for nothing). Call it when a person joins a case or is merged.
pub async fn refresh_person(
    connection: &mut AnyConnection,
    person_id: &str,
) -> Result<(), StoreError> {
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

fn contribution_row(owner_id: &str, cell: &CellKey, count: i64) -> Vec<Value> {
    vec![
        owner_id.into(),
        cell.0.as_str().into(),
        cell.1.as_str().into(),
        cell.2.as_str().into(),
        cell.3.as_str().into(),
        cell.4.as_str().into(),
        count.into(),
    ]
}

/// Every case's and every person's contribution, computed from the facts (a few whole-table
/// reads).
struct AllContributions {
    cases: Vec<(String, BTreeMap<Cell, i64>)>,
    persons: Vec<(String, BTreeMap<Cell, i64>)>,
}

async fn all_contributions(db: &Db) -> Result<AllContributions, StoreError> {
    Ok(AllContributions {
        cases: all_case_contributions(db).await?,
        persons: all_person_contributions(db).await?,
    })
}

async fn all_person_contributions(
    db: &Db,
) -> Result<Vec<(String, BTreeMap<Cell, i64>)>, StoreError> {
    let persons: Vec<PersonRow> = sqlx::query_as(PERSON_FACTS).fetch_all(db.pool()).await?;
    let mut facts: HashMap<String, PersonFacts> = persons
        .into_iter()
        .map(|row| (row.0.clone(), person_facts_of(row)))
        .collect();
    let cases: Vec<PersonCaseRow> = sqlx::query_as(PERSON_CASES).fetch_all(db.pool()).await?;
    for row in cases {
        if let Some(f) = facts.get_mut(&row.0) {
            f.cases.push(person_case_of(row));
        }
    }
    Ok(facts
        .into_iter()
        .map(|(id, facts)| (id, person_contribution(&facts)))
        .collect())
}

async fn all_case_contributions(db: &Db) -> Result<Vec<(String, BTreeMap<Cell, i64>)>, StoreError> {
    let cases: Vec<CaseRowFacts> = sqlx::query_as(sqlx::AssertSqlSafe(CASE_FACTS.to_string()))
        .fetch_all(db.pool())
        .await?;
    let mut facts: HashMap<String, CaseFacts> = cases.into_iter().map(facts_of).collect();
    let first_contacts: Vec<(String, Option<String>)> =
        sqlx::query_as(FIRST_CONTACTS).fetch_all(db.pool()).await?;
    for (case_id, at) in first_contacts {
        if let Some(f) = facts.get_mut(&case_id) {
            f.first_contact_at = at;
        }
    }
    let interviews: Vec<(String, String, String)> =
        sqlx::query_as("SELECT case_id, held_on, place FROM case_interviews")
            .fetch_all(db.pool())
            .await?;
    for (case_id, day, place) in interviews {
        if let Some(f) = facts.get_mut(&case_id) {
            f.interviews.push((day, place));
        }
    }
    let actions: Vec<(String, String, String)> =
        sqlx::query_as("SELECT case_id, done_on, kind FROM case_actions")
            .fetch_all(db.pool())
            .await?;
    for (case_id, day, kind) in actions {
        if let Some(f) = facts.get_mut(&case_id) {
            f.actions.push((day, kind));
        }
    }
    let orientations: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT case_id, proposed_on, partner_type, status FROM case_orientations")
            .fetch_all(db.pool())
            .await?;
    for (case_id, day, partner_type, status) in orientations {
        if let Some(f) = facts.get_mut(&case_id) {
            f.orientations.push((day, partner_type, status));
        }
    }
    Ok(facts
        .into_iter()
        .map(|(id, facts)| (id, contribution(&facts)))
        .collect())
}

/// The rollups as a full recomputation from the facts would give them.
pub async fn recompute(db: &Db) -> Result<BTreeMap<CellKey, i64>, StoreError> {
    let all = all_contributions(db).await?;
    let mut totals = BTreeMap::new();
    for (_, cells) in all.cases.iter().chain(&all.persons) {
        for (cell, count) in cells {
            *totals.entry(key(&cell)).or_insert(0) += count;
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

/// Rebuilds every rollup from the facts, in one transaction: after a bulk load (the demo)
/// that wrote cases without refreshing them one by one.
pub async fn rebuild(db: &Db) -> Result<u64, StoreError> {
    let all = all_contributions(db).await?;
    let mut totals: BTreeMap<CellKey, i64> = BTreeMap::new();
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM activity_rollups")
        .execute(&mut *tx)
        .await?;
    for (contributions, who) in [
        (&all.cases, Contributor::Case("")),
        (&all.persons, Contributor::Person("")),
    ] {
        let mut rows = Vec::new();
        for (owner, cells) in contributions {
            for (cell, count) in cells {
                let cell = key(cell);
                *totals.entry(cell.clone()).or_insert(0) += count;
                rows.push(contribution_row(owner, &cell, *count));
            }
        }
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", who.table())))
            .execute(&mut *tx)
            .await?;
        insert_rows(&mut tx, db.backend(), who.table(), &who.columns(), &rows).await?;
    }
    let rollup_rows: Vec<Vec<Value>> = totals
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
    let written = insert_rows(
        &mut tx,
        db.backend(),
        "activity_rollups",
        &ROLLUP_COLUMNS,
        &rollup_rows,
    )
    .await?;
    tx.commit().await?;
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
        "r.value",
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

/// One indicator's totals by (month, attribute of the post) in a scope.
pub async fn report_by_post(
    db: &Db,
    scope: &ReportScope,
    attribute: PostAttribute,
    indicator: &str,
    first_month: &str,
    last_month: &str,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    let column = match attribute {
        PostAttribute::Zone => "p.zone",
        PostAttribute::EmployerKind => {
            "(SELECT e.kind FROM employers e WHERE e.id = p.employer_id)"
        }
    };
    grouped_report(
        db,
        scope,
        column,
        indicator,
        "total",
        first_month,
        last_month,
    )
    .await
}

/// The rollups of a scope summed by (month, `group`), `group` an expression of our own.
async fn grouped_report(
    db: &Db,
    scope: &ReportScope,
    group: &str,
    indicator: &str,
    dimension: &str,
    first_month: &str,
    last_month: &str,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    let (condition, scope_value) = scope.condition("r.post_id");
    // The posts are read only when the scope or the grouping needs them: the nation's and a
    // post's report stay in the rollups' covering index.
    let posts = if group.contains("p.") || condition.contains("p.") {
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
