//! API tokens: found by their text, refused once expired or revoked, stored as a hash only.

use passerelle_domain::identity::role::Role;
use passerelle_domain::journal::JournalAction;
use passerelle_store::identity::api_token::{self, Presented};
use passerelle_store::journal::Entry;
use passerelle_store::testing::{self, all_backends};

fn entry(action: JournalAction) -> Entry {
    Entry::new(action).by("admin", Some("admin"))
}

#[tokio::test]
async fn a_token_is_found_by_its_text_until_it_expires_or_is_revoked() {
    for test in all_backends().await {
        let db = &test.db;
        testing::execute(db, "INSERT INTO accounts (id, email, display_name, disabled, created_at) VALUES ('admin', 'admin@exemple.fr', 'Admin', 0, '2026-01-01T00:00:00Z')").await;
        let today = db.clock().now().date();
        let last_day = today.next_day().unwrap();
        let (text, id) = api_token::create(
            db,
            "Tableau de bord du département",
            Role::National,
            None,
            last_day,
            "admin",
            entry(JournalAction::ApiTokenCreated),
        )
        .await
        .unwrap();
        assert!(
            text.starts_with("psr_") && text.len() == 4 + 32 + 1 + 64,
            "{text}"
        );
        // The table holds no part of the secret.
        let secret = text.rsplit('_').next().unwrap();
        let (stored,): (String,) =
            sqlx::query_as("SELECT secret_hash FROM api_tokens WHERE id = $1")
                .bind(&id)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert!(!stored.contains(secret) && stored.len() == 64);
        match api_token::presented(db, &text).await.unwrap() {
            Presented::Valid(row) => {
                assert_eq!(row.name, "Tableau de bord du département");
                assert_eq!(row.machine().unwrap().grant.role, Role::National);
            }
            other => panic!("{other:?} on {:?}", test.backend()),
        }
        // A wrong secret for a real id, a made-up text: unknown alike.
        let mut wrong = text.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        assert!(matches!(
            api_token::presented(db, &wrong).await.unwrap(),
            Presented::Unknown
        ));
        assert!(matches!(
            api_token::presented(db, "psr_nope").await.unwrap(),
            Presented::Unknown
        ));
        // Valid through its last day, expired after it.
        test.clock.advance(std::time::Duration::from_secs(86_400));
        assert!(matches!(
            api_token::presented(db, &text).await.unwrap(),
            Presented::Valid(_)
        ));
        test.clock.advance(std::time::Duration::from_secs(86_400));
        assert!(matches!(
            api_token::presented(db, &text).await.unwrap(),
            Presented::Expired
        ));

        let (other, other_id) = api_token::create(
            db,
            "Employeur",
            Role::National,
            None,
            db.clock().now().date().next_day().unwrap(),
            "admin",
            entry(JournalAction::ApiTokenCreated),
        )
        .await
        .unwrap();
        api_token::record_call(db, &other_id, entry(JournalAction::ApiCall))
            .await
            .unwrap();
        api_token::revoke(
            db,
            &other_id,
            "admin",
            entry(JournalAction::ApiTokenRevoked),
        )
        .await
        .unwrap();
        assert!(matches!(
            api_token::presented(db, &other).await.unwrap(),
            Presented::Revoked
        ));
        // Revoking twice is refused, and writes no second row.
        assert!(
            api_token::revoke(
                db,
                &other_id,
                "admin",
                entry(JournalAction::ApiTokenRevoked)
            )
            .await
            .is_err()
        );
        let (journaled,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM journal WHERE target_kind = 'api_token'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(journaled, 4, "{:?}", test.backend());
        let listed = api_token::list(db).await.unwrap();
        assert_eq!(listed.len(), 2);
        assert!(listed.iter().any(|t| t.last_used_at.is_some()));
        test.finish().await;
    }
}

#[tokio::test]
async fn a_token_is_never_given_a_role_that_reads_cases_or_administers() {
    for test in all_backends().await {
        let db = &test.db;
        testing::execute(db, "INSERT INTO accounts (id, email, display_name, disabled, created_at) VALUES ('admin', 'admin@exemple.fr', 'Admin', 0, '2026-01-01T00:00:00Z')").await;
        let tomorrow = db.clock().now().date().next_day().unwrap();
        for role in [Role::SocialWorker, Role::Officer, Role::Admin] {
            let refused = api_token::create(
                db,
                "x",
                role,
                Some("p"),
                tomorrow,
                "admin",
                entry(JournalAction::ApiTokenCreated),
            )
            .await;
            assert!(refused.unwrap_err().to_string().starts_with("Rôle"));
        }
        let unnamed = api_token::create(
            db,
            "  ",
            Role::National,
            None,
            tomorrow,
            "admin",
            entry(JournalAction::ApiTokenCreated),
        )
        .await;
        assert!(unnamed.unwrap_err().to_string().starts_with("Nom du jeton"));
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM api_tokens")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(count, 0);
        test.finish().await;
    }
}
