//! The accounts the technical administrator should look at: those locked by failed logins
//! right now, and those whose invitation is still pending or has expired unused.

use crate::db::time_text::instant_to_text;
use crate::identity::lockout::login_hash;
use crate::{Db, StoreError};
use passerelle_domain::ids::AccountId;
use std::collections::HashMap;

/// Why an account needs attention, with the instant that says until or since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attention {
    Locked { until: String },
    InvitationExpired { on: String },
    InvitationPending { until: String },
}

#[derive(Debug, Clone)]
pub struct AttentionRow {
    pub id: AccountId,
    pub email: String,
    pub display_name: String,
    pub attention: Attention,
}

/// Enabled accounts locked now, then those with an expired invitation, then those with a
/// pending one (each by address).
pub async fn accounts_needing_attention(db: &Db) -> Result<Vec<AttentionRow>, StoreError> {
    let now = instant_to_text(db.clock().now());
    // Locks are counted per login name hashed (known or not): matched to the accounts here.
    let locks: HashMap<String, String> = sqlx::query_as::<_, (String, String)>(
        "SELECT login_hash, locked_until FROM login_failures WHERE locked_until IS NOT NULL AND locked_until > $1",
    )
    .bind(&now)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .collect();
    let accounts: Vec<(AccountId, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, email, display_name, CASE WHEN invitation_token_hash IS NULL THEN NULL ELSE COALESCE(invitation_expires_at, '') END \
         FROM accounts WHERE disabled = 0 ORDER BY email",
    )
    .fetch_all(db.pool())
    .await?;
    let mut rows: Vec<AttentionRow> = Vec::new();
    for (id, email, display_name, invitation) in accounts {
        let attention = if let Some(until) = (!locks.is_empty())
            .then(|| locks.get(&login_hash(&email)))
            .flatten()
        {
            Attention::Locked {
                until: until.clone(),
            }
        } else {
            match invitation {
                Some(expires) if expires.as_str() <= now.as_str() => {
                    Attention::InvitationExpired { on: expires }
                }
                Some(expires) => Attention::InvitationPending { until: expires },
                None => continue,
            }
        };
        rows.push(AttentionRow {
            id,
            email,
            display_name,
            attention,
        });
    }
    let rank = |a: &Attention| match a {
        Attention::Locked { .. } => 0,
        Attention::InvitationExpired { .. } => 1,
        Attention::InvitationPending { .. } => 2,
    };
    rows.sort_by_key(|row| rank(&row.attention));
    Ok(rows)
}
