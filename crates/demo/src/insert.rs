//! Writing a [`DemoPlan`] into an empty database, in one transaction.

use crate::plan::{DemoPlan, demo_slots};
use passerelle_store::db::bulk::{Value, insert_rows};
use passerelle_store::db::time_text::{date_to_text, now_text};
use passerelle_store::{Db, StoreError};
use sqlx::Acquire;
use time::Date;

/// What inserting the demo did.
#[derive(Debug, Clone)]
pub struct DemoReport {
    pub rows: u64,
    pub insert_duration: std::time::Duration,
}

/// Writes a plan into an empty database in one transaction; `progress` receives the number
/// of rows written so far. Refuses a database that already holds posts.
pub async fn insert(
    db: &Db,
    plan: &DemoPlan,
    password_hashes: &[String],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<DemoReport, StoreError> {
    let (posts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM posts")
        .fetch_one(db.pool())
        .await?;
    if posts > 0 {
        return Err(StoreError::Corrupt("la base contient déjà des postes : les données de démonstration ne s'ajoutent qu'à une base vide".into()));
    }
    let started = std::time::Instant::now();
    let backend = db.backend();
    let now = now_text();
    let mut connection = db.pool().acquire().await?;
    let mut tx = connection.begin().await?;
    let mut written = 0u64;

    // Parents are inserted before their children: the plan lists them in that order.
    let units: Vec<Vec<Value>> = plan
        .units
        .iter()
        .map(|u| {
            vec![
                u.id.as_str().into(),
                u.kind.code().into(),
                u.kind.force().code().into(),
                u.name.as_str().into(),
                u.parent_id.clone().into(),
                u.departement_code.clone().into(),
                u.commune_code.clone().into(),
                now.as_str().into(),
            ]
        })
        .collect();
    for chunk in units.chunks(1_000) {
        written += insert_rows(
            &mut tx,
            backend,
            "units",
            &[
                "id",
                "kind",
                "force",
                "name",
                "parent_id",
                "departement_code",
                "commune_code",
                "created_at",
            ],
            chunk,
        )
        .await?;
        progress(written);
    }
    let employers: Vec<Vec<Value>> = plan
        .employers
        .iter()
        .map(|e| {
            vec![
                e.id.as_str().into(),
                e.kind.code().into(),
                e.name.as_str().into(),
                e.departement_code.as_str().into(),
                e.commune_code.clone().into(),
                now.as_str().into(),
            ]
        })
        .collect();
    written += insert_rows(
        &mut tx,
        backend,
        "employers",
        &[
            "id",
            "kind",
            "name",
            "departement_code",
            "commune_code",
            "created_at",
        ],
        &employers,
    )
    .await?;
    progress(written);
    let posts: Vec<Vec<Value>> = plan
        .posts
        .iter()
        .map(|p| {
            vec![
                p.id.as_str().into(),
                p.code.as_str().into(),
                p.zone.code().into(),
                p.departement_code.as_str().into(),
                p.employer_id.as_str().into(),
                p.fte.into(),
                p.status.code().into(),
                p.created_on.map(date_to_text).into(),
                p.closed_on.map(date_to_text).into(),
                now.as_str().into(),
            ]
        })
        .collect();
    written += insert_rows(
        &mut tx,
        backend,
        "posts",
        &[
            "id",
            "code",
            "zone",
            "departement_code",
            "employer_id",
            "fte",
            "status",
            "created_on",
            "closed_on",
            "created_at",
        ],
        &posts,
    )
    .await?;
    progress(written);
    let hosts: Vec<Vec<Value>> = plan
        .posts
        .iter()
        .flat_map(|p| {
            p.host_units.iter().map(move |(unit, share)| {
                vec![p.id.as_str().into(), unit.as_str().into(), (*share).into()]
            })
        })
        .collect();
    let recorded_at = now.as_str();
    let history: Vec<Vec<Value>> = plan
        .posts
        .iter()
        .flat_map(|p| {
            p.history
                .iter()
                .enumerate()
                .map(move |(step, (status, on))| {
                    vec![
                        format!("{}-{step}", p.id).into(),
                        p.id.as_str().into(),
                        status.code().into(),
                        date_to_text(*on).into(),
                        recorded_at.into(),
                    ]
                })
        })
        .collect();
    written += insert_rows(
        &mut tx,
        backend,
        "post_status_history",
        &["id", "post_id", "status", "effective_on", "recorded_at"],
        &history,
    )
    .await?;
    progress(written);
    let agreements: Vec<Vec<Value>> = plan
        .posts
        .iter()
        .flat_map(|p| {
            p.agreements
                .iter()
                .enumerate()
                .map(move |(index, (start, end))| {
                    vec![
                        format!("{}-agreement-{index}", p.id).into(),
                        p.id.as_str().into(),
                        "Préfecture, employeur, forces de sécurité intérieure".into(),
                        date_to_text(*start).into(),
                        date_to_text(*end).into(),
                        "expresse".into(),
                        recorded_at.into(),
                    ]
                })
        })
        .collect();
    written += insert_rows(
        &mut tx,
        backend,
        "agreements",
        &[
            "id",
            "post_id",
            "parties",
            "starts_on",
            "ends_on",
            "renewal",
            "created_at",
        ],
        &agreements,
    )
    .await?;
    let slots: Vec<Vec<Value>> = plan
        .posts
        .iter()
        .flat_map(|p| {
            demo_slots(p)
                .into_iter()
                .map(move |(index, unit, weekday, start, end)| {
                    vec![
                        format!("{}-slot-{index}", p.id).into(),
                        p.id.as_str().into(),
                        unit.into(),
                        weekday.into(),
                        start.into(),
                        end.into(),
                        passerelle_domain::presence::time_zone_of_departement(&p.departement_code)
                            .into(),
                        date_to_text(p.created_on.unwrap_or(Date::MIN)).into(),
                        Value::from(None::<String>),
                        recorded_at.into(),
                    ]
                })
        })
        .collect();
    written += insert_rows(
        &mut tx,
        backend,
        "presence_slots",
        &[
            "id",
            "post_id",
            "unit_id",
            "weekday",
            "starts_at",
            "ends_at",
            "time_zone",
            "valid_from",
            "valid_until",
            "created_at",
        ],
        &slots,
    )
    .await?;
    let funding: Vec<Vec<Value>> = plan
        .posts
        .iter()
        .flat_map(|p| {
            p.funding.iter().map(move |(year, funder, cents)| {
                vec![
                    format!("{}-funding-{year}-{funder}", p.id).into(),
                    p.id.as_str().into(),
                    i64::from(*year).into(),
                    (*funder).into(),
                    (*cents).into(),
                    recorded_at.into(),
                ]
            })
        })
        .collect();
    written += insert_rows(
        &mut tx,
        backend,
        "funding_lines",
        &[
            "id",
            "post_id",
            "year",
            "funder",
            "amount_cents",
            "created_at",
        ],
        &funding,
    )
    .await?;
    progress(written);
    written += insert_rows(
        &mut tx,
        backend,
        "post_host_units",
        &["post_id", "unit_id", "time_share_percent"],
        &hosts,
    )
    .await?;
    progress(written);
    let accounts: Vec<Vec<Value>> = plan
        .logins
        .iter()
        .zip(password_hashes)
        .map(|(l, hash)| {
            vec![
                l.id.as_str().into(),
                l.email.as_str().into(),
                l.display_name.as_str().into(),
                Some(hash.clone()).into(),
                now.as_str().into(),
            ]
        })
        .collect();
    written += insert_rows(
        &mut tx,
        backend,
        "accounts",
        &["id", "email", "display_name", "password_hash", "created_at"],
        &accounts,
    )
    .await?;
    let roles: Vec<Vec<Value>> = plan
        .logins
        .iter()
        .enumerate()
        .map(|(index, l)| {
            vec![
                format!("{}-role-{index}", l.id).into(),
                l.id.as_str().into(),
                l.role.code().into(),
                l.scope_id.clone().into(),
                now.as_str().into(),
            ]
        })
        .collect();
    written += insert_rows(
        &mut tx,
        backend,
        "account_roles",
        &["id", "account_id", "role", "scope_id", "created_at"],
        &roles,
    )
    .await?;
    sqlx::query("INSERT INTO app_meta (key, value) VALUES ('demo_seed', $1)")
        .bind(plan.seed.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    progress(written);
    Ok(DemoReport {
        rows: written,
        insert_duration: started.elapsed(),
    })
}
