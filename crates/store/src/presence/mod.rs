//! Presence schedules of posts: weekly slots at host units, absences, temporary notices, and
//! whether the social worker shows their name in public.

pub mod appointment;

use crate::db::time_text::{date_to_text, now_text, text_to_date};
use crate::journal::{Entry, append};
use crate::registry::post::PostRow;
use crate::{Db, StoreError, WriteError, WriteResult};
use passerelle_domain::access::Place;
use passerelle_domain::ids::PostId;
use passerelle_domain::presence::{
    Absence, AbsenceKind, WeeklySlot, check_absence, check_new_slot, parse_clock, parse_time_zone,
};
use passerelle_domain::registry::territory::DepartementCode;
use sqlx::AnyConnection;
use time::{Date, Time};

/// Where a post's schedule sits for the policy: the post's place and its host units.
pub async fn schedule_place(db: &Db, post: &PostRow) -> Result<Place, StoreError> {
    let mut place = crate::registry::post::place_of(post);
    place.units = crate::registry::post::host_units_of(db, &post.id)
        .await?
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    Ok(place)
}

/// Serialises the writers of one post's schedule (a no-op update takes the row's lock on
/// PostgreSQL; SQLite's write transactions are serialised already).
async fn lock_post(connection: &mut AnyConnection, post_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE posts SET id = id WHERE id = $1")
        .bind(post_id)
        .execute(connection)
        .await?;
    Ok(())
}

fn clock_text(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

#[derive(sqlx::FromRow)]
struct SlotRow {
    id: String,
    unit_id: String,
    weekday: i64,
    starts_at: String,
    ends_at: String,
    time_zone: String,
    valid_from: String,
    valid_until: Option<String>,
}

impl SlotRow {
    fn into_slot(self) -> Result<WeeklySlot, StoreError> {
        let corrupt = |e: passerelle_domain::ParseError| StoreError::Corrupt(e.to_string());
        Ok(WeeklySlot {
            weekday: passerelle_domain::presence::parse_weekday(&self.weekday.to_string())
                .map_err(corrupt)?,
            start: parse_clock("début", &self.starts_at).map_err(corrupt)?,
            end: parse_clock("fin", &self.ends_at).map_err(corrupt)?,
            time_zone: parse_time_zone(&self.time_zone).map_err(corrupt)?,
            valid_from: text_to_date(&self.valid_from)?,
            valid_until: self.valid_until.as_deref().map(text_to_date).transpose()?,
            id: self.id,
            unit_id: self.unit_id,
        })
    }
}

const SELECT_SLOTS: &str = "SELECT id, unit_id, weekday, starts_at, ends_at, time_zone, valid_from, valid_until FROM presence_slots";

async fn slots_where(
    connection: &mut AnyConnection,
    condition: &str,
    value: &str,
) -> Result<Vec<WeeklySlot>, StoreError> {
    let rows: Vec<SlotRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_SLOTS} WHERE {condition} = $1 ORDER BY weekday, starts_at, unit_id"
    )))
    .bind(value)
    .fetch_all(connection)
    .await?;
    rows.into_iter().map(SlotRow::into_slot).collect()
}

/// The weekly slots of a post, by day and hour.
pub async fn slots_of(db: &Db, post_id: &str) -> Result<Vec<WeeklySlot>, StoreError> {
    let mut connection = db.pool().acquire().await?;
    slots_where(&mut connection, "post_id", post_id).await
}

/// Adds a slot after checking, in the write transaction, that it overlaps no other slot of
/// the post and that its unit hosts the post.
pub async fn add_slot(db: &Db, post_id: &str, slot: &WeeklySlot, entry: Entry) -> WriteResult<()> {
    let mut tx = db.begin_write().await?;
    lock_post(&mut tx, post_id).await?;
    let (hosts,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM post_host_units WHERE post_id = $1 AND unit_id = $2")
            .bind(post_id)
            .bind(&slot.unit_id)
            .fetch_one(&mut *tx)
            .await?;
    if hosts == 0 {
        return Err(WriteError::refused(
            "unité",
            "elle n'accueille pas ce poste",
        ));
    }
    let existing = slots_where(&mut tx, "post_id", post_id).await?;
    check_new_slot(slot, &existing)?;
    sqlx::query(
        "INSERT INTO presence_slots (id, post_id, unit_id, weekday, starts_at, ends_at, time_zone, valid_from, valid_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&slot.id)
    .bind(post_id)
    .bind(&slot.unit_id)
    .bind(slot.weekday.number_from_monday() as i64)
    .bind(clock_text(slot.start))
    .bind(clock_text(slot.end))
    .bind(slot.time_zone)
    .bind(date_to_text(slot.valid_from))
    .bind(slot.valid_until.map(date_to_text))
    .bind(now_text())
    .execute(&mut *tx)
    .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a row of a post's schedule (`table` is one of ours); false when it is not there.
async fn remove_row(
    db: &Db,
    table: &'static str,
    post_id: &str,
    id: &str,
    entry: Entry,
) -> Result<bool, StoreError> {
    let mut tx = db.begin_write().await?;
    let removed = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE post_id = $1 AND id = $2"
    )))
    .bind(post_id)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if removed == 0 {
        return Ok(false);
    }
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn remove_slot(
    db: &Db,
    post_id: &str,
    slot_id: &str,
    entry: Entry,
) -> Result<bool, StoreError> {
    remove_row(db, "presence_slots", post_id, slot_id, entry).await
}

pub async fn remove_absence(
    db: &Db,
    post_id: &str,
    absence_id: &str,
    entry: Entry,
) -> Result<bool, StoreError> {
    remove_row(db, "presence_absences", post_id, absence_id, entry).await
}

/// The absences of a post that end on or after `from`, soonest first.
pub async fn absences_of(db: &Db, post_id: &str, from: Date) -> Result<Vec<Absence>, StoreError> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, kind, starts_on, ends_on FROM presence_absences WHERE post_id = $1 AND ends_on >= $2 ORDER BY starts_on, id",
    )
    .bind(post_id)
    .bind(date_to_text(from))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, kind, starts_on, ends_on)| {
            Ok(Absence {
                id,
                kind: AbsenceKind::parse(&kind).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                starts_on: text_to_date(&starts_on)?,
                ends_on: text_to_date(&ends_on)?,
            })
        })
        .collect()
}

pub async fn add_absence(
    db: &Db,
    post_id: &str,
    absence: &Absence,
    entry: Entry,
) -> WriteResult<()> {
    check_absence(absence.starts_on, absence.ends_on)?;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO presence_absences (id, post_id, kind, starts_on, ends_on, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&absence.id)
    .bind(post_id)
    .bind(absence.kind.code())
    .bind(date_to_text(absence.starts_on))
    .bind(date_to_text(absence.ends_on))
    .bind(now_text())
    .execute(&mut *tx)
    .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// A temporary notice of a post, shown until its last day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub message: String,
    pub until: Date,
}

/// The post's notice if it still applies on `today`.
pub async fn notice_of(db: &Db, post_id: &str, today: Date) -> Result<Option<Notice>, StoreError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT message, until FROM presence_notices WHERE post_id = $1 AND until >= $2",
    )
    .bind(post_id)
    .bind(date_to_text(today))
    .fetch_optional(db.pool())
    .await?;
    row.map(|(message, until)| {
        Ok(Notice {
            message,
            until: text_to_date(&until)?,
        })
    })
    .transpose()
}

/// Sets (or, with `None`, removes) the post's notice.
pub async fn set_notice(
    db: &Db,
    post_id: &str,
    notice: Option<&Notice>,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM presence_notices WHERE post_id = $1")
        .bind(post_id)
        .execute(&mut *tx)
        .await?;
    if let Some(notice) = notice {
        sqlx::query("INSERT INTO presence_notices (post_id, message, until, created_at) VALUES ($1, $2, $3, $4)")
            .bind(post_id)
            .bind(&notice.message)
            .bind(date_to_text(notice.until))
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
    }
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// A post serving a unit, for the unit's presence page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServingPost {
    pub id: PostId,
    pub code: String,
    pub departement_code: DepartementCode,
}

/// The open posts a unit hosts.
pub async fn posts_serving(db: &Db, unit_id: &str) -> Result<Vec<ServingPost>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.code, p.departement_code FROM post_host_units h JOIN posts p ON p.id = h.post_id \
         WHERE h.unit_id = $1 AND p.status <> 'closed' ORDER BY p.code",
    )
    .bind(unit_id)
    .fetch_all(db.pool())
    .await?)
}

/// The names the social workers of a post chose to show in public.
pub async fn public_names(db: &Db, post_id: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT a.display_name FROM account_roles r JOIN accounts a ON a.id = r.account_id \
         WHERE r.role = 'social_worker' AND r.scope_id = $1 AND a.disabled = 0 AND a.public_name = 1 ORDER BY a.display_name",
    )
    .bind(post_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

pub async fn shows_public_name(db: &Db, account_id: &str) -> Result<bool, StoreError> {
    let (shown,): (i64,) = sqlx::query_as("SELECT public_name FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(db.pool())
        .await?;
    Ok(shown == 1)
}

pub async fn set_public_name(
    db: &Db,
    account_id: &str,
    shown: bool,
    entry: Entry,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE accounts SET public_name = $1 WHERE id = $2")
        .bind(shown as i64)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    append(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}
