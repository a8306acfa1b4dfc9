//! The network's announcements through the pages: the personal-data check stops a text that
//! looks like a person's data and shows what it found in the form; the author confirms, the
//! announcement is published; the check and the decision are journaled, never the text. A
//! social worker of the département reads it and its « non lu » goes; an officer, not
//! addressed, never sees it.

mod helpers;

use helpers::{TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;

async fn send(
    app: &TestApp,
    who: Role,
    method: Method,
    path: &str,
    pairs: &[(&str, &str)],
) -> (u16, String) {
    let form: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let response = app.send_as(Some(who), method, path, &form).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn journal_details(app: &TestApp, action: &str) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT COALESCE(detail, '') FROM journal WHERE action = $1 ORDER BY seq")
            .bind(action)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    rows.into_iter().map(|(d,)| d).collect()
}

const TITLE: &str = "Permanence du réseau en visio";
const PHONE: &str = "06 12 34 56 78";

#[tokio::test]
async fn a_flagged_announcement_waits_for_the_authors_word_and_reaches_its_departement() {
    for app in spawn_all().await {
        let departement = app.departement_for(true).await;
        let text = format!("La personne reçue hier (tél. {PHONE}) a été orientée.\n\nÀ bientôt.");
        let mut form = vec![
            ("title", TITLE),
            ("text", text.as_str()),
            ("portee", departement.as_str()),
            ("dest_social_worker", "1"),
        ];
        let (status, body) = send(
            &app,
            Role::National,
            Method::Post,
            "/reseau/annonces",
            &form,
        )
        .await;
        assert_eq!(status, 422, "{}: {body}", app.backend);
        assert!(
            body.contains("numéro de téléphone : « 06 12 34 56 78 »"),
            "{body}"
        );
        assert!(body.contains("Ce texte ne concerne aucune personne"));
        let (saved,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM network_announcements WHERE title = $1")
                .bind(TITLE)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(saved, 0, "nothing is saved before the author decides");
        let checked = journal_details(&app, "network.text_checked").await;
        assert_eq!(checked.len(), 1, "{checked:?}");
        assert!(
            checked[0].contains("numéro de téléphone ×1") && !checked[0].contains("06"),
            "{checked:?}"
        );

        // The social worker of the département sees no announcement yet.
        let (_, before) = send(&app, Role::SocialWorker, Method::Get, "/reseau", &[]).await;
        assert!(!before.contains(TITLE));

        form.push(("no_person", "1"));
        let (status, body) = send(
            &app,
            Role::National,
            Method::Post,
            "/reseau/annonces",
            &form,
        )
        .await;
        assert_eq!(status, 303, "{}: {body}", app.backend);
        let published = journal_details(&app, "network.announcement_published").await;
        assert_eq!(published.len(), 1);
        assert!(
            published[0].contains("l'auteur confirme") && !published[0].contains("06"),
            "{published:?}"
        );
        let (id, confirmed): (String, i64) = sqlx::query_as(
            "SELECT id, confirmed_no_person FROM network_announcements WHERE title = $1",
        )
        .bind(TITLE)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(confirmed, 1);

        let (status, list) = send(&app, Role::SocialWorker, Method::Get, "/reseau", &[]).await;
        assert_eq!(status, 200);
        assert!(list.contains(TITLE) && list.contains("1 non lue"), "{list}");
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/reseau/annonces/{id}"),
            &[],
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("À bientôt."));
        let (_, after) = send(&app, Role::SocialWorker, Method::Get, "/reseau", &[]).await;
        assert!(
            after.contains(TITLE) && !after.contains("non lue"),
            "{after}"
        );

        // Not addressed to officers: the officer neither lists nor opens it.
        let (_, officer_list) = send(&app, Role::Officer, Method::Get, "/reseau", &[]).await;
        assert!(!officer_list.contains(TITLE));
        let (status, _) = send(
            &app,
            Role::Officer,
            Method::Get,
            &format!("/reseau/annonces/{id}"),
            &[],
        )
        .await;
        assert_eq!(status, 404);

        // A text of the trade passes without a word from the author.
        let (status, body) = send(
            &app,
            Role::Prevention,
            Method::Post,
            "/reseau/annonces",
            &[
                ("title", "CLSPD"),
                (
                    "text",
                    "Réunion le 12/03 à 14h ; article 226-13 du code pénal ; 3919.",
                ),
                ("dest_officer", "1"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{}: {body}", app.backend);
        assert_eq!(journal_details(&app, "network.text_checked").await.len(), 1);
    }
}

/// The « non lues » badge beside « Réseau » in the header and on `/menu`, not only in the
/// network's page: counted per account, going down as announcements are opened, absent for
/// the public and for the technical administrator.
#[tokio::test]
async fn the_header_badge_counts_the_unread_announcements_on_every_page() {
    for app in spawn_all().await {
        for title in ["Formation CIAS", "Nouvelle plaquette"] {
            let (status, body) = send(
                &app,
                Role::National,
                Method::Post,
                "/reseau/annonces",
                &[
                    ("title", title),
                    ("text", "Rendez-vous au réseau."),
                    ("portee", "nation"),
                    ("dest_social_worker", "1"),
                ],
            )
            .await;
            assert_eq!(status, 303, "{}: {body}", app.backend);
        }
        let badge = |count: &str| {
            format!(
                "Réseau <span class=\"fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon\">{count}<span class=\"fr-sr-only\"> dans le réseau</span></span>"
            )
        };
        for path in ["/aujourdhui", "/menu"] {
            let (status, page) = send(&app, Role::SocialWorker, Method::Get, path, &[]).await;
            assert_eq!(status, 200, "{}: {path}", app.backend);
            assert!(page.contains(&badge("2 non lues")), "{path}: {page}");
        }

        let (id,): (String,) =
            sqlx::query_as("SELECT id FROM network_announcements WHERE title = $1")
                .bind("Formation CIAS")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let path = format!("/reseau/annonces/{id}");
        let (_, opened) = send(&app, Role::SocialWorker, Method::Get, &path, &[]).await;
        assert!(opened.contains(&badge("1 non lue")), "{opened}");
        // Opened again: still one.
        let (_, again) = send(&app, Role::SocialWorker, Method::Get, &path, &[]).await;
        assert!(again.contains(&badge("1 non lue")), "{again}");
        let (_, menu) = send(&app, Role::SocialWorker, Method::Get, "/menu", &[]).await;
        assert!(menu.contains(&badge("1 non lue")), "{menu}");

        // Not addressed to them, out of the network, or not signed in: no badge.
        for who in [Role::National, Role::Officer, Role::Admin] {
            let (status, page) = send(&app, who, Method::Get, "/menu", &[]).await;
            assert_eq!(status, 200, "{who:?}");
            assert!(!page.contains("non lue"), "{who:?}: {page}");
        }
        let public = app
            .send_as(None, Method::Get, "/menu", &[])
            .await
            .text()
            .await
            .unwrap();
        assert!(!public.contains("non lue"), "{public}");
    }
}

/// The text is a safe part of Markdown: a list is drawn, raw HTML shown as words, a
/// `javascript:` link dropped.
#[tokio::test]
async fn the_announcement_text_is_safe_markdown_on_its_page() {
    for app in spawn_all().await {
        let text = "Ordre du jour :\n\n- **accueil**\n- [le site](https://example.fr)\n\n<script>alert(1)</script>\n\nVoir [clic](javascript:alert(1)).";
        let (status, body) = send(
            &app,
            Role::National,
            Method::Post,
            "/reseau/annonces",
            &[
                ("title", "Réunion"),
                ("text", text),
                ("portee", "nation"),
                ("dest_social_worker", "1"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{}: {body}", app.backend);
        let (id,): (String,) =
            sqlx::query_as("SELECT id FROM network_announcements WHERE title = 'Réunion'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/reseau/annonces/{id}"),
            &[],
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            page.contains("<ul><li><strong>accueil</strong></li><li><a href=\"https://example.fr\" rel=\"noopener\">le site</a></li></ul>"),
            "{page}"
        );
        assert!(
            page.contains("<p>&lt;script&gt;alert(1)&lt;/script&gt;")
                && page.contains("<p>Voir clic.</p>"),
            "{page}"
        );
        assert!(!page.contains("<script>alert") && !page.contains("javascript:"));
    }
}
