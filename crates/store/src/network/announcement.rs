//! Announcements of the network: published in one write with their journal row, listed for a
//! reader as their scope and audience say, and read state per account (the « non lu » count
//! is one query on the audience's primary key and the reads').

use crate::db::time_text::{date_to_text, now_text, text_to_date};
use crate::journal::{Entry, append};
use crate::{Db, StoreError, WriteError};
use passerelle_domain::access::{Grant, Place, Scope};
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::EmployerId;
use passerelle_domain::network::announcement::{AnnouncementDraft, AnnouncementScope, reaches};
use passerelle_domain::registry::territory::DepartementCode;
use time::Date;

/// Publishes a draft the policy allowed; `confirmed_no_person` is the author's word when the
/// personal-data check found something. Returns the new announcement's id.
pub async fn publish(
    db: &Db,
    draft: &AnnouncementDraft,
    author: (&str, Role),
    confirmed_no_person: bool,
    entry: Entry,
) -> Result<String, WriteError> {
    let id = uuid::Uuid::now_v7().to_string();
    let (departement, employer) = match &draft.scope {
        AnnouncementScope::Nation => (None, None),
        AnnouncementScope::Departement(code) => (Some(code.as_str().to_string()), None),
        AnnouncementScope::Employer(id) => (None, Some(id.as_str().to_string())),
    };
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO network_announcements (id, title, body, departement_code, employer_id, pinned, publish_on, expires_on, author_account_id, author_role, confirmed_no_person, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(&draft.title)
    .bind(&draft.body)
    .bind(departement)
    .bind(employer)
    .bind(i64::from(draft.pinned))
    .bind(date_to_text(draft.publish_on))
    .bind(draft.expires_on.map(date_to_text))
    .bind(author.0)
    .bind(author.1.code())
    .bind(i64::from(confirmed_no_person))
    .bind(now_text())
    .execute(&mut *tx)
    .await?;
    for role in &draft.audience {
        sqlx::query(
            "INSERT INTO network_announcement_audiences (announcement_id, role) VALUES ($1, $2)",
        )
        .bind(&id)
        .bind(role.code())
        .execute(&mut *tx)
        .await?;
    }
    append(&mut tx, entry.on("network_announcement", &id)).await?;
    tx.commit().await?;
    Ok(id)
}

/// One announcement as a reader sees it.
#[derive(Debug, Clone)]
pub struct AnnouncementRow {
    pub id: String,
    pub title: String,
    pub body: String,
    pub scope: AnnouncementScope,
    pub audience: Vec<Role>,
    pub pinned: bool,
    pub publish_on: Date,
    pub expires_on: Option<Date>,
    pub read: bool,
}

/// The condition on `network_announcements a` for a reader: their role in the audience
/// (`$1`), shown on `$2`, and a scope that contains their place (parameters from `$3`).
/// Mirrors `domain::network::announcement::reaches`, which the list applies again.
fn reach_condition(reader: &Scope, place: &Place) -> (String, Vec<String>) {
    let mut binds = Vec::new();
    let nationwide = match reader {
        Scope::Nation => "1 = 1",
        Scope::Unit(_) | Scope::Post(_) | Scope::Employer(_) | Scope::Departement(_) => "1 = 0",
    };
    let mut scopes = vec![
        nationwide.to_string(),
        "(a.departement_code IS NULL AND a.employer_id IS NULL)".to_string(),
    ];
    for code in &place.departements {
        binds.push(code.as_str().to_string());
        scopes.push(format!("a.departement_code = ${}", binds.len() + 2));
    }
    for id in &place.employers {
        binds.push(id.as_str().to_string());
        scopes.push(format!("a.employer_id = ${}", binds.len() + 2));
    }
    let condition = format!(
        "EXISTS (SELECT 1 FROM network_announcement_audiences r WHERE r.role = $1 AND r.announcement_id = a.id) \
         AND a.publish_on <= $2 AND (a.expires_on IS NULL OR a.expires_on >= $2) AND ({})",
        scopes.join(" OR ")
    );
    (condition, binds)
}

type Row = (
    String,
    String,
    String,
    Option<DepartementCode>,
    Option<EmployerId>,
    i64,
    String,
    Option<String>,
    i64,
);

/// The announcements `reader` (at `place`) reads on `today`, pinned first then the newest; each
/// says whether `account` has read it.
pub async fn for_reader(
    db: &Db,
    account: &str,
    reader: &Grant,
    place: &Place,
    today: Date,
) -> Result<Vec<AnnouncementRow>, StoreError> {
    let role = reader.role;
    let (condition, binds) = reach_condition(&reader.scope, place);
    let account_param = binds.len() + 3;
    let sql = format!(
        "SELECT a.id, a.title, a.body, a.departement_code, a.employer_id, a.pinned, a.publish_on, a.expires_on, \
         (SELECT COUNT(*) FROM network_announcement_reads x WHERE x.announcement_id = a.id AND x.account_id = ${account_param}) \
         FROM network_announcements a WHERE {condition} ORDER BY a.pinned DESC, a.publish_on DESC, a.created_at DESC LIMIT 200"
    );
    let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .bind(role.code())
        .bind(date_to_text(today));
    for bind in &binds {
        query = query.bind(bind);
    }
    let rows = query.bind(account).fetch_all(db.pool()).await?;
    let mut shown = Vec::with_capacity(rows.len());
    for (id, title, body, departement, employer, pinned, publish_on, expires_on, read) in rows {
        let scope = match (departement, employer) {
            (Some(code), _) => AnnouncementScope::Departement(code),
            (None, Some(id)) => AnnouncementScope::Employer(id),
            (None, None) => AnnouncementScope::Nation,
        };
        let audience = audience_of(db, &id).await?;
        let publish_on = text_to_date(&publish_on)?;
        let expires_on = expires_on.as_deref().map(text_to_date).transpose()?;
        // The query and the policy say the same; the policy has the last word.
        if !reaches(
            role,
            &reader.scope,
            place,
            &scope,
            &audience,
            (publish_on, expires_on),
            today,
        ) {
            continue;
        }
        shown.push(AnnouncementRow {
            id,
            title,
            body,
            scope,
            audience,
            pinned: pinned != 0,
            publish_on,
            expires_on,
            read: read > 0,
        });
    }
    Ok(shown)
}

async fn audience_of(db: &Db, id: &str) -> Result<Vec<Role>, StoreError> {
    let rows: Vec<(Role,)> = sqlx::query_as(
        "SELECT role FROM network_announcement_audiences WHERE announcement_id = $1 ORDER BY role",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(role,)| role).collect())
}

/// How many announcements `reader` (at `place`) reads today that `account` has not opened: the
/// « non lu » badge, one query.
pub async fn unread_count(
    db: &Db,
    account: &str,
    reader: &Grant,
    place: &Place,
    today: Date,
) -> Result<i64, StoreError> {
    let role = reader.role;
    if role == Role::Admin {
        return Ok(0);
    }
    let (condition, binds) = reach_condition(&reader.scope, place);
    let account_param = binds.len() + 3;
    let sql = format!(
        "SELECT COUNT(*) FROM network_announcements a WHERE {condition} \
         AND NOT EXISTS (SELECT 1 FROM network_announcement_reads x WHERE x.account_id = ${account_param} AND x.announcement_id = a.id)"
    );
    let mut query = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql))
        .bind(role.code())
        .bind(date_to_text(today));
    for bind in &binds {
        query = query.bind(bind);
    }
    let (count,) = query.bind(account).fetch_one(db.pool()).await?;
    Ok(count)
}

/// Marks an announcement read by `account` (once; opening it again changes nothing). A read
/// receipt of the network, no personal data of a case: no journal row.
pub async fn mark_read(db: &Db, account: &str, announcement: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO network_announcement_reads (account_id, announcement_id, read_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, announcement_id) DO NOTHING",
    )
    .bind(account)
    .bind(announcement)
    .bind(now_text())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The header's « non lu » badge on every signed-in page: the same count as [`unread_count`],
/// but the reader's place is looked up inside the one statement (sub-selects on the primary
/// keys of units, posts, employers) so a page pays one query, not two.
pub async fn unread_for_header(
    db: &Db,
    account: &str,
    reader: &Grant,
    today: Date,
) -> Result<i64, StoreError> {
    let role = reader.role;
    if role == Role::Admin {
        return Ok(0);
    }
    // $1 role, $2 today, $3 the scope's id (empty for the nation), $4 the account.
    let (place, scope_id) = match &reader.scope {
        // Every statement names $3 (SQLite refuses an unused argument).
        Scope::Nation => ("$3 = ''", String::new()),
        Scope::Departement(code) => ("a.departement_code = $3", code.as_str().to_string()),
        Scope::Employer(id) => (
            "a.employer_id = $3 OR a.departement_code IN (SELECT departement_code FROM employers WHERE id = $3)",
            id.as_str().to_string(),
        ),
        Scope::Post(id) => (
            "a.employer_id IN (SELECT employer_id FROM posts WHERE id = $3) \
             OR a.departement_code IN (SELECT departement_code FROM posts WHERE id = $3)",
            id.as_str().to_string(),
        ),
        Scope::Unit(id) => (
            "a.departement_code IN (SELECT departement_code FROM units WHERE id = $3)",
            id.as_str().to_string(),
        ),
    };
    let sql = format!(
        "SELECT COUNT(*) FROM network_announcements a \
         WHERE EXISTS (SELECT 1 FROM network_announcement_audiences r WHERE r.role = $1 AND r.announcement_id = a.id) \
         AND a.publish_on <= $2 AND (a.expires_on IS NULL OR a.expires_on >= $2) \
         AND ((a.departement_code IS NULL AND a.employer_id IS NULL) OR {place}) \
         AND NOT EXISTS (SELECT 1 FROM network_announcement_reads x WHERE x.account_id = $4 AND x.announcement_id = a.id)"
    );
    let (count,) = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql))
        .bind(role.code())
        .bind(date_to_text(today))
        .bind(scope_id)
        .bind(account)
        .fetch_one(db.pool())
        .await?;
    Ok(count)
}
