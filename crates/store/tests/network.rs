//! The network's announcements on SQLite and PostgreSQL: published with their journal row,
//! listed for the readers their scope and audience name (as the domain's `reaches` says),
//! and the « non lu » count that opening one lowers.

mod common;

use passerelle_demo::DEMO_TODAY;
use passerelle_domain::access::Place;
use passerelle_domain::identity::role::Role;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::network::announcement::{
    AnnouncementDraft, AnnouncementFields, AnnouncementScope,
};
use passerelle_domain::registry::territory::DepartementCode;
use passerelle_store::journal::Entry;
use passerelle_store::network::announcement::{for_reader, mark_read, publish, unread_count};
use passerelle_store::testing;

fn draft(title: &str, scope: AnnouncementScope, audience: &[&str]) -> AnnouncementDraft {
    let audience: Vec<String> = audience.iter().map(|r| r.to_string()).collect();
    AnnouncementDraft::parse(
        &AnnouncementFields {
            title,
            body: "Ordre du jour de la visio.",
            audience: &audience,
            pinned: false,
            publish_on: "",
            expires_on: "",
        },
        scope,
        DEMO_TODAY,
    )
    .unwrap()
}

#[tokio::test]
async fn announcements_reach_their_scope_and_audience_and_the_unread_count_follows() {
    for test in testing::all_backends().await {
        common::demo_registry(&test).await;
        let db = &test.db;
        for id in ["author", "reader"] {
            sqlx::query("INSERT INTO accounts (id, email, display_name, created_at) VALUES ($1, $2, $1, '2026-01-01T00:00:00Z')")
                .bind(id)
                .bind(format!("{id}@example.invalid"))
                .execute(db.pool())
                .await
                .unwrap();
        }
        let (d1, d2): (DepartementCode, DepartementCode) = {
            let codes: Vec<(DepartementCode,)> =
                sqlx::query_as("SELECT code FROM departements ORDER BY code LIMIT 2")
                    .fetch_all(db.pool())
                    .await
                    .unwrap();
            (codes[0].0.clone(), codes[1].0.clone())
        };
        let entry =
            || Entry::new(JournalAction::AnnouncementPublished).by("author", Some("national"));
        let author = ("author", Role::National);
        let to_nation = draft(
            "À tout le réseau",
            AnnouncementScope::Nation,
            &["social_worker"],
        );
        let to_d1 = draft(
            "Au département",
            AnnouncementScope::Departement(d1.clone()),
            &["social_worker", "officer"],
        );
        let to_d2 = draft(
            "À l'autre",
            AnnouncementScope::Departement(d2.clone()),
            &["social_worker"],
        );
        let nation_id = publish(db, &to_nation, author, false, entry())
            .await
            .unwrap();
        let d1_id = publish(db, &to_d1, author, true, entry()).await.unwrap();
        publish(db, &to_d2, author, false, entry()).await.unwrap();
        let (journaled,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM journal WHERE action = 'network.announcement_published'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(journaled, 3, "{:?}", test.backend());

        let as_ = |role: Role| passerelle_domain::access::Grant {
            role,
            scope: passerelle_domain::access::Scope::Departement(d1.clone()),
        };
        let in_d1 = Place {
            departements: vec![d1.clone()],
            ..Place::default()
        };
        let titles = |rows: &[passerelle_store::network::announcement::AnnouncementRow]| {
            rows.iter().map(|r| r.title.clone()).collect::<Vec<_>>()
        };
        let social_worker = for_reader(db, "reader", &as_(Role::SocialWorker), &in_d1, DEMO_TODAY)
            .await
            .unwrap();
        assert_eq!(
            titles(&social_worker).len(),
            2,
            "{:?}: {:?}",
            test.backend(),
            titles(&social_worker)
        );
        assert!(titles(&social_worker).contains(&"Au département".to_string()));
        // The officer reads only what is addressed to officers.
        let officer = for_reader(db, "reader", &as_(Role::Officer), &in_d1, DEMO_TODAY)
            .await
            .unwrap();
        assert_eq!(titles(&officer), vec!["Au département".to_string()]);
        assert!(
            for_reader(db, "reader", &as_(Role::Admin), &in_d1, DEMO_TODAY)
                .await
                .unwrap()
                .is_empty()
        );

        assert_eq!(
            unread_count(db, "reader", &as_(Role::SocialWorker), &in_d1, DEMO_TODAY)
                .await
                .unwrap(),
            2
        );
        let yesterday = DEMO_TODAY - time::Duration::days(1);
        let social = as_(Role::SocialWorker);
        let before = unread_count(db, "reader", &social, &in_d1, yesterday).await;
        assert_eq!(before.unwrap(), 0, "nothing shows before its day");
        mark_read(db, "reader", &d1_id).await.unwrap();
        mark_read(db, "reader", &d1_id).await.unwrap();
        assert_eq!(
            unread_count(db, "reader", &as_(Role::SocialWorker), &in_d1, DEMO_TODAY)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            unread_count(db, "reader", &as_(Role::Officer), &in_d1, DEMO_TODAY)
                .await
                .unwrap(),
            0
        );
        mark_read(db, "reader", &nation_id).await.unwrap();
        assert_eq!(
            unread_count(db, "reader", &as_(Role::SocialWorker), &in_d1, DEMO_TODAY)
                .await
                .unwrap(),
            0
        );
        let read = for_reader(db, "reader", &as_(Role::SocialWorker), &in_d1, DEMO_TODAY)
            .await
            .unwrap();
        assert!(read.iter().all(|r| r.read));
        // The national team reads every scope's announcements addressed to it: none here.
        let national = passerelle_domain::access::Grant {
            role: Role::National,
            scope: passerelle_domain::access::Scope::Nation,
        };
        assert!(
            for_reader(db, "reader", &national, &Place::default(), DEMO_TODAY)
                .await
                .unwrap()
                .is_empty()
        );
        // Not shown before its day.
        assert!(
            for_reader(db, "reader", &as_(Role::SocialWorker), &in_d1, yesterday)
                .await
                .unwrap()
                .is_empty()
        );
        test.finish().await;
    }
}

/// The header's count (the place looked up inside its one statement) says what the
/// network page's count says (the place looked up first), for every kind of scope.
#[tokio::test]
async fn the_header_count_matches_the_page_count_for_every_scope() {
    use passerelle_domain::access::{Grant, Scope};
    use passerelle_domain::ids::{EmployerId, PostId, UnitId};
    use passerelle_store::network::announcement::unread_for_header;
    for test in testing::all_backends().await {
        common::demo_registry(&test).await;
        let db = &test.db;
        sqlx::query("INSERT INTO accounts (id, email, display_name, created_at) VALUES ('author', 'a@example.invalid', 'a', '2026-01-01T00:00:00Z')")
            .execute(db.pool())
            .await
            .unwrap();
        let (post, employer, departement): (PostId, EmployerId, DepartementCode) = sqlx::query_as(
            "SELECT id, employer_id, departement_code FROM posts ORDER BY id LIMIT 1",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        let (unit,): (UnitId,) =
            sqlx::query_as("SELECT id FROM units WHERE departement_code = $1 ORDER BY id LIMIT 1")
                .bind(&departement)
                .fetch_one(db.pool())
                .await
                .unwrap();
        let (other,): (DepartementCode,) =
            sqlx::query_as("SELECT code FROM departements WHERE code <> $1 ORDER BY code LIMIT 1")
                .bind(&departement)
                .fetch_one(db.pool())
                .await
                .unwrap();
        let everyone = [
            "social_worker",
            "employer",
            "prevention",
            "national",
            "officer",
        ];
        let author = ("author", Role::National);
        for (title, scope) in [
            ("nation", AnnouncementScope::Nation),
            ("here", AnnouncementScope::Departement(departement.clone())),
            ("there", AnnouncementScope::Departement(other)),
            ("employer", AnnouncementScope::Employer(employer.clone())),
        ] {
            let entry = Entry::new(JournalAction::AnnouncementPublished).by("author", None);
            publish(db, &draft(title, scope, &everyone), author, false, entry)
                .await
                .unwrap();
        }
        let scopes = [
            Scope::Nation,
            Scope::Departement(departement.clone()),
            Scope::Employer(employer),
            Scope::Post(post),
            Scope::Unit(unit),
        ];
        let mut seen = Vec::new();
        for scope in &scopes {
            let place = passerelle_store::identity::account::place_of(db, scope)
                .await
                .unwrap();
            for role in [
                Role::SocialWorker,
                Role::Employer,
                Role::Officer,
                Role::Admin,
            ] {
                let grant = Grant {
                    role,
                    scope: scope.clone(),
                };
                let page = unread_count(db, "author", &grant, &place, DEMO_TODAY)
                    .await
                    .unwrap();
                let header = unread_for_header(db, "author", &grant, DEMO_TODAY)
                    .await
                    .unwrap();
                assert_eq!(header, page, "{:?} {scope:?} {role:?}", test.backend());
                seen.push(header);
            }
        }
        // Nation 4, département 2 (nation + here), employer 3, post 3, unit 2; admin 0.
        assert!(seen.contains(&4) && seen.contains(&3) && seen.contains(&2) && seen.contains(&0));

        // What a page pays for the badge (printed with --no-capture).
        let social = Grant {
            role: Role::SocialWorker,
            scope: scopes[3].clone(),
        };
        let started = std::time::Instant::now();
        for _ in 0..200 {
            unread_for_header(db, "author", &social, DEMO_TODAY)
                .await
                .unwrap();
        }
        eprintln!(
            "{:?}: header count {:?} per page",
            test.backend(),
            started.elapsed() / 200
        );
        test.finish().await;
    }
}
