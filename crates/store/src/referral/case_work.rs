//! The work a social worker records in a case file: interviews, actions, orientations to
//! partners, criminal or not, and the transfer to another post. These are clear codes and
//! dates, counted by the statistics; what a person said goes in the sealed notes, and the
//! partner's name of an orientation is sealed too.

use crate::db::time_text::{date_to_text, now_text};
use crate::journal::read::Journaled;
use crate::journal::{Entry, append};
use crate::seal::{KeyRing, SealedColumn};
use crate::{Db, StoreError, WriteError};
use passerelle_domain::ParseError;
use passerelle_domain::ids::{AccountId, CaseId, PostId};
use passerelle_domain::referral::ReferralStatus;
use passerelle_domain::referral::case::{
    ActionKind, InterviewDuration, InterviewPlace, OrientationStatus, PartnerType,
};
use time::Date;

/// An interview with the person: it is a contact, so it dates the retention period.
pub async fn record_interview(
    db: &Db,
    case_id: &CaseId,
    held_on: Date,
    place: InterviewPlace,
    duration: InterviewDuration,
    by: &AccountId,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let held = date_to_text(held_on);
    sqlx::query("INSERT INTO case_interviews (id, case_id, held_on, place, minutes, by_account, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(case_id)
        .bind(&held)
        .bind(place.code())
        .bind(i64::from(duration.minutes()))
        .bind(by)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
    // The contact's day, as an instant at its start: comparable with the other instants.
    let contact = crate::db::time_text::day_start_text(held_on);
    sqlx::query(
        "UPDATE cases SET last_contact_at = $1 WHERE id = $2 AND (last_contact_at IS NULL OR last_contact_at < $1)",
    )
    .bind(&contact)
    .bind(case_id)
    .execute(&mut *tx)
    .await?;
    crate::statistics::rollup::refresh_case(&mut tx, case_id.as_str()).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn record_action(
    db: &Db,
    case_id: &CaseId,
    done_on: Date,
    kind: ActionKind,
    by: &AccountId,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO case_actions (id, case_id, kind, done_on, by_account, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(case_id)
        .bind(kind.code())
        .bind(date_to_text(done_on))
        .bind(by)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
    crate::statistics::rollup::refresh_case(&mut tx, case_id.as_str()).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The partner's name of an orientation: a structure's name (a shelter, a victims'
/// association) can tell where a person went for help. Only the type stays clear, for the
/// statistics; `partner_name` holds names written before migration 0020 until
/// [`seal_clear_partner_names`] seals them.
pub const PARTNER_NAME: SealedColumn = SealedColumn {
    table: "case_orientations",
    id_column: "id",
    column: "partner_name_sealed",
};

/// An orientation's partner name sealed in its row; none when no name was given.
fn seal_partner_name(keys: &KeyRing, orientation_id: &str, name: &str) -> Option<Vec<u8>> {
    (!name.is_empty()).then(|| {
        keys.seal(
            name.as_bytes(),
            &PARTNER_NAME.associated_data(orientation_id),
        )
    })
}

/// Proposes an orientation to a partner; it then moves proposed → accepted → done or failed.
#[allow(clippy::too_many_arguments)]
pub async fn propose_orientation(
    db: &Db,
    keys: &KeyRing,
    case_id: &CaseId,
    proposed_on: Date,
    partner_type: PartnerType,
    partner_name: &str,
    by: &AccountId,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    let day = date_to_text(proposed_on);
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO case_orientations (id, case_id, partner_type, partner_name, partner_name_sealed, status, proposed_on, status_changed_on, by_account, created_at) \
                 VALUES ($1, $2, $3, '', $4, $5, $6, $6, $7, $8)")
        .bind(&id)
        .bind(case_id)
        .bind(partner_type.code())
        .bind(seal_partner_name(keys, &id, partner_name))
        .bind(OrientationStatus::Proposed.code())
        .bind(&day)
        .bind(by)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
    crate::statistics::rollup::refresh_case(&mut tx, case_id.as_str()).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves an orientation of `case_id`, checked in the write transaction against its status then.
pub async fn move_orientation(
    db: &Db,
    case_id: &CaseId,
    orientation_id: &str,
    next: OrientationStatus,
    on: Date,
    entry: Entry,
) -> Result<(), WriteError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE case_orientations SET id = id WHERE id = $1")
        .bind(orientation_id)
        .execute(&mut *tx)
        .await?;
    let current: Option<(String,)> =
        sqlx::query_as("SELECT status FROM case_orientations WHERE id = $1 AND case_id = $2")
            .bind(orientation_id)
            .bind(case_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((current,)) = current else {
        return Err(ParseError::new("orientation", "elle n'existe pas dans ce dossier").into());
    };
    let current =
        OrientationStatus::parse(&current).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if !current.can_move_to(next) {
        return Err(ParseError::new(
            "statut de l'orientation",
            format!(
                "une orientation « {} » ne peut pas passer à « {} »",
                current.label(),
                next.label()
            ),
        )
        .into());
    }
    sqlx::query("UPDATE case_orientations SET status = $1, status_changed_on = $2 WHERE id = $3")
        .bind(next.code())
        .bind(date_to_text(on))
        .bind(orientation_id)
        .execute(&mut *tx)
        .await?;
    crate::statistics::rollup::refresh_case(&mut tx, case_id.as_str()).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the case concerns a criminal offence; `None` until the social worker knows.
pub async fn set_criminal(
    db: &Db,
    case_id: &CaseId,
    criminal: Option<bool>,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE cases SET criminal = $1 WHERE id = $2")
        .bind(criminal.map(i64::from))
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
    crate::statistics::rollup::refresh_case(&mut tx, case_id.as_str()).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Hands an open case over to another post (the person moved): the case starts again as
/// received there; its history stays with it; the reason, which may tell about the person,
/// becomes a sealed team note the new post reads.
pub async fn transfer(
    db: &Db,
    keys: &crate::seal::KeyRing,
    case_id: &CaseId,
    to_post: &PostId,
    reason_note: &str,
    by: &AccountId,
    entry: Entry,
) -> Result<(), WriteError> {
    let mut tx = db.begin_write().await?;
    let current: Option<(String, PostId)> =
        sqlx::query_as("SELECT status, post_id FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((status, from_post)) = current else {
        return Err(StoreError::Corrupt(format!("dossier {case_id} introuvable")).into());
    };
    if status == ReferralStatus::Closed.code() {
        return Err(
            ParseError::new("transfert", "un dossier clôturé ne peut pas être transféré").into(),
        );
    }
    if from_post == *to_post {
        return Err(ParseError::new(
            "poste de destination",
            "choisissez un autre poste que le vôtre",
        )
        .into());
    }
    let at = now_text();
    // New to the receiving post: « Nouveau » in its inbox until one of its workers opens it.
    sqlx::query("UPDATE cases SET post_id = $1, status = $2, status_changed_at = $3, opened_at = NULL WHERE id = $4")
        .bind(to_post)
        .bind(ReferralStatus::Received.code())
        .bind(&at)
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
    crate::referral::record_status(&mut tx, case_id, ReferralStatus::Received, by, &at).await?;
    // Kept so that the statistics leave the sending post's past as it was published.
    sqlx::query(
        "INSERT INTO case_transfers (id, case_id, from_post, to_post, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(case_id)
    .bind(&from_post)
    .bind(to_post)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    // The persons follow the case, unless another case of the sending post still links them:
    // the policy opens a person to their post's social workers only.
    sqlx::query(
        "UPDATE persons SET post_id = $1 WHERE post_id = $2 AND id IN (SELECT person_id FROM case_persons WHERE case_id = $3 AND person_id IS NOT NULL) \
         AND NOT EXISTS (SELECT 1 FROM case_persons other JOIN cases c ON c.id = other.case_id \
                         WHERE other.person_id = persons.id AND c.post_id = $2 AND c.id <> $3)",
    )
    .bind(to_post)
    .bind(&from_post)
    .bind(case_id)
    .execute(&mut *tx)
    .await?;
    // The referral's names are found by the receiving post's search, no longer the sender's.
    crate::referral::referral_keys::reindex_case(&mut tx, keys, case_id).await?;
    crate::referral::insert_note(
        &mut tx,
        keys,
        case_id,
        by,
        passerelle_domain::referral::case::NoteVisibility::Team,
        reason_note,
    )
    .await?;
    crate::statistics::rollup::refresh_case(&mut tx, case_id.as_str()).await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// One line of a case's timeline: its day, what happened, and (for an orientation) its id
/// and status so that it can be moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkLine {
    pub on: String,
    pub kind: WorkKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkKind {
    Interview {
        place: String,
        minutes: i64,
    },
    Action {
        kind: String,
    },
    Orientation {
        id: String,
        partner_type: String,
        partner_name: String,
        status: String,
        changed_on: String,
    },
}

/// The interviews, actions and orientations of a case, newest first, opened under `read`,
/// the journaled read of the case's post.
pub async fn work_of(
    db: &Db,
    keys: &KeyRing,
    case_id: &CaseId,
    read: &Journaled,
) -> Result<Vec<WorkLine>, StoreError> {
    let (post_id,): (PostId,) = sqlx::query_as("SELECT post_id FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_one(db.pool())
        .await?;
    read.covers(&post_id)?;
    let interviews: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT held_on, place, minutes FROM case_interviews WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(db.pool())
            .await?;
    let actions: Vec<(String, String)> =
        sqlx::query_as("SELECT done_on, kind FROM case_actions WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(db.pool())
            .await?;
    type Orientation = (
        String,
        String,
        String,
        String,
        Option<Vec<u8>>,
        String,
        String,
    );
    let orientations: Vec<Orientation> = sqlx::query_as(
        "SELECT id, proposed_on, partner_type, partner_name, partner_name_sealed, status, status_changed_on \
         FROM case_orientations WHERE case_id = $1",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    let orientations = orientations
        .into_iter()
        .map(
            |(id, on, partner_type, clear, sealed, status, changed_on)| {
                // A name not sealed yet (written before 0020, the start-up step to come) reads clear.
                let partner_name = match sealed {
                    Some(sealed) => open_partner_name(keys, &id, &sealed)?,
                    None => clear,
                };
                Ok((id, on, partner_type, partner_name, status, changed_on))
            },
        )
        .collect::<Result<Vec<_>, StoreError>>()?;
    let mut lines: Vec<WorkLine> = interviews
        .into_iter()
        .map(|(on, place, minutes)| WorkLine {
            on,
            kind: WorkKind::Interview { place, minutes },
        })
        .chain(actions.into_iter().map(|(on, kind)| WorkLine {
            on,
            kind: WorkKind::Action { kind },
        }))
        .chain(orientations.into_iter().map(
            |(id, on, partner_type, partner_name, status, changed_on)| WorkLine {
                on,
                kind: WorkKind::Orientation {
                    id,
                    partner_type,
                    partner_name,
                    status,
                    changed_on,
                },
            },
        ))
        .collect();
    lines.sort_by(|a, b| b.on.cmp(&a.on));
    Ok(lines)
}

fn open_partner_name(keys: &KeyRing, id: &str, sealed: &[u8]) -> Result<String, StoreError> {
    keys.open_string(sealed, &PARTNER_NAME.associated_data(id))
        .map(|name| name.to_string())
        .map_err(|e| {
            StoreError::Corrupt(format!("case_orientations.partner_name_sealed {id} : {e}"))
        })
}

/// Seals the partner names written in clear before migration 0020, `batch` rows per
/// transaction, and empties their clear column. SQL could not do it (the key is not in the
/// database): the server calls this at start, once its key ring is loaded. Idempotent: a
/// sealed row holds no clear name, so a second start (or one interrupted halfway) seals only
/// what is left. Each batch is journaled with its own writes. Returns how many were sealed.
pub async fn seal_clear_partner_names(
    db: &Db,
    keys: &KeyRing,
    batch: usize,
) -> Result<u64, StoreError> {
    let limit = i64::try_from(batch.max(1)).unwrap_or(i64::MAX);
    let (mut after, mut sealed) = (String::new(), 0u64);
    loop {
        // Keyset pagination on the partial index of the rows still in clear.
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, partner_name FROM case_orientations \
             WHERE partner_name <> '' AND id > $1 ORDER BY id LIMIT $2",
        )
        .bind(&after)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
        let Some((last, _)) = rows.last() else {
            break;
        };
        after = last.clone();
        let mut tx = db.begin_write().await?;
        let mut in_batch = 0;
        for (id, name) in &rows {
            // Only if the row still holds the name read: nothing written meanwhile is lost.
            let done = sqlx::query(
                "UPDATE case_orientations SET partner_name_sealed = $1, partner_name = '' \
                 WHERE id = $2 AND partner_name = $3",
            )
            .bind(seal_partner_name(keys, id, name))
            .bind(id)
            .bind(name)
            .execute(&mut *tx)
            .await?;
            in_batch += done.rows_affected();
        }
        if in_batch > 0 {
            let entry = Entry::new(passerelle_domain::journal::JournalAction::PersonalDataWritten)
                .detail(format!(
                    "migration 0020 : {in_batch} nom(s) de partenaire d'orientation scellé(s)"
                ));
            append(&mut tx, entry).await?;
        }
        tx.commit().await?;
        sealed += in_batch;
    }
    if sealed > 0 {
        rewrite_after_sealing(db).await?;
    }
    Ok(sealed)
}

/// Once, after names were sealed: the clear ones still sat in freed pages (SQLite) or dead row
/// versions (PostgreSQL) until reused; rewriting the table leaves them out of the files.
async fn rewrite_after_sealing(db: &Db) -> Result<(), StoreError> {
    use sqlx::Executor;
    let statements: &[&str] = match db.backend() {
        // The WAL still holds the old pages until a checkpoint empties it.
        crate::Backend::Sqlite => &["VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"],
        crate::Backend::Postgres => &["VACUUM FULL case_orientations"],
    };
    for statement in statements {
        // As simple queries: VACUUM refuses to run inside a transaction block.
        db.pool().execute(*statement).await?;
    }
    Ok(())
}

/// The posts a case can be transferred to (filled or vacant): (id, code, département), by code.
pub async fn transfer_targets(
    db: &Db,
    except_post: &PostId,
) -> Result<Vec<(String, String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.code, d.name FROM posts p JOIN departements d ON d.code = p.departement_code \
         WHERE p.id <> $1 AND p.status IN ('filled', 'vacant') ORDER BY p.code",
    )
    .bind(except_post)
    .fetch_all(db.pool())
    .await?)
}

/// Sets (or, with no text, clears) the case's next step: the text sealed, the day clear.
pub async fn set_next_step(
    db: &Db,
    keys: &crate::seal::KeyRing,
    case_id: &CaseId,
    next: Option<(&str, Date)>,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE cases SET next_step_sealed = $1, next_step_on = $2 WHERE id = $3")
        .bind(next.map(|(text, _)| {
            keys.seal(
                text.as_bytes(),
                &crate::referral::NEXT_STEP.associated_data(case_id.as_str()),
            )
        }))
        .bind(next.map(|(_, on)| date_to_text(on)))
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}
