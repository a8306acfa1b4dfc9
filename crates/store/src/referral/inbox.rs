//! The social worker's inbox: one page of a post's cases under a filter, the cases no
//! social worker of the post has opened yet first, then most urgent first, with the number of
//! matching cases, read in one round trip; the names of the persons of the cases shown, under
//! the view's journaled read; a case marked opened.

use super::category;
use crate::db::time_text::now_text;
use crate::journal::read::Journaled;
use crate::seal::KeyRing;
use crate::{Db, StoreError};
use passerelle_domain::ids::{CaseId, PersonId, PostId};
use passerelle_domain::referral::danger::DangerGridResult;
use passerelle_domain::referral::{ReferralStatus, Urgency};
use std::collections::HashMap;

/// A line of the social worker's inbox.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    pub id: CaseId,
    pub urgency: Urgency,
    /// The danger grid's result: a characterised danger comes before every urgency.
    pub danger_grid: Option<DangerGridResult>,
    pub status: ReferralStatus,
    /// Category codes in order, read after the row (`case_categories`).
    #[sqlx(skip)]
    pub categories: Vec<String>,
    pub received_at: String,
    pub unit_name: Option<String>,
    pub persons: i64,
    pub next_step_on: Option<String>,
    /// When a social worker of the post first opened the case; none while it is new.
    pub opened_at: Option<String>,
    /// How many cases match the filter in all (the same on every line).
    pub total: i64,
}

/// Which cases of a post the inbox lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct InboxFilter {
    /// `None`: open cases only; `Some(None)`: every case; `Some(Some(s))`: cases in `s`.
    pub status: Option<Option<ReferralStatus>>,
    pub urgency: Option<passerelle_domain::referral::Urgency>,
    /// A category code of the grid.
    pub category: Option<String>,
    /// Only the cases a name search found; none when it found nothing.
    pub persons: Option<Named>,
}

/// What a name search found: the post's identified persons, and the cases whose referral
/// named someone alike.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Named {
    pub persons: Vec<String>,
    pub cases: Vec<String>,
}

/// The order of urgency of the inbox and the home: a danger the grid characterised first,
/// then immediate, within 48 h, normal.
const URGENCY_RANK: &str = "(CASE WHEN c.danger_grid = 'danger' THEN 0 WHEN c.urgency = 'immediate' THEN 1 WHEN c.urgency = 'within_48h' THEN 2 ELSE 3 END)";

/// Lines per inbox page.
pub const INBOX_PAGE: i64 = 50;

/// One page of a post's cases under `filter` (those not opened yet first, then by urgency,
/// immediate first, then oldest first), and how many cases match in all.
pub async fn inbox(
    db: &Db,
    post_id: &str,
    filter: InboxFilter,
    page: i64,
) -> Result<(Vec<InboxRow>, i64), StoreError> {
    // Codes come from our own vocabularies, bound as parameters all the same.
    let mut conditions = vec!["c.post_id = $1".to_string()];
    let mut values: Vec<String> = vec![post_id.to_string()];
    match filter.status {
        None => conditions.push("c.status <> 'closed'".into()),
        Some(None) => {}
        Some(Some(status)) => {
            values.push(status.code().into());
            conditions.push(format!("c.status = ${}", values.len()));
        }
    }
    if let Some(urgency) = filter.urgency {
        values.push(urgency.code().into());
        conditions.push(format!("c.urgency = ${}", values.len()));
    }
    if let Some(category) = filter.category {
        values.push(category);
        conditions.push(format!(
            "c.id IN (SELECT cc.case_id FROM case_categories cc WHERE cc.category = ${})",
            values.len()
        ));
    }
    if let Some(named) = &filter.persons {
        let mut bound = |ids: &[String]| {
            let mut placeholders = Vec::new();
            for id in ids {
                values.push(id.clone());
                placeholders.push(format!("${}", values.len()));
            }
            placeholders.join(", ")
        };
        let persons = bound(&named.persons);
        let cases = bound(&named.cases);
        let mut found = Vec::new();
        if !persons.is_empty() {
            found.push(format!(
                "c.id IN (SELECT cp.case_id FROM case_persons cp WHERE cp.person_id IN ({persons}))"
            ));
        }
        if !cases.is_empty() {
            found.push(format!("c.id IN ({cases})"));
        }
        conditions.push(if found.is_empty() {
            "1 = 0".into()
        } else {
            format!("({})", found.join(" OR "))
        });
    }
    let clause = conditions.join(" AND ");
    // The page and the number of matching cases in one round trip: the count is an
    // uncorrelated subquery, computed once by both engines.
    let sql = format!(
        "SELECT c.id, c.urgency, c.danger_grid, c.status, c.received_at, u.name AS unit_name, c.next_step_on, c.opened_at, \
         (SELECT COUNT(*) FROM case_persons p WHERE p.case_id = c.id) AS persons, \
         (SELECT COUNT(*) FROM cases c WHERE {clause}) AS total \
         FROM cases c LEFT JOIN units u ON u.id = c.referral_unit_id WHERE {clause} \
         ORDER BY (CASE WHEN c.opened_at IS NULL THEN 0 ELSE 1 END), {URGENCY_RANK}, c.received_at, c.id \
         LIMIT {INBOX_PAGE} OFFSET {}",
        (page.max(1) - 1) * INBOX_PAGE
    );
    let mut query = sqlx::query_as::<_, InboxRow>(sqlx::AssertSqlSafe(sql));
    for value in &values {
        query = query.bind(value);
    }
    let mut rows = query.fetch_all(db.pool()).await?;
    let ids: Vec<&CaseId> = rows.iter().map(|row| &row.id).collect();
    let mut categories = category::of_cases(db, &ids).await?;
    for row in &mut rows {
        row.categories = categories.remove(&row.id).unwrap_or_default();
    }
    let total = match rows.first() {
        Some(row) => row.total,
        // A page past the last one: the count alone, for the page links.
        None if page > 1 => {
            let mut count = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM cases c WHERE {clause}"
            )));
            for value in &values {
                count = count.bind(value);
            }
            count.fetch_one(db.pool()).await?.0
        }
        None => 0,
    };
    Ok((rows, total))
}

/// The names of the persons of `case_ids`, in the order they came to each case: the post's
/// person once identified, else the name the referral transmitted. Opened under `read`, the
/// list view's journaled read of their post; a case no longer in that post (a list kept from
/// before its transfer) shows no name.
pub async fn names_of_cases(
    db: &Db,
    keys: &KeyRing,
    case_ids: &[&str],
    read: &Journaled,
) -> Result<HashMap<String, Vec<String>>, StoreError> {
    let mut names: HashMap<String, Vec<String>> = HashMap::new();
    if case_ids.is_empty() {
        return Ok(names);
    }
    let placeholders: Vec<String> = (1..=case_ids.len()).map(|i| format!("${i}")).collect();
    type Line = (
        String,
        String,
        PostId,
        Option<Vec<u8>>,
        Option<PersonId>,
        Option<Vec<u8>>,
    );
    let sql = format!(
        "SELECT cp.id, cp.case_id, c.post_id, cp.identity_sealed, p.id, p.identity_sealed \
         FROM case_persons cp JOIN cases c ON c.id = cp.case_id LEFT JOIN persons p ON p.id = cp.person_id \
         WHERE cp.case_id IN ({}) AND c.post_id = ${} ORDER BY cp.created_at, cp.id",
        placeholders.join(", "),
        case_ids.len() + 1
    );
    let mut statement = sqlx::query_as::<_, Line>(sqlx::AssertSqlSafe(sql));
    for id in case_ids {
        statement = statement.bind(*id);
    }
    statement = statement.bind(read.post_id());
    for (line_id, case_id, post_id, transmitted, person_id, identity) in
        statement.fetch_all(db.pool()).await?
    {
        read.covers(&post_id)?;
        let name = match (person_id, identity, transmitted) {
            (Some(person_id), Some(sealed), _) => {
                super::person::open_identity(keys, &person_id, &sealed)?.display_name()
            }
            (_, _, Some(sealed)) => {
                let identity: super::Identity =
                    serde_json::from_str(&super::open(keys, &super::IDENTITY, &line_id, &sealed)?)
                        .map_err(|e| StoreError::Corrupt(format!("identité {line_id} : {e}")))?;
                let name = [identity.first_name, identity.last_name]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                if name.is_empty() {
                    continue;
                }
                name
            }
            // A purged identity, or a line without a name: nothing to show.
            _ => continue,
        };
        names.entry(case_id).or_default().push(name);
    }
    Ok(names)
}

/// Marks a case opened by a social worker of its post (its page was shown to them); the
/// first opening only. The case leaves « Nouveau » in the inbox and on the home page.
/// Whether this was the first opening.
pub async fn mark_opened(db: &Db, case_id: &str) -> Result<bool, StoreError> {
    // Read first: an opened case (nearly every view) costs no write transaction.
    let new: Option<(String,)> =
        sqlx::query_as("SELECT id FROM cases WHERE id = $1 AND opened_at IS NULL")
            .bind(case_id)
            .fetch_optional(db.pool())
            .await?;
    if new.is_none() {
        return Ok(false);
    }
    let mut tx = db.begin_write().await?;
    let done = sqlx::query("UPDATE cases SET opened_at = $1 WHERE id = $2 AND opened_at IS NULL")
        .bind(now_text())
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// A case as the social worker's home lists it (codes and dates, nothing sealed).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DayRow {
    pub id: CaseId,
    pub urgency: Urgency,
    pub danger_grid: Option<DangerGridResult>,
    pub status: ReferralStatus,
    pub received_at: String,
    pub unit_name: Option<String>,
    pub next_step_on: Option<String>,
    /// The last contact (or attempt), else none.
    pub last_contact_at: Option<String>,
}

/// What the social worker's day starts on, for one post: the cases nobody opened yet (most
/// urgent first), the next steps past their day, the open cases without contact since a
/// given instant (longest silent first). Each at most `limit` lines.
#[derive(Debug, Clone, Default)]
pub struct PostDay {
    pub new: Vec<DayRow>,
    pub overdue: Vec<DayRow>,
    pub silent: Vec<DayRow>,
}

/// The home's lists of `post_id`: `today` is the ISO day (next steps before it are
/// overdue), `silent_since` the instant text before which a case's last contact (or its
/// receipt, when never contacted) leaves it « sans contact ».
pub async fn day_of_post(
    db: &Db,
    post_id: &str,
    today: &str,
    silent_since: &str,
    limit: i64,
) -> Result<PostDay, StoreError> {
    const COLUMNS: &str = "SELECT c.id, c.urgency, c.danger_grid, c.status, c.received_at, u.name AS unit_name, c.next_step_on, c.last_contact_at \
         FROM cases c LEFT JOIN units u ON u.id = c.referral_unit_id WHERE c.post_id = $1 AND c.status <> 'closed'";
    const URGENCY: &str = URGENCY_RANK;
    let list = |condition: String, order: String| {
        sqlx::AssertSqlSafe(format!(
            "{COLUMNS} AND {condition} ORDER BY {order}, c.id LIMIT {limit}"
        ))
    };
    let new = sqlx::query_as::<_, DayRow>(list(
        "c.opened_at IS NULL".into(),
        format!("{URGENCY}, c.received_at"),
    ))
    .bind(post_id)
    .fetch_all(db.pool())
    .await?;
    let overdue = sqlx::query_as::<_, DayRow>(list(
        "c.next_step_on IS NOT NULL AND c.next_step_on < $2".into(),
        "c.next_step_on".into(),
    ))
    .bind(post_id)
    .bind(today)
    .fetch_all(db.pool())
    .await?;
    // A new case is listed as new, not again as silent.
    let silent = sqlx::query_as::<_, DayRow>(list(
        "c.opened_at IS NOT NULL AND COALESCE(c.last_contact_at, c.received_at) < $2".into(),
        "COALESCE(c.last_contact_at, c.received_at)".into(),
    ))
    .bind(post_id)
    .bind(silent_since)
    .fetch_all(db.pool())
    .await?;
    Ok(PostDay {
        new,
        overdue,
        silent,
    })
}
