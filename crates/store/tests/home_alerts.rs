//! The reads behind the homes' alerts, on SQLite and PostgreSQL: the filled posts whose case
//! activity stopped (in a scope, by their last referral, status change or contact), and the
//! accounts needing the technical administrator's attention (invitations pending, expired).

mod common;

use passerelle_demo::DEMO_TODAY;
use passerelle_store::identity::attention::{Attention, accounts_needing_attention};
use passerelle_store::registry::activity::quiet_posts;
use passerelle_store::registry::post::PostScope;
use passerelle_store::testing;

#[tokio::test]
async fn filled_posts_without_recent_case_work_are_quiet_and_a_case_wakes_them() {
    for test in testing::all_backends().await {
        let plan = common::demo_registry(&test).await;
        let cutoff = DEMO_TODAY - time::Duration::days(30);
        let cutoff_text = cutoff.to_string();
        // Before any case work: every post filled before the cutoff is quiet, never a case.
        let (filled_before,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM posts p WHERE p.status = 'filled' \
             AND NOT EXISTS (SELECT 1 FROM post_status_history h WHERE h.post_id = p.id AND h.effective_on >= $1)",
        )
        .bind(&cutoff_text)
        .fetch_one(test.db.pool())
        .await
        .unwrap();
        let quiet = quiet_posts(&test.db, &PostScope::Nation, cutoff)
            .await
            .unwrap();
        assert!(filled_before > 0);
        assert_eq!(quiet.len() as i64, filled_before, "{:?}", test.backend());
        assert!(quiet.iter().all(|q| q.last_activity.is_none()));
        // An employer's scope holds its own posts only.
        let employer = quiet[0].post.employer_id.to_string();
        let of_employer = quiet_posts(&test.db, &PostScope::Employer(employer.clone()), cutoff)
            .await
            .unwrap();
        assert!(!of_employer.is_empty());
        assert!(
            of_employer
                .iter()
                .all(|q| q.post.employer_id.as_str() == employer)
        );
        assert!(of_employer.len() < quiet.len());

        // Two months of case work: a post that received a referral after the cutoff works.
        passerelle_demo::activity::insert_activity(
            &test.db,
            &testing::key_ring(),
            &plan,
            DEMO_TODAY,
            2,
            &|_| {},
        )
        .await
        .unwrap();
        let (busy,): (String,) = sqlx::query_as(
            "SELECT c.post_id FROM cases c JOIN posts p ON p.id = c.post_id WHERE p.status = 'filled' AND c.received_at >= $1 ORDER BY c.post_id LIMIT 1",
        )
        .bind(&cutoff_text)
        .fetch_one(test.db.pool())
        .await
        .unwrap();
        let quiet = quiet_posts(&test.db, &PostScope::Nation, cutoff)
            .await
            .unwrap();
        assert!(
            quiet.iter().all(|q| q.post.id.as_str() != busy),
            "a post with a recent referral is not quiet on {:?}",
            test.backend()
        );
        // With a cutoff after every activity, it is, with its last day of activity.
        let later = quiet_posts(
            &test.db,
            &PostScope::Nation,
            DEMO_TODAY + time::Duration::days(400),
        )
        .await
        .unwrap();
        let busy_line = later.iter().find(|q| q.post.id.as_str() == busy).unwrap();
        let last = busy_line.last_activity.clone().unwrap();
        assert!(last.as_str() >= cutoff_text.as_str(), "{last}");
        // Oldest activity first (never a case before any day).
        assert!(
            later
                .windows(2)
                .all(|w| w[0].last_activity <= w[1].last_activity)
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn invitations_pending_then_expired_need_attention() {
    for test in testing::all_backends().await {
        common::demo_registry(&test).await;
        let email = "invitee-attention@exemple.fr";
        let expires = passerelle_store::db::time_text::instant_to_text(
            test.db.clock().now() + time::Duration::days(7),
        );
        let mut connection = test.db.pool().acquire().await.unwrap();
        passerelle_store::identity::account::invite(
            &mut connection,
            email,
            "Personne invitée",
            None,
            "hash-of-a-token-for-attention",
            &expires,
        )
        .await
        .unwrap();
        drop(connection);
        let of = |rows: Vec<passerelle_store::identity::attention::AttentionRow>| {
            rows.into_iter()
                .find(|r| r.email == email)
                .map(|r| r.attention)
        };
        assert_eq!(
            of(accounts_needing_attention(&test.db).await.unwrap()),
            Some(Attention::InvitationPending {
                until: expires.clone()
            }),
            "{:?}",
            test.backend()
        );
        test.clock
            .advance(std::time::Duration::from_secs(8 * 24 * 3600));
        assert_eq!(
            of(accounts_needing_attention(&test.db).await.unwrap()),
            Some(Attention::InvitationExpired { on: expires })
        );
        test.finish().await;
    }
}
