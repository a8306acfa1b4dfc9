//! A row holding a code the application does not know is an error (logged, an error page),
//! never a default that shows something else than what was recorded: an unknown status
//! used to read « Reçu », an unknown appointment mode « En personne », an unknown post
//! status « — ».

mod helpers;

use helpers::spawn_all;
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;

#[tokio::test]
async fn an_unknown_status_or_mode_is_an_error_page_not_a_default() {
    for app in spawn_all().await {
        let case = app.case_for(true).await;
        let page = app
            .send_as(
                Some(Role::SocialWorker),
                Method::Get,
                &format!("/dossiers/{case}"),
                &[],
            )
            .await;
        assert_eq!(page.status(), 200, "{}: the case opens", app.backend);
        sqlx::query("UPDATE cases SET status = 'egare' WHERE id = $1")
            .bind(&case)
            .execute(app.db.pool())
            .await
            .unwrap();
        for path in [format!("/dossiers/{case}"), "/dossiers".to_string()] {
            let answer = app
                .send_as(Some(Role::SocialWorker), Method::Get, &path, &[])
                .await;
            assert_eq!(answer.status(), 500, "{} {path}", app.backend);
            assert!(!answer.text().await.unwrap().contains("Reçu"), "{path}");
        }

        let appointment = app.appointment_for(true).await;
        corrupt(
            &app,
            "UPDATE appointments SET mode = 'pigeon' WHERE id = $1",
            &appointment,
        )
        .await;
        let answer = error_page(
            &app,
            Role::SocialWorker,
            &format!("/rendez-vous/{appointment}"),
        )
        .await;
        assert!(!answer.contains("En personne"));

        // A person's page printed « — » for an unknown « connu des services sociaux ».
        let (person, _) = app.person_for(true).await;
        corrupt(
            &app,
            "UPDATE persons SET known_to_social_services = 'peut_etre' WHERE id = $1",
            &person,
        )
        .await;
        error_page(&app, Role::SocialWorker, &format!("/personnes/{person}")).await;

        // The registry too: an unknown post status used to print « — ».
        let post = app.scope(Role::SocialWorker);
        corrupt(
            &app,
            "UPDATE posts SET status = 'egare' WHERE id = $1",
            &post,
        )
        .await;
        // The list goes a page at a time: the post is sought by its code to be on it.
        let (code,): (String,) = sqlx::query_as("SELECT code FROM posts WHERE id = $1")
            .bind(&post)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        for path in [format!("/postes/{post}"), format!("/postes?q={code}")] {
            error_page(&app, Role::National, &path).await;
        }
        app.finish().await;
    }
}

/// Writes an unknown code into one row, as a bug or a hand in the database would.
async fn corrupt(app: &helpers::TestApp, sql: &'static str, id: &str) {
    sqlx::query(sql)
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
}

/// The page `path` as `role` sees it: an error page (500), whose text is returned.
async fn error_page(app: &helpers::TestApp, role: Role, path: &str) -> String {
    let answer = app.send_as(Some(role), Method::Get, path, &[]).await;
    assert_eq!(answer.status(), 500, "{} {path}", app.backend);
    answer.text().await.unwrap()
}
