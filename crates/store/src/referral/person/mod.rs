//! The persons a post follows: sealed identity, clear counted attributes, and a blind index
//! of their sound keys and birth dates for the fuzzy duplicate search. Merging two persons
//! moves every case of one to the other and is journaled.

use crate::db::time_text::now_text;
use crate::journal::read::{Journaled, Read};
use crate::journal::{Entry, append};
use crate::seal::{KeyRing, SealedColumn};
use crate::{Db, StoreError};
use passerelle_domain::ids::{CaseId, PersonId, PostId};
use passerelle_domain::referral::AgeBand;
use passerelle_domain::referral::PersonRole;
use passerelle_domain::referral::case::{KnownToSocialServices, Sex};
use passerelle_domain::referral::person::{Identity, ValidPerson};
use passerelle_domain::referral::person_name::{PersonKey, blocking_keys, match_score};
use time::Date;

mod links;
pub use links::{co_persons, household_of, link_household, merge};
pub(crate) use links::{orphaned_by_purge, purge_persons};

pub const IDENTITY: SealedColumn = SealedColumn {
    table: "persons",
    id_column: "id",
    column: "identity_sealed",
};

/// The blind index of one blocking key, scoped to its post: the same name gives other
/// hashes in another post, so the index links nothing across posts.
fn key_hash(keys: &KeyRing, post_id: &PostId, key: &str) -> String {
    keys.blind_index(&format!("person_keys:{post_id}"), key)
}

fn seal_identity(
    keys: &KeyRing,
    id: &PersonId,
    identity: &Identity,
) -> Result<Vec<u8>, StoreError> {
    let json = serde_json::to_string(identity).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(keys.seal(json.as_bytes(), &IDENTITY.associated_data(id.as_str())))
}

pub(crate) fn open_identity(
    keys: &KeyRing,
    id: &PersonId,
    sealed: &[u8],
) -> Result<Identity, StoreError> {
    let json = keys
        .open_string(sealed, &IDENTITY.associated_data(id.as_str()))
        .map_err(|e| StoreError::Corrupt(format!("persons.identity_sealed {id} : {e}")))?;
    serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("identité {id} : {e}")))
}

async fn index_person(
    connection: &mut sqlx::AnyConnection,
    keys: &KeyRing,
    post_id: &PostId,
    person_id: &PersonId,
    key: &PersonKey,
) -> Result<(), StoreError> {
    for blocking in blocking_keys(key) {
        sqlx::query("INSERT INTO person_keys (post_id, key_hash, person_id) VALUES ($1, $2, $3)")
            .bind(post_id)
            .bind(key_hash(keys, post_id, &blocking))
            .bind(person_id)
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

/// Where a new or found person goes in a case: a new line with its role, or the line the
/// referral transmitted (identified now).
#[derive(Debug, Clone, Copy)]
pub enum CaseLink<'a> {
    NewLine {
        case_id: &'a CaseId,
        role: PersonRole,
    },
    ReferredLine {
        case_id: &'a CaseId,
        case_person_id: &'a str,
    },
}

async fn link(
    connection: &mut sqlx::AnyConnection,
    person_id: &PersonId,
    to: CaseLink<'_>,
) -> Result<(), StoreError> {
    match to {
        CaseLink::NewLine { case_id, role } => {
            sqlx::query("INSERT INTO case_persons (id, case_id, role, identity_sealed, created_at, person_id) VALUES ($1, $2, $3, NULL, $4, $5)")
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(case_id)
                .bind(role.code())
                .bind(now_text())
                .bind(person_id)
                .execute(&mut *connection)
                .await?;
        }
        CaseLink::ReferredLine {
            case_id,
            case_person_id,
        } => {
            let updated = sqlx::query(
                "UPDATE case_persons SET person_id = $1 WHERE id = $2 AND case_id = $3",
            )
            .bind(person_id)
            .bind(case_person_id)
            .bind(case_id)
            .execute(&mut *connection)
            .await?;
            if updated.rows_affected() != 1 {
                return Err(StoreError::Corrupt(format!(
                    "ligne de personne {case_person_id} hors du dossier {case_id}"
                )));
            }
        }
    }
    // The person is received in this case: counted, and perhaps recurring.
    crate::statistics::rollup::refresh_person(connection, person_id.as_str()).await
}

/// Creates a person of `post_id` and puts them in a case, in one transaction.
pub async fn create_in_case(
    db: &Db,
    keys: &KeyRing,
    post_id: &PostId,
    person: &ValidPerson,
    intake: Date,
    to: CaseLink<'_>,
    entry: Entry,
) -> Result<PersonId, StoreError> {
    let id = PersonId::generate();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO persons (id, post_id, identity_sealed, sex, age_band, known_to_social_services, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(post_id)
    .bind(seal_identity(keys, &id, &person.identity)?)
    .bind(person.sex.code())
    .bind(person.age_band(intake).map(|band| band.code()))
    .bind(person.known_to_social_services.code())
    .bind(now_text())
    .execute(&mut *tx)
    .await?;
    index_person(&mut tx, keys, post_id, &id, &person.identity.key()).await?;
    link(&mut tx, &id, to).await?;
    append(&mut tx, entry.on("person", &id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Puts an existing person of the post in a case.
pub async fn add_to_case(
    db: &Db,
    person_id: &PersonId,
    to: CaseLink<'_>,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    link(&mut tx, person_id, to).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// A person as stored, identity opened.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: PersonId,
    pub post_id: PostId,
    pub identity: Identity,
    pub sex: Sex,
    pub age_band: Option<AgeBand>,
    pub known_to_social_services: KnownToSocialServices,
    pub merged_into: Option<String>,
}

type PersonRow = (
    PersonId,
    PostId,
    Option<Vec<u8>>,
    Sex,
    Option<AgeBand>,
    KnownToSocialServices,
    Option<String>,
);

const PERSON_COLUMNS: &str =
    "id, post_id, identity_sealed, sex, age_band, known_to_social_services, merged_into";

fn opened(keys: &KeyRing, row: PersonRow) -> Result<Person, StoreError> {
    let (id, post_id, sealed, sex, age_band, known, merged_into) = row;
    let identity = match sealed {
        Some(sealed) => open_identity(keys, &id, &sealed)?,
        None => Identity::default(),
    };
    Ok(Person {
        id,
        post_id,
        identity,
        sex,
        age_band,
        known_to_social_services: known,
        merged_into,
    })
}

/// Where a person is, without their identity: what the policy needs before anything is
/// unsealed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonPost {
    pub id: PersonId,
    pub post_id: PostId,
    pub merged_into: Option<String>,
}

/// The post of a person (and whether they were merged), nothing sealed read.
pub async fn post_of(db: &Db, id: &str) -> Result<Option<PersonPost>, StoreError> {
    Ok(
        sqlx::query_as("SELECT id, post_id, merged_into FROM persons WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

async fn row_of(db: &Db, id: &PersonId) -> Result<Option<PersonRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} FROM persons WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// A person, identity opened, for a reader the policy allowed: `read` is journaled before the
/// identity is unsealed (nothing is journaled for an unknown id).
pub async fn find(
    db: &Db,
    keys: &KeyRing,
    id: &PersonId,
    read: Read<'_>,
) -> Result<Option<Person>, StoreError> {
    let Some(row) = row_of(db, id).await? else {
        return Ok(None);
    };
    read.journal(db, &row.1).await?;
    opened(keys, row).map(Some)
}

/// A person the search proposes, with how alike they are.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub person: Person,
    pub score: f64,
}

/// The post's persons who may be `query`, best first: those sharing a blind key with it,
/// then scored on their opened identity. Merged and purged persons are never proposed.
/// `read` is journaled before any identity is unsealed.
pub async fn search(
    db: &Db,
    keys: &KeyRing,
    post_id: &PostId,
    query: &PersonKey,
    limit: usize,
    read: Read<'_>,
) -> Result<Vec<Candidate>, StoreError> {
    read.journal(db, post_id).await?;
    let hashes: Vec<String> = blocking_keys(query)
        .iter()
        .map(|key| key_hash(keys, post_id, key))
        .collect();
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..hashes.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT {} FROM persons p WHERE p.id IN (SELECT k.person_id FROM person_keys k WHERE k.post_id = $1 AND k.key_hash IN ({})) \
         AND p.merged_into IS NULL AND p.purged_at IS NULL",
        PERSON_COLUMNS
            .split(", ")
            .map(|c| format!("p.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        placeholders.join(", ")
    );
    let mut statement = sqlx::query_as::<_, PersonRow>(sqlx::AssertSqlSafe(sql)).bind(post_id);
    for hash in &hashes {
        statement = statement.bind(hash);
    }
    let rows = statement.fetch_all(db.pool()).await?;
    let mut candidates = Vec::new();
    for row in rows {
        let person = opened(keys, row)?;
        if let Some(score) = match_score(query, &person.identity.key()) {
            candidates.push(Candidate { person, score });
        }
    }
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.person.id.cmp(&b.person.id))
    });
    candidates.truncate(limit);
    Ok(candidates)
}

/// The cases a person is in: (case id, received at, status), newest first.
pub async fn cases_of(
    db: &Db,
    person_id: &str,
) -> Result<Vec<(String, String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT c.id, c.received_at, c.status FROM cases c JOIN case_persons cp ON cp.case_id = c.id \
         WHERE cp.person_id = $1 ORDER BY c.received_at DESC",
    )
    .bind(person_id)
    .fetch_all(db.pool())
    .await?)
}

/// The post's latest persons (for the list without a search); `read` is journaled first.
pub async fn latest_of_post(
    db: &Db,
    keys: &KeyRing,
    post_id: &PostId,
    limit: i64,
    read: Read<'_>,
) -> Result<Vec<Person>, StoreError> {
    read.journal(db, post_id).await?;
    let rows: Vec<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PERSON_COLUMNS} FROM persons WHERE post_id = $1 AND merged_into IS NULL AND purged_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $2"
    )))
    .bind(post_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(|row| opened(keys, row)).collect()
}
