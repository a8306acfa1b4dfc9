//! The social worker's inbox on SQLite and PostgreSQL: the cases nobody of the post opened
//! yet come first, then by urgency; the names an officer typed are found by a name search
//! through their blind index (nothing in clear, nothing of another post), survive a restart
//! that indexes the lines written before migration 0028, and follow a transfer; the names
//! beside the list open only under a read journaled for their post.

mod common;

use passerelle_domain::ids::{AccountId, CaseId, PostId, UnitId};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::category::CategoryGrid;
use passerelle_domain::referral::person_name::PersonKey;
use passerelle_domain::referral::{PersonInput, ReferralInput, validate_referral};
use passerelle_store::journal::Entry;
use passerelle_store::journal::read::{Journaled, journal_read};
use passerelle_store::referral::{self as store_referral, InboxFilter, referral_keys};
use passerelle_store::seal::KeyRing;
use passerelle_store::testing::{self, TestDb};

struct World {
    post: String,
    other_post: String,
    unit: String,
    account: String,
}

async fn world(test: &TestDb) -> World {
    let plan = common::demo_registry(test).await;
    let posts: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM posts WHERE status = 'filled' ORDER BY code LIMIT 2")
            .fetch_all(test.db.pool())
            .await
            .unwrap();
    let (unit,): (String,) = sqlx::query_as("SELECT id FROM units ORDER BY id LIMIT 1")
        .fetch_one(test.db.pool())
        .await
        .unwrap();
    World {
        post: posts[0].0.clone(),
        other_post: posts[1].0.clone(),
        unit,
        account: plan.logins[0].id.clone(),
    }
}

/// A referral naming `first last`, at `urgency`: its case id.
async fn refer(
    test: &TestDb,
    keys: &KeyRing,
    w: &World,
    urgency: &str,
    first: &str,
    last: &str,
) -> String {
    let input = ReferralInput {
        source: "intervention".into(),
        urgency: urgency.into(),
        categories: vec!["domestic_violence".into()],
        context: "Faits".into(),
        persons: vec![PersonInput {
            role: "victim".into(),
            last_name: last.into(),
            first_name: first.into(),
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
    let new = store_referral::NewReferral {
        id: CaseId::new(id.clone()),
        post_id: &PostId::new(&w.post),
        unit_id: Some(&UnitId::new(&w.unit)),
        referred_by: &AccountId::new(&w.account),
        referral: &referral,
        notify_referrer: false,
    };
    store_referral::create_referral(
        &test.db,
        keys,
        &new,
        Entry::new(JournalAction::PersonalDataWritten),
    )
    .await
    .unwrap();
    id
}

async fn read_of(test: &TestDb, post: &str) -> Journaled {
    journal_read(
        &test.db,
        &PostId::new(post),
        Entry::new(JournalAction::PersonalDataRead),
    )
    .await
    .unwrap()
}

fn key(first: &str, last: &str) -> PersonKey {
    PersonKey {
        last_name: last.into(),
        birth_name: None,
        first_names: first.into(),
        birth_date: None,
    }
}

async fn inbox_ids(test: &TestDb, post: &str) -> Vec<String> {
    let (rows, _) = store_referral::inbox(&test.db, post, InboxFilter::default(), 1)
        .await
        .unwrap();
    rows.into_iter().map(|row| row.id.into_string()).collect()
}

#[tokio::test]
async fn new_cases_come_first_then_the_most_urgent() {
    for test in testing::all_backends().await {
        let keys = testing::key_ring();
        let w = world(&test).await;
        let urgent = refer(&test, &keys, &w, "immediate", "Jean", "Dupont").await;
        let normal = refer(&test, &keys, &w, "normal", "Maëlle", "Orlanne").await;
        assert_eq!(
            inbox_ids(&test, &w.post).await,
            [urgent.clone(), normal.clone()]
        );
        let (rows, _) = store_referral::inbox(&test.db, &w.post, InboxFilter::default(), 1)
            .await
            .unwrap();
        assert!(rows.iter().all(|row| row.opened_at.is_none()), "both new");

        // The urgent one is opened: the new one, however less urgent, comes first now.
        assert!(
            store_referral::mark_opened(&test.db, &urgent)
                .await
                .unwrap()
        );
        assert!(
            !store_referral::mark_opened(&test.db, &urgent)
                .await
                .unwrap(),
            "once"
        );
        assert_eq!(
            inbox_ids(&test, &w.post).await,
            [normal.clone(), urgent.clone()]
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn the_names_an_officer_typed_are_found_through_their_blind_index() {
    for test in testing::all_backends().await {
        let keys = testing::key_ring();
        let w = world(&test).await;
        let maelle = refer(&test, &keys, &w, "within_48h", "Maëlle", "Orlanne").await;
        let jean = refer(&test, &keys, &w, "normal", "Jean", "Dupont").await;
        let read = read_of(&test, &w.post).await;
        let found = |query: PersonKey| {
            let (test, keys, post, read) = (&test, &keys, &w.post, &read);
            async move {
                referral_keys::cases_named(&test.db, keys, &PostId::new(post), &query, 50, read)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(found(key("Maëlle", "Orlanne")).await, vec![maelle.clone()]);
        // Accents and a typo, as the persons' search tolerates them.
        assert_eq!(found(key("Maelle", "Orlane")).await, vec![maelle.clone()]);
        assert_eq!(found(key("Jean", "Dupont")).await, vec![jean.clone()]);
        assert!(found(key("Zoé", "Kermarrec")).await.is_empty());

        // The index holds keyed hashes only, scoped to the post.
        let hashes: Vec<(String, String)> =
            sqlx::query_as("SELECT post_id, key_hash FROM case_person_keys")
                .fetch_all(test.db.pool())
                .await
                .unwrap();
        assert!(!hashes.is_empty());
        for (post, hash) in &hashes {
            assert_eq!(post, &w.post);
            assert!(!hash.to_lowercase().contains("orlan"), "{hash}");
        }
        // Another post's read opens nothing of this post.
        let elsewhere = read_of(&test, &w.other_post).await;
        assert!(
            referral_keys::cases_named(
                &test.db,
                &keys,
                &PostId::new(&w.post),
                &key("Maëlle", "Orlanne"),
                50,
                &elsewhere
            )
            .await
            .is_err()
        );

        // A name search in the inbox finds the case by the referral's name.
        let filter = InboxFilter {
            persons: Some(store_referral::Named {
                persons: Vec::new(),
                cases: found(key("Maëlle", "Orlanne")).await,
            }),
            ..InboxFilter::default()
        };
        let (rows, total) = store_referral::inbox(&test.db, &w.post, filter, 1)
            .await
            .unwrap();
        assert_eq!((rows.len(), total), (1, 1));
        assert_eq!(rows[0].id, maelle);
        let nothing = InboxFilter {
            persons: Some(store_referral::Named::default()),
            ..InboxFilter::default()
        };
        assert_eq!(
            store_referral::inbox(&test.db, &w.post, nothing, 1)
                .await
                .unwrap()
                .1,
            0
        );

        // The lines written before migration 0028 are indexed at the next start, once.
        testing::execute(&test.db, "DELETE FROM case_person_keys").await;
        assert!(found(key("Maëlle", "Orlanne")).await.is_empty());
        assert_eq!(
            referral_keys::index_missing(&test.db, &keys, 1)
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            referral_keys::index_missing(&test.db, &keys, 1)
                .await
                .unwrap(),
            0
        );
        assert_eq!(found(key("Maëlle", "Orlanne")).await, vec![maelle.clone()]);

        // A transfer takes the names to the receiving post's search.
        store_referral::case_work::transfer(
            &test.db,
            &keys,
            &CaseId::new(&maelle),
            &PostId::new(&w.other_post),
            "Déménagement",
            &AccountId::new(&w.account),
            Entry::new(JournalAction::PersonalDataWritten),
        )
        .await
        .unwrap();
        assert!(found(key("Maëlle", "Orlanne")).await.is_empty());
        let there = read_of(&test, &w.other_post).await;
        assert_eq!(
            referral_keys::cases_named(
                &test.db,
                &keys,
                &PostId::new(&w.other_post),
                &key("Maëlle", "Orlanne"),
                50,
                &there
            )
            .await
            .unwrap(),
            vec![maelle.clone()]
        );
        let (opened_at,): (Option<String>,) =
            sqlx::query_as("SELECT opened_at FROM cases WHERE id = $1")
                .bind(&maelle)
                .fetch_one(test.db.pool())
                .await
                .unwrap();
        assert_eq!(opened_at, None, "new to the receiving post");
        test.finish().await;
    }
}

#[tokio::test]
async fn the_names_beside_a_list_open_under_the_posts_journaled_read_only() {
    for test in testing::all_backends().await {
        let keys = testing::key_ring();
        let w = world(&test).await;
        let maelle = refer(&test, &keys, &w, "within_48h", "Maëlle", "Orlanne").await;
        let read = read_of(&test, &w.post).await;
        let names = store_referral::names_of_cases(&test.db, &keys, &[maelle.as_str()], &read)
            .await
            .unwrap();
        assert_eq!(names[&maelle], ["Maëlle Orlanne"]);
        // Another post's read opens no name of this post.
        let elsewhere = read_of(&test, &w.other_post).await;
        assert!(
            store_referral::names_of_cases(&test.db, &keys, &[maelle.as_str()], &elsewhere)
                .await
                .unwrap()
                .is_empty()
        );
        test.finish().await;
    }
}
