//! What the journal's rows name by id, in words: the accounts by name, posts by code, units
//! and employers by name, a case by the day it was received, a role by what it is. Never a
//! person's name nor a case's content: the journal pages show who did what, not to whom.

use crate::{Db, StoreError};
use std::collections::HashMap;

/// A record a row names, as far as its label goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    Account {
        name: String,
        email: String,
    },
    Post {
        code: String,
    },
    Unit {
        name: String,
    },
    Employer {
        name: String,
    },
    /// A case, by the instant it was received.
    Case {
        received_at: String,
    },
    /// A role given to an account: its code.
    Role {
        role: String,
    },
}

/// Makes a label from the two columns a table's query selects.
type Labeller = fn(String, String) -> Known;

/// The labels of the records among `ids` (unknown ids are left out: a deleted record, a
/// département code…).
pub async fn records_named(db: &Db, ids: &[String]) -> Result<HashMap<String, Known>, StoreError> {
    let mut known = HashMap::new();
    let mut ids: Vec<&String> = ids.iter().collect();
    ids.sort();
    ids.dedup();
    for chunk in ids.chunks(200) {
        let placeholders = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let tables: [(&str, Labeller); 6] = [
            (
                "SELECT id, display_name, email FROM accounts",
                |name, email| Known::Account { name, email },
            ),
            ("SELECT id, code, '' FROM posts", |code, _| Known::Post {
                code,
            }),
            ("SELECT id, name, '' FROM units", |name, _| Known::Unit {
                name,
            }),
            ("SELECT id, name, '' FROM employers", |name, _| {
                Known::Employer { name }
            }),
            ("SELECT id, received_at, '' FROM cases", |received_at, _| {
                Known::Case { received_at }
            }),
            ("SELECT id, role, '' FROM account_roles", |role, _| {
                Known::Role { role }
            }),
        ];
        for (select, make) in tables {
            let sql = format!("{select} WHERE id IN ({placeholders})");
            let mut query = sqlx::query_as::<_, (String, String, String)>(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            for (id, first, second) in query.fetch_all(db.pool()).await? {
                known.insert(id, make(first, second));
            }
        }
    }
    Ok(known)
}

/// The accounts a « who » search names: the one whose address it is, else those whose name
/// or address contains it (at most `limit`, by name).
pub async fn accounts_matching(db: &Db, text: &str, limit: i64) -> Result<Vec<String>, StoreError> {
    let text = text.trim().to_lowercase();
    let exact: Vec<(String,)> = sqlx::query_as("SELECT id FROM accounts WHERE lower(email) = $1")
        .bind(&text)
        .fetch_all(db.pool())
        .await?;
    if !exact.is_empty() {
        return Ok(exact.into_iter().map(|(id,)| id).collect());
    }
    let pattern = format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let found: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM accounts WHERE lower(display_name) LIKE $1 ESCAPE '\\' \
         OR lower(email) LIKE $1 ESCAPE '\\' ORDER BY display_name, id LIMIT $2",
    )
    .bind(&pattern)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(found.into_iter().map(|(id,)| id).collect())
}
