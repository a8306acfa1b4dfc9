//! Read stamps (`read_stamps`, kept by triggers of migration 0019): a counter per post that
//! moves whenever its case list may show something else, and one for the registry (posts,
//! units, replacements). A server that keeps copies of case lists polls them all and keeps a
//! copy only while its stamps have not moved.

use crate::{Db, StoreError};
use std::collections::HashMap;

/// The registry's subject: every case list depends on it.
pub const REGISTRY: &str = "*";

/// Every stamp, by subject (a post id or `REGISTRY`). A subject never written has no row:
/// its stamp is 0.
pub async fn all(db: &Db) -> Result<HashMap<String, i64>, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT subject, stamp FROM read_stamps")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().collect())
}
