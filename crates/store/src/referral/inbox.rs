//! The social worker's inbox: one page of a post's cases under a filter, most urgent first,
//! with the number of matching cases, read in one round trip.

use super::category;
use crate::{Db, StoreError};
use passerelle_domain::ids::CaseId;
use passerelle_domain::referral::ReferralStatus;

/// A line of the social worker's inbox.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    pub id: CaseId,
    pub urgency: String,
    pub status: String,
    /// Category codes in order, read after the row (`case_categories`).
    #[sqlx(skip)]
    pub categories: Vec<String>,
    pub received_at: String,
    pub unit_name: Option<String>,
    pub persons: i64,
    pub next_step_on: Option<String>,
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
    /// Only the cases of these persons of the post (a name search); none when empty.
    pub persons: Option<Vec<String>>,
}

/// Lines per inbox page.
pub const INBOX_PAGE: i64 = 50;

/// One page of a post's cases under `filter` (by urgency, immediate first, then oldest
/// first), and how many cases match in all.
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
    if let Some(persons) = &filter.persons {
        let mut placeholders = Vec::new();
        for person in persons {
            values.push(person.clone());
            placeholders.push(format!("${}", values.len()));
        }
        conditions.push(if placeholders.is_empty() {
            "1 = 0".into()
        } else {
            format!(
                "c.id IN (SELECT cp.case_id FROM case_persons cp WHERE cp.person_id IN ({}))",
                placeholders.join(", ")
            )
        });
    }
    let clause = conditions.join(" AND ");
    // The page and the number of matching cases in one round trip: the count is an
    // uncorrelated subquery, computed once by both engines.
    let sql = format!(
        "SELECT c.id, c.urgency, c.status, c.received_at, u.name AS unit_name, c.next_step_on, \
         (SELECT COUNT(*) FROM case_persons p WHERE p.case_id = c.id) AS persons, \
         (SELECT COUNT(*) FROM cases c WHERE {clause}) AS total \
         FROM cases c LEFT JOIN units u ON u.id = c.referral_unit_id WHERE {clause} \
         ORDER BY (CASE c.urgency WHEN 'immediate' THEN 0 WHEN 'within_48h' THEN 1 ELSE 2 END), c.received_at, c.id \
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
