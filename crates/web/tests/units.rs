//! Units and employers of the registry over HTTP, on both backends.

mod helpers;

use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::identity::role::Role;

async fn post_as(app: &TestApp, who: Role, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let session = app.session_for(who).await;
    let mut fields = form.to_vec();
    fields.push(("csrf", CSRF));
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(path))
        .header(
            "cookie",
            format!("passerelle_csrf={CSRF}; passerelle_session={session}"),
        )
        .form(&fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn units_are_created_in_their_place_in_the_hierarchy_and_employers_edited() {
    for app in spawn_all().await {
        let (compagnie,): (String,) = sqlx::query_as("SELECT id FROM units WHERE departement_code = '35' AND kind = 'compagnie' ORDER BY name LIMIT 1").fetch_one(app.db.pool()).await.unwrap();
        let created = post_as(
            &app,
            Role::National,
            "/registre/unites",
            &[
                ("departement", "35"),
                ("kind", "bta"),
                ("name", "Brigade territoriale autonome de Test"),
                ("parent", &compagnie),
                ("commune", "35238"),
            ],
        )
        .await;
        assert_eq!(created.status(), 303, "{}", app.backend);
        // A brigade de proximité belongs to a COB, not to a compagnie.
        let misplaced = post_as(
            &app,
            Role::National,
            "/registre/unites",
            &[
                ("departement", "35"),
                ("kind", "brigade_proximite"),
                ("name", "BP"),
                ("parent", &compagnie),
                ("commune", ""),
            ],
        )
        .await;
        assert_eq!(misplaced.status(), 422);
        assert!(
            misplaced
                .text()
                .await
                .unwrap()
                .contains("ne peut pas être rattachée")
        );
        let elsewhere = post_as(
            &app,
            Role::Admin,
            "/registre/unites",
            &[
                ("departement", "35"),
                ("kind", "bta"),
                ("name", "X"),
                ("parent", &compagnie),
                ("commune", "56260"),
            ],
        )
        .await;
        assert!(
            elsewhere
                .text()
                .await
                .unwrap()
                .contains("n&#39;est pas dans le département 35")
        );
        let list = reqwest::Client::new()
            .get(app.url("/registre/unites?departement=35"))
            .header(
                "cookie",
                format!(
                    "passerelle_session={}",
                    app.session_for(Role::Prevention).await
                ),
            )
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(list.contains("Brigade territoriale autonome de Test"));

        let employer = app.scope(Role::Employer);
        let renamed = post_as(
            &app,
            Role::National,
            &format!("/registre/employeurs/{employer}"),
            &[
                ("kind", "association"),
                ("name", "Association renommée"),
                ("commune", ""),
            ],
        )
        .await;
        assert_eq!(renamed.status(), 303);
        let (name,): (String,) = sqlx::query_as("SELECT name FROM employers WHERE id = $1")
            .bind(&employer)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(name, "Association renommée");
        let clash = post_as(
            &app,
            Role::National,
            "/registre/employeurs",
            &[
                ("departement", "35"),
                ("kind", "association"),
                ("name", "association RENOMMÉE"),
                ("commune", ""),
            ],
        )
        .await;
        assert_eq!(clash.status(), 422);
        let (journaled,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM journal WHERE action = 'registry.change'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(journaled, 2);
        app.finish().await;
    }
}
