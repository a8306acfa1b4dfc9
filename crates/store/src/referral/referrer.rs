//! The referring officer's own referrals: what tells them apart (date, reasons, the procedure
//! reference they typed) and where each stands. The reference is sealed like every word of a
//! referral: the store loads the facts the policy decides on, and opens a reference only under
//! the journaled read of its post.

use super::{PROCEDURE_REFERENCE, open};
use crate::journal::read::Journaled;
use crate::seal::KeyRing;
use crate::{Db, StoreError};
use passerelle_domain::ids::{AccountId, CaseId, PostId, UnitId};
use passerelle_domain::referral::{ClosureOutcome, ReferralStatus, Urgency};

/// One referral its officer sent from a unit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnReferral {
    pub id: CaseId,
    pub post_id: PostId,
    pub referral_unit_id: Option<UnitId>,
    pub referred_by: Option<AccountId>,
    pub received_at: String,
    pub urgency: Urgency,
    pub status: ReferralStatus,
    pub closure_outcome: Option<ClosureOutcome>,
    pub status_changed_at: String,
    /// The day retention counts from: the last contact, or the receipt.
    pub last_contact: String,
    pub purged: i64,
    procedure_reference_sealed: Option<Vec<u8>>,
    /// Category codes in order (`case_categories`).
    #[sqlx(skip)]
    pub categories: Vec<String>,
}

impl OwnReferral {
    /// Whether a reference was kept (none without consent, none after the purge).
    pub fn has_reference(&self) -> bool {
        self.procedure_reference_sealed.is_some()
    }

    /// The procedure reference, opened under `read`, the journaled read of its post.
    pub fn procedure_reference(
        &self,
        keys: &KeyRing,
        read: &Journaled,
    ) -> Result<Option<String>, StoreError> {
        read.covers(&self.post_id)?;
        self.procedure_reference_sealed
            .as_deref()
            .map(|sealed| open(keys, &PROCEDURE_REFERENCE, &self.id, sealed))
            .transpose()
    }
}

/// The referrals `account_id` sent from `unit_id`, newest first, with their categories.
pub async fn sent_by(
    db: &Db,
    unit_id: &UnitId,
    account_id: &AccountId,
    limit: i64,
) -> Result<Vec<OwnReferral>, StoreError> {
    sent_by_page(db, unit_id, account_id, limit, 0).await
}

/// How many referrals `account_id` sent from `unit_id`.
pub async fn count_sent_by(
    db: &Db,
    unit_id: &UnitId,
    account_id: &AccountId,
) -> Result<u64, StoreError> {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM cases WHERE referral_unit_id = $1 AND referred_by = $2",
    )
    .bind(unit_id)
    .bind(account_id)
    .fetch_one(db.pool())
    .await?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// A page of the referrals `account_id` sent from `unit_id`: `limit` of them after the
/// `offset` newest.
pub async fn sent_by_page(
    db: &Db,
    unit_id: &UnitId,
    account_id: &AccountId,
    limit: i64,
    offset: i64,
) -> Result<Vec<OwnReferral>, StoreError> {
    let mut rows: Vec<OwnReferral> = sqlx::query_as(
        "SELECT id, post_id, referral_unit_id, referred_by, received_at, urgency, status, closure_outcome, \
         status_changed_at, COALESCE(last_contact_at, received_at) AS last_contact, \
         CASE WHEN purged_at IS NULL THEN 0 ELSE 1 END AS purged, procedure_reference_sealed \
         FROM cases WHERE referral_unit_id = $1 AND referred_by = $2 \
         ORDER BY received_at DESC, id DESC LIMIT $3 OFFSET $4",
    )
    .bind(unit_id)
    .bind(account_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    let ids: Vec<&CaseId> = rows.iter().map(|row| &row.id).collect();
    let mut categories = super::category::of_cases(db, &ids).await?;
    for row in &mut rows {
        row.categories = categories.remove(&row.id).unwrap_or_default();
    }
    Ok(rows)
}
