//! Reads of personal data that used to skip the policy or the journal, over HTTP on both
//! backends: the officer's booking desk (names only from the unit that booked, each read
//! journaled), the look-alike persons and the `?ligne=` identity of the new-person form
//! (journaled, the identity never in clear in the journal), and a person's page (the policy
//! asked before the identity is unsealed).

mod helpers;

use helpers::{CSRF, TestApp, pdf_text, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::{AccountId, CaseId, PersonId};
use passerelle_store::identity::account;

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
        case_id: None,
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
        let session = app.session_of(&officer, &at_unit).await;
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
            &AccountId::new(&officer),
            Role::Officer,
            Some(&app.elsewhere.other_unit),
        )
        .await
        .unwrap();
        drop(connection);
        let session = app.session_of(&officer, &elsewhere).await;
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
        for path in [
            format!("/personnes/{person}"),
            format!("/personnes/{person}/journal"),
        ] {
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
            format!("/personnes/{person}/releve-rgpd"),
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
        assert_eq!(disclosures_of(&app, &person).await, 0, "{}", app.backend);
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
            &PersonId::new(&person),
            passerelle_store::referral::person::CaseLink::NewLine {
                case_id: &CaseId::new(&second),
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
        let session = app.session_of(&worker, &role).await;
        let (status, page) = get_with(&app, &session, &format!("/dossiers/{case}")).await;
        assert_eq!(status, 200, "{}", app.backend);
        assert!(page.contains("Fictive"), "{}", app.backend);
        assert_eq!(reads_of(&app, &person).await, 1, "{}", app.backend);
        app.finish().await;
    }
}

/// POST `form` to `path` with a session and its real anti-forgery token: (status, headers,
/// body bytes).
async fn post_with(
    app: &TestApp,
    session: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let token = app.csrf_for(session);
    let mut fields: Vec<(&str, &str)> = form.to_vec();
    fields.push(("csrf", &token));
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "cookie",
            format!("passerelle_csrf={token}; passerelle_session={session}"),
        )
        .body(serde_urlencoded::to_string(&fields).unwrap())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

/// How many disclosures the journal holds for this target.
async fn disclosures_of(app: &TestApp, target_id: &str) -> i64 {
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM journal WHERE action = 'personal_data.disclosed' AND target_id = $1",
    )
    .bind(target_id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    count
}

/// The journal's rows in all, to see that a refusal wrote nothing.
async fn journal_rows(app: &TestApp) -> i64 {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM journal")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    count
}

/// The referral form of the demo officer's unit, for one victim.
fn referral_form(last_name: &str) -> Vec<(&str, &str)> {
    vec![
        ("source", "intervention"),
        ("urgency", "within_48h"),
        ("category", "domestic_violence"),
        ("context", "Différend conjugal signalé par un voisin."),
        ("person_1_role", "victim"),
        ("person_1_last_name", last_name),
        ("person_1_first_name", "Camille"),
        ("person_1_phone", "06 12 34 56 78"),
        ("consent", "yes"),
        ("contact_channel", "sms"),
        ("contact_hours", "en journée"),
        ("procedure_reference", ""),
    ]
}

#[tokio::test]
async fn the_posts_social_workers_see_who_read_a_case_and_a_person_in_their_journals() {
    for app in spawn_all().await {
        let post = app.scope(Role::SocialWorker);
        // The officer refers a person: the referral is journaled on the case it opens.
        let officer = app.session_for(Role::Officer).await;
        let (status, _, body) =
            post_with(&app, &officer, "/signalements", &referral_form("Fictive")).await;
        assert_eq!(
            status,
            303,
            "{}: {}",
            app.backend,
            String::from_utf8_lossy(&body)
        );
        let (case,): (String,) = sqlx::query_as(
            "SELECT id FROM cases WHERE referral_unit_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(app.scope(Role::Officer))
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        // The post's social worker identifies the person (a look-alike already exists).
        let (look_alike, _) = app.person_for(true).await;
        let (line,): (String,) =
            sqlx::query_as("SELECT id FROM case_persons WHERE case_id = $1 AND person_id IS NULL")
                .bind(&case)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let worker = app.session_for(Role::SocialWorker).await;
        let (status, _, body) = post_with(
            &app,
            &worker,
            &format!("/dossiers/{case}/personnes"),
            &[
                ("line", line.as_str()),
                ("role", "victim"),
                ("last_name", "Fictive"),
                ("first_names", "Camille"),
                ("birth_date", "14/07/1990"),
                ("decision", "new"),
            ],
        )
        .await;
        assert_eq!(
            status,
            303,
            "{}: {}",
            app.backend,
            String::from_utf8_lossy(&body)
        );
        let (person,): (String,) = sqlx::query_as(
            "SELECT person_id FROM case_persons WHERE id = $1 AND person_id IS NOT NULL",
        )
        .bind(&line)
        .fetch_one(app.db.pool())
        .await
        .unwrap();

        // A colleague of the post reads the case and the person's page (which proposes the
        // look-alike: a read of that other record too).
        let (colleague, colleague_role) = app.new_account(Role::SocialWorker, Some(&post)).await;
        let colleague = app.session_of(&colleague, &colleague_role).await;
        for path in [format!("/dossiers/{case}"), format!("/personnes/{person}")] {
            let (status, _) = get_with(&app, &colleague, &path).await;
            assert_eq!(status, 200, "{}: {path}", app.backend);
        }

        // The case's journal: the officer's referral and the colleague's read, by name and
        // role, dated to the minute in Paris, newest first (this very look on top).
        let (status, page) = get_with(&app, &worker, &format!("/dossiers/{case}/journal")).await;
        assert_eq!(status, 200, "{}", app.backend);
        let officer_name = &app.login(Role::Officer).display_name;
        let today =
            passerelle_web::http::clock::french_date(passerelle_web::http::clock::paris_today());
        for expected in [
            "Qui a consulté ce dossier",
            officer_name.as_str(),
            "Gendarme ou policier",
            "signalement Sous 48 h (avec consentement)",
            "Compte cible",
            "Intervenant social",
            "dossier consulté",
            "Consultation de données personnelles",
            "journal du dossier consulté",
            &format!("{today} "),
        ] {
            assert!(
                page.contains(expected),
                "{}: the case's journal shows « {expected} »",
                app.backend
            );
        }
        let at = |text: &str| page.find(text).unwrap();
        assert!(
            at("journal du dossier consulté") < at(">dossier consulté<")
                && at(">dossier consulté<") < at("signalement Sous 48 h"),
            "{}: newest first",
            app.backend
        );
        // It names who and when, never what: no identity, no fact of the case.
        for secret in ["Fictive", "Camille", "Différend conjugal"] {
            assert!(!page.contains(secret), "{}: {secret}", app.backend);
        }

        // The person's journal: their page read, their creation, and the rows of their case
        // (the case page shows them), each saying what it is about.
        let (status, page) = get_with(&app, &worker, &format!("/personnes/{person}/journal")).await;
        assert_eq!(status, 200, "{}", app.backend);
        for expected in [
            "Journal de cette fiche",
            "fiche personne consultée",
            "personne créée",
            "Cette fiche",
            "Dossier reçu le",
            "signalement Sous 48 h",
            "Compte cible",
            "journal de la fiche consulté",
        ] {
            assert!(
                page.contains(expected),
                "{}: the person's journal shows « {expected} »",
                app.backend
            );
        }

        // The look-alike the person's page proposed: its own journal finds that read.
        let (status, page) =
            get_with(&app, &worker, &format!("/personnes/{look_alike}/journal")).await;
        assert_eq!(status, 200, "{}", app.backend);
        assert!(
            page.contains("identité proposée comme doublon possible sur une autre fiche"),
            "{}: a look-alike's read is in its own journal",
            app.backend
        );

        // Looking at a journal is itself journaled, on its record.
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM journal WHERE target_id = $1 AND detail = 'journal du dossier consulté'",
        )
        .bind(&case)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(count, 1, "{}", app.backend);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_records_journal_and_the_persons_copy_are_refused_to_others_as_if_unknown() {
    for app in spawn_all().await {
        let (person, case) = app.person_for(true).await;
        let (stranger, stranger_role) = app
            .new_account(Role::SocialWorker, Some(&app.elsewhere.other_post))
            .await;
        let mut sessions = vec![(
            "social worker of another post",
            app.session_of(&stranger, &stranger_role).await,
        )];
        for role in [Role::Officer, Role::Employer, Role::National] {
            sessions.push((role.code(), app.session_for(role).await));
        }
        let before = journal_rows(&app).await;
        for (who, session) in &sessions {
            for (path, unknown) in [
                (
                    format!("/dossiers/{case}/journal"),
                    "/dossiers/inconnu/journal",
                ),
                (
                    format!("/personnes/{person}/journal"),
                    "/personnes/inconnue/journal",
                ),
            ] {
                let real = get_with(&app, session, &path).await;
                let none = get_with(&app, session, unknown).await;
                assert_eq!(real.0, 403, "{}: {who} {path}", app.backend);
                assert_eq!(
                    real, none,
                    "{}: {who} {path} answers as unknown",
                    app.backend
                );
            }
            let path = format!("/personnes/{person}/releve-rgpd");
            let real = post_with(&app, session, &path, &[]).await;
            let none = post_with(&app, session, "/personnes/inconnue/releve-rgpd", &[]).await;
            assert_eq!(real.0, 403, "{}: {who} {path}", app.backend);
            assert_eq!(
                (real.0, real.2),
                (none.0, none.2),
                "{}: {who} {path} answers as unknown",
                app.backend
            );
        }
        assert_eq!(
            journal_rows(&app).await,
            before,
            "{}: a refusal reads and writes nothing",
            app.backend
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_persons_copy_holds_their_data_and_the_team_notes_not_private_ones_in_one_disclosure() {
    for app in spawn_all().await {
        let post = app.scope(Role::SocialWorker);
        let (person, case) = app.person_for(true).await;
        let worker = app.session_for(Role::SocialWorker).await;
        let (colleague, colleague_role) = app.new_account(Role::SocialWorker, Some(&post)).await;
        let colleague = app.session_of(&colleague, &colleague_role).await;
        for (session, text, visibility) in [
            (&worker, "Sentinelle-Equipe : accompagnée au CCAS", "team"),
            (&colleague, "Sentinelle-Privee-Collegue", "author"),
            (&worker, "Sentinelle-Privee-Soi", "author"),
        ] {
            let (status, _, _) = post_with(
                &app,
                session,
                &format!("/dossiers/{case}/notes"),
                &[("text", text), ("visibility", visibility)],
            )
            .await;
            assert_eq!(status, 303, "{}: {text}", app.backend);
        }
        let today = passerelle_web::http::clock::paris_today().to_string();
        let (status, _, _) = post_with(
            &app,
            &worker,
            &format!("/dossiers/{case}/entretiens"),
            &[("held_on", &today), ("place", "phone"), ("minutes", "30")],
        )
        .await;
        assert_eq!(status, 303, "{}", app.backend);
        // Appointments name their person in words: hers is found by name, another's is not.
        let officer = app.login(Role::Officer).id.clone();
        visio_booked_by(&app, &officer, "Mme Camille Fictive", 20).await;
        visio_booked_by(&app, &officer, "Dominique Sentinelle-Tiers", 21).await;

        let (status, headers, body) = post_with(
            &app,
            &worker,
            &format!("/personnes/{person}/releve-rgpd"),
            &[],
        )
        .await;
        assert_eq!(status, 200, "{}", app.backend);
        assert_eq!(
            headers["content-type"], "application/pdf",
            "{}",
            app.backend
        );
        assert_eq!(headers["cache-control"], "no-store", "{}", app.backend);
        assert!(
            headers["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment"),
            "{}",
            app.backend
        );
        let text = pdf_text(&body);
        for expected in [
            "Relevé des données personnelles",
            "Fictive",
            "Camille",
            "14/07/1990",
            "Sentinelle-Equipe : accompagnée au CCAS",
            "Intervention au domicile",
            "Entretien",
            "Consignes de contact",
            "Appeler le soir uniquement",
            "Transmission",
        ] {
            assert!(
                text.contains(expected),
                "{}: the copy holds « {expected} »:\n{text}",
                app.backend
            );
        }
        for secret in [
            "Sentinelle-Privee-Collegue",
            "Sentinelle-Privee-Soi",
            "Sentinelle-Tiers",
        ] {
            assert!(
                !text.contains(secret),
                "{}: the copy leaves out « {secret} »",
                app.backend
            );
        }
        assert_eq!(
            disclosures_of(&app, &person).await,
            1,
            "{}: one disclosure for one copy",
            app.backend
        );
        // The disclosure came first: it is in the copy's own journal, read after it.
        let (first,): (i64,) = sqlx::query_as(
            "SELECT MIN(seq) FROM journal WHERE action = 'personal_data.disclosed' AND target_id = $1",
        )
        .bind(&person)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let (reads_after,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM journal WHERE seq > $1 AND action = 'personal_data.read' AND detail LIKE 'noms des rendez-vous%'",
        )
        .bind(first)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(reads_after, 1, "{}", app.backend);
        app.finish().await;
    }
}
