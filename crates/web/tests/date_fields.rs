//! Dates as people write them, and text as people paste it, over HTTP on both backends: a
//! two-digit year, a day outside its field's window (an agreement in year 0, an action
//! tomorrow) is answered 422 with a French message naming the field, and nothing is written;
//! control and bidirectional characters never reach the database; a partner needs a name.

mod helpers;

use helpers::{TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;

async fn answer(app: &TestApp, who: Role, path: &str, pairs: &[(&str, &str)]) -> (u16, String) {
    let form: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let response = app.send_as(Some(who), Method::Post, path, &form).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, text.replace("&#x27;", "'").replace("&#39;", "'"))
}

async fn count(app: &TestApp, sql: &str, id: &str) -> i64 {
    let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(id.to_string())
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    count
}

fn refused(app: &TestApp, (status, page): &(u16, String), message: &str) {
    assert_eq!(*status, 422, "{}: {message}\n{page}", app.backend);
    assert!(
        page.contains(message),
        "{}: no « {message} »\n{page}",
        app.backend
    );
}

#[tokio::test]
async fn an_interview_dated_04_12_26_asks_for_four_digits_and_writes_nothing() {
    for app in spawn_all().await {
        let case = app.case_for(true).await;
        let today = passerelle_web::http::clock::paris_today();
        let (day, month, year) = (today.day(), u8::from(today.month()), today.year());
        let short = format!("{day:02}/{month:02}/{:02}", year % 100);
        let path = format!("/dossiers/{case}/entretiens");
        let answered = answer(
            &app,
            Role::SocialWorker,
            &path,
            &[("held_on", &short), ("place", "phone"), ("minutes", "30")],
        )
        .await;
        refused(
            &app,
            &answered,
            &format!(
                "Date de l'entretien : écrivez l'année sur quatre chiffres ({day:02}/{month:02}/{year})"
            ),
        );
        let tomorrow = passerelle_web::http::clock::french_date(today.next_day().unwrap());
        let answered = answer(
            &app,
            Role::SocialWorker,
            &format!("/dossiers/{case}/actions"),
            &[("done_on", &tomorrow), ("kind", "listening")],
        )
        .await;
        refused(
            &app,
            &answered,
            "Date de l'action : elle ne peut pas être dans le futur",
        );
        let answered = answer(
            &app,
            Role::SocialWorker,
            &format!("/dossiers/{case}/orientations"),
            &[
                ("proposed_on", "01/06/2001"),
                ("partner_type", "cidff"),
                ("partner_name", ""),
            ],
        )
        .await;
        refused(
            &app,
            &answered,
            "Date de l'orientation : pas avant la réception du dossier",
        );
        for table in ["case_interviews", "case_actions", "case_orientations"] {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE case_id = $1");
            assert_eq!(count(&app, &sql, &case).await, 0, "{} {table}", app.backend);
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn an_agreement_in_year_0000_or_1899_and_a_post_step_in_year_20_are_refused() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let agreements = "SELECT COUNT(*) FROM agreements WHERE post_id = $1";
        let before = count(&app, agreements, &post).await;
        for start in ["0000-01-01", "01/01/1899", "31/12/1999"] {
            let answered = answer(
                &app,
                Role::Employer,
                &format!("/postes/{post}/conventions"),
                &[
                    ("parties", "État, commune"),
                    ("starts_on", start),
                    ("ends_on", "31/12/2027"),
                    ("renewal", "tacit"),
                ],
            )
            .await;
            refused(&app, &answered, "Début de la convention : ");
        }
        assert_eq!(
            count(&app, agreements, &post).await,
            before,
            "{}",
            app.backend
        );
        let steps = "SELECT COUNT(*) FROM post_status_history WHERE post_id = $1";
        let steps_before = count(&app, steps, &post).await;
        let answered = answer(
            &app,
            Role::Employer,
            &format!("/postes/{post}/statut"),
            &[("status", "vacant"), ("date", "01/11/20")],
        )
        .await;
        refused(
            &app,
            &answered,
            "écrivez l'année sur quatre chiffres (01/11/2020)",
        );
        assert_eq!(
            count(&app, steps, &post).await,
            steps_before,
            "{}",
            app.backend
        );
        app.finish().await;
    }
}

/// NUL, escape and right-to-left override characters, pasted into a partner's name and a
/// note, are not stored; a partner whose name is only invisible characters is refused.
#[tokio::test]
async fn control_and_bidi_characters_are_dropped_and_a_partner_needs_a_name() {
    for app in spawn_all().await {
        let departement = app.departement_for(true).await;
        let answered = answer(
            &app,
            Role::SocialWorker,
            "/partenaires",
            &[
                ("departement", &departement),
                ("partner_type", "cidff"),
                ("name", "CIDFF\u{0} de \u{202E}Rennes\u{2066}\u{1b}"),
                ("hours", "9h\u{0}-17h"),
            ],
        )
        .await;
        assert_eq!(answered.0, 303, "{}\n{}", app.backend, answered.1);
        let (name, hours): (String, String) = sqlx::query_as(
            "SELECT name, hours FROM partners WHERE departement_code = $1 AND name LIKE 'CIDFF%Rennes'",
        )
        .bind(&departement)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(
            (name.as_str(), hours.as_str()),
            ("CIDFF de Rennes", "9h-17h"),
            "{}",
            app.backend
        );

        let partners = "SELECT COUNT(*) FROM partners WHERE departement_code = $1";
        let before = count(&app, partners, &departement).await;
        for empty in ["\u{202E}\u{2069}", "\u{200B}", " - ", "\u{0}"] {
            let answered = answer(
                &app,
                Role::SocialWorker,
                "/partenaires",
                &[
                    ("departement", &departement),
                    ("partner_type", "ccas"),
                    ("name", empty),
                ],
            )
            .await;
            refused(&app, &answered, "Nom : le nom de la structure est requis");
        }
        assert_eq!(
            count(&app, partners, &departement).await,
            before,
            "{}",
            app.backend
        );

        let case = app.case_for(true).await;
        let (status, _) = answer(
            &app,
            Role::SocialWorker,
            &format!("/dossiers/{case}/notes"),
            &[
                ("text", "Appel\u{0} reçu\r\nrappeler \u{202E}demain"),
                ("visibility", "team"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{}", app.backend);
        let page = app
            .send_as(
                Some(Role::SocialWorker),
                Method::Get,
                &format!("/dossiers/{case}"),
                &[],
            )
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("Appel reçu"), "{}\n{page}", app.backend);
        assert!(page.contains("rappeler demain"), "{}\n{page}", app.backend);
        assert!(
            !page.contains('\u{202E}') && !page.contains('\u{0}'),
            "{}",
            app.backend
        );
        app.finish().await;
    }
}
