//! The public registry over HTTP, on both backends: the map, the pages of the départements,
//! open data. No login, no person.

mod helpers;

use helpers::spawn_all;

#[tokio::test]
async fn the_map_links_every_departement_with_a_title_and_a_table() {
    for app in spawn_all().await {
        let html = app.get("/carte").await.text().await.unwrap();
        let links = html.matches(r#"<a href="/departements/"#).count();
        assert!(
            links >= 101 * 2,
            "a shape or inset and a table row per département, got {links}"
        );
        assert_eq!(
            html.matches("\"><title>").count(),
            101,
            "every shape has a title"
        );
        for code in ["2A", "2B", "971", "976", "75"] {
            assert!(
                html.contains(&format!(r#"href="/departements/{code}" aria-label="#)),
                "{code} on the map"
            );
        }
        let counts = passerelle_store::registry::post::counts_on(
            &app.db,
            passerelle_web::http::clock::paris_today(),
        )
        .await
        .unwrap();
        assert!(
            html.contains(&format!("{} postes au", counts.total())),
            "total of the day"
        );
        for measure in ["pour-100000", "ecart-cible"] {
            assert_eq!(
                app.get(&format!("/carte?mesure={measure}")).await.status(),
                200
            );
        }
        let bad = app.get("/carte?mesure=nimporte").await;
        assert_eq!(bad.status(), 400);
        assert!(bad.text().await.unwrap().contains("« nimporte »"));
        app.finish().await;
    }
}

#[tokio::test]
async fn a_departement_page_lists_its_posts_and_never_a_person() {
    for app in spawn_all().await {
        let html = app.get("/departements/35").await.text().await.unwrap();
        assert!(html.contains("Ille-et-Vilaine (35)"));
        let posts = passerelle_store::registry::post::public_posts(&app.db, Some("35"))
            .await
            .unwrap();
        for post in posts
            .iter()
            .filter(|p| p.status != passerelle_domain::registry::post::PostStatus::Closed)
        {
            assert!(html.contains(&post.code), "{}", post.code);
        }
        for login in &app.plan.logins {
            assert!(!html.contains(&login.email) && !html.contains(&login.display_name));
        }
        assert_eq!(app.get("/departements/20").await.status(), 404);
        assert_eq!(app.get("/departements/%00").await.status(), 404);
        app.finish().await;
    }
}

#[tokio::test]
async fn open_data_is_csv_for_french_spreadsheets_and_json() {
    for app in spawn_all().await {
        let response = app.get("/donnees/postes.csv").await;
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        let bytes = response.bytes().await.unwrap();
        assert_eq!(&bytes[..3], "\u{feff}".as_bytes(), "UTF-8 byte-order mark");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "code;zone;statut;departement_code;departement;employeur;type_employeur;etp;date_creation;date_fermeture;unites_accueil"
        );
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), app.plan.posts.len());
        let first = rows
            .iter()
            .find(|r| r.contains(";87;"))
            .expect("the 1991 post in Haute-Vienne");
        assert!(first.contains("01/06/1991"), "{first}");
        let json: serde_json::Value = app.get("/donnees/postes.json").await.json().await.unwrap();
        assert_eq!(
            json["posts"].as_array().unwrap().len(),
            app.plan.posts.len()
        );
        assert_eq!(json["schema"], "/donnees");
        for login in &app.plan.logins {
            assert!(!text.contains(&login.email));
        }
        app.finish().await;
    }
}
