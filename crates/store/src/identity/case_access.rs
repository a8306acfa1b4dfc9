//! Access to a post's case content given to an account, in two steps: a proposal by one
//! person, a confirmation by a second (`domain::access` decides who). The social worker role
//! or the replacement is only written when confirmed, in the same transaction as its journal
//! row and the e-mails that tell the post's social workers.

use crate::db::WriteTx;
use crate::db::time_text::{date_to_text, now_text};
use crate::journal::{Entry, append};
use crate::{Db, StoreError};
use passerelle_domain::access::CaseAccessKind;
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::{AccountId, PostId};
use sqlx::AnyConnection;
use time::Date;

/// What a proposal asks for.
pub struct NewProposal<'a> {
    pub kind: CaseAccessKind,
    pub post_id: &'a PostId,
    pub account_id: &'a AccountId,
    /// A replacement's reason and period.
    pub replacement: Option<(&'a str, Date, Date)>,
    pub proposed_by: &'a AccountId,
}

fn kind_code(kind: CaseAccessKind) -> &'static str {
    match kind {
        CaseAccessKind::Role => "role",
        CaseAccessKind::Replacement => "replacement",
    }
}

/// A proposal with the names a page shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProposalRow {
    pub id: String,
    pub post_id: PostId,
    pub post_code: String,
    pub account_id: AccountId,
    pub account_name: String,
    pub account_email: String,
    pub kind: String,
    pub reason: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub proposed_by: String,
    pub proposer_name: String,
    pub proposed_at: String,
}

impl ProposalRow {
    pub fn kind(&self) -> Result<CaseAccessKind, StoreError> {
        match self.kind.as_str() {
            "role" => Ok(CaseAccessKind::Role),
            "replacement" => Ok(CaseAccessKind::Replacement),
            other => Err(StoreError::Corrupt(format!(
                "proposition d'accès de type inconnu « {other} »"
            ))),
        }
    }
}

const SELECT: &str = "SELECT c.id, c.post_id, p.code AS post_code, c.account_id, a.display_name AS account_name, \
     a.email AS account_email, c.kind, c.reason, c.starts_on, c.ends_on, c.proposed_by, \
     b.display_name AS proposer_name, c.proposed_at \
     FROM case_access_proposals c JOIN posts p ON p.id = c.post_id JOIN accounts a ON a.id = c.account_id \
     JOIN accounts b ON b.id = c.proposed_by";

/// The proposals of a post still waiting for their second person, oldest first.
pub async fn open_of_post(db: &Db, post_id: &str) -> Result<Vec<ProposalRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.post_id = $1 AND c.outcome IS NULL ORDER BY c.proposed_at, c.id"
    )))
    .bind(post_id)
    .fetch_all(db.pool())
    .await?)
}

/// The proposals waiting for an account, as its administration page lists them.
pub async fn open_of_account(db: &Db, account_id: &str) -> Result<Vec<ProposalRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.account_id = $1 AND c.outcome IS NULL ORDER BY c.proposed_at, c.id"
    )))
    .bind(account_id)
    .fetch_all(db.pool())
    .await?)
}

/// An open proposal of `post_id`.
pub async fn find_open(
    db: &Db,
    post_id: &str,
    id: &str,
) -> Result<Option<ProposalRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.id = $1 AND c.post_id = $2 AND c.outcome IS NULL"
    )))
    .bind(id)
    .bind(post_id)
    .fetch_optional(db.pool())
    .await?)
}

/// A replacement of `account_id` in `post_id` granted (and not withdrawn) whose period meets
/// `starts_on..=ends_on`: (starts on, ends on). Sixteen identical grants were accepted once.
pub async fn overlapping_replacement(
    db: &Db,
    post_id: &str,
    account_id: &str,
    starts_on: Date,
    ends_on: Date,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT starts_on, ends_on FROM post_replacements WHERE post_id = $1 AND account_id = $2 \
         AND revoked_at IS NULL AND starts_on <= $4 AND ends_on >= $3 ORDER BY starts_on LIMIT 1",
    )
    .bind(post_id)
    .bind(account_id)
    .bind(date_to_text(starts_on))
    .bind(date_to_text(ends_on))
    .fetch_optional(db.pool())
    .await?)
}

/// Queues one e-mail per active social worker of the post, except `skip` (the grantee, the
/// person deciding): they learn who was proposed, then who can open their cases.
async fn queue_notices(
    connection: &mut AnyConnection,
    proposal_id: &str,
    post_id: &PostId,
    event: &str,
    skip: &[&AccountId],
) -> Result<(), StoreError> {
    let recipients: Vec<(AccountId,)> = sqlx::query_as(
        "SELECT DISTINCT a.id FROM account_roles r JOIN accounts a ON a.id = r.account_id \
         WHERE r.role = 'social_worker' AND r.scope_id = $1 AND a.disabled = 0",
    )
    .bind(post_id)
    .fetch_all(&mut *connection)
    .await?;
    let now = now_text();
    for (recipient,) in recipients {
        if skip.contains(&&recipient) {
            continue;
        }
        sqlx::query(
            "INSERT INTO access_mail_outbox (id, proposal_id, recipient_id, event, created_at, attempts, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $5)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(proposal_id)
        .bind(&recipient)
        .bind(event)
        .bind(&now)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// Records a proposal, its journal row and its notices in one transaction; `None` when the
/// same access is already waiting for confirmation.
pub async fn propose(
    db: &Db,
    new: &NewProposal<'_>,
    entry: Entry,
) -> Result<Option<String>, StoreError> {
    let mut tx = db.begin_write().await?;
    let id = propose_in(&mut tx, new, entry).await?;
    if id.is_some() {
        tx.commit().await?;
    }
    Ok(id)
}

/// The same, inside the caller's transaction (an invitation and its proposal).
pub async fn propose_in(
    tx: &mut WriteTx,
    new: &NewProposal<'_>,
    entry: Entry,
) -> Result<Option<String>, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    let (reason, starts_on, ends_on) = match new.replacement {
        Some((reason, starts, ends)) => (
            Some(reason.to_string()),
            Some(date_to_text(starts)),
            Some(date_to_text(ends)),
        ),
        None => (None, None, None),
    };
    let open: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM case_access_proposals WHERE post_id = $1 AND account_id = $2 AND kind = $3 AND outcome IS NULL",
    )
    .bind(new.post_id)
    .bind(new.account_id)
    .bind(kind_code(new.kind))
    .fetch_optional(&mut **tx)
    .await?;
    if open.is_some() {
        return Ok(None);
    }
    sqlx::query(
        "INSERT INTO case_access_proposals (id, post_id, account_id, kind, reason, starts_on, ends_on, proposed_by, proposed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(new.post_id)
    .bind(new.account_id)
    .bind(kind_code(new.kind))
    .bind(reason)
    .bind(starts_on)
    .bind(ends_on)
    .bind(new.proposed_by)
    .bind(now_text())
    .execute(&mut **tx)
    .await?;
    append(tx, entry.on("account", new.account_id)).await?;
    queue_notices(
        tx,
        &id,
        new.post_id,
        "proposed",
        &[new.account_id, new.proposed_by],
    )
    .await?;
    Ok(Some(id))
}

/// Confirms an open proposal: writes the role or the replacement, the journal row and the
/// notices. False when it was decided meanwhile (a second click, another confirmer).
pub async fn confirm(
    db: &Db,
    proposal: &ProposalRow,
    by: &AccountId,
    entry: Entry,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    if !decide(&mut tx, &proposal.id, by, "confirmed").await? {
        return Ok(false);
    }
    match proposal.kind()? {
        CaseAccessKind::Role => {
            let held: Option<(String,)> = sqlx::query_as(
                "SELECT id FROM account_roles WHERE account_id = $1 AND role = 'social_worker' AND scope_id = $2",
            )
            .bind(&proposal.account_id)
            .bind(&proposal.post_id)
            .fetch_optional(&mut *tx)
            .await?;
            if held.is_none() {
                crate::identity::account::grant_role(
                    &mut tx,
                    &proposal.account_id,
                    Role::SocialWorker,
                    Some(proposal.post_id.as_str()),
                )
                .await?;
            }
        }
        CaseAccessKind::Replacement => {
            let (Some(reason), Some(starts_on), Some(ends_on)) =
                (&proposal.reason, &proposal.starts_on, &proposal.ends_on)
            else {
                return Err(StoreError::Corrupt(
                    "proposition de remplacement sans motif ni période".into(),
                ));
            };
            sqlx::query(
                "INSERT INTO post_replacements (id, post_id, account_id, reason, starts_on, ends_on, granted_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&proposal.post_id)
            .bind(&proposal.account_id)
            .bind(reason)
            .bind(starts_on)
            .bind(ends_on)
            .bind(&proposal.proposed_by)
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
        }
    }
    append(&mut tx, entry.on("account", &proposal.account_id)).await?;
    queue_notices(
        &mut tx,
        &proposal.id,
        &proposal.post_id,
        "confirmed",
        &[&proposal.account_id, by],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Refuses (a second person) or withdraws (the proposer) an open proposal; nothing is granted.
pub async fn decline(
    db: &Db,
    proposal: &ProposalRow,
    by: &AccountId,
    withdrawn: bool,
    entry: Entry,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let outcome = if withdrawn { "withdrawn" } else { "refused" };
    if !decide(&mut tx, &proposal.id, by, outcome).await? {
        return Ok(false);
    }
    append(&mut tx, entry.on("account", &proposal.account_id)).await?;
    tx.commit().await?;
    Ok(true)
}

async fn decide(
    connection: &mut AnyConnection,
    id: &str,
    by: &AccountId,
    outcome: &str,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE case_access_proposals SET outcome = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND outcome IS NULL",
    )
    .bind(outcome)
    .bind(by)
    .bind(now_text())
    .bind(id)
    .execute(connection)
    .await?
    .rows_affected()
        == 1)
}

/// A notice due for sending, with what its text may say: names and the post, never content.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueNotice {
    pub id: String,
    pub attempts: i64,
    pub to_address: String,
    pub to_name: String,
    pub event: String,
    pub kind: String,
    pub post_id: PostId,
    pub post_code: String,
    pub grantee_name: String,
    pub proposer_name: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

/// Notices due at `now` (an instant as text), oldest first; never to a disabled account.
pub async fn due_notices(db: &Db, now: &str, limit: i64) -> Result<Vec<DueNotice>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT o.id, o.attempts, r.email AS to_address, r.display_name AS to_name, o.event, c.kind, \
         c.post_id, p.code AS post_code, g.display_name AS grantee_name, b.display_name AS proposer_name, c.starts_on, c.ends_on \
         FROM access_mail_outbox o JOIN case_access_proposals c ON c.id = o.proposal_id \
         JOIN accounts r ON r.id = o.recipient_id JOIN accounts g ON g.id = c.account_id \
         JOIN accounts b ON b.id = c.proposed_by JOIN posts p ON p.id = c.post_id \
         WHERE o.sent_at IS NULL AND o.attempts < $1 AND o.next_attempt_at <= $2 AND r.disabled = 0 \
         ORDER BY o.next_attempt_at, o.id LIMIT $3",
    )
    .bind(crate::mail::outbox::MAX_ATTEMPTS)
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}
