//! The retention rule: a case whose last contact is older than the retention period loses
//! every personal datum (identities, context, safe contact, procedure reference, notes), and
//! so do the appointments of that age. The counted facts (statuses, categories, interviews,
//! actions, orientations) stay, so the statistics survive unchanged; the journal keeps one
//! row per purged case, without identities.

use crate::db::time_text::{date_to_text, now_text};
use crate::journal::{Entry, append};
use crate::seal::KeyRing;
use crate::{Db, StoreError};
use passerelle_domain::ids::CaseId;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::case::is_past_retention;
use time::Date;

/// How many cases one transaction purges: a long purge holds no lock for long.
const BATCH: i64 = 500;

/// What a purge removed (or, in a dry run, would remove).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub cases: u64,
    pub persons: u64,
    pub notes: u64,
    pub appointments: u64,
}

/// The first day no longer inside the period: anything dated before it may be past it. The
/// domain's rule decides for each case; this only narrows the scan.
fn scan_bound(today: Date, years: u16) -> String {
    let year = today.year() - i32::from(years);
    let bound = today
        .replace_year(year)
        .or_else(|_| today.previous_day().unwrap_or(today).replace_year(year))
        .unwrap_or(today);
    date_to_text(bound.next_day().unwrap_or(bound))
}

/// A case of the scan: its id, post, and the day of its last contact (or of its receipt).
type Candidate = (String, String, String);

async fn candidates(db: &Db, bound: &str, after: &str) -> Result<Vec<Candidate>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, post_id, COALESCE(last_contact_at, received_at) FROM cases \
         WHERE purged_at IS NULL AND COALESCE(last_contact_at, received_at) < $1 AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(bound)
    .bind(after)
    .bind(BATCH)
    .fetch_all(db.pool())
    .await?)
}

fn is_expired(last_contact: &str, today: Date, years: u16) -> Result<bool, StoreError> {
    let day = crate::db::time_text::text_to_date(last_contact.get(..10).unwrap_or(last_contact))?;
    Ok(is_past_retention(day, today, years))
}

async fn count(
    connection: &mut sqlx::AnyConnection,
    sql: &'static str,
    case_id: &str,
) -> Result<u64, StoreError> {
    let (n,): (i64,) = sqlx::query_as(sql)
        .bind(case_id)
        .fetch_one(connection)
        .await?;
    Ok(n.max(0) as u64)
}

/// Purges what is past retention on `today`; a dry run counts the same and changes nothing.
/// `progress` is told how many cases were looked at so far.
pub async fn purge(
    db: &Db,
    keys: &KeyRing,
    today: Date,
    years: u16,
    dry_run: bool,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<PurgeReport, StoreError> {
    let bound = scan_bound(today, years);
    let mut report = PurgeReport::default();
    let mut after = String::new();
    let mut looked_at = 0u64;
    loop {
        let batch = candidates(db, &bound, &after).await?;
        let Some(last) = batch.last() else { break };
        after = last.0.clone();
        looked_at += batch.len() as u64;
        let mut tx = db.begin_write().await?;
        for (case_id, post_id, last_contact) in &batch {
            if !is_expired(last_contact, today, years)? {
                continue;
            }
            let persons = count(&mut tx, "SELECT COUNT(*) FROM case_persons WHERE case_id = $1 AND identity_sealed IS NOT NULL", case_id).await?;
            let notes = count(
                &mut tx,
                "SELECT COUNT(*) FROM case_notes WHERE case_id = $1",
                case_id,
            )
            .await?;
            let orphans = crate::referral::person::orphaned_by_purge(&mut tx, case_id).await?;
            let persons = persons + orphans.len() as u64;
            report.cases += 1;
            report.persons += persons;
            report.notes += notes;
            if dry_run {
                continue;
            }
            sqlx::query(
                "UPDATE cases SET context_sealed = NULL, safe_contact_sealed = NULL, procedure_reference_sealed = NULL, next_step_sealed = NULL, danger_assessment_sealed = NULL, purged_at = $1 WHERE id = $2",
            )
            .bind(now_text())
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
            // The blind index of the names goes with them.
            crate::referral::referral_keys::forget_case(&mut tx, &CaseId::new(case_id)).await?;
            sqlx::query("UPDATE case_persons SET identity_sealed = NULL WHERE case_id = $1")
                .bind(case_id)
                .execute(&mut *tx)
                .await?;
            // The partner a person was oriented to says what they went through (a CIDFF, a
            // CMP): sealed case content, erased with it; the orientation's type stays counted.
            sqlx::query("UPDATE case_orientations SET partner_name_sealed = NULL, partner_name = '' WHERE case_id = $1")
                .bind(case_id)
                .execute(&mut *tx)
                .await?;
            crate::referral::person::purge_persons(&mut tx, &orphans).await?;
            sqlx::query("DELETE FROM case_notes WHERE case_id = $1")
                .bind(case_id)
                .execute(&mut *tx)
                .await?;
            append(
                &mut tx,
                Entry::new(JournalAction::RetentionPurge)
                    .on("case", case_id)
                    .in_post(Some(post_id))
                    .detail(format!("durée de conservation dépassée : {persons} identité(s), {notes} note(s) effacées")),
            )
            .await?;
        }
        tx.commit().await?;
        progress(looked_at);
    }
    report.appointments = purge_appointments(db, keys, &bound, today, years, dry_run).await?;
    Ok(report)
}

/// Appointments that ended before the period keep their day and mode; the person's name and
/// safe contact are replaced by an empty sealed value (the columns cannot be empty).
async fn purge_appointments(
    db: &Db,
    keys: &KeyRing,
    bound: &str,
    today: Date,
    years: u16,
    dry_run: bool,
) -> Result<u64, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, post_id, ends_at FROM appointments WHERE purged_at IS NULL AND ends_at < $1 ORDER BY id",
    )
    .bind(bound)
    .fetch_all(db.pool())
    .await?;
    let mut purged = 0u64;
    for chunk in rows.chunks(BATCH as usize) {
        let mut tx = db.begin_write().await?;
        for (id, post_id, ends_at) in chunk {
            if !is_expired(ends_at, today, years)? {
                continue;
            }
            purged += 1;
            if dry_run {
                continue;
            }
            let empty =
                |column: &crate::seal::SealedColumn| keys.seal(b"", &column.associated_data(id));
            sqlx::query("UPDATE appointments SET person_sealed = $1, safe_contact_sealed = $2, purged_at = $3 WHERE id = $4")
                .bind(empty(&crate::presence::appointment::PERSON))
                .bind(empty(&crate::presence::appointment::SAFE_CONTACT))
                .bind(now_text())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            append(
                &mut tx,
                Entry::new(JournalAction::RetentionPurge)
                    .on("appointment", id)
                    .in_post(Some(post_id))
                    .detail("durée de conservation dépassée : rendez-vous anonymisé"),
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(purged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_scan_bound_is_the_day_after_the_same_day_years_before() {
        assert_eq!(scan_bound(date!(2026 - 11 - 29), 2), "2024-11-30");
        // 29 February has no twin two years before: the 28th stands for it.
        assert_eq!(scan_bound(date!(2028 - 02 - 29), 2), "2026-03-01");
    }

    #[test]
    fn the_domain_rule_decides_inside_the_bound() {
        let today = date!(2026 - 11 - 29);
        assert!(!is_expired("2024-11-29T10:00:00Z", today, 2).unwrap());
        assert!(is_expired("2024-11-28T10:00:00Z", today, 2).unwrap());
        assert!(is_expired("2024-11-28", today, 2).unwrap());
    }
}
