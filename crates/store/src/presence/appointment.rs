//! Appointments with the social worker of a post, and the private calendar feeds.
//! The person and the safe-contact instructions are sealed: the database never holds them in
//! clear.

use crate::db::time_text::now_text;
use crate::identity::session::{new_token, token_hash};
use crate::journal::read::{Journaled, Read, journal_read};
use crate::journal::{Entry, append};
use crate::seal::KeyRing;
use crate::{Db, StoreError, WriteError, WriteResult};
use passerelle_domain::access::{FeedFacts, Grant, feed_opens};
use passerelle_domain::ids::{AccountId, PostId, UnitId};
use passerelle_domain::presence::Occurrence;
use passerelle_domain::presence::appointment::{
    AppointmentMode, AppointmentStatus, Booked, Request, check_booking,
};
use sqlx::AnyConnection;
use time::OffsetDateTime;

/// An instant as stored (db::time_text::instant_to_text, of fixed width), from whole seconds.
pub fn unix_to_text(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(crate::db::time_text::instant_to_text)
        .unwrap_or_default()
}

pub fn text_to_unix(text: &str) -> Result<i64, StoreError> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(OffsetDateTime::unix_timestamp)
        .map_err(|_| StoreError::Corrupt(format!("instant « {text} »")))
}

pub const PERSON: crate::seal::SealedColumn = crate::seal::SealedColumn {
    table: "appointments",
    id_column: "id",
    column: "person_sealed",
};
pub const SAFE_CONTACT: crate::seal::SealedColumn = crate::seal::SealedColumn {
    table: "appointments",
    id_column: "id",
    column: "safe_contact_sealed",
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppointmentRow {
    pub id: String,
    pub post_id: PostId,
    pub unit_id: Option<UnitId>,
    pub unit_name: Option<String>,
    pub mode: AppointmentMode,
    pub starts_at: String,
    pub ends_at: String,
    pub person_sealed: Vec<u8>,
    pub safe_contact_sealed: Vec<u8>,
    pub visio_room: Option<String>,
    pub booked_by: String,
    pub booked_by_name: String,
    pub status: AppointmentStatus,
    /// The case it was booked from, if any.
    pub case_id: Option<String>,
}

impl AppointmentRow {
    /// The person's name, under `read`, the journaled read of the appointment's post.
    pub fn person(&self, keys: &KeyRing, read: &Journaled) -> Result<String, StoreError> {
        read.covers(&self.post_id)?;
        open(keys, &PERSON, &self.id, &self.person_sealed)
    }

    /// The safe-contact instructions, under `read`, the journaled read of the post.
    pub fn safe_contact(&self, keys: &KeyRing, read: &Journaled) -> Result<String, StoreError> {
        read.covers(&self.post_id)?;
        open(keys, &SAFE_CONTACT, &self.id, &self.safe_contact_sealed)
    }

    pub fn is_booked(&self) -> bool {
        self.status == AppointmentStatus::Booked
    }
}

fn open(
    keys: &KeyRing,
    column: &crate::seal::SealedColumn,
    id: &str,
    sealed: &[u8],
) -> Result<String, StoreError> {
    keys.open_string(sealed, &column.associated_data(id))
        .map(|text| text.to_string())
        .map_err(|e| StoreError::Corrupt(format!("{}.{} {id} : {e}", column.table, column.column)))
}

const SELECT_APPOINTMENTS: &str = "SELECT a.id, a.post_id, a.unit_id, u.name AS unit_name, a.mode, a.starts_at, a.ends_at, \
     a.person_sealed, a.safe_contact_sealed, a.visio_room, a.booked_by, b.display_name AS booked_by_name, a.status, a.case_id \
     FROM appointments a LEFT JOIN units u ON u.id = a.unit_id JOIN accounts b ON b.id = a.booked_by";

pub async fn find(db: &Db, id: &str) -> Result<Option<AppointmentRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_APPOINTMENTS} WHERE a.id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// The booked appointments of a post starting in `[from, to)` (Unix seconds), in time order.
pub async fn of_post_between(
    db: &Db,
    post_id: &str,
    from: i64,
    to: i64,
) -> Result<Vec<AppointmentRow>, StoreError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_APPOINTMENTS} WHERE a.post_id = $1 AND a.status = 'booked' AND a.starts_at >= $2 AND a.starts_at < $3 ORDER BY a.starts_at"
    )))
    .bind(post_id)
    .bind(unix_to_text(from))
    .bind(unix_to_text(to))
    .fetch_all(db.pool())
    .await?)
}

/// The booked appointments of a case ending after `from` (Unix seconds), in time order:
/// what the case page lists (when, where, how; the persons are not unsealed).
pub async fn of_case(db: &Db, case_id: &str, from: i64) -> Result<Vec<BookingRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.post_id, a.unit_id, u.name AS unit_name, a.mode, a.starts_at, a.ends_at, a.status \
         FROM appointments a LEFT JOIN units u ON u.id = a.unit_id \
         WHERE a.case_id = $1 AND a.status = 'booked' AND a.ends_at > $2 ORDER BY a.starts_at, a.id",
    )
    .bind(case_id)
    .bind(unix_to_text(from))
    .fetch_all(db.pool())
    .await?)
}

/// The booked intervals of a post overlapping `[from, to)`, as the free slots need them.
pub async fn booked_of_post(
    db: &Db,
    post_id: &str,
    from: i64,
    to: i64,
) -> Result<Vec<Booked>, StoreError> {
    let mut connection = db.pool().acquire().await?;
    booked_intervals(&mut connection, post_id, from, to).await
}

/// An appointment as the list of its booking officer shows it: when, where, how, and its
/// status, never the person (its sealed columns are not even read: see [`person_of`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BookingRow {
    pub id: String,
    pub post_id: PostId,
    pub unit_id: Option<UnitId>,
    pub unit_name: Option<String>,
    pub mode: AppointmentMode,
    pub starts_at: String,
    pub ends_at: String,
    pub status: AppointmentStatus,
}

/// A stored mode; an unknown code is a corrupt row, never a silent « En personne ».
/// The appointments an account booked (booked or cancelled) that end from `from` on, in time
/// order, without the persons.
pub async fn booked_by(
    db: &Db,
    account_id: &str,
    from: i64,
) -> Result<Vec<BookingRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.post_id, a.unit_id, u.name AS unit_name, a.mode, a.starts_at, a.ends_at, a.status \
         FROM appointments a LEFT JOIN units u ON u.id = a.unit_id \
         WHERE a.booked_by = $1 AND a.ends_at >= $2 ORDER BY a.starts_at, a.id",
    )
    .bind(account_id)
    .bind(unix_to_text(from))
    .fetch_all(db.pool())
    .await?)
}

/// The person an appointment names, unsealed for a reader the policy allowed: `entry`, the
/// journal row of that read, is appended in the same transaction, so no name leaves the store
/// without its row (and none when the appointment is unknown).
pub async fn person_of(
    db: &Db,
    keys: &KeyRing,
    id: &str,
    entry: Entry,
) -> Result<Option<String>, StoreError> {
    let mut tx = db.begin_write().await?;
    let sealed: Option<(Vec<u8>,)> =
        sqlx::query_as("SELECT person_sealed FROM appointments WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((sealed,)) = sealed else {
        return Ok(None);
    };
    let person = open(keys, &PERSON, id, &sealed)?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(Some(person))
}

/// Every appointment of a post still holding its person (booked, moved or cancelled, past
/// or to come), in time order, with the name it was booked under: an appointment names its
/// person in words, not by record, so finding one person's appointments reads every name of
/// the post. `read`, the journal row of that read, is journaled before any name is unsealed.
pub async fn named_of_post(
    db: &Db,
    keys: &KeyRing,
    post_id: &PostId,
    read: Read<'_>,
) -> Result<Vec<(AppointmentRow, String)>, StoreError> {
    read.journal(db, post_id).await?;
    let rows: Vec<AppointmentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_APPOINTMENTS} WHERE a.post_id = $1 AND a.purged_at IS NULL ORDER BY a.starts_at, a.id"
    )))
    .bind(post_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|row| {
            let person = open(keys, &PERSON, &row.id, &row.person_sealed)?;
            Ok((row, person))
        })
        .collect()
}

/// The booked intervals of a post overlapping a window, read in the caller's transaction.
async fn booked_intervals(
    connection: &mut AnyConnection,
    post_id: &str,
    from: i64,
    to: i64,
) -> Result<Vec<Booked>, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, starts_at, ends_at FROM appointments WHERE post_id = $1 AND status = 'booked' AND ends_at > $2 AND starts_at < $3",
    )
    .bind(post_id)
    .bind(unix_to_text(from))
    .bind(unix_to_text(to))
    .fetch_all(connection)
    .await?;
    rows.into_iter()
        .map(|(id, starts_at, ends_at)| {
            Ok(Booked {
                id,
                starts_unix: text_to_unix(&starts_at)?,
                ends_unix: text_to_unix(&ends_at)?,
            })
        })
        .collect()
}

/// What a booking writes.
pub struct NewAppointment<'a> {
    pub id: String,
    pub post_id: &'a str,
    pub request: Request<'a>,
    pub person: &'a str,
    pub safe_contact: &'a str,
    /// An unguessable room name for a visio appointment.
    pub visio_room: Option<String>,
    pub booked_by: &'a str,
    /// The case it is booked from, if any.
    pub case_id: Option<&'a str>,
}

async fn checked_in_transaction(
    connection: &mut AnyConnection,
    post_id: &str,
    request: &Request<'_>,
    now: i64,
    presences: &[Occurrence],
) -> WriteResult<()> {
    // Serialises the bookings of one post, so that two cannot take the same slot.
    sqlx::query("UPDATE posts SET id = id WHERE id = $1")
        .bind(post_id)
        .execute(&mut *connection)
        .await?;
    let booked =
        booked_intervals(connection, post_id, request.starts_unix, request.ends_unix).await?;
    check_booking(request, now, presences, &booked)?;
    Ok(())
}

/// Books an appointment, refusing conflicts, inside one write transaction with its journal
/// entry.
pub async fn book(
    db: &Db,
    keys: &KeyRing,
    appointment: &NewAppointment<'_>,
    now: i64,
    presences: &[Occurrence],
    entry: Entry,
) -> WriteResult<()> {
    let mut tx = db.begin_write().await?;
    checked_in_transaction(
        &mut tx,
        appointment.post_id,
        &appointment.request,
        now,
        presences,
    )
    .await?;
    let at = now_text();
    sqlx::query(
        "INSERT INTO appointments (id, post_id, unit_id, mode, starts_at, ends_at, person_sealed, safe_contact_sealed, visio_room, booked_by, status, created_at, changed_at, case_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'booked', $11, $11, $12)",
    )
    .bind(&appointment.id)
    .bind(appointment.post_id)
    .bind(appointment.request.unit_id)
    .bind(appointment.request.mode.code())
    .bind(unix_to_text(appointment.request.starts_unix))
    .bind(unix_to_text(appointment.request.ends_unix))
    .bind(keys.seal(appointment.person.as_bytes(), &PERSON.associated_data(&appointment.id)))
    .bind(keys.seal(
        appointment.safe_contact.as_bytes(),
        &SAFE_CONTACT.associated_data(&appointment.id),
    ))
    .bind(appointment.visio_room.as_deref())
    .bind(appointment.booked_by)
    .bind(&at)
    .bind(appointment.case_id)
    .execute(&mut *tx)
    .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a booked appointment to new times (same place), refusing conflicts.
pub async fn move_to(
    db: &Db,
    post_id: &str,
    request: &Request<'_>,
    now: i64,
    presences: &[Occurrence],
    entry: Entry,
) -> WriteResult<()> {
    let Some(id) = request.moving else {
        return Err(WriteError::Store(StoreError::Corrupt(
            "déplacement sans rendez-vous".into(),
        )));
    };
    let mut tx = db.begin_write().await?;
    checked_in_transaction(&mut tx, post_id, request, now, presences).await?;
    sqlx::query("UPDATE appointments SET starts_at = $1, ends_at = $2, changed_at = $3 WHERE id = $4 AND status = 'booked'")
        .bind(unix_to_text(request.starts_unix))
        .bind(unix_to_text(request.ends_unix))
        .bind(now_text())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels a booked appointment; false when it was not booked (already cancelled).
pub async fn cancel(db: &Db, id: &str, entry: Entry) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query("UPDATE appointments SET status = 'cancelled', changed_at = $1 WHERE id = $2 AND status = 'booked'")
        .bind(now_text())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(true)
}

/// Writes a read of appointments' personal data in `post_id` to the journal: the proof that
/// opens their persons.
pub async fn record_read(db: &Db, post_id: &PostId, entry: Entry) -> Result<Journaled, StoreError> {
    journal_read(db, post_id, entry).await
}

/// A private calendar feed, found by its token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedRow {
    pub id: String,
    pub account_id: AccountId,
    pub post_id: PostId,
    pub show_names: i64,
    pub created_at: String,
}

/// Issues a new feed token for an account's post, revoking its previous ones. The token is
/// returned once; only its hash is kept.
pub async fn issue_feed(
    db: &Db,
    account_id: &str,
    post_id: &str,
    show_names: bool,
    entry: Entry,
) -> Result<String, StoreError> {
    let (token, hash) = new_token();
    let mut tx = db.begin_write().await?;
    let at = now_text();
    sqlx::query(
        "UPDATE calendar_feeds SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
    )
    .bind(&at)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO calendar_feeds (id, account_id, post_id, token_hash, show_names, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(account_id)
    .bind(post_id)
    .bind(hash)
    .bind(show_names as i64)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(token)
}

/// Revokes every feed of an account; false when none was active.
pub async fn revoke_feeds(db: &Db, account_id: &str, entry: Entry) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let revoked = sqlx::query(
        "UPDATE calendar_feeds SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_text())
    .bind(account_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if revoked == 0 {
        return Ok(false);
    }
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(true)
}

/// The active feed a token opens, if any: the policy's [`feed_opens`] decides, on the
/// feed's state and its account's grants today.
pub async fn feed_by_token(db: &Db, token: &str) -> Result<Option<FeedRow>, StoreError> {
    let found = sqlx::query_as::<_, FeedState>(
        "SELECT f.id, f.account_id, f.post_id, f.show_names, f.created_at, f.revoked_at, a.disabled \
         FROM calendar_feeds f JOIN accounts a ON a.id = f.account_id WHERE f.token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(db.pool())
    .await?
    .map(|state| {
        let revoked = state.revoked_at.is_some();
        (state.feed, revoked, state.disabled)
    });
    let Some((feed, revoked, disabled)) = found else {
        return Ok(None);
    };
    let grants = crate::identity::account::roles_of(db, &feed.account_id)
        .await?
        .iter()
        .map(|row| {
            Ok(Grant {
                role: row.role()?,
                scope: row.scope()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let facts = FeedFacts {
        revoked,
        account_disabled: disabled != 0,
        post: &feed.post_id,
        grants: &grants,
    };
    Ok(feed_opens(&facts).then_some(feed))
}

/// A feed with what the policy needs to say whether it still opens.
#[derive(sqlx::FromRow)]
struct FeedState {
    #[sqlx(flatten)]
    feed: FeedRow,
    revoked_at: Option<String>,
    disabled: i64,
}

/// The account's active feed: (created at, shows names).
pub async fn active_feed(db: &Db, account_id: &str) -> Result<Option<FeedRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, account_id, post_id, show_names, created_at FROM calendar_feeds WHERE account_id = $1 AND revoked_at IS NULL",
    )
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?)
}
