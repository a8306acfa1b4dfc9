//! The tamper-evident journal: append-only, each row chained to the previous one by an
//! HMAC-SHA-256 under a journal key derived from the key file, which the database never
//! holds: whoever has only the database cannot recompute a link after editing, deleting or
//! renumbering rows. Rows are written in the same transaction as the action they record.
//!
//! A link is `<key id>:<hex>`; rows written before the links were keyed carry a plain
//! SHA-256 (64 hex digits, no key id) and may only form the beginning of the chain. Signed
//! checkpoints kept outside the database ([`checkpoint`]) catch what a chain alone cannot:
//! a journal rolled back to an earlier, intact state.

pub mod checkpoint;
pub mod labels;
pub mod page;
pub mod read;
mod verify;

pub use verify::{Verification, verify};

use crate::db::WriteTx;
use crate::db::time_text::now_text;
use crate::{Db, StoreError};
use hmac::{Hmac, Mac};
use passerelle_domain::journal::JournalAction;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

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

    pub fn on(mut self, kind: &str, id: impl AsRef<str>) -> Self {
        self.target_kind = Some(kind.to_string());
        self.target_id = Some(id.as_ref().to_string());
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

/// The key that links journal rows: derived from one key of the key file, named by its id.
/// No Debug of the material: it cannot be printed by accident.
#[derive(Clone)]
pub struct JournalKey {
    id: String,
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for JournalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JournalKey").field("id", &self.id).finish()
    }
}

impl JournalKey {
    pub(crate) fn new(id: &str, key: &[u8; 32]) -> Self {
        Self {
            id: id.to_string(),
            key: Zeroizing::new(*key),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// `<key id>:<hex of HMAC-SHA-256>` over `purpose` and `fields`.
    pub(crate) fn sign(&self, purpose: &[u8], fields: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.as_slice())
            .expect("HMAC takes keys of any length");
        mac.update(purpose);
        mac.update(&length_prefixed(Some(&self.id)));
        mac.update(fields);
        format!("{}:{}", self.id, hex_lower(&mac.finalize().into_bytes()))
    }
}

/// A field prefixed by its length (or a marker for none), so that no two different rows
/// serialise alike.
pub(crate) fn length_prefixed(value: Option<&str>) -> Vec<u8> {
    match value {
        Some(text) => {
            let mut bytes = (text.len() as u64).to_be_bytes().to_vec();
            bytes.extend_from_slice(text.as_bytes());
            bytes
        }
        None => u64::MAX.to_be_bytes().to_vec(),
    }
}

/// Every field of a row but its own link, serialised for hashing.
fn row_fields(row: &Row) -> Vec<u8> {
    let seq = row.seq.to_string();
    [
        Some(row.previous_hash.as_str()),
        Some(seq.as_str()),
        Some(row.at.as_str()),
        row.actor_account_id.as_deref(),
        row.actor_role.as_deref(),
        Some(row.action.as_str()),
        row.target_kind.as_deref(),
        row.target_id.as_deref(),
        row.scope_post_id.as_deref(),
        row.scope_employer_id.as_deref(),
        row.scope_departement.as_deref(),
        row.detail.as_deref(),
        row.ip.as_deref(),
    ]
    .into_iter()
    .flat_map(length_prefixed)
    .collect()
}

/// The link of a row written before the journal was keyed: plain SHA-256 over the previous
/// link and every field. Anyone can recompute it, so it is trusted only at the chain's start.
pub fn row_hash(row: &Row) -> String {
    hex_lower(&Sha256::digest(row_fields(row)))
}

/// The keyed link of a row: `<key id>:` and the HMAC of the previous link and every field.
pub fn row_link(row: &Row, key: &JournalKey) -> String {
    key.sign(b"passerelle journal link v1\0", &row_fields(row))
}

/// The key id of a keyed link, `None` for a link of the unkeyed era.
pub fn link_key_id(link: &str) -> Option<&str> {
    link.split_once(':').map(|(id, _)| id)
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends `entry` inside the caller's write transaction, linked with the transaction's
/// journal key; without one it fails rather than write a row anyone could forge.
/// Updating the head first takes the write lock, so appends are serialised on both backends.
pub async fn append(tx: &mut WriteTx, entry: Entry) -> Result<i64, StoreError> {
    let key = tx.journal_key.clone().ok_or(StoreError::NoJournalKey)?;
    let action = entry
        .action
        .ok_or_else(|| StoreError::Corrupt("entrée de journal sans action".into()))?;
    let connection = &mut **tx;
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
    row.hash = row_link(&row, &key);
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

/// Appends several entries in one transaction: one row per record a page shows (the persons
/// of a search), so that each record's journal finds its read.
pub async fn record_all(db: &Db, entries: Vec<Entry>) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    for entry in entries {
        append(&mut tx, entry).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Records, under the database's journal key, that the journal's links change key — when
/// the head was linked by another key (after `rekey --new-key`) or by none (the first keyed
/// row after an upgrade). Returns the row's number, or `None` when nothing changed.
pub async fn record_key_change(db: &Db) -> Result<Option<i64>, StoreError> {
    let key_id = db
        .journal_key()
        .ok_or(StoreError::NoJournalKey)?
        .id()
        .to_string();
    let mut tx = db.begin_write().await?;
    // Lock the head first, as an append does: two servers starting together note it once.
    sqlx::query("UPDATE journal_head SET seq = seq WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    let (count, head): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM journal_head WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
    let before = match link_key_id(&head) {
        Some(id) if id == key_id => return Ok(None),
        Some(id) => format!("auparavant la clé « {id} »"),
        None if count == 0 => return Ok(None),
        None => format!("les {count} lignes précédentes sont chaînées sans clé"),
    };
    let entry = Entry::new(JournalAction::JournalKeyChanged).detail(format!(
        "liens signés désormais avec la clé « {key_id} » ({before})"
    ));
    let seq = append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(Some(seq))
}

pub(crate) const SELECT_ROWS: &str = "SELECT seq, at, actor_account_id, actor_role, action, target_kind, target_id, scope_post_id, \
     scope_employer_id, scope_departement, detail, ip, previous_hash, hash FROM journal";
