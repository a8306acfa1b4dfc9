//! Referrals and case files over HTTP on both backends: the officer refers and sees status
//! words only; the social worker takes over, writes a sealed note, records an interview and
//! an orientation; nobody else reads a thing; every read is journaled; bad input is refused
//! in French with nothing written; the retention purge erases the personal data only.

mod helpers;

use helpers::{TestApp, pdf_text, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;

/// Work on a case is dated from the day it was received (today, for the cases made here).
static TODAY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    passerelle_web::http::clock::french_date(passerelle_web::http::clock::paris_today())
});

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn send(
    app: &TestApp,
    who: Role,
    method: Method,
    path: &str,
    pairs: &[(&str, &str)],
) -> (u16, String) {
    let response = app.send_as(Some(who), method, path, &form(pairs)).await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, text.replace("&#x27;", "'").replace("&#39;", "'"))
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

/// What a stolen dump of the case tables and the journal shows, as text.
async fn raw_case_tables(app: &TestApp) -> String {
    let blob = |column: &str| format!("COALESCE({column}, CAST('' AS BYTEA))");
    let queries = [
        format!("SELECT id, {} FROM cases", blob("context_sealed")),
        format!("SELECT id, {} FROM cases", blob("safe_contact_sealed")),
        format!(
            "SELECT id, {} FROM cases",
            blob("procedure_reference_sealed")
        ),
        format!("SELECT role, {} FROM case_persons", blob("identity_sealed")),
        "SELECT visibility, body_sealed FROM case_notes".to_string(),
    ];
    let mut all = String::new();
    for sql in queries {
        // SQLite has no BYTEA type name: its BLOB is the same thing.
        let sql = if app.backend == "postgres" {
            sql
        } else {
            sql.replace("BYTEA", "BLOB")
        };
        let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        for (clear, bytes) in rows {
            all.push_str(&clear);
            all.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    let journal: Vec<(String, String)> =
        sqlx::query_as("SELECT action, COALESCE(detail, '') FROM journal")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    for (action, detail) in journal {
        all.push_str(&action);
        all.push_str(&detail);
    }
    all
}

const CONTEXT: &str = "Différend conjugal rue des Lilas, voisins inquiets";
const NAME: &str = "Zéphyrine";
const NOTE: &str = "Note confidentielle XQ-4242 sur la situation";

fn referral_form<'a>(consent: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("source", "intervention"),
        ("urgency", "immediate"),
        ("category", "domestic_violence"),
        ("category", "child_in_danger"),
        ("context", CONTEXT),
        ("person_1_role", "victim"),
        ("person_1_last_name", NAME),
        ("person_1_first_name", "Aurore"),
        ("person_1_phone", "06 12 34 56 78"),
        ("person_2_role", "child"),
        ("person_2_last_name", ""),
        ("person_2_first_name", "Léo"),
        ("person_2_phone", ""),
        ("consent", consent),
        ("contact_channel", "sms"),
        ("contact_hours", "en journée, jamais le soir"),
        ("procedure_reference", ""),
    ]
}

async fn newest_case_of_unit(app: &TestApp, unit: &str) -> (String, String) {
    sqlx::query_as("SELECT id, post_id FROM cases WHERE referral_unit_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1")
        .bind(unit)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn reads_of(app: &TestApp, case: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM journal WHERE action = 'personal_data.read' AND target_id = $1",
    )
    .bind(case)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    n
}

#[tokio::test]
async fn a_referral_is_followed_under_secrecy_and_the_officer_sees_status_words_only() {
    for app in spawn_all().await {
        let unit = app.scope(Role::Officer);
        let (status, _) = send(
            &app,
            Role::Officer,
            Method::Post,
            "/signalements",
            &referral_form("yes"),
        )
        .await;
        assert_eq!(status, 303, "{}", app.backend);
        let (case, post) = newest_case_of_unit(&app, &unit).await;
        assert_eq!(
            post,
            app.scope(Role::SocialWorker),
            "the referral goes to the post serving the unit"
        );

        // The inbox shows it on top (immediate), the case shows what was referred.
        let (status, inbox) = send(&app, Role::SocialWorker, Method::Get, "/dossiers", &[]).await;
        assert_eq!(status, 200);
        assert!(inbox.contains(&format!("/dossiers/{case}")), "{inbox}");
        let reads = reads_of(&app, &case).await;
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/dossiers/{case}"),
            &[],
        )
        .await;
        assert_eq!(status, 200);
        for expected in [
            CONTEXT,
            NAME,
            "06 12 34 56 78",
            "SMS — en journée, jamais le soir",
            "Enfant du foyer",
        ] {
            assert!(
                page.contains(expected),
                "{expected} missing in the case page"
            );
        }
        assert_eq!(
            reads_of(&app, &case).await,
            reads + 1,
            "every read of a case is journaled"
        );

        // Take over: contact, a sealed note, an interview, an orientation accepted.
        let path = |tail: &str| format!("/dossiers/{case}/{tail}");
        for (tail, pairs) in [
            (
                "statut",
                vec![("status", "contact_attempted"), ("outcome", "")],
            ),
            ("statut", vec![("status", "in_contact"), ("outcome", "")]),
            ("notes", vec![("text", NOTE), ("visibility", "team")]),
            (
                "entretiens",
                vec![
                    ("held_on", TODAY.as_str()),
                    ("place", "phone"),
                    ("minutes", "40"),
                ],
            ),
            (
                "actions",
                vec![("done_on", TODAY.as_str()), ("kind", "rights_information")],
            ),
            (
                "orientations",
                vec![
                    ("proposed_on", TODAY.as_str()),
                    ("partner_type", "cidff"),
                    ("partner_name", "CIDFF du département"),
                ],
            ),
            ("penal", vec![("criminal", "yes")]),
        ] {
            let (status, body) =
                send(&app, Role::SocialWorker, Method::Post, &path(tail), &pairs).await;
            assert_eq!(status, 303, "{tail}: {body}");
        }
        let (orientation,): (String,) =
            sqlx::query_as("SELECT id FROM case_orientations WHERE case_id = $1")
                .bind(&case)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &path(&format!("orientations/{orientation}/statut")),
            &[("status", "accepted")],
        )
        .await;
        assert_eq!(status, 303);
        let (_, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/dossiers/{case}"),
            &[],
        )
        .await;
        for expected in [
            NOTE,
            "En contact",
            "Entretien — Téléphone — 40 min",
            "Information sur les droits",
            "CIDFF (CIDFF du département) — Acceptée",
            "Statut : Contact tenté",
            "Note de ",
        ] {
            assert!(
                page.contains(expected),
                "{expected} missing after the follow-up"
            );
        }

        // The officer: status words, nothing of the content; the case itself is closed to them.
        let (status, list) = send(&app, Role::Officer, Method::Get, "/signalements", &[]).await;
        assert_eq!(status, 200);
        assert!(list.contains("En contact"), "{list}");
        for secret in [
            CONTEXT,
            NAME,
            NOTE,
            "CIDFF",
            "Téléphone",
            "jamais le soir",
            "Aurore",
        ] {
            assert!(
                !list.contains(secret),
                "the officer's list shows « {secret} »"
            );
        }
        // Nobody but the post's social workers reads the case, not even its error page.
        for role in [
            Role::Officer,
            Role::Employer,
            Role::Prevention,
            Role::National,
            Role::Admin,
        ] {
            let (status, body) =
                send(&app, role, Method::Get, &format!("/dossiers/{case}"), &[]).await;
            assert_eq!(status, 403, "{role:?}");
            for secret in [CONTEXT, NAME, NOTE] {
                assert!(!body.contains(secret), "{role:?} reads « {secret} »");
            }
        }

        // The raw database holds none of it in clear.
        let raw = raw_case_tables(&app).await;
        for secret in [CONTEXT, NAME, NOTE, "jamais le soir", "0612345678"] {
            assert!(
                !raw.contains(secret),
                "« {secret} » is in clear in the database ({})",
                app.backend
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn without_consent_only_an_anonymous_count_is_kept() {
    for app in spawn_all().await {
        let unit = app.scope(Role::Officer);
        let (status, _) = send(
            &app,
            Role::Officer,
            Method::Post,
            "/signalements",
            &referral_form("no"),
        )
        .await;
        assert_eq!(status, 303);
        let (case, _) = newest_case_of_unit(&app, &unit).await;
        let (status, outcome, context): (String, Option<String>, Option<Vec<u8>>) = sqlx::query_as(
            "SELECT status, closure_outcome, context_sealed FROM cases WHERE id = $1",
        )
        .bind(&case)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(
            (status.as_str(), outcome.as_deref(), context),
            ("closed", Some("no_follow_up"), None)
        );
        assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM case_persons WHERE case_id = '{case}' AND identity_sealed IS NOT NULL")).await, 0);
        app.finish().await;
    }
}

#[tokio::test]
async fn bad_input_is_refused_in_french_and_nothing_is_written() {
    for app in spawn_all().await {
        let before = count(&app, "SELECT COUNT(*) FROM cases").await;
        let mut bad = referral_form("yes");
        bad.retain(|(key, _)| *key != "category");
        bad.retain(|(key, _)| *key != "person_1_phone");
        bad.push(("person_1_phone", "12"));
        let (status, page) = send(&app, Role::Officer, Method::Post, "/signalements", &bad).await;
        assert_eq!(status, 422);
        assert!(
            page.contains("Motifs : choisissez au moins un motif"),
            "{page}"
        );
        assert!(page.contains("Personne 1 — téléphone"), "{page}");
        assert!(page.contains(CONTEXT), "what was typed is given back");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM cases").await, before);

        let case = app.case_for(true).await;
        let writes = count(
            &app,
            "SELECT COUNT(*) FROM journal WHERE action = 'personal_data.written'",
        )
        .await;
        let future = passerelle_store::db::time_text::date_to_text(
            passerelle_web::http::clock::paris_today() + time::Duration::days(2),
        );
        for (tail, pairs, message) in [
            (
                "entretiens",
                vec![
                    ("held_on", "31/02/2026"),
                    ("place", "phone"),
                    ("minutes", "30"),
                ],
                "Date de l'entretien",
            ),
            (
                "entretiens",
                vec![
                    ("held_on", future.as_str()),
                    ("place", "phone"),
                    ("minutes", "30"),
                ],
                "dans le futur",
            ),
            (
                "entretiens",
                vec![
                    ("held_on", TODAY.as_str()),
                    ("place", "phone"),
                    ("minutes", "trente"),
                ],
                "Durée de l'entretien",
            ),
            (
                "entretiens",
                vec![
                    ("held_on", TODAY.as_str()),
                    ("place", "ailleurs"),
                    ("minutes", "30"),
                ],
                "lieu de l'entretien",
            ),
            (
                "actions",
                vec![("done_on", TODAY.as_str()), ("kind", "magie")],
                "action",
            ),
            (
                "orientations",
                vec![
                    ("proposed_on", TODAY.as_str()),
                    ("partner_type", "inconnu"),
                    ("partner_name", ""),
                ],
                "type de partenaire",
            ),
            (
                "statut",
                vec![("status", "received"), ("outcome", "")],
                "statut",
            ),
            (
                "statut",
                vec![("status", "closed"), ("outcome", "")],
                "issue",
            ),
            (
                "notes",
                vec![("text", "  "), ("visibility", "team")],
                "Note",
            ),
            ("penal", vec![("criminal", "peut-être")], "Situation pénale"),
            (
                "transfert",
                vec![("post", "inconnu"), ("reason", "Déménagement")],
                "Poste de destination",
            ),
            (
                "transfert",
                vec![("post", app.elsewhere.other_post.as_str()), ("reason", "")],
                "Motif du transfert",
            ),
        ] {
            let (status, page) = send(
                &app,
                Role::SocialWorker,
                Method::Post,
                &format!("/dossiers/{case}/{tail}"),
                &pairs,
            )
            .await;
            assert_eq!(status, 422, "{tail} {pairs:?}");
            assert!(page.contains(message), "{tail}: « {message} » missing");
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM case_interviews").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM case_actions").await, 0);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM case_orientations").await,
            0
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM journal WHERE action = 'personal_data.written'"
            )
            .await,
            writes
        );

        // An orientation moves forward only.
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{case}/orientations"),
            &[
                ("proposed_on", TODAY.as_str()),
                ("partner_type", "ccas"),
                ("partner_name", ""),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (orientation,): (String,) =
            sqlx::query_as("SELECT id FROM case_orientations WHERE case_id = $1")
                .bind(&case)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{case}/orientations/{orientation}/statut"),
            &[("status", "done")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("ne peut pas passer"), "{page}");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_transferred_case_leaves_the_post_with_its_reason_sealed() {
    for app in spawn_all().await {
        let (person, case) = app.person_for(true).await;
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/personnes/{person}"),
            &[],
        )
        .await;
        assert_eq!(status, 200, "the post's person before the transfer");
        let other = app.elsewhere.other_post.clone();
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{case}/transfert"),
            &[
                ("post", &other),
                ("reason", "La personne a déménagé chez sa sœur"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (post, status): (String, String) =
            sqlx::query_as("SELECT post_id, status FROM cases WHERE id = $1")
                .bind(&case)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!((post, status.as_str()), (other, "received"));
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/dossiers/{case}"),
            &[],
        )
        .await;
        assert_eq!(status, 403, "the case is now another post's");
        // The person follows their only case: the old post no longer opens them.
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/personnes/{person}"),
            &[],
        )
        .await;
        assert_eq!(status, 403, "the person left with the case");
        assert!(
            !raw_case_tables(&app)
                .await
                .contains("déménagé chez sa sœur")
        );
        assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM journal WHERE action = 'case.transferred' AND target_id = '{case}'")).await, 1);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_retention_purge_erases_personal_data_past_two_years_and_a_dry_run_nothing() {
    for app in spawn_all().await {
        let old = app.case_for(true).await;
        let recent = app.case_for(true).await;
        for case in [&old, &recent] {
            let (status, _) = send(
                &app,
                Role::SocialWorker,
                Method::Post,
                &format!("/dossiers/{case}/notes"),
                &[("text", NOTE), ("visibility", "author")],
            )
            .await;
            assert_eq!(status, 303);
            let (status, _) = send(
                &app,
                Role::SocialWorker,
                Method::Post,
                &format!("/dossiers/{case}/actions"),
                &[("done_on", TODAY.as_str()), ("kind", "listening")],
            )
            .await;
            assert_eq!(status, 303);
            let (status, _) = send(
                &app,
                Role::SocialWorker,
                Method::Post,
                &format!("/dossiers/{case}/orientations"),
                &[
                    ("proposed_on", TODAY.as_str()),
                    ("partner_type", "cidff"),
                    ("partner_name", "CIDFF Fictive-Ville"),
                ],
            )
            .await;
            assert_eq!(status, 303);
        }
        // The old case's last contact was three years ago.
        sqlx::query("UPDATE cases SET last_contact_at = '2023-06-01T10:00:00Z', received_at = '2023-05-30T10:00:00Z' WHERE id = $1")
            .bind(&old)
            .execute(app.db.pool())
            .await
            .unwrap();
        let facts = "SELECT COUNT(*) FROM cases c JOIN case_actions a ON a.case_id = c.id";
        let facts_before = count(&app, facts).await;
        let today = passerelle_web::http::clock::paris_today();
        let keys = app.keys();

        let before = raw_case_tables(&app).await;
        let dry =
            passerelle_store::referral::retention::purge(&app.db, &keys, today, 2, true, &|_| {})
                .await
                .unwrap();
        assert!(
            dry.cases >= 1 && dry.notes >= 1 && dry.persons >= 1,
            "{dry:?}"
        );
        assert_eq!(
            raw_case_tables(&app).await,
            before,
            "a dry run changes nothing"
        );

        let done =
            passerelle_store::referral::retention::purge(&app.db, &keys, today, 2, false, &|_| {})
                .await
                .unwrap();
        assert_eq!(done, dry, "the dry run counted what the purge did");
        let (context, purged): (Option<Vec<u8>>, Option<String>) =
            sqlx::query_as("SELECT context_sealed, purged_at FROM cases WHERE id = $1")
                .bind(&old)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert!(context.is_none() && purged.is_some());
        assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM case_persons WHERE case_id = '{old}' AND identity_sealed IS NOT NULL")).await, 0);
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) FROM case_notes WHERE case_id = '{old}'")
            )
            .await,
            0
        );
        // The partner the person was oriented to is case content: erased, the type stays.
        let named = |case: &str| {
            format!(
                "SELECT COUNT(*) FROM case_orientations WHERE case_id = '{case}' AND (partner_name_sealed IS NOT NULL OR partner_name <> '')"
            )
        };
        assert_eq!(count(&app, &named(&old)).await, 0);
        assert_eq!(count(&app, &named(&recent)).await, 1);
        assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM case_orientations WHERE case_id = '{old}' AND partner_type = 'cidff'")).await, 1);
        // The recent case keeps everything; the counted facts of both stay.
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) FROM case_notes WHERE case_id = '{recent}'")
            )
            .await,
            1
        );
        assert_eq!(count(&app, facts).await, facts_before);
        let (detail,): (String,) = sqlx::query_as(
            "SELECT detail FROM journal WHERE action = 'retention.purged' AND target_id = $1",
        )
        .bind(&old)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert!(
            !detail.contains("Camille") && !detail.contains("Fictive"),
            "{detail}"
        );
        // The purged case still opens, with nothing personal.
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/dossiers/{old}"),
            &[],
        )
        .await;
        assert_eq!(status, 200);
        assert!(!page.contains("Fictive") && !page.contains(NOTE));
        // Twice is nothing more.
        let again =
            passerelle_store::referral::retention::purge(&app.db, &keys, today, 2, false, &|_| {})
                .await
                .unwrap();
        assert_eq!(again.cases, 0);
        app.finish().await;
    }
}

#[tokio::test]
async fn persons_are_found_despite_typos_linked_to_cases_and_merged() {
    for app in spawn_all().await {
        let first_case = app.case_for(true).await;
        let second_case = app.case_for(true).await;
        let person =
            |last: &'static str, birth: &'static str, first: &'static str, born: &'static str| {
                vec![
                    ("role", "victim"),
                    ("last_name", last),
                    ("birth_name", birth),
                    ("first_names", first),
                    ("sex", "female"),
                    ("birth_date", born),
                    ("phone", ""),
                    ("commune", "Rennes"),
                    ("known", "no"),
                ]
            };
        // A first person: nobody alike yet, created at once.
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{first_case}/personnes"),
            &person("Le Gall-Kerjean", "Durand", "Maëlle", "12/03/1987"),
        )
        .await;
        assert_eq!(status, 303);
        let (kept,): (String,) = sqlx::query_as(
            "SELECT person_id FROM case_persons WHERE case_id = $1 AND person_id IS NOT NULL",
        )
        .bind(&first_case)
        .fetch_one(app.db.pool())
        .await
        .unwrap();

        // Typed again with a typo, no accent, the birth name and day and month swapped:
        // proposed, and nothing written until the social worker decides.
        let before = count(&app, "SELECT COUNT(*) FROM persons").await;
        let again = person("Durant", "", "Maelle", "03/12/1987");
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{second_case}/personnes"),
            &again,
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("peut-être déjà suivie"), "{page}");
        assert!(
            page.contains(&format!("decision-{kept}")),
            "the first person is proposed"
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM persons").await, before);

        // The social worker says it is someone else: a second person, then merges them.
        let mut new = again.clone();
        new.push(("decision", "new"));
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{second_case}/personnes"),
            &new,
        )
        .await;
        assert_eq!(status, 303);
        let (duplicate,): (String,) = sqlx::query_as(
            "SELECT person_id FROM case_persons WHERE case_id = $1 AND person_id IS NOT NULL",
        )
        .bind(&second_case)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_ne!(duplicate, kept);
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/personnes/{kept}"),
            &[],
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            page.contains(&format!("duplicate-{duplicate}")),
            "the look-alike is offered for merging"
        );
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/personnes/{kept}/fusion"),
            &[("duplicate", duplicate.as_str())],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) FROM case_persons WHERE person_id = '{kept}'")
            )
            .await,
            2,
            "both cases now name the kept person"
        );
        assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM journal WHERE action = 'person.merged' AND target_id = '{kept}'")).await, 1);
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/personnes/{kept}/fusion"),
            &[("duplicate", duplicate.as_str())],
        )
        .await;
        assert_eq!(status, 422, "a merged person cannot be merged again");
        assert!(page.contains("fusion"));

        // Search from the list: accents, case and a typo.
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            "/personnes?q=maelle%20le%20gal%20kerjean",
            &[],
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains(&format!("/personnes/{kept}")), "{page}");
        assert!(
            !page.contains(&format!("/personnes/{duplicate}")),
            "a merged person is not proposed"
        );

        // An existing person is linked to a third case when chosen.
        let third_case = app.case_for(true).await;
        let mut chosen = person("Le Gall", "", "Maëlle", "12/03/1987");
        chosen.push(("decision", kept.as_str()));
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{third_case}/personnes"),
            &chosen,
        )
        .await;
        assert_eq!(status, 303);
        let (_, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/personnes/{kept}"),
            &[],
        )
        .await;
        assert_eq!(page.matches("Dossier reçu le").count(), 3);

        // Another post's social worker finds nobody; bad identities are refused by field.
        let (status, _) = send(
            &app,
            Role::Officer,
            Method::Get,
            &format!("/personnes/{kept}"),
            &[],
        )
        .await;
        assert_eq!(status, 403);
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{third_case}/personnes"),
            &person("", "", "", "31/02/1990"),
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("Date de naissance"), "{page}");

        // Names are nowhere in clear: not in the sealed identities, not in the blind index.
        let mut raw = raw_case_tables(&app).await;
        let sealed: Vec<(String, Vec<u8>)> =
            sqlx::query_as(sqlx::AssertSqlSafe(if app.backend == "postgres" {
                "SELECT id, COALESCE(identity_sealed, CAST('' AS BYTEA)) FROM persons"
            } else {
                "SELECT id, COALESCE(identity_sealed, CAST('' AS BLOB)) FROM persons"
            }))
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        for (_, bytes) in sealed {
            raw.push_str(&String::from_utf8_lossy(&bytes));
        }
        let index: Vec<(String,)> = sqlx::query_as("SELECT key_hash FROM person_keys")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        for (hash,) in index {
            assert_eq!(hash.len(), 32);
            raw.push_str(&hash);
        }
        for secret in ["Kerjean", "Maëlle", "Durand", "Rennes", "1987", "krjn"] {
            assert!(
                !raw.contains(secret),
                "« {secret} » is in clear ({})",
                app.backend
            );
        }

        // Past retention, the person loses identity and keys, keeps sex and age band.
        for case in [&first_case, &second_case, &third_case] {
            sqlx::query("UPDATE cases SET last_contact_at = '2023-01-10T10:00:00Z' WHERE id = $1")
                .bind(case)
                .execute(app.db.pool())
                .await
                .unwrap();
        }
        passerelle_store::referral::retention::purge(
            &app.db,
            &app.keys(),
            passerelle_web::http::clock::paris_today(),
            2,
            false,
            &|_| {},
        )
        .await
        .unwrap();
        let (identity, sex, band): (Option<Vec<u8>>, String, Option<String>) =
            sqlx::query_as("SELECT identity_sealed, sex, age_band FROM persons WHERE id = $1")
                .bind(&kept)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert!(identity.is_none());
        assert_eq!((sex.as_str(), band.as_deref()), ("female", Some("25_59")));
        assert_eq!(
            count(
                &app,
                &format!("SELECT COUNT(*) FROM person_keys WHERE person_id = '{kept}'")
            )
            .await,
            0
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_social_worker_opens_a_case_without_referral() {
    for app in spawn_all().await {
        let pairs = vec![
            ("source", "spontaneous"),
            ("urgency", "normal"),
            ("category", "housing"),
            (
                "context",
                "Venue seule à la permanence, menacée d'expulsion",
            ),
            ("person_1_role", "victim"),
            ("person_1_last_name", "Passante"),
            ("person_1_first_name", "Inès"),
            ("person_1_phone", ""),
            ("contact_channel", "via_unit"),
            ("contact_hours", ""),
            ("procedure_reference", ""),
        ];
        let response = app
            .send_as(
                Some(Role::SocialWorker),
                Method::Post,
                "/dossiers",
                &form(&pairs),
            )
            .await;
        assert_eq!(response.status().as_u16(), 303);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let case = location
            .strip_prefix("/dossiers/")
            .expect("to the new case")
            .to_string();
        let (unit, consent, status): (Option<String>, i64, String) =
            sqlx::query_as("SELECT referral_unit_id, consent, status FROM cases WHERE id = $1")
                .bind(&case)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!((unit, consent, status.as_str()), (None, 1, "received"));
        let (_, page) = send(&app, Role::SocialWorker, Method::Get, &location, &[]).await;
        assert!(
            page.contains("Ouverture directe") && page.contains("Inès Passante"),
            "{page}"
        );
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            "/dossiers",
            &[("context", "")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            page.contains("Ouvrir un dossier") && page.contains("Faits"),
            "{page}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_inbox_filters_and_pages_its_cases_and_refuses_bad_filters() {
    for app in spawn_all().await {
        for _ in 0..52 {
            app.case_for(true).await;
        }
        let (status, page) = send(&app, Role::SocialWorker, Method::Get, "/dossiers", &[]).await;
        assert_eq!(status, 200);
        assert!(page.contains("52 dossier(s) — page 1 sur 2"), "{page}");
        assert_eq!(page.matches(" j)</td>").count(), 50, "fifty lines a page");
        let (_, second) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            "/dossiers?statut=ouverts&urgence=within_48h&motif=domestic_violence&page=2",
            &[],
        )
        .await;
        assert!(
            second.contains("page 2 sur 2") && second.contains("Page précédente"),
            "{second}"
        );
        let (_, none) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            "/dossiers?motif=housing",
            &[],
        )
        .await;
        assert!(none.contains("0 dossier(s)") && none.contains("Aucun dossier pour ces filtres"));
        let (_, closed) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            "/dossiers?statut=closed",
            &[],
        )
        .await;
        assert!(closed.contains("0 dossier(s)"));
        for (query, field) in [
            ("statut=fini", "statut"),
            ("urgence=hier", "urgence"),
            ("motif=x", "motif"),
            ("page=0", "page"),
            ("page=deux", "page"),
        ] {
            let (status, page) = send(
                &app,
                Role::SocialWorker,
                Method::Get,
                &format!("/dossiers?{query}"),
                &[],
            )
            .await;
            assert_eq!(status, 400, "{query}");
            assert!(
                page.contains(&format!("Filtre « {field} »")),
                "{query}: {page}"
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn an_information_preoccupante_is_prefilled_recorded_and_journaled() {
    for app in spawn_all().await {
        let unit = app.scope(Role::Officer);
        let (status, _) = send(
            &app,
            Role::Officer,
            Method::Post,
            "/signalements",
            &referral_form("yes"),
        )
        .await;
        assert_eq!(status, 303);
        let (case, _) = newest_case_of_unit(&app, &unit).await;
        let response = app
            .send_as(
                Some(Role::SocialWorker),
                Method::Post,
                &format!("/dossiers/{case}/information-preoccupante"),
                &[],
            )
            .await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let text = pdf_text(&response.bytes().await.unwrap());
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "Information préoccupante",
            "CRIP d'Ille-et-Vilaine",
            "Léo",
            CONTEXT,
            "Enfant en danger / mineur victime",
            "L226-2-1",
        ] {
            assert!(
                flat.contains(expected),
                "« {expected} » missing from the PDF:\n{text}"
            );
        }
        assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM case_actions WHERE case_id = '{case}' AND kind = 'information_preoccupante'")).await, 1);
        assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM journal WHERE action = 'personal_data.disclosed' AND target_id = '{case}'")).await, 1);
        app.finish().await;
    }
}

#[tokio::test]
async fn a_next_step_is_sealed_shown_in_the_case_and_dated_in_the_inbox() {
    for app in spawn_all().await {
        let case = app.case_for(true).await;
        // A case received in 2019, so that a next step of 2020 is allowed and overdue.
        sqlx::query("UPDATE cases SET received_at = '2019-12-01T10:00:00Z' WHERE id = $1")
            .bind(&case)
            .execute(app.db.pool())
            .await
            .unwrap();
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{case}/prochaine-etape"),
            &[
                ("text", "Rappeler XQ-77 après l'audience"),
                ("on", "31/02/2026"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("Pour le"), "{page}");
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{case}/prochaine-etape"),
            &[
                ("text", "Rappeler XQ-77 après l'audience"),
                ("on", "02/01/2020"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/dossiers/{case}"),
            &[],
        )
        .await;
        assert!(
            page.contains("Pour le 02/01/2020 : Rappeler XQ-77 après l'audience")
                && page.contains("En retard"),
            "{page}"
        );
        let (_, inbox) = send(&app, Role::SocialWorker, Method::Get, "/dossiers", &[]).await;
        assert!(
            inbox.contains("02/01/2020") && !inbox.contains("XQ-77"),
            "the inbox shows the day only"
        );
        let (sealed,): (Vec<u8>,) =
            sqlx::query_as("SELECT next_step_sealed FROM cases WHERE id = $1")
                .bind(&case)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("XQ-77"));
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{case}/prochaine-etape"),
            &[("text", " "), ("on", "")],
        )
        .await;
        assert_eq!(status, 303);
        let (_, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/dossiers/{case}"),
            &[],
        )
        .await;
        assert!(page.contains("Aucune prochaine étape"));
        app.finish().await;
    }
}

#[tokio::test]
async fn household_links_read_both_ways_and_survive_a_merge() {
    for app in spawn_all().await {
        let case = app.case_for(true).await;
        let add =
            |last: &'static str, first: &'static str, born: &'static str, role: &'static str| {
                vec![
                    ("role", role),
                    ("last_name", last),
                    ("first_names", first),
                    ("birth_date", born),
                    ("sex", "unknown"),
                    ("known", "unknown"),
                    ("decision", "new"),
                ]
            };
        for person in [
            add("Ravel", "Odile", "01/02/1985", "victim"),
            add("Ravel", "Timéo", "03/04/2015", "child"),
            add("Ravel", "Timeo", "03/04/2015", "child"),
        ] {
            let (status, _) = send(
                &app,
                Role::SocialWorker,
                Method::Post,
                &format!("/dossiers/{case}/personnes"),
                &person,
            )
            .await;
            assert_eq!(status, 303);
        }
        let ids: Vec<(String,)> = sqlx::query_as("SELECT person_id FROM case_persons WHERE case_id = $1 AND person_id IS NOT NULL ORDER BY created_at, id")
            .bind(&case).fetch_all(app.db.pool()).await.unwrap();
        let (mother, child, twin) = (ids[0].0.clone(), ids[1].0.clone(), ids[2].0.clone());
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/personnes/{mother}/foyer"),
            &[("other", mother.as_str()), ("relation", "child")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("elle-même"), "{page}");
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/personnes/{mother}/foyer"),
            &[("other", twin.as_str()), ("relation", "child")],
        )
        .await;
        assert_eq!(status, 303);
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/personnes/{twin}/foyer"),
            &[("other", mother.as_str()), ("relation", "parent")],
        )
        .await;
        assert_eq!(status, 422, "already linked");
        let (_, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/personnes/{twin}"),
            &[],
        )
        .await;
        assert!(
            page.contains("Parent : ") && page.contains("Odile Ravel"),
            "{page}"
        );
        // The duplicate child is merged into the first: the link follows.
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/personnes/{child}/fusion"),
            &[("duplicate", twin.as_str())],
        )
        .await;
        assert_eq!(status, 303);
        let (_, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/personnes/{mother}"),
            &[],
        )
        .await;
        assert!(
            page.contains("Enfant : ")
                && page.contains(&format!("/personnes/{child}"))
                && !page.contains(&format!("href=\"/personnes/{twin}\"")),
            "{page}"
        );
        assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM person_links WHERE person_id = '{twin}' OR other_id = '{twin}'")).await, 0);
        app.finish().await;
    }
}

/// The decoded subject and text of the `.eml` files a folder transport wrote, and their raw
/// bytes, for the secrecy checks.
fn written_mails(folder: &std::path::Path) -> Vec<(String, String, String)> {
    let mut mails: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .map(|raw| {
            let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
            (
                message.subject().unwrap_or_default().to_string(),
                message.body_text(0).unwrap_or_default().to_string(),
                String::from_utf8_lossy(&raw).to_string(),
            )
        })
        .collect();
    mails.sort();
    mails
}

#[tokio::test]
async fn the_officer_who_asked_is_mailed_each_status_change_in_status_words_only() {
    for app in spawn_all().await {
        let unit = app.scope(Role::Officer);
        let mut asking = referral_form("yes");
        asking.push(("notify", "yes"));
        let (status, _) = send(&app, Role::Officer, Method::Post, "/signalements", &asking).await;
        assert_eq!(status, 303);
        let (case, _) = newest_case_of_unit(&app, &unit).await;
        let (status, _) = send(
            &app,
            Role::Officer,
            Method::Post,
            "/signalements",
            &referral_form("yes"),
        )
        .await;
        assert_eq!(status, 303);
        let (silent, _) = newest_case_of_unit(&app, &unit).await;
        assert_ne!(case, silent);

        for (id, next) in [
            (&case, "contact_attempted"),
            (&case, "in_contact"),
            (&silent, "contact_attempted"),
        ] {
            let (status, body) = send(
                &app,
                Role::SocialWorker,
                Method::Post,
                &format!("/dossiers/{id}/statut"),
                &[("status", next), ("outcome", "")],
            )
            .await;
            assert_eq!(status, 303, "{body}");
        }
        // A refused change (a closure needs its outcome) announces nothing.
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{case}/statut"),
            &[("status", "closed"), ("outcome", "")],
        )
        .await;
        assert_eq!(status, 422);
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{case}/notes"),
            &[("text", NOTE), ("visibility", "team")],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(
            passerelle_store::mail::outbox::counts(&app.db)
                .await
                .unwrap(),
            (2, 0, 0),
            "two changes of the case whose officer asked, none of the other ({})",
            app.backend
        );

        let mailer_into = |folder: &std::path::Path| {
            passerelle_web::mail::Mailer::folder(
                folder.to_path_buf(),
                "Passerelle <ne-pas-repondre@passerelle.invalid>",
                "https://passerelle.example",
            )
            .unwrap()
        };
        // A transport that fails (its folder is gone): each message waits a minute before
        // its next attempt, then leaves.
        let gone = tempfile::tempdir().unwrap();
        let failing = mailer_into(gone.path());
        drop(gone);
        let delivery = passerelle_web::mail::deliver_due(&app.db, &failing)
            .await
            .unwrap();
        assert_eq!((delivery.sent, delivery.failed), (0, 2));
        let folder = tempfile::tempdir().unwrap();
        let mailer = mailer_into(folder.path());
        let delivery = passerelle_web::mail::deliver_due(&app.db, &mailer)
            .await
            .unwrap();
        assert_eq!(delivery.sent, 0, "a failed message waits before its retry");
        app.clock.advance(std::time::Duration::from_secs(60));
        let delivery = passerelle_web::mail::deliver_due(&app.db, &mailer)
            .await
            .unwrap();
        assert_eq!((delivery.sent, delivery.failed), (2, 0));
        let again = passerelle_web::mail::deliver_due(&app.db, &mailer)
            .await
            .unwrap();
        assert_eq!(again.sent, 0, "a message is sent once");
        assert_eq!(
            passerelle_store::mail::outbox::counts(&app.db)
                .await
                .unwrap(),
            (0, 2, 0)
        );

        let officer_email = &app.login(Role::Officer).email;
        let mails = written_mails(folder.path());
        assert_eq!(mails.len(), 2);
        let words: Vec<&str> = mails
            .iter()
            .map(|(subject, _, _)| subject.rsplit(" : ").next().unwrap())
            .collect();
        assert_eq!(words, ["Contact tenté", "En contact"], "{mails:?}");
        for (subject, text, raw) in &mails {
            assert!(
                subject.starts_with("Passerelle — votre signalement du "),
                "{subject}"
            );
            assert!(text.contains("/signalements"), "{text}");
            assert!(raw.contains(officer_email.as_str()), "sent to the officer");
            for secret in [
                CONTEXT,
                NAME,
                NOTE,
                "Aurore",
                "Léo",
                "06 12",
                "jamais le soir",
            ] {
                assert!(
                    !text.contains(secret) && !raw.contains(secret),
                    "« {secret} » is in a status e-mail"
                );
            }
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn the_national_team_adds_renames_and_retires_a_category_and_cases_keep_their_code() {
    for app in spawn_all().await {
        let (status, page) = send(
            &app,
            Role::National,
            Method::Get,
            "/referentiels/categories",
            &[],
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("Violences conjugales") && page.contains("domestic_violence"));

        // Bad input: named in French, nothing written.
        for (pairs, expected) in [
            (
                vec![
                    ("code", "Violences numériques"),
                    ("label", "Violences numériques"),
                ],
                "Code",
            ),
            (
                vec![("code", "domestic_violence"), ("label", "Doublon")],
                "existe déjà",
            ),
            (
                vec![("code", "violences_numeriques"), ("label", "x")],
                "Libellé",
            ),
        ] {
            let (status, page) = send(
                &app,
                Role::National,
                Method::Post,
                "/referentiels/categories",
                &pairs,
            )
            .await;
            assert_eq!(status, 422, "{pairs:?}");
            assert!(page.contains(expected), "{expected}: {page}");
        }
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM problem_categories").await,
            14
        );

        let (status, _) = send(
            &app,
            Role::National,
            Method::Post,
            "/referentiels/categories",
            &[
                ("code", "violences_numeriques"),
                ("label", "Violences numériques"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, form) = send(
            &app,
            Role::Officer,
            Method::Get,
            "/signalements/nouveau",
            &[],
        )
        .await;
        assert!(
            form.contains("Violences numériques"),
            "offered on the referral form"
        );

        let mut referral = referral_form("yes");
        referral.retain(|(key, _)| *key != "category");
        referral.push(("category", "violences_numeriques"));
        let (status, _) = send(
            &app,
            Role::Officer,
            Method::Post,
            "/signalements",
            &referral,
        )
        .await;
        assert_eq!(status, 303);
        let (case, _) = newest_case_of_unit(&app, &app.scope(Role::Officer)).await;
        let (_, inbox) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            "/dossiers?motif=violences_numeriques",
            &[],
        )
        .await;
        assert!(
            inbox.contains(&format!("/dossiers/{case}")),
            "filtered by the new category"
        );
        assert!(inbox.contains("Violences numériques"));

        // A corrected label shows everywhere; the case keeps its code.
        let (status, _) = send(
            &app,
            Role::Admin,
            Method::Post,
            "/referentiels/categories/violences_numeriques",
            &[("action", "renommer"), ("label", "Cyberviolences")],
        )
        .await;
        assert_eq!(status, 303);
        let (_, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/dossiers/{case}"),
            &[],
        )
        .await;
        assert!(page.contains("Motifs : Cyberviolences"), "{page}");

        // Retired: no longer offered nor accepted, but the case still reads it.
        let (status, _) = send(
            &app,
            Role::National,
            Method::Post,
            "/referentiels/categories/violences_numeriques",
            &[("action", "retirer"), ("label", "")],
        )
        .await;
        assert_eq!(status, 303);
        let (_, form) = send(
            &app,
            Role::Officer,
            Method::Get,
            "/signalements/nouveau",
            &[],
        )
        .await;
        assert!(!form.contains("Cyberviolences"));
        let before = count(&app, "SELECT COUNT(*) FROM cases").await;
        let (status, page) = send(
            &app,
            Role::Officer,
            Method::Post,
            "/signalements",
            &referral,
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            page.contains("Motifs : « violences_numeriques » est retirée de la grille"),
            "{page}"
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM cases").await, before);
        let (_, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/dossiers/{case}"),
            &[],
        )
        .await;
        assert!(page.contains("Motifs : Cyberviolences"));
        let stored: Vec<(String,)> =
            sqlx::query_as("SELECT category FROM case_categories WHERE case_id = $1")
                .bind(&case)
                .fetch_all(app.db.pool())
                .await
                .unwrap();
        assert_eq!(stored, [("violences_numeriques".to_string(),)]);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM journal WHERE action = 'referential.changed'"
            )
            .await,
            3
        );
        // The grid is the national team's: an officer does not reach it.
        let (status, _) = send(
            &app,
            Role::Officer,
            Method::Get,
            "/referentiels/categories",
            &[],
        )
        .await;
        assert_eq!(status, 403);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_case_list_finds_a_person_s_cases_by_name_despite_typos() {
    for app in spawn_all().await {
        let (_, case) = app.person_for(true).await;
        let searches =
            "SELECT COUNT(*) FROM journal WHERE detail = 'recherche de dossiers par personne'";
        let before = count(&app, searches).await;
        for (query, found) in [
            ("Camille Fictive", true),
            ("fictiv kamille", true),
            ("Fictive, Camille 14/07/1990", true),
            ("Zébulon Introuvable", false),
        ] {
            let path = format!(
                "/dossiers?statut=tous&q={}",
                passerelle_web::http::auth::encode_component(query)
            );
            let (status, page) = send(&app, Role::SocialWorker, Method::Get, &path, &[]).await;
            assert_eq!(status, 200, "{query}");
            assert_eq!(
                page.contains(&format!("/dossiers/{case}")),
                found,
                "{query} ({})",
                app.backend
            );
            if !found {
                assert!(page.contains("0 dossier(s)"), "{page}");
            }
        }
        assert_eq!(
            count(&app, searches).await,
            before + 4,
            "every name search is journaled"
        );
        let long = "a".repeat(201);
        let (status, page) = send(
            &app,
            Role::SocialWorker,
            Method::Get,
            &format!("/dossiers?q={long}"),
            &[],
        )
        .await;
        assert_eq!(status, 400);
        assert!(page.contains("Filtre « personne »"));
        app.finish().await;
    }
}

/// How many case lists this server served from its copies (`source` "memory") or read.
fn case_lists_served(app: &TestApp, source: &str) -> u64 {
    let text = app.state.metrics.encode(0, 0);
    let prefix = format!("passerelle_case_lists_total{{source=\"{source}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0, |n| n.trim().parse().unwrap())
}

/// The line of `case` in the social worker's case list, or None when it is not listed.
async fn inbox_line(app: &TestApp, case: &str) -> Option<String> {
    let (status, page) = send(app, Role::SocialWorker, Method::Get, "/dossiers", &[]).await;
    assert_eq!(status, 200);
    page.split("<tr>")
        .find(|line| line.contains(&format!("/dossiers/{case}\"")))
        .map(str::to_string)
}

/// The line of `case` as this server lists it now, and whether the list came from its copy.
async fn inbox_line_and_source(app: &TestApp, case: &str) -> (Option<String>, &'static str) {
    let from_memory = case_lists_served(app, "memory");
    let line = inbox_line(app, case).await;
    let source = if case_lists_served(app, "memory") > from_memory {
        "memory"
    } else {
        "database"
    };
    (line, source)
}

#[tokio::test]
async fn case_lists_are_served_from_this_server_s_copy_only_while_it_is_current() {
    use passerelle_domain::referral::{ReferralStatus, Urgency};
    for test_db in passerelle_store::testing::all_backends().await {
        // The stamps are polled by hand here (`CaseListMemory::poll`, the background task's
        // step): an hour between two polls keeps them trusted however slowly the test runs.
        let config = passerelle_web::Config {
            case_lists_polled_every: std::time::Duration::from_secs(3600),
            ..passerelle_web::Config::default()
        };
        let app = TestApp::spawn_with(test_db, config).await;
        let case = app.case_for(true).await;
        let poll = || app.state.case_lists.poll(&app.db);
        // Never polled: nothing is trusted, every list is read.
        inbox_line(&app, &case).await;
        assert_eq!(inbox_line_and_source(&app, &case).await.1, "database");
        // Once the stamps are polled, a list read twice is served from memory the second time.
        poll().await;
        inbox_line(&app, &case).await;
        let (line, source) = inbox_line_and_source(&app, &case).await;
        assert_eq!(source, "memory");
        let line = line.unwrap();
        assert!(line.contains(ReferralStatus::Received.label()), "{line}");

        // A form answered by this server shows at once.
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{case}/statut"),
            &[("status", "contact_attempted"), ("outcome", "")],
        )
        .await;
        assert_eq!(status, 303);
        let line = inbox_line(&app, &case).await.unwrap();
        assert!(
            line.contains(ReferralStatus::ContactAttempted.label()),
            "a copy read before the form was served: {line}"
        );

        // A form that changes no list (a note) keeps the copies.
        inbox_line(&app, &case).await;
        let (status, _) = send(
            &app,
            Role::SocialWorker,
            Method::Post,
            &format!("/dossiers/{case}/notes"),
            &[("text", "Rappeler jeudi."), ("visibility", "team")],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(
            inbox_line_and_source(&app, &case).await.1,
            "memory",
            "a note changes no list: its copy stays"
        );

        // Writes by another server or the command line: this server keeps serving its copy
        // until its next poll, then shows them: the case's urgency, then the name of its unit
        // (the registry), then its transfer away.
        type Shown = fn(Option<&str>) -> bool;
        let other_server_writes: [(&str, &'static str, Vec<String>, Shown); 3] = [
            (
                "the urgency",
                "UPDATE cases SET urgency = 'immediate' WHERE id = $1",
                vec![case.clone()],
                |line| line.is_some_and(|l| l.contains(Urgency::Immediate.label())),
            ),
            (
                "the unit's new name",
                "UPDATE units SET name = 'Brigade renommée' WHERE id = $1",
                vec![app.scope(Role::Officer)],
                |line| line.is_some_and(|l| l.contains("Brigade renommée")),
            ),
            (
                "the transfer",
                "UPDATE cases SET post_id = $1 WHERE id = $2",
                vec![app.elsewhere.other_post.clone(), case.clone()],
                |line| line.is_none(),
            ),
        ];
        for (what, sql, binds, shown) in other_server_writes {
            inbox_line(&app, &case).await;
            let mut query = sqlx::query(sql);
            for bind in binds {
                query = query.bind(bind);
            }
            query.execute(app.db.pool()).await.unwrap();
            let (line, source) = inbox_line_and_source(&app, &case).await;
            assert_eq!(
                source, "memory",
                "{what}: before the poll ({})",
                app.backend
            );
            assert!(!shown(line.as_deref()), "{what}: shown before the poll");
            poll().await;
            let (line, source) = inbox_line_and_source(&app, &case).await;
            assert_eq!(
                source, "database",
                "{what}: after the poll ({})",
                app.backend
            );
            assert!(
                shown(line.as_deref()),
                "{what}: not shown after the poll ({}): {line:?}",
                app.backend
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn every_write_a_case_list_shows_moves_a_read_stamp_and_no_other_does() {
    use passerelle_store::db::read_stamp::{self, REGISTRY};
    for app in spawn_all().await {
        let post = app.scope(Role::SocialWorker);
        let other = app.elsewhere.other_post.clone();
        let stamps = || async { read_stamp::all(&app.db).await.unwrap() };
        let write = |sql: &'static str, bind: String| {
            let db = app.db.clone();
            async move {
                sqlx::query(sql)
                    .bind(bind)
                    .execute(db.pool())
                    .await
                    .unwrap();
            }
        };
        let moved = |before: &std::collections::HashMap<String, i64>,
                     after: &std::collections::HashMap<String, i64>,
                     subject: &str| {
            after.get(subject).copied().unwrap_or(0) > before.get(subject).copied().unwrap_or(0)
        };

        let before = stamps().await;
        let case = app.case_for(true).await;
        let after = stamps().await;
        assert!(
            moved(&before, &after, &post),
            "a new case ({})",
            app.backend
        );
        assert!(!moved(&before, &after, &other) && !moved(&before, &after, REGISTRY));

        for (what, sql, bind, subject) in [
            (
                "a case's status",
                "UPDATE cases SET status = 'in_contact' WHERE id = $1",
                case.clone(),
                post.as_str(),
            ),
            (
                "a case's persons",
                "UPDATE case_persons SET role = role WHERE case_id = $1",
                case.clone(),
                post.as_str(),
            ),
            (
                "a post's code",
                "UPDATE posts SET code = code WHERE id = $1",
                post.clone(),
                REGISTRY,
            ),
            (
                "a unit's name",
                "UPDATE units SET name = name || ' ' WHERE id = $1",
                app.scope(Role::Officer),
                REGISTRY,
            ),
            (
                "a transfer, to the post it leaves",
                "UPDATE cases SET post_id = $1 WHERE post_id = $1",
                post.clone(),
                post.as_str(),
            ),
        ] {
            let before = stamps().await;
            write(sql, bind).await;
            assert!(
                moved(&before, &stamps().await, subject),
                "{what} on {}",
                app.backend
            );
        }
        // A transfer moves both posts' stamps.
        let before = stamps().await;
        sqlx::query("UPDATE cases SET post_id = $1 WHERE id = $2")
            .bind(&other)
            .bind(&case)
            .execute(app.db.pool())
            .await
            .unwrap();
        let after = stamps().await;
        assert!(
            moved(&before, &after, &post) && moved(&before, &after, &other),
            "a transfer"
        );

        // A replacement granted: the registry (who may open the post's list).
        let before = stamps().await;
        let employer = app.login(Role::Employer).id.clone();
        let worker = app.login(Role::SocialWorker).id.clone();
        let today = passerelle_web::http::clock::paris_today();
        passerelle_store::registry::replacement::grant(
            &app.db,
            &passerelle_store::registry::replacement::NewReplacement {
                post_id: &other,
                account_id: &worker,
                reason: "congé",
                starts_on: today,
                ends_on: today,
                granted_by: &employer,
            },
            passerelle_store::journal::Entry::new(
                passerelle_domain::journal::JournalAction::ReplacementGranted,
            )
            .by(&employer, None),
        )
        .await
        .unwrap();
        assert!(moved(&before, &stamps().await, REGISTRY), "a replacement");

        // Writes that change no list move nothing: the post row locked by schedule writes,
        // a unit's commune.
        for (sql, bind) in [
            ("UPDATE posts SET id = id WHERE id = $1", post.clone()),
            (
                "UPDATE units SET commune_code = commune_code WHERE id = $1",
                app.scope(Role::Officer),
            ),
        ] {
            let before = stamps().await;
            write(sql, bind).await;
            assert_eq!(before, stamps().await, "{sql} on {}", app.backend);
        }
        app.finish().await;
    }
}
