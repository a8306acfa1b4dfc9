//! Exact figures under concurrent writes: many connections — and, on PostgreSQL, two app
//! servers' pools on the same database — record interviews and actions on the same case at
//! once; afterwards the rollups still equal a full recount, and the nation its posts' sum.
//! (Without the case's lock, PostgreSQL published several times the work done.)

use passerelle_domain::ids::CaseId;
use passerelle_domain::ids::{AccountId, PostId};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::case::{ActionKind, InterviewDuration, InterviewPlace};
use passerelle_domain::referral::category::CategoryGrid;
use passerelle_domain::referral::{PersonInput, ReferralInput, validate_referral};
use passerelle_store::Db;
use passerelle_store::journal::Entry;
use passerelle_store::referral::case_work;
use passerelle_store::registry::territory::{Referentials, load_referentials};
use passerelle_store::statistics::rollup;
use passerelle_store::testing::{all_backends, key_ring};
use time::macros::date;

/// Writers at once, and writes each.
const WRITERS: usize = 8;
const WRITES: usize = 12;

/// A case in a filled post of the demo, and the account that writes to it.
async fn one_case(db: &Db) -> (String, String) {
    let referentials = Referentials::embedded().unwrap();
    load_referentials(db, &referentials).await.unwrap();
    let plan = passerelle_demo::plan(&referentials, 2020);
    let hashes: Vec<String> = plan
        .logins
        .iter()
        .map(|_| "$argon2id$test".into())
        .collect();
    passerelle_demo::insert(db, &plan, &hashes, &|_| {})
        .await
        .unwrap();
    let (post,): (String,) =
        sqlx::query_as("SELECT id FROM posts WHERE status = 'filled' ORDER BY code LIMIT 1")
            .fetch_one(db.pool())
            .await
            .unwrap();
    let input = ReferralInput {
        source: "intervention".into(),
        urgency: "within_48h".into(),
        categories: vec!["domestic_violence".into()],
        context: "Faits".into(),
        persons: vec![PersonInput {
            role: "victim".into(),
            last_name: "Durand".into(),
            first_name: "Alix".into(),
            phone: "0612345678".into(),
        }],
        consent: "yes".into(),
        contact_channel: "sms".into(),
        contact_hours: String::new(),
        procedure_reference: String::new(),
        danger: Default::default(),
    };
    let referral = validate_referral(&input, &CategoryGrid::first()).unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    let new = passerelle_store::referral::NewReferral {
        id: CaseId::new(id.clone()),
        post_id: &PostId::new(&post),
        unit_id: None,
        referred_by: &AccountId::new(&plan.logins[0].id),
        referral: &referral,
        notify_referrer: false,
    };
    passerelle_store::referral::create_referral(
        db,
        &key_ring(),
        &new,
        Entry::new(JournalAction::PersonalDataWritten),
    )
    .await
    .unwrap();
    (id, plan.logins[0].id.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_to_one_case_leave_the_rollups_equal_to_a_recount() {
    for test in all_backends().await {
        let (case, account) = one_case(&test.db).await;
        // A second app server's pool on the same PostgreSQL database.
        let second = match test.url() {
            Some(url) => Db::connect(url, 8)
                .await
                .unwrap()
                .with_journal_key(key_ring().journal_key()),
            None => test.db.clone(),
        };
        let mut writers = Vec::new();
        for writer in 0..WRITERS {
            let db = if writer % 2 == 0 {
                test.db.clone()
            } else {
                second.clone()
            };
            let (case, account) = (case.clone(), account.clone());
            writers.push(tokio::spawn(async move {
                for write in 0..WRITES {
                    let day = date!(2025 - 12 - 01) + time::Duration::days((write % 20) as i64);
                    let entry = Entry::new(JournalAction::PersonalDataWritten);
                    if (writer + write) % 2 == 0 {
                        case_work::record_action(
                            &db,
                            &CaseId::new(&case),
                            day,
                            ActionKind::ALL[write % ActionKind::ALL.len()],
                            &AccountId::new(&account),
                            entry,
                        )
                        .await
                        .unwrap();
                    } else {
                        case_work::record_interview(
                            &db,
                            &CaseId::new(&case),
                            day,
                            InterviewPlace::ALL[0],
                            InterviewDuration::new(30).unwrap(),
                            &AccountId::new(&account),
                            entry,
                        )
                        .await
                        .unwrap();
                    }
                }
            }));
        }
        for writer in writers {
            writer.await.unwrap();
        }
        let backend = test.backend().name();
        let (written,): (i64,) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM case_actions WHERE case_id = $1) + (SELECT COUNT(*) FROM case_interviews WHERE case_id = $1)",
        )
        .bind(&case)
        .fetch_one(test.db.pool())
        .await
        .unwrap();
        assert_eq!(
            written as usize,
            WRITERS * WRITES,
            "{backend}: every write went in"
        );
        let found = rollup::verify(&test.db, 5).await.unwrap();
        assert!(
            found.is_exact() && found.cells > 0,
            "{backend}: {} of {} cells differ from the recount, e.g. {:?}",
            found.differing,
            found.cells,
            found.first
        );
        if test.url().is_some() {
            second.close().await;
        }
        test.finish().await;
    }
}
