//! The blind index of the names an officer typed in a referral, before anyone identified the
//! persons: a name search of the inbox finds « Maëlle Orlanne » the minute she is referred.
//! The same design as the post's persons (`person_keys`): the keyed hash of each blocking key,
//! scoped to the case's post; a search hashes the query's keys, reads only the lines sharing
//! one, and opens those alone to score them. Nothing else of the post is unsealed.

use super::{IDENTITY, Identity, open};
use crate::journal::read::Journaled;
use crate::journal::{Entry, append};
use crate::seal::KeyRing;
use crate::{Db, StoreError};
use passerelle_domain::ids::{CaseId, PostId};
use passerelle_domain::referral::person_name::{PersonKey, blocking_keys, match_score};

/// The scope of the hashes, apart from the persons' so that the two indexes link nothing.
fn key_hash(keys: &KeyRing, post_id: &str, key: &str) -> String {
    keys.blind_index(&format!("case_person_keys:{post_id}"), key)
}

/// What a transmitted identity is compared on: names only (a referral gives no birth date).
fn key_of(identity: &Identity) -> PersonKey {
    PersonKey {
        last_name: identity.last_name.clone().unwrap_or_default(),
        birth_name: None,
        first_names: identity.first_name.clone().unwrap_or_default(),
        birth_date: None,
    }
}

fn opened(keys: &KeyRing, line_id: &str, sealed: &[u8]) -> Result<Identity, StoreError> {
    serde_json::from_str(&open(keys, &IDENTITY, line_id, sealed)?)
        .map_err(|e| StoreError::Corrupt(format!("identité {line_id} : {e}")))
}

/// Indexes one person line of a referral, inside the caller's transaction.
pub(crate) async fn index_line(
    connection: &mut sqlx::AnyConnection,
    keys: &KeyRing,
    post_id: &PostId,
    line_id: &str,
    identity: &Identity,
) -> Result<usize, StoreError> {
    let blocking_keys = blocking_keys(&key_of(identity));
    for blocking in &blocking_keys {
        sqlx::query(
            "INSERT INTO case_person_keys (post_id, key_hash, case_person_id) VALUES ($1, $2, $3)",
        )
        .bind(post_id)
        .bind(key_hash(keys, post_id.as_str(), blocking))
        .bind(line_id)
        .execute(&mut *connection)
        .await?;
    }
    Ok(blocking_keys.len())
}

/// Forgets the index of a case's lines (its purge; its transfer, before indexing again).
pub(crate) async fn forget_case(
    connection: &mut sqlx::AnyConnection,
    case_id: &CaseId,
) -> Result<(), StoreError> {
    sqlx::query(
        "DELETE FROM case_person_keys WHERE case_person_id IN (SELECT id FROM case_persons WHERE case_id = $1)",
    )
    .bind(case_id)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// Indexes again a case's lines under its post now (after a transfer: the hashes are scoped
/// to the post). The identities are opened to be hashed, never shown: a write, not a read.
pub(crate) async fn reindex_case(
    connection: &mut sqlx::AnyConnection,
    keys: &KeyRing,
    case_id: &CaseId,
) -> Result<(), StoreError> {
    forget_case(connection, case_id).await?;
    let lines: Vec<(String, Vec<u8>, PostId)> = sqlx::query_as(
        "SELECT p.id, p.identity_sealed, c.post_id FROM case_persons p JOIN cases c ON c.id = p.case_id \
         WHERE p.case_id = $1 AND p.identity_sealed IS NOT NULL",
    )
    .bind(case_id)
    .fetch_all(&mut *connection)
    .await?;
    for (line_id, sealed, post_id) in lines {
        let identity = opened(keys, &line_id, &sealed)?;
        index_line(connection, keys, &post_id, &line_id, &identity).await?;
    }
    Ok(())
}

/// The post's cases whose referral named someone who may be `query`: the lines sharing a
/// blind key with it, opened under `read` (the search's journaled read of the post) and
/// scored like the persons. Case ids, without repetition.
pub async fn cases_named(
    db: &Db,
    keys: &KeyRing,
    post_id: &PostId,
    query: &PersonKey,
    limit: usize,
    read: &Journaled,
) -> Result<Vec<String>, StoreError> {
    read.covers(post_id)?;
    let hashes: Vec<String> = blocking_keys(query)
        .iter()
        .map(|key| key_hash(keys, post_id.as_str(), key))
        .collect();
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..hashes.len()).map(|i| format!("${}", i + 2)).collect();
    // The case must still be the post's: a line indexed before a transfer is never found.
    let sql = format!(
        "SELECT p.id, p.case_id, p.identity_sealed FROM case_persons p JOIN cases c ON c.id = p.case_id \
         WHERE c.post_id = $1 AND p.identity_sealed IS NOT NULL AND p.id IN \
         (SELECT k.case_person_id FROM case_person_keys k WHERE k.post_id = $1 AND k.key_hash IN ({}))",
        placeholders.join(", ")
    );
    let mut statement =
        sqlx::query_as::<_, (String, String, Vec<u8>)>(sqlx::AssertSqlSafe(sql)).bind(post_id);
    for hash in &hashes {
        statement = statement.bind(hash);
    }
    let mut scored = Vec::new();
    for (line_id, case_id, sealed) in statement.fetch_all(db.pool()).await? {
        if let Some(score) = match_score(query, &key_of(&opened(keys, &line_id, &sealed)?)) {
            scored.push((score, case_id));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut cases: Vec<String> = Vec::new();
    for (_, case_id) in scored {
        if !cases.contains(&case_id) {
            cases.push(case_id);
        }
    }
    cases.truncate(limit);
    Ok(cases)
}

/// Indexes the referral lines written before migration 0028 (the key is not in the
/// database): the server calls this at start, once its key ring is loaded. Idempotent: a
/// line already indexed is skipped, so a second start indexes only what is left (lines whose
/// names give no key are read again, and give none). Journaled as one write per batch.
/// Returns how many lines were indexed.
pub async fn index_missing(db: &Db, keys: &KeyRing, batch: usize) -> Result<u64, StoreError> {
    let limit = i64::try_from(batch.max(1)).unwrap_or(i64::MAX);
    let (mut after, mut indexed) = (String::new(), 0u64);
    loop {
        let lines: Vec<(String, Vec<u8>, String)> = sqlx::query_as(
            "SELECT p.id, p.identity_sealed, c.post_id FROM case_persons p JOIN cases c ON c.id = p.case_id \
             WHERE p.identity_sealed IS NOT NULL AND p.id > $1 \
             AND NOT EXISTS (SELECT 1 FROM case_person_keys k WHERE k.case_person_id = p.id) \
             ORDER BY p.id LIMIT $2",
        )
        .bind(&after)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
        let Some((last, _, _)) = lines.last() else {
            break;
        };
        after = last.clone();
        let mut tx = db.begin_write().await?;
        let mut in_batch = 0u64;
        for (line_id, sealed, post_id) in &lines {
            let identity = opened(keys, line_id, sealed)?;
            if index_line(&mut tx, keys, &PostId::new(post_id), line_id, &identity).await? > 0 {
                in_batch += 1;
            }
        }
        if in_batch == 0 {
            continue;
        }
        indexed += in_batch;
        let entry = Entry::new(passerelle_domain::journal::JournalAction::PersonalDataWritten)
            .detail(format!(
                "migration 0028 : {in_batch} nom(s) transmis par un signalement indexé(s) pour la recherche"
            ));
        append(&mut tx, entry).await?;
        tx.commit().await?;
    }
    Ok(indexed)
}
