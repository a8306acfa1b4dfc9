//! The officer's own view of their referrals: the home recalls the latest (clear facts only),
//! « Mes signalements » shows the procedure reference they typed, a read of personal data
//! decided by the policy and journaled once per view, naming the cases shown.

mod helpers;

use helpers::{TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;

const REFERENCE: &str = "PV 2026/777001";

async fn send(app: &TestApp, method: Method, path: &str, pairs: &[(&str, &str)]) -> (u16, String) {
    let form: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let response = app.send_as(Some(Role::Officer), method, path, &form).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn reads_naming(app: &TestApp, case: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM journal WHERE action = 'personal_data.read' AND actor_account_id = $1 AND detail LIKE $2",
    )
    .bind(&app.login(Role::Officer).id)
    .bind(format!("%{case}%"))
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    n
}

#[tokio::test]
async fn the_officer_reads_the_reference_they_typed_and_each_view_is_journaled() {
    for app in spawn_all().await {
        let (status, body) = send(
            &app,
            Method::Post,
            "/signalements",
            &[
                ("consent", "yes"),
                ("urgency", "normal"),
                ("source", "intervention"),
                ("category", "housing"),
                ("context", "Expulsion annoncée, famille sans solution."),
                ("person_1_role", "victim"),
                ("person_1_last_name", "Fictive"),
                ("person_1_phone", ""),
                ("procedure_reference", REFERENCE),
            ],
        )
        .await;
        assert_eq!(status, 303, "{}: {body}", app.backend);
        let (case,): (String,) = sqlx::query_as(
            "SELECT id FROM cases WHERE referral_unit_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(app.scope(Role::Officer))
        .fetch_one(app.db.pool())
        .await
        .unwrap();

        // The home: the reasons, never the reference, and no read.
        let (status, home) = send(&app, Method::Get, "/", &[]).await;
        assert_eq!(status, 200);
        assert!(home.contains("Signaler une situation") && home.contains("Logement / expulsion"));
        assert!(!home.contains(REFERENCE) && !home.contains("Bientôt"));
        assert_eq!(reads_naming(&app, &case).await, 0);

        // « Mes signalements »: the reference, one journal row per view naming the case.
        for view in 1..=2 {
            let (status, list) = send(&app, Method::Get, "/signalements", &[]).await;
            assert_eq!(status, 200);
            assert!(
                list.contains("Mes signalements") && list.contains(REFERENCE),
                "{list}"
            );
            assert_eq!(reads_naming(&app, &case).await, view, "{}", app.backend);
        }

        // Another officer's referral, or one past its retention: neither shown nor read.
        for change in [
            "UPDATE cases SET referred_by = NULL WHERE id = $1",
            "UPDATE cases SET purged_at = received_at WHERE id = $1",
        ] {
            let (before,): (Option<String>,) =
                sqlx::query_as("SELECT referred_by FROM cases WHERE id = $1")
                    .bind(&case)
                    .fetch_one(app.db.pool())
                    .await
                    .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(change.to_string()))
                .bind(&case)
                .execute(app.db.pool())
                .await
                .unwrap();
            let reads = reads_naming(&app, &case).await;
            let (_, list) = send(&app, Method::Get, "/signalements", &[]).await;
            assert!(!list.contains(REFERENCE), "{change}");
            assert_eq!(reads_naming(&app, &case).await, reads, "{change}");
            sqlx::query("UPDATE cases SET referred_by = $1, purged_at = NULL WHERE id = $2")
                .bind(before)
                .bind(&case)
                .execute(app.db.pool())
                .await
                .unwrap();
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn without_consent_nothing_but_the_count_is_asked_and_a_person_is_added_on_demand() {
    for app in spawn_all().await {
        // « Non »: no name, no facts, the default role counts.
        let (status, body) = send(
            &app,
            Method::Post,
            "/signalements",
            &[
                ("consent", "no"),
                ("urgency", "normal"),
                ("source", "intervention"),
                ("category", "housing"),
                ("person_1_role", "victim"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{}: {body}", app.backend);
        // « Ajouter une personne »: the same form, one more block, nothing refused or lost.
        let (status, page) = send(
            &app,
            Method::Post,
            "/signalements",
            &[
                ("consent", "yes"),
                ("context", "Faits tapés"),
                ("add_person", "1"),
            ],
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("person-2-role") && page.contains("Faits tapés"));
        assert!(!page.contains("fr-alert--error"), "{page}");
        app.finish().await;
    }
}
