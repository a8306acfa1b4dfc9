//! A page of the journal as its readers filter it: newest first, a page at a time, by keyset
//! on `seq` (never OFFSET: a deep page of millions of rows costs what the first one does).
//! Every filter has an index ending with `seq` (migration 0032), so that a page is a short
//! backward walk of one index from its bound; dates become `seq` bounds through the instant's
//! index. No count over the filter: the page says only whether there are newer or older rows.

use super::{Row, SELECT_ROWS};
use crate::{Db, StoreError};
use passerelle_domain::journal::JournalAction;

/// The rows a page may list at all, as the policy decided (domain::access).
#[derive(Debug, Clone)]
pub enum Reach {
    /// Security events, everywhere.
    AllSecurityEvents,
    /// Security events of one employer's accounts.
    EmployerSecurityEvents(String),
    /// Accesses to one post's data and to its cases.
    PostAccesses(String),
}

/// The actions the post's access journal lists.
pub const POST_ACCESS_ACTIONS: &[JournalAction] = &[
    JournalAction::PersonalDataRead,
    JournalAction::PersonalDataWritten,
    JournalAction::Disclosure,
    JournalAction::Export,
    JournalAction::ReplacementGranted,
    JournalAction::ReplacementEnded,
    JournalAction::RoleGranted,
    JournalAction::RoleRevoked,
    JournalAction::CaseAccessProposed,
    JournalAction::CaseAccessConfirmed,
    JournalAction::CaseAccessDeclined,
];

impl Reach {
    /// The actions this reach lists, in the order of the vocabulary.
    pub fn actions(&self) -> Vec<JournalAction> {
        match self {
            Reach::AllSecurityEvents | Reach::EmployerSecurityEvents(_) => JournalAction::ALL
                .iter()
                .copied()
                .filter(|action| action.is_security_event())
                .collect(),
            Reach::PostAccesses(_) => POST_ACCESS_ACTIONS.to_vec(),
        }
    }
}

/// What the reader asked for within the reach; `None` is « any ».
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The accounts who acted (those a search by name found); empty: nobody matched.
    pub actors: Option<Vec<String>>,
    pub action: Option<JournalAction>,
    /// The record the rows are about (`target_id`).
    pub record: Option<String>,
    /// Rows at or after this stored instant (`2026-12-02T23:00:00`, a prefix compares right
    /// against any stored fraction).
    pub from: Option<String>,
    /// Rows before this stored instant.
    pub until: Option<String>,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    Newest,
    /// The rows older than this one.
    Before(i64),
    /// The rows newer than this one (the page before, going back).
    After(i64),
}

/// A page of rows, newest first, and whether there are more on either side.
#[derive(Debug, Clone)]
pub struct Page {
    pub rows: Vec<Row>,
    pub newer: bool,
    pub older: bool,
}

/// The condition and the values bound to it, numbered from `$1`.
struct Condition {
    clauses: Vec<String>,
    values: Vec<Value>,
}

enum Value {
    Text(String),
    Number(i64),
}

impl Condition {
    fn bind(&mut self, value: &str) -> String {
        self.values.push(Value::Text(value.to_string()));
        format!("${}", self.values.len())
    }

    fn bind_number(&mut self, value: i64) -> String {
        self.values.push(Value::Number(value));
        format!("${}", self.values.len())
    }
}

fn codes_list(actions: &[JournalAction]) -> String {
    // Codes are the vocabulary's constants, never input.
    actions
        .iter()
        .map(|action| format!("'{}'", action.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first row at or after `from`, the last one before `until`: date bounds as `seq`
/// bounds, which the primary key walks. `None`: no row in the range.
async fn seq_bounds(
    db: &Db,
    filter: &Filter,
) -> Result<Option<(Option<i64>, Option<i64>)>, StoreError> {
    let mut low = None;
    let mut high = None;
    if let Some(from) = &filter.from {
        let first: Option<(i64,)> =
            sqlx::query_as("SELECT seq FROM journal WHERE at >= $1 ORDER BY at, seq LIMIT 1")
                .bind(from)
                .fetch_optional(db.pool())
                .await?;
        match first {
            Some((seq,)) => low = Some(seq),
            None => return Ok(None),
        }
    }
    if let Some(until) = &filter.until {
        let last: Option<(i64,)> = sqlx::query_as(
            "SELECT seq FROM journal WHERE at < $1 ORDER BY at DESC, seq DESC LIMIT 1",
        )
        .bind(until)
        .fetch_optional(db.pool())
        .await?;
        match last {
            Some((seq,)) => high = Some(seq),
            None => return Ok(None),
        }
    }
    Ok(Some((low, high)))
}

/// The condition of `reach` and `filter`, or `None` when nothing can match.
async fn condition(
    db: &Db,
    reach: &Reach,
    filter: &Filter,
) -> Result<Option<Condition>, StoreError> {
    let mut condition = Condition {
        clauses: vec![format!("action IN ({})", codes_list(&reach.actions()))],
        values: Vec::new(),
    };
    match reach {
        Reach::AllSecurityEvents => {}
        Reach::EmployerSecurityEvents(employer) => {
            let placeholder = condition.bind(employer);
            condition
                .clauses
                .push(format!("scope_employer_id = {placeholder}"));
        }
        Reach::PostAccesses(post) => {
            let placeholder = condition.bind(post);
            condition
                .clauses
                .push(format!("scope_post_id = {placeholder}"));
        }
    }
    if let Some(actors) = &filter.actors {
        if actors.is_empty() {
            return Ok(None);
        }
        let placeholders: Vec<String> = actors.iter().map(|id| condition.bind(id)).collect();
        condition
            .clauses
            .push(format!("actor_account_id IN ({})", placeholders.join(", ")));
    }
    if let Some(action) = filter.action {
        if !reach.actions().contains(&action) {
            return Ok(None);
        }
        let placeholder = condition.bind(action.code());
        condition.clauses.push(format!("action = {placeholder}"));
    }
    if let Some(record) = &filter.record {
        let placeholder = condition.bind(record);
        condition.clauses.push(format!("target_id = {placeholder}"));
    }
    let Some((low, high)) = seq_bounds(db, filter).await? else {
        return Ok(None);
    };
    for (bound, operator) in [(low, ">="), (high, "<=")] {
        if let Some(seq) = bound {
            let placeholder = condition.bind_number(seq);
            condition
                .clauses
                .push(format!("seq {operator} {placeholder}"));
        }
    }
    for (instant, operator) in [(&filter.from, ">="), (&filter.until, "<")] {
        if let Some(instant) = instant {
            let placeholder = condition.bind(instant);
            condition
                .clauses
                .push(format!("at {operator} {placeholder}"));
        }
    }
    Ok(Some(condition))
}

/// One page of at most `size` rows from `cursor`, newest first.
pub async fn page(
    db: &Db,
    reach: &Reach,
    filter: &Filter,
    cursor: Cursor,
    size: i64,
) -> Result<Page, StoreError> {
    let Some(mut condition) = condition(db, reach, filter).await? else {
        return Ok(Page {
            rows: Vec::new(),
            newer: false,
            older: false,
        });
    };
    let order = match cursor {
        Cursor::Newest => "DESC",
        Cursor::Before(seq) => {
            let placeholder = condition.bind_number(seq);
            condition.clauses.push(format!("seq < {placeholder}"));
            "DESC"
        }
        Cursor::After(seq) => {
            let placeholder = condition.bind_number(seq);
            condition.clauses.push(format!("seq > {placeholder}"));
            "ASC"
        }
    };
    let limit = condition.bind_number(size + 1);
    let sql = format!(
        "{SELECT_ROWS} WHERE {} ORDER BY seq {order} LIMIT {limit}",
        condition.clauses.join(" AND ")
    );
    let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql));
    for value in condition.values {
        query = match value {
            Value::Text(text) => query.bind(text),
            Value::Number(number) => query.bind(number),
        };
    }
    let mut rows = query.fetch_all(db.pool()).await?;
    let more = rows.len() as i64 > size;
    rows.truncate(size.max(0) as usize);
    Ok(match cursor {
        Cursor::Newest => Page {
            rows,
            newer: false,
            older: more,
        },
        Cursor::Before(_) => Page {
            rows,
            newer: true,
            older: more,
        },
        Cursor::After(_) => {
            rows.reverse();
            Page {
                rows,
                newer: more,
                older: true,
            }
        }
    })
}
