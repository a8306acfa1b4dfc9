//! The tamper-evident journal: append-only, each row chained to the previous one by SHA-256.
//! Rows are written in the same transaction as the action they record.

use crate::time_text::now_text;
use crate::{Db, StoreError};
use passerelle_domain::journal::JournalAction;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event to record. Never carries decrypted content: `detail` is a reason or a label.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub actor_account_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: Option<JournalAction>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub scope_post_id: Option<String>,
    pub scope_employer_id: Option<String>,
    pub scope_departement: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
}

impl Entry {
    pub fn new(action: JournalAction) -> Self {
        Self {
            action: Some(action),
            ..Self::default()
        }
    }

    pub fn by(mut self, account_id: &str, role: Option<&str>) -> Self {
        self.actor_account_id = Some(account_id.to_string());
        self.actor_role = role.map(str::to_string);
        self
    }

    pub fn on(mut self, kind: &str, id: &str) -> Self {
        self.target_kind = Some(kind.to_string());
        self.target_id = Some(id.to_string());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn from_ip(mut self, ip: Option<&str>) -> Self {
        self.ip = ip.map(str::to_string);
        self
    }

    pub fn in_employer(mut self, employer_id: Option<&str>) -> Self {
        self.scope_employer_id = employer_id.map(str::to_string);
        self
    }

    pub fn in_post(mut self, post_id: Option<&str>) -> Self {
        self.scope_post_id = post_id.map(str::to_string);
        self
    }
}

/// A stored row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub seq: i64,
    pub at: String,
    pub actor_account_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub scope_post_id: Option<String>,
    pub scope_employer_id: Option<String>,
    pub scope_departement: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub previous_hash: String,
    pub hash: String,
}

/// The hash of a row: SHA-256 over the previous hash and every field, each field prefixed by
/// its length so that no two different rows serialise alike.
pub fn row_hash(row: &Row) -> String {
    let mut hasher = Sha256::new();
    let mut field = |value: Option<&str>| match value {
        Some(text) => {
            hasher.update((text.len() as u64).to_be_bytes());
            hasher.update(text.as_bytes());
        }
        None => hasher.update(u64::MAX.to_be_bytes()),
    };
    field(Some(&row.previous_hash));
    field(Some(&row.seq.to_string()));
    field(Some(&row.at));
    field(row.actor_account_id.as_deref());
    field(row.actor_role.as_deref());
    field(Some(&row.action));
    field(row.target_kind.as_deref());
    field(row.target_id.as_deref());
    field(row.scope_post_id.as_deref());
    field(row.scope_employer_id.as_deref());
    field(row.scope_departement.as_deref());
    field(row.detail.as_deref());
    field(row.ip.as_deref());
    hex_lower(&hasher.finalize())
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends `entry` on `connection`, which must be inside the caller's write transaction.
/// Updating the head first takes the write lock, so appends are serialised on both backends.
pub async fn append(connection: &mut AnyConnection, entry: Entry) -> Result<i64, StoreError> {
    let action = entry
        .action
        .ok_or_else(|| StoreError::Corrupt("entrée de journal sans action".into()))?;
    sqlx::query("UPDATE journal_head SET seq = seq + 1 WHERE id = 1")
        .execute(&mut *connection)
        .await?;
    let (seq, previous_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM journal_head WHERE id = 1")
            .fetch_one(&mut *connection)
            .await?;
    let mut row = Row {
        seq,
        at: now_text(),
        actor_account_id: entry.actor_account_id,
        actor_role: entry.actor_role,
        action: action.code().to_string(),
        target_kind: entry.target_kind,
        target_id: entry.target_id,
        scope_post_id: entry.scope_post_id,
        scope_employer_id: entry.scope_employer_id,
        scope_departement: entry.scope_departement,
        detail: entry.detail,
        ip: entry.ip,
        previous_hash,
        hash: String::new(),
    };
    row.hash = row_hash(&row);
    sqlx::query(
        "INSERT INTO journal (seq, at, actor_account_id, actor_role, action, target_kind, target_id, \
         scope_post_id, scope_employer_id, scope_departement, detail, ip, previous_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(row.seq)
    .bind(&row.at)
    .bind(&row.actor_account_id)
    .bind(&row.actor_role)
    .bind(&row.action)
    .bind(&row.target_kind)
    .bind(&row.target_id)
    .bind(&row.scope_post_id)
    .bind(&row.scope_employer_id)
    .bind(&row.scope_departement)
    .bind(&row.detail)
    .bind(&row.ip)
    .bind(&row.previous_hash)
    .bind(&row.hash)
    .execute(&mut *connection)
    .await?;
    sqlx::query("UPDATE journal_head SET hash = $1 WHERE id = 1")
        .bind(&row.hash)
        .execute(&mut *connection)
        .await?;
    Ok(seq)
}

/// Appends one entry in its own transaction (for events that change nothing else).
pub async fn record(db: &Db, entry: Entry) -> Result<i64, StoreError> {
    let mut tx = db.begin_write().await?;
    let seq = append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(seq)
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub rows_checked: u64,
    /// The first broken row and what is wrong with it, in French.
    pub first_break: Option<(i64, String)>,
}

const SELECT_ROWS: &str = "SELECT seq, at, actor_account_id, actor_role, action, target_kind, target_id, scope_post_id, \
     scope_employer_id, scope_departement, detail, ip, previous_hash, hash FROM journal";

/// Recomputes the whole chain in batches; `progress` gets the number of rows checked.
pub async fn verify(db: &Db, progress: &(dyn Fn(u64) + Sync)) -> Result<Verification, StoreError> {
    let mut expected_seq = 1i64;
    let mut previous = GENESIS_HASH.to_string();
    let mut checked = 0u64;
    loop {
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_ROWS} WHERE seq >= $1 ORDER BY seq LIMIT 5000"
        )))
        .bind(expected_seq)
        .fetch_all(db.pool())
        .await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            if row.seq != expected_seq {
                return Ok(Verification {
                    rows_checked: checked,
                    first_break: Some((
                        expected_seq,
                        format!(
                            "ligne {expected_seq} supprimée (la suivante est la ligne {})",
                            row.seq
                        ),
                    )),
                });
            }
            if row.previous_hash != previous {
                return Ok(Verification {
                    rows_checked: checked,
                    first_break: Some((
                        row.seq,
                        format!(
                            "ligne {} : chaînage rompu avec la ligne précédente",
                            row.seq
                        ),
                    )),
                });
            }
            if row_hash(&row) != row.hash {
                return Ok(Verification {
                    rows_checked: checked,
                    first_break: Some((
                        row.seq,
                        format!("ligne {} : contenu modifié après écriture", row.seq),
                    )),
                });
            }
            previous = row.hash;
            expected_seq += 1;
            checked += 1;
        }
        progress(checked);
    }
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM journal_head WHERE id = 1")
            .fetch_one(db.pool())
            .await?;
    if head_seq != expected_seq - 1 || head_hash != previous {
        let missing = expected_seq;
        return Ok(Verification {
            rows_checked: checked,
            first_break: Some((
                missing,
                format!(
                    "ligne {missing} et suivantes supprimées (le journal en compte {head_seq})"
                ),
            )),
        });
    }
    Ok(Verification {
        rows_checked: checked,
        first_break: None,
    })
}

/// Which security events a page may list.
#[derive(Debug, Clone)]
pub enum EventScope {
    All,
    Employer(String),
}

/// The most recent security events in a scope, newest first.
pub async fn security_events(
    db: &Db,
    scope: &EventScope,
    limit: i64,
) -> Result<Vec<Row>, StoreError> {
    let security: Vec<&str> = JournalAction::ALL
        .iter()
        .filter(|a| a.is_security_event())
        .map(|a| a.code())
        .collect();
    let actions = security
        .iter()
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = match scope {
        EventScope::All => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_ROWS} WHERE action IN ({actions}) ORDER BY seq DESC LIMIT $1")))
                .bind(limit)
                .fetch_all(db.pool())
                .await?
        }
        EventScope::Employer(employer) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_ROWS} WHERE action IN ({actions}) AND scope_employer_id = $1 ORDER BY seq DESC LIMIT $2")))
                .bind(employer)
                .bind(limit)
                .fetch_all(db.pool())
                .await?
        }
    };
    Ok(rows)
}

/// Reads, writes and disclosures of a post's personal data, and who was granted access to
/// it as a replacement, newest first.
pub async fn post_accesses(db: &Db, post_id: &str, limit: i64) -> Result<Vec<Row>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_ROWS} WHERE scope_post_id = $1 AND action IN ('personal_data.read', 'personal_data.written', 'personal_data.disclosed', 'export', 'post.replacement_granted', 'post.replacement_ended') ORDER BY seq DESC LIMIT $2"
    )))
    .bind(post_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}
