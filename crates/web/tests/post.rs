//! A post's lifecycle recorded over HTTP on both backends: the steps, the live counts that
//! follow them, and the refusals (impossible step, wrong date, outside the scope).

mod helpers;

use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::role::Role;

async fn move_as(
    app: &TestApp,
    who: Role,
    post: &str,
    status: &str,
    date: &str,
) -> reqwest::Response {
    let session = app.session_for(who).await;
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(&format!("/postes/{post}/statut")))
        .header(
            "cookie",
            format!("passerelle_csrf={CSRF}; passerelle_session={session}"),
        )
        .form(&[("status", status), ("date", date), ("csrf", CSRF)])
        .send()
        .await
        .unwrap()
}

async fn steps(app: &TestApp, post: &str) -> usize {
    passerelle_store::post::history(&app.db, post)
        .await
        .unwrap()
        .len()
}

fn today() -> String {
    let date = passerelle_web::clock::paris_today();
    passerelle_web::clock::french_date(date)
}

#[tokio::test]
async fn the_national_steering_records_a_vacancy_then_a_closure_and_the_counts_follow() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let today_date = passerelle_web::clock::paris_today();
        let before = passerelle_store::post::counts_on(&app.db, today_date)
            .await
            .unwrap()
            .total();
        let steps_before = steps(&app, &post).await;
        assert_eq!(
            move_as(&app, Role::National, &post, "vacant", &today())
                .await
                .status(),
            303,
            "{}",
            app.backend
        );
        assert_eq!(
            passerelle_store::post::counts_on(&app.db, today_date)
                .await
                .unwrap()
                .total(),
            before,
            "a vacant post still counts"
        );
        assert_eq!(
            move_as(&app, Role::Employer, &post, "closed", &today())
                .await
                .status(),
            303
        );
        assert_eq!(
            passerelle_store::post::counts_on(&app.db, today_date)
                .await
                .unwrap()
                .total(),
            before - 1,
            "closed from today"
        );
        assert_eq!(steps(&app, &post).await, steps_before + 2);
        let home = app.get("/").await.text().await.unwrap();
        assert!(
            home.contains(&format!(r#"id="national-posts-count">{}<"#, before - 1)),
            "the public figures are refreshed at once"
        );
        let (entries,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM journal WHERE action = 'post.lifecycle' AND target_id = $1",
        )
        .bind(&post)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(entries, 2);
        app.finish().await;
    }
}

#[tokio::test]
async fn impossible_steps_and_bad_dates_are_refused_and_nothing_is_written() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let before = steps(&app, &post).await;
        let illegal = move_as(&app, Role::National, &post, "project", &today()).await;
        assert_eq!(illegal.status(), 422);
        assert!(
            illegal
                .text()
                .await
                .unwrap()
                .contains("ne peut pas passer directement")
        );
        let early = move_as(&app, Role::National, &post, "vacant", "01/01/1990").await;
        assert_eq!(early.status(), 422);
        assert!(
            early
                .text()
                .await
                .unwrap()
                .contains("ne peut pas précéder la précédente")
        );
        let future = move_as(&app, Role::National, &post, "vacant", "01/01/2999").await;
        assert!(future.text().await.unwrap().contains("dans le futur"));
        let garbage = move_as(&app, Role::National, &post, "vacant", "31/02/2024").await;
        assert_eq!(garbage.status(), 422);
        assert!(
            garbage
                .text()
                .await
                .unwrap()
                .contains("« date » n&#39;est pas une date valide")
        );
        let unknown_status = move_as(&app, Role::National, &post, "demoli", &today()).await;
        assert_eq!(unknown_status.status(), 422);
        assert_eq!(
            move_as(
                &app,
                Role::Employer,
                &app.post_for(false),
                "vacant",
                &today()
            )
            .await
            .status(),
            403
        );
        assert_eq!(
            move_as(&app, Role::Prevention, &post, "vacant", &today())
                .await
                .status(),
            403
        );
        assert_eq!(
            steps(&app, &post).await,
            before,
            "nothing written on {}",
            app.backend
        );
        app.finish().await;
    }
}
