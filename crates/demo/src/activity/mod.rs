//! Demonstration activity: the referrals, persons and case work of every filled post over
//! the last months, deterministic for a seed. About 300 persons per full-time post per year;
//! domestic violence is the largest share, then family conflicts, social distress and
//! children in danger; most persons consent; older cases are mostly closed. Names are drawn
//! from short lists of common French names and are fictitious combinations. Identities are
//! sealed and indexed like real ones, so search, purge and statistics see real-shaped data.

use crate::plan::DemoPlan;
use passerelle_domain::referral::person::Identity;
use passerelle_domain::referral::person_name::blocking_keys;
use passerelle_domain::registry::post::PostStatus;
use passerelle_store::db::bulk::{Value, insert_rows};
use passerelle_store::db::time_text::now_text;
use passerelle_store::seal::KeyRing;
use passerelle_store::{Db, StoreError};
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use sqlx::Acquire;
use time::{Date, Duration};

mod case;
use case::generate_case;

/// Persons received per full-time post and year (the scheme's order of magnitude).
pub const PERSONS_PER_FTE_YEAR: f64 = 300.0;

use crate::names::{FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES};

/// What the generator wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct ActivityReport {
    pub cases: u64,
    pub persons: u64,
    pub rows: u64,
}

/// The rows of the demo activity, table by table, in insertion order.
#[derive(Default)]
struct Rows {
    persons: Vec<Vec<Value>>,
    person_keys: Vec<Vec<Value>>,
    cases: Vec<Vec<Value>>,
    case_categories: Vec<Vec<Value>>,
    case_persons: Vec<Vec<Value>>,
    history: Vec<Vec<Value>>,
    interviews: Vec<Vec<Value>>,
    actions: Vec<Vec<Value>>,
    orientations: Vec<Vec<Value>>,
}

/// Where writing the demo activity is: posts written, then posts counted into the rollups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityStep {
    Written(u64),
    Counted(u64),
}

/// Writes the activity of the last `months` up to `today`, in one transaction per post, then
/// counts it into the rollups. `progress` receives the number of posts done at each step.
pub async fn insert_activity(
    db: &Db,
    keys: &KeyRing,
    plan: &DemoPlan,
    today: Date,
    months: u32,
    progress: &(dyn Fn(ActivityStep) + Sync),
) -> Result<ActivityReport, StoreError> {
    let window_start = today - Duration::days(i64::from(months) * 365 / 12);
    let mut report = ActivityReport::default();
    let backend = db.backend();
    let recorded = now_text();
    for (index, post) in plan.posts.iter().enumerate() {
        if post.status != PostStatus::Filled {
            continue;
        }
        let from = post
            .created_on
            .map_or(window_start, |created| created.max(window_start));
        if from >= today {
            continue;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(
            plan.seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        let days = (today - from).whole_days() as f64;
        let count = (post.fte * PERSONS_PER_FTE_YEAR * days / 365.0).round() as usize;
        let mut rows = Rows::default();
        for n in 0..count {
            generate_case(&mut rng, keys, post, from, today, n, &recorded, &mut rows);
        }
        let mut connection = db.pool().acquire().await?;
        let mut tx = connection.begin().await?;
        for (table, columns, table_rows) in [
            (
                "persons",
                &[
                    "id",
                    "post_id",
                    "identity_sealed",
                    "sex",
                    "age_band",
                    "known_to_social_services",
                    "created_at",
                ][..],
                &rows.persons,
            ),
            (
                "person_keys",
                &["post_id", "key_hash", "person_id"][..],
                &rows.person_keys,
            ),
            (
                "cases",
                &[
                    "id",
                    "post_id",
                    "referral_unit_id",
                    "source",
                    "urgency",
                    "consent",
                    "status",
                    "closure_outcome",
                    "context_sealed",
                    "received_at",
                    "status_changed_at",
                    "last_contact_at",
                    "created_at",
                    "criminal",
                ][..],
                &rows.cases,
            ),
            (
                "case_categories",
                &["case_id", "category", "position"][..],
                &rows.case_categories,
            ),
            (
                "case_persons",
                &["id", "case_id", "role", "created_at", "person_id"][..],
                &rows.case_persons,
            ),
            (
                "case_status_history",
                &["id", "case_id", "status", "at"][..],
                &rows.history,
            ),
            (
                "case_interviews",
                &["id", "case_id", "held_on", "place", "minutes", "created_at"][..],
                &rows.interviews,
            ),
            (
                "case_actions",
                &["id", "case_id", "kind", "done_on", "created_at"][..],
                &rows.actions,
            ),
            (
                "case_orientations",
                &[
                    "id",
                    "case_id",
                    "partner_type",
                    "partner_name",
                    "status",
                    "proposed_on",
                    "status_changed_on",
                    "created_at",
                ][..],
                &rows.orientations,
            ),
        ] {
            report.rows += insert_rows(&mut tx, backend, table, columns, table_rows).await?;
        }
        tx.commit().await?;
        report.cases += rows.cases.len() as u64;
        report.persons += rows.persons.len() as u64;
        progress(ActivityStep::Written(index as u64 + 1));
    }
    // The demonstration's past was read by its social workers as it came: only the referrals
    // made while it runs are « Nouveau ».
    sqlx::query("UPDATE cases SET opened_at = received_at WHERE opened_at IS NULL")
        .execute(db.pool())
        .await?;
    // The cases were bulk-written, not refreshed one by one: count them all once.
    passerelle_store::statistics::rollup::rebuild(db, |done, _| {
        progress(ActivityStep::Counted(done))
    })
    .await?;
    db.analyze().await?;
    Ok(report)
}

/// A population of `total` persons spread over `post_ids` (identity sealed, blind keys), for
/// the duplicate-search benchmark; each post's share is written in its own transaction.
/// Returns the identities of the first post, to search for.
pub async fn insert_person_population(
    db: &Db,
    keys: &KeyRing,
    post_ids: &[String],
    total: usize,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Identity>, StoreError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let per_post = total / post_ids.len().max(1);
    let recorded = now_text();
    let backend = db.backend();
    let mut first_post = Vec::new();
    let mut written = 0u64;
    for (index, post_id) in post_ids.iter().enumerate() {
        let count = if index == 0 {
            per_post + total % post_ids.len().max(1)
        } else {
            per_post
        };
        let mut persons = Vec::with_capacity(count);
        let mut person_keys = Vec::with_capacity(count * 6);
        for n in 0..count {
            let id = format!("{post_id}-bench-{n}");
            let female = rng.random_bool(0.6);
            let names = if female {
                FEMALE_FIRST_NAMES
            } else {
                MALE_FIRST_NAMES
            };
            let identity = Identity {
                last_name: Some(format!(
                    "{}{}",
                    LAST_NAMES[rng.random_range(0..LAST_NAMES.len())],
                    ["", "", "-Martin", " Le Bris", "e", "t"][rng.random_range(0..6)]
                )),
                birth_name: None,
                first_names: Some(names[rng.random_range(0..names.len())].to_string()),
                birth_date: Some(
                    Date::from_ordinal_date(
                        rng.random_range(1930..2015),
                        rng.random_range(1..=365),
                    )
                    .unwrap_or(Date::MIN),
                ),
                phone: None,
                commune: None,
            };
            let json = serde_json::to_string(&identity).unwrap_or_default();
            persons.push(vec![
                id.as_str().into(),
                post_id.as_str().into(),
                Value::Blob(Some(keys.seal(
                    json.as_bytes(),
                    &passerelle_store::referral::person::IDENTITY.associated_data(&id),
                ))),
                if female { "female" } else { "male" }.into(),
                None::<String>.into(),
                "unknown".into(),
                recorded.as_str().into(),
            ]);
            for key in blocking_keys(&identity.key()) {
                person_keys.push(vec![
                    post_id.as_str().into(),
                    keys.blind_index(&format!("person_keys:{post_id}"), &key)
                        .into(),
                    id.as_str().into(),
                ]);
            }
            if index == 0 {
                first_post.push(identity);
            }
        }
        let mut connection = db.pool().acquire().await?;
        let mut tx = connection.begin().await?;
        insert_rows(
            &mut tx,
            backend,
            "persons",
            &[
                "id",
                "post_id",
                "identity_sealed",
                "sex",
                "age_band",
                "known_to_social_services",
                "created_at",
            ],
            &persons,
        )
        .await?;
        insert_rows(
            &mut tx,
            backend,
            "person_keys",
            &["post_id", "key_hash", "person_id"],
            &person_keys,
        )
        .await?;
        tx.commit().await?;
        written += count as u64;
        progress(written);
    }
    db.analyze().await?;
    Ok(first_post)
}
