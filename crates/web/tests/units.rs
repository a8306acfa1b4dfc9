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
            // The list goes a page at a time: the new unit is found by its name.
            .get(app.url("/registre/unites?departement=35&q=brigade+territoriale+autonome+de+test"))
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

/// A national account has no département of its own: the registry's lists and "who is
/// where" ask which one to show instead of opening on one picked for it; a prevention
/// referent opens on their own.
#[tokio::test]
async fn a_national_account_chooses_its_departement_and_a_referent_opens_on_their_own() {
    use passerelle_web::http::route_table::Method;
    for app in spawn_all().await {
        let page = |who: Role, path: &'static str| {
            let app = &app;
            async move {
                let answer = app.send_as(Some(who), Method::Get, path, &[]).await;
                let status = answer.status().as_u16();
                let location = answer
                    .headers()
                    .get("location")
                    .map(|l| l.to_str().unwrap().to_string());
                (status, location, answer.text().await.unwrap())
            }
        };
        for path in ["/registre/unites", "/registre/employeurs"] {
            let (status, _, body) = page(Role::National, path).await;
            assert_eq!(status, 200, "{path} {}", app.backend);
            assert!(body.contains("Choisissez un département"), "{path}: {body}");
            assert!(!body.contains("<table"), "{path}: no list before a choice");
            assert!(!body.contains("du département 35"), "{path}");
        }
        let (_, _, units) = page(Role::Prevention, "/registre/unites").await;
        let own = app.scope(Role::Prevention);
        assert!(
            units.contains(&format!("Unités du département {own}")),
            "{units}"
        );
        let (status, _, chooser) = page(Role::National, "/presence").await;
        assert_eq!(status, 200);
        assert!(chooser.contains("Choisir un département"), "{chooser}");
        assert!(chooser.contains("35 — Ille-et-Vilaine"), "{chooser}");
        let (status, location, _) = page(Role::National, "/presence?departement=2a").await;
        assert_eq!(status, 303);
        assert_eq!(location.as_deref(), Some("/presence/departements/2A"));
        let (status, _, refused) = page(Role::National, "/presence?departement=999").await;
        assert_eq!(status, 400);
        assert!(refused.contains("Département"), "{refused}");
        app.finish().await;
    }
}
