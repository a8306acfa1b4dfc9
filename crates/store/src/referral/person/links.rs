//! How person records are tied: two records of one person merged (every case line moves to
//! the kept one, journaled), and the household links between persons of a post.

use crate::db::time_text::now_text;
use crate::journal::{Entry, append};
use crate::seal::KeyRing;
use crate::{Db, StoreError, WriteError};
use passerelle_domain::ParseError;
use passerelle_domain::ids::PersonId;

use super::*;

/// Merges `duplicate` into `kept` (both of the same post, neither merged already): every case
/// line of the duplicate goes to the kept person; the duplicate keeps no identity and no key,
/// only a pointer to the person it was.
pub async fn merge(db: &Db, kept: &str, duplicate: &str, entry: Entry) -> Result<(), WriteError> {
    if kept == duplicate {
        return Err(ParseError::new(
            "fusion",
            "une personne ne peut pas être fusionnée avec elle-même",
        )
        .into());
    }
    let mut tx = db.begin_write().await?;
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT id, post_id, merged_into FROM persons WHERE id IN ($1, $2)")
            .bind(kept)
            .bind(duplicate)
            .fetch_all(&mut *tx)
            .await?;
    let same_post = rows.len() == 2 && rows[0].1 == rows[1].1;
    if !same_post || rows.iter().any(|(_, _, merged)| merged.is_some()) {
        return Err(ParseError::new("fusion", "les deux personnes doivent être suivies par ce poste et ne pas avoir déjà été fusionnées").into());
    }
    sqlx::query("UPDATE case_persons SET person_id = $1 WHERE person_id = $2")
        .bind(kept)
        .bind(duplicate)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM person_keys WHERE person_id = $1")
        .bind(duplicate)
        .execute(&mut *tx)
        .await?;
    // The duplicate's household links go to the kept person, unless they would link it to
    // itself or repeat a link it has.
    let links: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT person_id, other_id, relation, created_at FROM person_links WHERE person_id = $1 OR other_id = $1")
            .bind(duplicate)
            .fetch_all(&mut *tx)
            .await?;
    sqlx::query("DELETE FROM person_links WHERE person_id = $1 OR other_id = $1")
        .bind(duplicate)
        .execute(&mut *tx)
        .await?;
    for (from, to, relation, at) in links {
        let (from, to) = if from == duplicate {
            (kept.to_string(), to)
        } else {
            (from, kept.to_string())
        };
        if from == to {
            continue;
        }
        sqlx::query(
            "INSERT INTO person_links (person_id, other_id, relation, created_at) SELECT $1, $2, $3, $4 \
             WHERE NOT EXISTS (SELECT 1 FROM person_links WHERE (person_id = $1 AND other_id = $2) OR (person_id = $2 AND other_id = $1))",
        )
        .bind(&from)
        .bind(&to)
        .bind(&relation)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE persons SET merged_into = $1, identity_sealed = NULL WHERE id = $2")
        .bind(kept)
        .bind(duplicate)
        .execute(&mut *tx)
        .await?;
    // The kept person now has the duplicate's cases; the duplicate counts for nothing.
    crate::statistics::rollup::refresh_person(&mut tx, kept).await?;
    crate::statistics::rollup::refresh_person(&mut tx, duplicate).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The persons of `case_id` in no other case still holding personal data: purging the case
/// leaves them nothing to be kept for (the retention purge calls it in its transaction).
pub(crate) async fn orphaned_by_purge(
    connection: &mut sqlx::AnyConnection,
    case_id: &str,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT p.id FROM persons p JOIN case_persons cp ON cp.person_id = p.id WHERE cp.case_id = $1 AND p.purged_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM case_persons other JOIN cases c ON c.id = other.case_id \
                         WHERE other.person_id = p.id AND c.purged_at IS NULL AND c.id <> $1)",
    )
    .bind(case_id)
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Erases the identity and blind keys of these persons; their counted attributes stay.
pub(crate) async fn purge_persons(
    connection: &mut sqlx::AnyConnection,
    person_ids: &[String],
) -> Result<(), StoreError> {
    for person_id in person_ids {
        sqlx::query("DELETE FROM person_keys WHERE person_id = $1")
            .bind(person_id)
            .execute(&mut *connection)
            .await?;
        sqlx::query("UPDATE persons SET identity_sealed = NULL, purged_at = $1 WHERE id = $2")
            .bind(now_text())
            .bind(person_id)
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

/// Links two persons of the same post as members of a household; `relation` reads from
/// `person_id` to `other_id`. Refused for a person with itself, across posts, for a merged
/// person, or when they are already linked.
pub async fn link_household(
    db: &Db,
    person_id: &PersonId,
    other_id: &PersonId,
    relation: passerelle_domain::referral::person::HouseholdRelation,
    entry: Entry,
) -> Result<(), WriteError> {
    if person_id == other_id {
        return Err(ParseError::new(
            "lien familial",
            "une personne ne peut pas être liée à elle-même",
        )
        .into());
    }
    let mut tx = db.begin_write().await?;
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT id, post_id, merged_into FROM persons WHERE id IN ($1, $2)")
            .bind(person_id)
            .bind(other_id)
            .fetch_all(&mut *tx)
            .await?;
    if rows.len() != 2
        || rows[0].1 != rows[1].1
        || rows.iter().any(|(_, _, merged)| merged.is_some())
    {
        return Err(ParseError::new(
            "lien familial",
            "choisissez une autre personne suivie par ce poste",
        )
        .into());
    }
    let (existing,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM person_links WHERE (person_id = $1 AND other_id = $2) OR (person_id = $2 AND other_id = $1)",
    )
    .bind(person_id)
    .bind(other_id)
    .fetch_one(&mut *tx)
    .await?;
    if existing > 0 {
        return Err(ParseError::new("lien familial", "ces deux personnes sont déjà liées").into());
    }
    sqlx::query("INSERT INTO person_links (person_id, other_id, relation, created_at) VALUES ($1, $2, $3, $4)")
        .bind(person_id)
        .bind(other_id)
        .bind(relation.code())
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The household of a person: (other person, relation read from this person), both ways;
/// opened under the page's journaled read of their post.
pub async fn household_of(
    db: &Db,
    keys: &KeyRing,
    person_id: &PersonId,
    read: &Journaled,
) -> Result<
    Vec<(
        Person,
        passerelle_domain::referral::person::HouseholdRelation,
    )>,
    StoreError,
> {
    use passerelle_domain::referral::person::HouseholdRelation;
    let links: Vec<(PersonId, PersonId, String)> = sqlx::query_as(
        "SELECT person_id, other_id, relation FROM person_links WHERE person_id = $1 OR other_id = $1",
    )
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    let mut household = Vec::new();
    for (from, to, relation) in links {
        let relation =
            HouseholdRelation::parse(&relation).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let (other, relation) = if from == *person_id {
            (to, relation)
        } else {
            (from, relation.reverse())
        };
        if let Some(person) = find(db, keys, &other, Read::Journaled(read)).await? {
            household.push((person, relation));
        }
    }
    Ok(household)
}

/// The identified persons sharing a case with `person_id`: the household's likely members;
/// opened under the page's journaled read of their post.
pub async fn co_persons(
    db: &Db,
    keys: &KeyRing,
    person_id: &PersonId,
    read: &Journaled,
) -> Result<Vec<Person>, StoreError> {
    let ids: Vec<(PersonId,)> = sqlx::query_as(
        "SELECT DISTINCT other.person_id FROM case_persons mine JOIN case_persons other ON other.case_id = mine.case_id \
         WHERE mine.person_id = $1 AND other.person_id IS NOT NULL AND other.person_id <> $1",
    )
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    let mut persons = Vec::new();
    for (id,) in ids {
        if let Some(person) = find(db, keys, &id, Read::Journaled(read))
            .await?
            .filter(|p| p.merged_into.is_none())
        {
            persons.push(person);
        }
    }
    Ok(persons)
}
