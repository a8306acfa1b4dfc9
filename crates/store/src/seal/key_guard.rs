//! The key ring guarded: the database records the fingerprint of every key that sealed its
//! data or linked its journal, and a key file that does not match is refused before anything
//! is written. Without it, a server started without its key file made a new one and sealed
//! referrals that the other servers of the installation could never open.

use crate::SEALED_COLUMNS;
use crate::db::time_text::now_text;
use crate::journal::{Row, SELECT_ROWS, link_key_id, row_link};
use crate::seal::{KeyRing, SealError, SealedColumn};
use crate::{Db, StoreError};

/// Why a key ring cannot open the data of a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The database needs these key ids, which the ring lacks.
    Missing(Vec<String>),
    /// The ring holds a key of this id, but not the one that sealed the data here.
    Different(String),
}

/// What the database holds that a key must open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// Recorded fingerprints, by key id.
    pub recorded: Vec<(String, String)>,
    /// Whether any sealed value exists.
    pub sealed_values: bool,
    /// Rows in the journal.
    pub journal_rows: i64,
    /// The key ids the data names (recorded, or found on a sealed value or the journal's head).
    pub key_ids: Vec<String>,
}

impl Needs {
    /// A database a fresh key file may be created for: nothing sealed, no journal, no key
    /// recorded.
    pub fn is_empty(&self) -> bool {
        self.recorded.is_empty() && !self.sealed_values && self.journal_rows == 0
    }
}

pub async fn recorded(db: &Db) -> Result<Vec<(String, String)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT key_id, fingerprint FROM key_fingerprints ORDER BY key_id")
            .fetch_all(db.pool())
            .await?,
    )
}

/// One sealed value of `column`, with its row id, if the column holds any.
async fn one_sealed(
    db: &Db,
    column: &SealedColumn,
) -> Result<Option<(String, Vec<u8>)>, StoreError> {
    let SealedColumn {
        table,
        id_column,
        column,
    } = *column;
    // Built only from the registry's identifiers.
    let sql =
        format!("SELECT {id_column}, {column} FROM {table} WHERE {column} IS NOT NULL LIMIT 1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_optional(db.pool())
        .await?)
}

/// The journal's last row, when there is one.
async fn journal_head(db: &Db) -> Result<(i64, Option<Row>), StoreError> {
    let (count,): (i64,) = sqlx::query_as("SELECT seq FROM journal_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    if count == 0 {
        return Ok((0, None));
    }
    let row = sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT_ROWS} WHERE seq = $1")))
        .bind(count)
        .fetch_optional(db.pool())
        .await?;
    Ok((count, row))
}

fn push_unique(ids: &mut Vec<String>, id: &str) {
    if !ids.iter().any(|known| known == id) {
        ids.push(id.to_string());
    }
}

/// What the database holds that a key must open (a few rows read, whatever its size).
pub async fn needs(db: &Db) -> Result<Needs, StoreError> {
    let recorded = recorded(db).await?;
    let mut key_ids: Vec<String> = Vec::new();
    for (id, _) in &recorded {
        push_unique(&mut key_ids, id);
    }
    let mut sealed_values = false;
    for column in SEALED_COLUMNS {
        if let Some((_, sealed)) = one_sealed(db, column).await? {
            sealed_values = true;
            if let Ok(id) = KeyRing::key_id_of(&sealed) {
                push_unique(&mut key_ids, id);
            }
        }
    }
    let (journal_rows, head) = journal_head(db).await?;
    if let Some(id) = head.as_ref().and_then(|row| link_key_id(&row.hash)) {
        push_unique(&mut key_ids, id);
    }
    Ok(Needs {
        recorded,
        sealed_values,
        journal_rows,
        key_ids,
    })
}

/// Checks `ring` against the database. With fingerprints recorded, they decide: every
/// recorded id must be in the ring with the same fingerprint. Before any is recorded (a
/// database from before this check), one sealed value per column and the journal's last
/// link must open with the ring. On success the ring's fingerprints are recorded — two
/// servers starting together on a new database with different keys: the first to record
/// wins, the other is refused.
pub async fn check_and_record(db: &Db, ring: &KeyRing) -> Result<Result<(), Refusal>, StoreError> {
    let recorded = recorded(db).await?;
    if recorded.is_empty() {
        if let Err(refusal) = probe(db, ring).await? {
            return Ok(Err(refusal));
        }
    } else if let Err(refusal) = compare(&recorded, ring) {
        return Ok(Err(refusal));
    }
    record(db, ring).await?;
    // Re-read: a concurrent start with another key may have recorded first.
    Ok(compare(&self::recorded(db).await?, ring))
}

/// Records the fingerprints of the ring's keys not yet recorded (`rekey --new-key`).
pub async fn record(db: &Db, ring: &KeyRing) -> Result<(), StoreError> {
    let at = now_text();
    for (id, fingerprint) in ring.fingerprints() {
        sqlx::query(
            "INSERT INTO key_fingerprints (key_id, fingerprint, recorded_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key_id) DO NOTHING",
        )
        .bind(id)
        .bind(fingerprint)
        .bind(&at)
        .execute(db.pool())
        .await?;
    }
    Ok(())
}

/// Recorded fingerprints against the ring's.
pub fn compare(recorded: &[(String, String)], ring: &KeyRing) -> Result<(), Refusal> {
    let mut missing = Vec::new();
    for (id, fingerprint) in recorded {
        match ring.fingerprint_of(id) {
            None => missing.push(id.clone()),
            Some(own) if own != fingerprint => return Err(Refusal::Different(id.clone())),
            Some(_) => {}
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Missing(missing))
    }
}

/// Opens one sealed value of each column and recomputes the journal's last link.
async fn probe(db: &Db, ring: &KeyRing) -> Result<Result<(), Refusal>, StoreError> {
    let mut missing = Vec::new();
    for column in SEALED_COLUMNS {
        let Some((row_id, sealed)) = one_sealed(db, column).await? else {
            continue;
        };
        match ring.open(&sealed, &column.associated_data(&row_id)) {
            Ok(_) => {}
            Err(SealError::UnknownKey(id)) => push_unique(&mut missing, &id),
            Err(_) => {
                let id = KeyRing::key_id_of(&sealed).unwrap_or("?").to_string();
                return Ok(Err(Refusal::Different(id)));
            }
        }
    }
    if let (_, Some(row)) = journal_head(db).await?
        && let Some(id) = link_key_id(&row.hash)
    {
        match ring.journal_key_of(id) {
            None => push_unique(&mut missing, id),
            Some(key) if row_link(&row, &key) != row.hash => {
                return Ok(Err(Refusal::Different(id.to_string())));
            }
            Some(_) => {}
        }
    }
    Ok(if missing.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Missing(missing))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    fn ring(byte: u8) -> KeyRing {
        use base64::Engine;
        let key = base64::engine::general_purpose::STANDARD.encode([byte; 32]);
        KeyRing::parse(&format!("k1 {key}\n")).unwrap()
    }

    #[tokio::test]
    async fn the_first_key_is_recorded_and_another_refused() {
        let test = testing::sqlite().await;
        let db = &test.db;
        assert!(needs(db).await.unwrap().is_empty());
        assert_eq!(check_and_record(db, &ring(1)).await.unwrap(), Ok(()));
        assert!(!needs(db).await.unwrap().is_empty());
        assert_eq!(check_and_record(db, &ring(1)).await.unwrap(), Ok(()));
        assert_eq!(
            check_and_record(db, &ring(2)).await.unwrap(),
            Err(Refusal::Different("k1".into()))
        );
    }
}
