//! A post's lifecycle recorded over HTTP on both backends: the steps, the live counts that
//! follow them, and the refusals (impossible step, wrong date, outside the scope).

mod helpers;

use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::PostId;

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
    passerelle_store::registry::post::history(&app.db, post)
        .await
        .unwrap()
        .len()
}

fn today() -> String {
    let date = passerelle_web::http::clock::paris_today();
    passerelle_web::http::clock::french_date(date)
}

#[tokio::test]
async fn the_national_steering_records_a_vacancy_then_a_closure_and_the_counts_follow() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let today_date = passerelle_web::http::clock::paris_today();
        let before = passerelle_store::registry::post::counts_on(&app.db, today_date)
            .await
            .unwrap()
            .total();
        let steps_before = steps(&app, &post).await;
        let session = app.session_for(Role::National).await;
        let page = reqwest::Client::new()
            .get(app.url(&format!("/postes/{post}")))
            .header("cookie", format!("passerelle_session={session}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&app.login(Role::SocialWorker).display_name),
            "the post's holder is shown"
        );
        assert_eq!(
            move_as(&app, Role::National, &post, "vacant", &today())
                .await
                .status(),
            303,
            "{}",
            app.backend
        );
        assert_eq!(
            passerelle_store::registry::post::counts_on(&app.db, today_date)
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
            passerelle_store::registry::post::counts_on(&app.db, today_date)
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
        let before_2000 = move_as(&app, Role::National, &post, "vacant", "01/01/1990").await;
        assert_eq!(before_2000.status(), 422);
        assert!(
            before_2000
                .text()
                .await
                .unwrap()
                .contains("Date de l&#39;étape du poste : pas avant le 01/01/2000")
        );
        let early = move_as(&app, Role::National, &post, "vacant", "02/01/2000").await;
        assert_eq!(early.status(), 422);
        assert!(
            early
                .text()
                .await
                .unwrap()
                .contains("ne peut pas précéder la précédente")
        );
        let future = move_as(&app, Role::National, &post, "vacant", "01/01/2199").await;
        assert!(future.text().await.unwrap().contains("dans le futur"));
        let garbage = move_as(&app, Role::National, &post, "vacant", "31/02/2024").await;
        assert_eq!(garbage.status(), 422);
        assert!(
            garbage
                .text()
                .await
                .unwrap()
                .contains("Date de l&#39;étape du poste : ce n&#39;est pas une date valide")
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

#[tokio::test]
async fn agreements_and_funding_are_recorded_and_ending_agreements_raise_alerts() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let session = app.session_for(Role::Employer).await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let send = |path: String, form: Vec<(&'static str, String)>| {
            let mut form = form;
            form.push(("csrf", CSRF.to_string()));
            client
                .post(app.url(&path))
                .header(
                    "cookie",
                    format!("passerelle_csrf={CSRF}; passerelle_session={session}"),
                )
                .form(&form)
                .send()
        };
        let today = passerelle_web::http::clock::paris_today();
        let in_20_days = passerelle_web::http::clock::french_date(today + time::Duration::days(20));
        let start = passerelle_web::http::clock::french_date(today - time::Duration::days(300));
        // An agreement that ends in 20 days, after every other: the post's alert.
        let added = send(
            format!("/postes/{post}/conventions"),
            vec![
                ("parties", "Préfecture, département".into()),
                ("starts_on", start.clone()),
                ("ends_on", in_20_days.clone()),
                ("renewal", "expresse".into()),
            ],
        )
        .await
        .unwrap();
        assert_eq!(added.status(), 303, "{}", app.backend);
        let backwards = send(
            format!("/postes/{post}/conventions"),
            vec![
                ("parties", "X".into()),
                ("starts_on", in_20_days.clone()),
                ("ends_on", start.clone()),
                ("renewal", "expresse".into()),
            ],
        )
        .await
        .unwrap();
        assert_eq!(backwards.status(), 422);
        assert!(
            backwards
                .text()
                .await
                .unwrap()
                .contains("finir après son début")
        );
        let funded = send(
            format!("/postes/{post}/financements"),
            vec![
                ("year", "2031".into()),
                ("funder", "caf".into()),
                ("amount", "12 000,50".into()),
            ],
        )
        .await
        .unwrap();
        assert_eq!(funded.status(), 303);
        let twice = send(
            format!("/postes/{post}/financements"),
            vec![
                ("year", "2031".into()),
                ("funder", "caf".into()),
                ("amount", "1".into()),
            ],
        )
        .await
        .unwrap();
        assert_eq!(twice.status(), 422);
        assert!(
            twice
                .text()
                .await
                .unwrap()
                .contains("existe déjà pour 2031")
        );
        let page = client
            .get(app.url("/postes"))
            .header("cookie", format!("passerelle_session={session}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("échéance à moins de 30 jours"),
            "the employer sees the alert on its posts"
        );
        let lines = passerelle_store::registry::funding::funding_of(&app.db, &post)
            .await
            .unwrap();
        assert!(
            lines
                .iter()
                .any(|l| l.year == 2031 && l.funder.code() == "caf" && l.amount_cents == 1_200_050)
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_pipeline_shows_the_seed_figures_as_of_1_november_2020() {
    for app in spawn_all().await {
        let session = app.session_for(Role::National).await;
        let page = reqwest::Client::new()
            .get(app.url("/pilotage?au=01/11/2020"))
            .header("cookie", format!("passerelle_session={session}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(r#"<td id="situation-total">349</td>"#),
            "{}",
            app.backend
        );
        assert!(page.contains(r#"<td id="situation-gendarmerie">132</td>"#));
        assert!(page.contains(r#"<td id="situation-mixtes">65</td>"#));
        let bad = reqwest::Client::new()
            .get(app.url("/pilotage?au=hier"))
            .header("cookie", format!("passerelle_session={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400);
        // The prevention referent sees its département only.
        let prevention = app.session_for(Role::Prevention).await;
        let page = reqwest::Client::new()
            .get(app.url("/pilotage?au=2026-11-01"))
            .header("cookie", format!("passerelle_session={prevention}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let total: u64 = page
            .split(r#"<td id="situation-total">"#)
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(total < 40, "one département's posts, got {total}");
        app.finish().await;
    }
}

#[tokio::test]
async fn host_units_keep_their_shares_within_one_hundred_percent() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let session = app.session_for(Role::Employer).await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let send = |path: String, form: Vec<(&'static str, String)>| {
            let mut form = form;
            form.push(("csrf", CSRF.to_string()));
            client
                .post(app.url(&path))
                .header(
                    "cookie",
                    format!("passerelle_csrf={CSRF}; passerelle_session={session}"),
                )
                .form(&form)
                .send()
        };
        let hosts = passerelle_store::registry::post::host_units_of(&app.db, &PostId::new(&post))
            .await
            .unwrap();
        let (departement,): (String,) =
            sqlx::query_as("SELECT departement_code FROM posts WHERE id = $1")
                .bind(&post)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let candidate = passerelle_store::registry::post::hostable_units(
            &app.db,
            &passerelle_domain::registry::territory::DepartementCode::parse(&departement).unwrap(),
        )
        .await
        .unwrap()
        .into_iter()
        .find(|(id, _)| !hosts.iter().any(|(h, _, _)| h == id))
        .unwrap()
        .0;
        let over = send(
            format!("/postes/{post}/unites"),
            vec![("unit", candidate.clone()), ("share", "30".into())],
        )
        .await
        .unwrap();
        assert_eq!(
            over.status(),
            422,
            "the shares already total 100 % on {}",
            app.backend
        );
        assert!(over.text().await.unwrap().contains("dépasserait 100 %"));
        // Make room, then add.
        let (first, _, _) = hosts[0].clone();
        assert_eq!(
            send(format!("/postes/{post}/unites/{first}/retirer"), vec![])
                .await
                .unwrap()
                .status(),
            303
        );
        assert_eq!(
            send(
                format!("/postes/{post}/unites"),
                vec![("unit", candidate.clone()), ("share", "30".into())]
            )
            .await
            .unwrap()
            .status(),
            303
        );
        let after = passerelle_store::registry::post::host_units_of(&app.db, &PostId::new(&post))
            .await
            .unwrap();
        assert!(
            after
                .iter()
                .any(|(id, _, share)| *id == candidate && *share == 30)
        );
        let (other,): (String,) = sqlx::query_as(
            "SELECT id FROM units WHERE departement_code <> $1 AND kind = 'bta' LIMIT 1",
        )
        .bind(&departement)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let foreign = send(
            format!("/postes/{post}/unites"),
            vec![("unit", other), ("share", "10".into())],
        )
        .await
        .unwrap();
        assert!(
            foreign
                .text()
                .await
                .unwrap()
                .contains("ne peut pas accueillir ce poste")
        );
        app.finish().await;
    }
}
