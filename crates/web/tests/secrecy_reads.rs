//! Reads of personal data that used to skip the policy or the journal, over HTTP on both
//! backends: the officer's booking desk (names only from the unit that booked, each read
//! journaled), the look-alike persons and the `?ligne=` identity of the new-person form
//! (journaled, the identity never in clear in the journal), and a person's page (the policy
//! asked before the identity is unsealed).

mod helpers;

use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_store::identity::{account, session};

/// A session of `account_id` acting with the role `role_id`, second factor done.
async fn session_of(app: &TestApp, account_id: &str, role_id: &str) -> String {
    let mut connection = app.db.pool().acquire().await.unwrap();
    let token = session::create(
        &mut connection,
        Some(account_id),
        None,
        &app.db.clock().now_text(),
    )
    .await
    .unwrap();
    let hash = session::token_hash(&token);
    session::mark_second_factor_done(&mut connection, &hash)
        .await
        .unwrap();
    session::set_active_role(&mut connection, &hash, role_id)
        .await
        .unwrap();
    token
}

/// GET `path` with a session: (status, body with HTML apostrophes read back).
async fn get_with(app: &TestApp, session: &str, path: &str) -> (u16, String) {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(path))
        .header(
            "cookie",
            format!("passerelle_csrf={CSRF}; passerelle_session={session}"),
        )
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, text.replace("&#x27;", "'").replace("&#39;", "'"))
}

/// How many reads of personal data the journal holds for this target.
async fn reads_of(app: &TestApp, target_id: &str) -> i64 {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM journal WHERE action = 'personal_data.read' AND target_id = $1",
    )
    .bind(target_id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    count
}

/// Books a visio appointment on the demo social worker's post, `days` ahead, for `person`.
async fn visio_booked_by(app: &TestApp, officer: &str, person: &str, days: i64) -> String {
    let post = app.scope(Role::SocialWorker);
    let starts = time::OffsetDateTime::now_utc().unix_timestamp() + days * 86_400;
    let id = uuid::Uuid::now_v7().to_string();
    let appointment = passerelle_store::presence::appointment::NewAppointment {
        id: id.clone(),
        post_id: &post,
        request: passerelle_domain::presence::appointment::Request {
            mode: passerelle_domain::presence::appointment::AppointmentMode::Visio,
            unit_id: None,
            starts_unix: starts,
            ends_unix: starts + 1800,
            moving: None,
        },
        person,
        safe_contact: "Appeler le soir uniquement",
        visio_room: Some(uuid::Uuid::new_v4().simple().to_string()),
        booked_by: officer,
    };
    let entry = passerelle_store::journal::Entry::new(
        passerelle_domain::journal::JournalAction::AppointmentBooked,
    )
    .by(officer, None);
    passerelle_store::presence::appointment::book(
        &app.db,
        &app.keys(),
        &appointment,
        starts - 86_400,
        &[],
        entry,
    )
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn the_booking_desk_names_a_person_only_from_the_unit_that_booked_and_journals_it() {
    for app in spawn_all().await {
        let unit = app.scope(Role::Officer);
        let (officer, at_unit) = app.new_account(Role::Officer, Some(&unit)).await;
        let appointment = visio_booked_by(&app, &officer, "Mme Sentinelle-Bureau", 30).await;

        // At the unit that booked: the name is shown, and that read is journaled once.
        let session = session_of(&app, &officer, &at_unit).await;
        let (status, page) = get_with(&app, &session, "/rendez-vous").await;
        assert_eq!(status, 200, "{}", app.backend);
        assert!(page.contains("Mme Sentinelle-Bureau"), "{}", app.backend);
        assert_eq!(
            reads_of(&app, &appointment).await,
            1,
            "{}: the desk's read of the name is journaled",
            app.backend
        );

        // Moved to a unit that does not host the post: the booking is still listed (date,
        // status), the name is not, and nothing is unsealed or journaled.
        passerelle_store::identity::administration::revoke_role(
            &app.db,
            &at_unit,
            passerelle_store::journal::Entry::new(
                passerelle_domain::journal::JournalAction::RoleRevoked,
            ),
        )
        .await
        .unwrap();
        let mut connection = app.db.pool().acquire().await.unwrap();
        let elsewhere = account::grant_role(
            &mut connection,
            &officer,
            Role::Officer,
            Some(&app.elsewhere.other_unit),
        )
        .await
        .unwrap();
        drop(connection);
        let session = session_of(&app, &officer, &elsewhere).await;
        let (status, page) = get_with(&app, &session, "/rendez-vous").await;
        assert_eq!(status, 200, "{}", app.backend);
        assert!(
            !page.contains("Mme Sentinelle-Bureau"),
            "{}: an officer who moved does not see the name",
            app.backend
        );
        assert!(page.contains("Prévu"), "{}: the status stays", app.backend);
        assert_eq!(reads_of(&app, &appointment).await, 1, "{}", app.backend);
        let (status, page) = get_with(&app, &session, &format!("/rendez-vous/{appointment}")).await;
        assert_eq!(status, 403, "{}", app.backend);
        assert!(!page.contains("Mme Sentinelle-Bureau"));
        app.finish().await;
    }
}

#[tokio::test]
async fn the_look_alikes_and_the_transmitted_identity_are_journaled_without_the_identity() {
    for app in spawn_all().await {
        let (person, _) = app.person_for(true).await;
        let case = app.case_for(true).await;

        // The look-alikes proposed when a person is added to a case.
        let form: Vec<(String, String)> = [
            ("role", "victim"),
            ("last_name", "Fictive"),
            ("first_names", "Camille"),
            ("birth_date", "14/07/1990"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let before = reads_of(&app, &case).await;
        let response = app
            .send_as(
                Some(Role::SocialWorker),
                passerelle_web::http::route_table::Method::Post,
                &format!("/dossiers/{case}/personnes"),
                &form,
            )
            .await;
        assert_eq!(response.status(), 200, "{}", app.backend);
        let page = response.text().await.unwrap();
        assert!(
            page.contains(&person),
            "{}: the look-alike is proposed",
            app.backend
        );
        assert_eq!(
            reads_of(&app, &case).await,
            before + 1,
            "{}: proposing look-alikes is a journaled read",
            app.backend
        );

        // The identity the referral transmitted, pre-filled by `?ligne=`.
        let (line,): (String,) =
            sqlx::query_as("SELECT id FROM case_persons WHERE case_id = $1 AND person_id IS NULL")
                .bind(&case)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let response = app
            .send_as(
                Some(Role::SocialWorker),
                passerelle_web::http::route_table::Method::Get,
                &format!("/dossiers/{case}/personnes/nouvelle?ligne={line}"),
                &[],
            )
            .await;
        assert_eq!(response.status(), 200, "{}", app.backend);
        assert!(response.text().await.unwrap().contains("Fictive"));
        assert_eq!(
            reads_of(&app, &case).await,
            before + 2,
            "{}: the transmitted identity's read is journaled",
            app.backend
        );

        // The journal names what was read, never the identity.
        let details: Vec<(Option<String>,)> = sqlx::query_as(
            "SELECT detail FROM journal WHERE action = 'personal_data.read' AND target_id = $1",
        )
        .bind(&case)
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        for (detail,) in details {
            let detail = detail.unwrap_or_default();
            assert!(
                !detail.contains("Fictive")
                    && !detail.contains("Camille")
                    && !detail.contains("1990"),
                "{}: {detail}",
                app.backend
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn a_persons_page_asks_the_policy_before_unsealing_the_identity() {
    for app in spawn_all().await {
        // A person of another post whose sealed identity cannot be opened: unsealing it first
        // would fail (a 500); the policy refuses before anything is opened.
        let (person, _) = app.person_for(false).await;
        sqlx::query("UPDATE persons SET identity_sealed = $1 WHERE id = $2")
            .bind(b"not a sealed identity".to_vec())
            .bind(&person)
            .execute(app.db.pool())
            .await
            .unwrap();
        for path in [format!("/personnes/{person}")] {
            let response = app
                .send_as(
                    Some(Role::SocialWorker),
                    passerelle_web::http::route_table::Method::Get,
                    &path,
                    &[],
                )
                .await;
            assert_eq!(response.status(), 403, "{}: {path}", app.backend);
        }
        for path in [
            format!("/personnes/{person}/fusion"),
            format!("/personnes/{person}/foyer"),
        ] {
            let response = app
                .send_as(
                    Some(Role::SocialWorker),
                    passerelle_web::http::route_table::Method::Post,
                    &path,
                    &[("duplicate".into(), "x".into())],
                )
                .await;
            assert_eq!(response.status(), 403, "{}: {path}", app.backend);
        }
        assert_eq!(reads_of(&app, &person).await, 0, "{}", app.backend);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_transferred_case_opens_a_person_who_stayed_with_the_sending_post_under_a_journal_row() {
    for app in spawn_all().await {
        // A person in two cases of the demo post; one case goes to another post, the person
        // stays (the other case still links them).
        let (person, case) = app.person_for(true).await;
        let second = app.case_for(true).await;
        passerelle_store::referral::person::add_to_case(
            &app.db,
            &person,
            passerelle_store::referral::person::CaseLink::NewLine {
                case_id: &second,
                role: passerelle_domain::referral::PersonRole::Victim,
            },
            passerelle_store::journal::Entry::new(
                passerelle_domain::journal::JournalAction::PersonalDataWritten,
            ),
        )
        .await
        .unwrap();
        let other = app.elsewhere.other_post.clone();
        let form: Vec<(String, String)> = [("post", other.as_str()), ("reason", "Déménagement")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let response = app
            .send_as(
                Some(Role::SocialWorker),
                passerelle_web::http::route_table::Method::Post,
                &format!("/dossiers/{case}/transfert"),
                &form,
            )
            .await;
        assert_eq!(response.status(), 303, "{}", app.backend);
        let (stayed,): (String,) = sqlx::query_as("SELECT post_id FROM persons WHERE id = $1")
            .bind(&person)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(stayed, app.scope(Role::SocialWorker), "{}", app.backend);

        // The receiving post's social worker opens the case: the person is shown, their read
        // journaled in the post that holds them.
        let (worker, role) = app.new_account(Role::SocialWorker, Some(&other)).await;
        let session = session_of(&app, &worker, &role).await;
        let (status, page) = get_with(&app, &session, &format!("/dossiers/{case}")).await;
        assert_eq!(status, 200, "{}", app.backend);
        assert!(page.contains("Fictive"), "{}", app.backend);
        assert_eq!(reads_of(&app, &person).await, 1, "{}", app.backend);
        app.finish().await;
    }
}
