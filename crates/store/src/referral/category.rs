//! The grid of problem categories as stored (`problem_categories`): read whole, changed one
//! category at a time with its journal entry. Codes never change, so nothing else is
//! rewritten when a label is corrected or a category retired.

use crate::db::time_text::now_text;
use crate::journal::{Entry, append};
use crate::{Db, StoreError, WriteError};
use passerelle_domain::ParseError;
use passerelle_domain::ids::CaseId;
use passerelle_domain::referral::category::{Category, CategoryGrid};

/// The whole grid, in its order, retired categories included.
pub async fn grid(db: &Db) -> Result<CategoryGrid, StoreError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT code, label, active FROM problem_categories ORDER BY position, code",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(CategoryGrid::new(
        rows.into_iter()
            .map(|(code, label, active)| Category {
                code,
                label,
                active: active != 0,
            })
            .collect(),
    ))
}

/// Adds a category at the end of the grid; its code must be new (even among retired ones).
pub async fn add(db: &Db, code: &str, label: &str, entry: Entry) -> Result<(), WriteError> {
    let mut tx = db.begin_write().await?;
    let (taken, last): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN code = $1 THEN 1 ELSE 0 END), 0), COALESCE(MAX(position), 0) FROM problem_categories",
    )
    .bind(code)
    .fetch_one(&mut *tx)
    .await?;
    if taken > 0 {
        return Err(ParseError::new(
            "Code",
            format!("« {code} » existe déjà dans la grille (éventuellement retirée) : un code ne sert qu'une fois"),
        )
        .into());
    }
    sqlx::query(
        "INSERT INTO problem_categories (code, label, position, active, changed_at) VALUES ($1, $2, $3, 1, $4)",
    )
    .bind(code)
    .bind(label)
    .bind(last + 10)
    .bind(now_text())
    .execute(&mut *tx)
    .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Corrects a label, or retires / restores a category; the code stays.
pub async fn change(
    db: &Db,
    code: &str,
    label: Option<&str>,
    active: Option<bool>,
    entry: Entry,
) -> Result<(), WriteError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE problem_categories SET label = COALESCE($1, label), active = COALESCE($2, active), changed_at = $3 WHERE code = $4",
    )
    .bind(label)
    .bind(active.map(i64::from))
    .bind(now_text())
    .bind(code)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() != 1 {
        return Err(ParseError::new("Code", format!("« {code} » n'est pas dans la grille")).into());
    }
    if active == Some(false) {
        let (left,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM problem_categories WHERE active = 1")
                .fetch_one(&mut *tx)
                .await?;
        if left == 0 {
            return Err(ParseError::new(
                "Catégorie",
                "la grille doit garder au moins une catégorie proposée",
            )
            .into());
        }
    }
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

// A case's categories: lines of `case_categories`, each a code of the grid.

/// Writes a new case's categories, in the referral's order, inside its transaction.
pub(crate) async fn write_of_case(
    connection: &mut sqlx::AnyConnection,
    case_id: &CaseId,
    codes: &[String],
) -> Result<(), StoreError> {
    for (position, code) in codes.iter().enumerate() {
        sqlx::query(
            "INSERT INTO case_categories (case_id, category, position) VALUES ($1, $2, $3)",
        )
        .bind(case_id)
        .bind(code)
        .bind(position as i64)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// The categories of one case, in order.
pub(crate) async fn of_case(
    connection: &mut sqlx::AnyConnection,
    case_id: &CaseId,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT category FROM case_categories WHERE case_id = $1 ORDER BY position, category",
    )
    .bind(case_id)
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows.into_iter().map(|(code,)| code).collect())
}

/// The categories of several cases, each in order, read at once (a page of the inbox).
pub(crate) async fn of_cases(
    db: &Db,
    case_ids: &[&CaseId],
) -> Result<std::collections::HashMap<CaseId, Vec<String>>, StoreError> {
    let mut found: std::collections::HashMap<CaseId, Vec<String>> = Default::default();
    if case_ids.is_empty() {
        return Ok(found);
    }
    let placeholders: Vec<String> = (1..=case_ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT case_id, category FROM case_categories WHERE case_id IN ({}) ORDER BY case_id, position, category",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (CaseId, String)>(sqlx::AssertSqlSafe(sql));
    for id in case_ids {
        query = query.bind(*id);
    }
    for (case_id, code) in query.fetch_all(db.pool()).await? {
        found.entry(case_id).or_default().push(code);
    }
    Ok(found)
}
