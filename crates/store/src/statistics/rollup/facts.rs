//! The counted facts as the counting functions of the domain take them: one case's or one
//! person's, read inside the caller's transaction, or all of a post's at once (a few reads per
//! table) with what each case and person contributes, for the rebuild and the recount.

use crate::StoreError;
use crate::statistics::rollup::{CellKey, key};
use passerelle_domain::statistics::{
    CaseFacts, Cell, PersonFacts, contribution, person_contribution,
};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

type CaseRowFacts = (
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<String>,
);

const CASE_FACTS: &str = "SELECT id, post_id, received_at, source, urgency, consent, criminal, referral_unit_id, status, closure_outcome, status_changed_at, danger_grid FROM cases";

fn facts_of(row: CaseRowFacts) -> (String, CaseFacts) {
    let (
        id,
        post_id,
        received_at,
        source,
        urgency,
        consent,
        criminal,
        unit_id,
        status,
        closure_outcome,
        status_changed_at,
        danger_grid,
    ) = row;
    (
        id,
        CaseFacts {
            post_id,
            received_at,
            source,
            urgency,
            consent: consent != 0,
            criminal: criminal.map(|c| c != 0),
            unit_id,
            status,
            closure_outcome,
            status_changed_at,
            danger_grid,
            ..CaseFacts::default()
        },
    )
}

/// The first contact or attempt of a case (its status history), the same way for one case
/// and for all.
const FIRST_CONTACT_OF_CASE: &str = "SELECT MIN(at) FROM case_status_history WHERE case_id = $1 AND status IN ('contact_attempted', 'in_contact')";

/// The counted facts of one case, read inside the caller's transaction.
pub(super) async fn case_facts(
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
    let categories: Vec<(String,)> =
        sqlx::query_as("SELECT category FROM case_categories WHERE case_id = $1 ORDER BY position")
            .bind(case_id)
            .fetch_all(&mut *connection)
            .await?;
    facts.categories = categories.into_iter().map(|(code,)| code).collect();
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

/// The person's columns and cases as `PersonFacts`.
pub(super) const PERSON_FACTS: &str = "SELECT id, post_id, sex, age_band, known_to_social_services FROM persons WHERE merged_into IS NULL";
/// With the post that received each case: the sending post of its first transfer, if any.
pub(super) const PERSON_CASES: &str = "SELECT DISTINCT cp.person_id, c.id, c.received_at, c.status, c.status_changed_at, \
     COALESCE((SELECT t.from_post FROM case_transfers t WHERE t.case_id = c.id ORDER BY t.at, t.id LIMIT 1), c.post_id) \
     FROM case_persons cp JOIN cases c ON c.id = cp.case_id WHERE cp.person_id IS NOT NULL";

pub(super) type PersonRow = (String, String, String, Option<String>, String);
pub(super) type PersonCaseRow = (String, String, String, String, String, String);

pub(super) fn person_facts_of((_, post_id, sex, age_band, known): PersonRow) -> PersonFacts {
    PersonFacts {
        post_id,
        sex,
        age_band,
        known_to_social_services: known,
        cases: Vec::new(),
    }
}

pub(super) fn person_case_of(
    (_, _, received_at, status, changed_at, received_by): PersonCaseRow,
) -> (String, Option<String>, String) {
    (
        received_at,
        (status == "closed").then_some(changed_at),
        received_by,
    )
}

/// One post's cases and persons with what each contributes, computed from the facts (a few
/// reads of the post's rows, so that a whole rebuild never holds more than one post).
pub(super) struct PostContributions {
    pub(super) cases: Vec<(String, BTreeMap<Cell, i64>)>,
    pub(super) persons: Vec<(String, BTreeMap<Cell, i64>)>,
}

impl PostContributions {
    /// The post's rollups: every contribution summed.
    pub(super) fn totals(&self) -> BTreeMap<CellKey, i64> {
        let mut totals = BTreeMap::new();
        for (_, cells) in self.cases.iter().chain(&self.persons) {
            for (cell, count) in cells {
                *totals.entry(key(cell)).or_insert(0) += count;
            }
        }
        totals
    }
}

pub(super) async fn post_contributions(
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
    let categories: Vec<(String, String)> = rows_of_post(
        connection,
        format!(
            "SELECT case_id, category FROM case_categories WHERE {OF_POST_CASES} ORDER BY case_id, position"
        ),
        post_id,
    )
    .await?;
    attach(&mut facts, categories, |f, code| f.categories.push(code));
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

pub(super) async fn post_ids(connection: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM posts ORDER BY id")
        .fetch_all(&mut *connection)
        .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}
