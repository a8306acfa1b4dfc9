//! Store tests: each runs on SQLite and on PostgreSQL (the schemas' parity is in schema.rs).

use passerelle_demo::{self as demo, SEED_FIGURES_DATE};
use passerelle_domain::registry::post::{Zone, exists_on};
use passerelle_store::Db;
use passerelle_store::db::bulk::{Value, insert_rows};
use passerelle_store::registry::post;
use passerelle_store::registry::territory::{Referentials, load_referentials};
use passerelle_store::testing::{self, TestDb};
use sqlx::Acquire;
use time::macros::date;

async fn with_demo(test: &TestDb, seed: u64) -> demo::DemoPlan {
    let referentials = Referentials::embedded().unwrap();
    load_referentials(&test.db, &referentials).await.unwrap();
    let plan = demo::plan(&referentials, seed);
    let hashes: Vec<String> = plan
        .logins
        .iter()
        .map(|_| "$argon2id$test".to_string())
        .collect();
    demo::insert(&test.db, &plan, &hashes, &|_| {})
        .await
        .unwrap();
    plan
}

#[tokio::test]
async fn migrations_run_twice_without_change() {
    for test in testing::all_backends().await {
        test.db.migrate().await.unwrap();
        test.db.migrate().await.unwrap();
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(test.db.pool())
            .await
            .unwrap();
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
            .unwrap()
            .count();
        assert_eq!(
            count as usize,
            files,
            "each migration applied once on {:?}",
            test.backend()
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn referentials_hold_every_departement_with_its_population() {
    let referentials = Referentials::embedded().unwrap();
    assert_eq!(referentials.departements.len(), 101);
    for test in testing::all_backends().await {
        let written = load_referentials(&test.db, &referentials).await.unwrap();
        assert_eq!(written as usize, referentials.row_count());
        assert_eq!(
            load_referentials(&test.db, &referentials).await.unwrap(),
            0,
            "loading twice writes nothing"
        );
        let departements = passerelle_store::registry::territory::departements(&test.db)
            .await
            .unwrap();
        let codes: Vec<&str> = departements.iter().map(|d| d.code.as_str()).collect();
        for code in [
            "01", "2A", "2B", "75", "95", "971", "972", "973", "974", "976",
        ] {
            assert!(
                codes.contains(&code),
                "{code} missing on {:?}",
                test.backend()
            );
        }
        let population: i64 = departements.iter().map(|d| d.population).sum();
        assert!(
            (64_000_000..72_000_000).contains(&population),
            "population {population}"
        );
        let (communes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM communes")
            .fetch_one(test.db.pool())
            .await
            .unwrap();
        assert!(communes > 34_000, "communes {communes}");
        test.finish().await;
    }
}

#[test]
fn the_same_seed_gives_the_same_demo() {
    let referentials = Referentials::embedded().unwrap();
    let (a, b, c) = (
        demo::plan(&referentials, 7),
        demo::plan(&referentials, 7),
        demo::plan(&referentials, 8),
    );
    let ids = |plan: &demo::DemoPlan| {
        plan.posts
            .iter()
            .map(|p| (p.id.clone(), p.code.clone(), p.created_on))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(a.row_count(), b.row_count());
    assert_eq!(
        a.logins.iter().map(|l| &l.password).collect::<Vec<_>>(),
        b.logins.iter().map(|l| &l.password).collect::<Vec<_>>()
    );
    assert_ne!(ids(&a), ids(&c));
}

#[test]
fn every_seed_reproduces_the_seed_articles_figures() {
    let referentials = Referentials::embedded().unwrap();
    for seed in [1, 2020, 99_999] {
        let plan = demo::plan(&referentials, seed);
        let on = |at, zone: Option<Zone>| {
            plan.posts
                .iter()
                .filter(|p| {
                    exists_on(p.created_on, p.closed_on, at) && zone.is_none_or(|z| p.zone == z)
                })
                .count()
        };
        assert_eq!(on(SEED_FIGURES_DATE, None), 349);
        assert_eq!(on(SEED_FIGURES_DATE, Some(Zone::Gendarmerie)), 132);
        assert_eq!(on(SEED_FIGURES_DATE, Some(Zone::Mixed)), 65);
        let created_that_day = plan
            .posts
            .iter()
            .filter(|p| p.created_on == Some(SEED_FIGURES_DATE) && p.zone == Zone::Gendarmerie)
            .count();
        assert_eq!(created_that_day, 37);
        assert_eq!(on(date!(2020 - 12 - 31), None), 357);
        let end_2022 = on(date!(2022 - 12 - 31), None);
        assert!(
            (440..=460).contains(&end_2022),
            "about 450 posts at the end of 2022, got {end_2022}"
        );
        // No person's name: accounts are named after their role.
        assert!(
            plan.logins
                .iter()
                .all(|l| l.display_name.starts_with("Compte de démonstration"))
        );
    }
}

#[tokio::test]
async fn counts_as_of_a_date_agree_with_the_domain_rule() {
    for test in testing::all_backends().await {
        let plan = with_demo(&test, 2020).await;
        let counts = post::counts_on(&test.db, SEED_FIGURES_DATE).await.unwrap();
        assert_eq!(
            (
                counts.total(),
                counts.gendarmerie,
                counts.mixed,
                counts.police
            ),
            (349, 132, 65, 152),
            "{:?}",
            test.backend()
        );
        for at in [
            date!(1991 - 05 - 31),
            date!(1991 - 06 - 01),
            date!(2012 - 01 - 01),
            date!(2019 - 06 - 30),
            date!(2021 - 10 - 01),
            date!(2026 - 11 - 28),
        ] {
            let expected = plan
                .posts
                .iter()
                .filter(|p| exists_on(p.created_on, p.closed_on, at))
                .count() as u64;
            assert_eq!(
                post::counts_on(&test.db, at).await.unwrap().total(),
                expected,
                "{at} on {:?}",
                test.backend()
            );
        }
        test.finish().await;
    }
}

#[tokio::test]
async fn the_demo_refuses_a_database_that_already_has_posts() {
    for test in testing::all_backends().await {
        let plan = with_demo(&test, 3).await;
        let hashes: Vec<String> = plan.logins.iter().map(|_| "x".to_string()).collect();
        let error = demo::insert(&test.db, &plan, &hashes, &|_| {})
            .await
            .unwrap_err();
        assert!(error.to_string().contains("base vide"), "{error}");
        assert_eq!(
            post::count_all(&test.db).await.unwrap() as usize,
            plan.posts.len()
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn a_failed_bulk_insert_leaves_nothing_written() {
    for test in testing::all_backends().await {
        let rows: Vec<Vec<Value>> = vec![
            vec!["k".into(), "1".into()],
            vec!["k2".into(), "2".into()],
            vec!["k".into(), "3".into()],
        ];
        let mut connection = test.db.pool().acquire().await.unwrap();
        let mut tx = connection.begin().await.unwrap();
        let result = insert_rows(
            &mut tx,
            test.backend(),
            "app_meta",
            &["key", "value"],
            &rows,
        )
        .await;
        assert!(result.is_err(), "duplicate key refused");
        drop(tx);
        drop(connection);
        assert_eq!(
            test.db.meta("k2").await.unwrap(),
            None,
            "{:?}",
            test.backend()
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn bad_database_urls_and_folders_give_a_clear_error() {
    let error = Db::connect("mysql://user:pw@localhost/db", 1)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("sqlite://") && !error.contains("pw"),
        "{error}"
    );
    let error = Db::connect("postgres://nobody@127.0.0.1:1/none", 1)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("impossible de se connecter"), "{error}");
    let error = Db::open_sqlite_in(std::path::Path::new("/proc/passerelle"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("impossible de créer le dossier de données"),
        "{error}"
    );
}

#[tokio::test]
async fn every_demo_post_ends_its_history_in_its_status_and_dates() {
    for test in testing::all_backends().await {
        let plan = with_demo(&test, 5).await;
        for post in plan.posts.iter().step_by(7) {
            let history = post::history(&test.db, &post.id).await.unwrap();
            assert_eq!(
                history.last().unwrap().0,
                post.status.code(),
                "{}",
                post.code
            );
            let funded = history
                .iter()
                .find(|(s, _)| s == "funded")
                .map(|(_, on)| on.clone());
            assert_eq!(
                funded,
                post.created_on
                    .map(passerelle_store::db::time_text::date_to_text),
                "{}",
                post.code
            );
            let mut dates: Vec<&String> = history.iter().map(|(_, on)| on).collect();
            let sorted = {
                let mut d = dates.clone();
                d.sort();
                d
            };
            assert_eq!(dates, sorted, "steps in date order for {}", post.code);
            for pair in history.windows(2) {
                let from =
                    passerelle_domain::registry::post::PostStatus::parse(&pair[0].0).unwrap();
                let to = passerelle_domain::registry::post::PostStatus::parse(&pair[1].0).unwrap();
                assert!(from.can_move_to(to), "{}: {from:?} → {to:?}", post.code);
            }
            dates.clear();
        }
        test.finish().await;
    }
}
