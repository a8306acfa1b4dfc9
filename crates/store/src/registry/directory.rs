//! What the national directory of inclusion offers (data·inclusion) is told of the scheme:
//! the host units of every filled post, and for each post and unit the social worker's
//! reception. Registry facts only: no name of a person.

use crate::{Db, StoreError};
use passerelle_domain::ids::{PostId, UnitId};

/// A host unit of a filled post, with its commune.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HostedReception {
    pub post_id: PostId,
    pub post_code: String,
    /// The post's département: where its social worker receives people from.
    pub departement_code: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub commune_code: Option<String>,
    pub commune_name: Option<String>,
}

/// Every host unit of every filled post, by post code then unit name.
pub async fn filled_receptions(db: &Db) -> Result<Vec<HostedReception>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.id AS post_id, p.code AS post_code, p.departement_code, u.id AS unit_id, u.name AS unit_name, \
         u.commune_code, c.name AS commune_name \
         FROM posts p JOIN post_host_units h ON h.post_id = p.id JOIN units u ON u.id = h.unit_id \
         LEFT JOIN communes c ON c.code = u.commune_code \
         WHERE p.status = 'filled' ORDER BY p.code, u.name, u.id",
    )
    .fetch_all(db.pool())
    .await?)
}
