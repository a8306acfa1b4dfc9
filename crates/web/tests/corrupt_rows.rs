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
        sqlx::query("UPDATE appointments SET mode = 'pigeon' WHERE id = $1")
            .bind(&appointment)
            .execute(app.db.pool())
            .await
            .unwrap();
        let answer = app
            .send_as(
                Some(Role::SocialWorker),
                Method::Get,
                &format!("/rendez-vous/{appointment}"),
                &[],
            )
            .await;
        assert_eq!(answer.status(), 500, "{}", app.backend);
        assert!(!answer.text().await.unwrap().contains("En personne"));

        // A person's page printed « — » for an unknown « connu des services sociaux ».
        let (person, _) = app.person_for(true).await;
        sqlx::query("UPDATE persons SET known_to_social_services = 'peut_etre' WHERE id = $1")
            .bind(&person)
            .execute(app.db.pool())
            .await
            .unwrap();
        let answer = app
            .send_as(
                Some(Role::SocialWorker),
                Method::Get,
                &format!("/personnes/{person}"),
                &[],
            )
            .await;
        assert_eq!(answer.status(), 500, "{}: the person's page", app.backend);

        // The registry too: an unknown post status used to print « — ».
        let post = app.scope(Role::SocialWorker);
        sqlx::query("UPDATE posts SET status = 'egare' WHERE id = $1")
            .bind(&post)
            .execute(app.db.pool())
            .await
            .unwrap();
        for path in [format!("/postes/{post}"), "/postes".to_string()] {
            let answer = app
                .send_as(Some(Role::National), Method::Get, &path, &[])
                .await;
            assert_eq!(answer.status(), 500, "{} {path}", app.backend);
        }
        app.finish().await;
    }
}
