//! What the person's copy (RGPD art. 15) needs beyond the pages' reads: the cases a person is
//! in, with the role they hold there and the post that holds each one, without opening any
//! other person's identity.

use crate::{Db, StoreError};
use passerelle_domain::ids::{CaseId, PostId};

/// A case a person is in, as their copy lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonCase {
    pub case_id: CaseId,
    pub post_id: PostId,
    /// The person's role in the case (victim, suspect…), a vocabulary code.
    pub role: String,
    pub received_at: String,
}

/// The cases `person_id` is in, oldest first (a person may hold two lines of one case).
pub async fn cases_of_person(db: &Db, person_id: &str) -> Result<Vec<PersonCase>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.id AS case_id, c.post_id, cp.role, c.received_at FROM case_persons cp JOIN cases c ON c.id = cp.case_id \
         WHERE cp.person_id = $1 ORDER BY c.received_at, c.id, cp.created_at",
    )
    .bind(person_id)
    .fetch_all(db.pool())
    .await?)
}
