//! Access to a post's case content takes two people, over HTTP on both backends: nobody gives
//! themselves (or a colleague of the same remit) the social worker role or a replacement;
//! a proposal opens nothing until a second person confirms it; replacements come from the
//! same employer or département; every step is in the post's access journal with names, and
//! the post's social workers are told by e-mail.

mod helpers;

use helpers::{TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::AccountId;
use passerelle_web::http::route_table::Method;

/// One request in `session`, with the session's anti-forgery token; (status, page text).
async fn send_in(
    app: &TestApp,
    session: &str,
    method: Method,
    path: &str,
    pairs: &[(&str, &str)],
) -> (u16, String) {
    let csrf = app.csrf_for(session);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let request = match method {
        Method::Get => client.get(app.url(path)),
        Method::Post => {
            let mut fields: Vec<(&str, &str)> = pairs.to_vec();
            fields.push(("csrf", &csrf));
            client
                .post(app.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(&fields).unwrap())
        }
    };
    let response = request
        .header(
            "cookie",
            format!("passerelle_csrf={csrf}; passerelle_session={session}"),
        )
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, text.replace("&#x27;", "'").replace("&#39;", "'"))
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(bind)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

async fn social_worker_roles(app: &TestApp, account: &str) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM account_roles WHERE account_id = $1 AND role = 'social_worker'",
        account,
    )
    .await
}

async fn email_of(app: &TestApp, account: &str) -> String {
    let (email,): (String,) = sqlx::query_as("SELECT email FROM accounts WHERE id = $1")
        .bind(account)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    email
}

/// A role held, and where (none: the nation).
type Held = (Role, Option<String>);

/// The status a session gets for a case page: 200 opened, 403 not.
async fn case_page(app: &TestApp, session: &str, case: &str) -> u16 {
    send_in(app, session, Method::Get, &format!("/dossiers/{case}"), &[])
        .await
        .0
}

/// The e-mails queued for a proposal's `event` (proposed, confirmed).
async fn notices(app: &TestApp, proposal: &str, event: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM access_mail_outbox WHERE proposal_id = $1 AND event = $2",
    )
    .bind(proposal)
    .bind(event)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    n
}

async fn open_proposal(app: &TestApp, account: &str) -> String {
    let (id,): (String,) = sqlx::query_as(
        "SELECT id FROM case_access_proposals WHERE account_id = $1 AND outcome IS NULL",
    )
    .bind(account)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn nobody_gives_themselves_the_social_worker_role_of_a_post() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let case = app.case_for(true).await;
        let scope = format!("post:{post}");
        // The audit's attack: the employer (then the admin) grants its own account the social
        // worker role on a post of its remit.
        for role in [Role::Employer, Role::Admin] {
            let own = app.login(role).id.clone();
            let response = app
                .send_as(
                    Some(role),
                    Method::Post,
                    &format!("/comptes/{own}/roles"),
                    &[
                        ("role".to_string(), "social_worker".to_string()),
                        ("scope".to_string(), scope.clone()),
                    ],
                )
                .await;
            let status = response.status().as_u16();
            let page = response.text().await.unwrap().replace("&#x27;", "'");
            assert_eq!(status, 400, "{role:?} on itself");
            assert!(page.contains("vous-même"), "{role:?}: {page}");
            assert_eq!(social_worker_roles(&app, &own).await, 0, "{role:?}");
            assert_eq!(
                count(
                    &app,
                    "SELECT COUNT(*) FROM case_access_proposals WHERE account_id = $1",
                    &own
                )
                .await,
                0
            );
        }
        // Nor a fellow coordinator of the same employer.
        let (fellow, _) = app
            .new_account(Role::Employer, Some(&app.scope(Role::Employer)))
            .await;
        let response = app
            .send_as(
                Some(Role::Employer),
                Method::Post,
                &format!("/comptes/{fellow}/roles"),
                &[
                    ("role".to_string(), "social_worker".to_string()),
                    ("scope".to_string(), scope.clone()),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 400, "a fellow coordinator");
        assert_eq!(social_worker_roles(&app, &fellow).await, 0);

        // A newcomer: proposed by the employer, nothing opens until a second person confirms.
        // A social worker of another post of the same employer, whose account it manages.
        let (other_post,): (String,) = sqlx::query_as(
            "SELECT id FROM posts WHERE employer_id = $1 AND id <> $2 AND status <> 'closed' ORDER BY code LIMIT 1",
        )
        .bind(app.scope(Role::Employer))
        .bind(&post)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let (newcomer, newcomer_role) =
            app.new_account(Role::SocialWorker, Some(&other_post)).await;
        let newcomer_email = email_of(&app, &newcomer).await;
        let response = app
            .send_as(
                Some(Role::Employer),
                Method::Post,
                &format!("/comptes/{newcomer}/roles"),
                &[
                    ("role".to_string(), "social_worker".to_string()),
                    ("scope".to_string(), scope.clone()),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(
            social_worker_roles(&app, &newcomer).await,
            1,
            "a proposal only"
        );
        let proposal = open_proposal(&app, &newcomer).await;
        let officer_session = app.session_of(&newcomer, &newcomer_role).await;
        let status = case_page(&app, &officer_session, &case).await;
        assert_eq!(status, 403, "no case before the confirmation");

        // The post's social workers are told, by name.
        assert_eq!(
            notices(&app, &proposal, "proposed").await,
            1,
            "the demo social worker of the post is told of the proposal"
        );
        // The proposer cannot confirm; the post's page offers the social worker to.
        let employer_session = app.session_for(Role::Employer).await;
        let confirm = format!("/postes/{post}/acces/{proposal}/confirmer");
        let (status, _) = send_in(&app, &employer_session, Method::Post, &confirm, &[]).await;
        assert_eq!(status, 403, "the proposer does not confirm");
        let worker_session = app.session_for(Role::SocialWorker).await;
        let (status, page) = send_in(
            &app,
            &worker_session,
            Method::Get,
            &format!("/postes/{post}"),
            &[],
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            page.contains(&newcomer_email) && page.contains(&confirm),
            "the post's page lists the proposal with its confirm button"
        );
        let (status, _) = send_in(&app, &worker_session, Method::Post, &confirm, &[]).await;
        assert_eq!(status, 303);
        assert_eq!(social_worker_roles(&app, &newcomer).await, 2, "confirmed");
        let (status, _) = send_in(&app, &worker_session, Method::Post, &confirm, &[]).await;
        assert_eq!(status, 400, "a second click confirms nothing more");

        // The post's access journal names who proposed, who confirmed, for whom.
        let (status, journal) =
            send_in(&app, &worker_session, Method::Get, "/journal/acces", &[]).await;
        assert_eq!(status, 200);
        let employer_name = &app.login(Role::Employer).display_name;
        for expected in [
            "Accès aux dossiers d'un poste proposé",
            "Accès aux dossiers d'un poste confirmé",
            newcomer_email.as_str(),
            employer_name.as_str(),
        ] {
            assert!(
                journal.contains(expected),
                "« {expected} » missing from the journal"
            );
        }
        assert!(
            !journal.contains(&format!("<td>{}</td>", app.login(Role::Employer).id)),
            "actors by name, not by identifier"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_replacement_is_proposed_by_one_person_confirmed_by_another_from_the_same_employer_or_departement()
 {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let case = app.case_for(true).await;
        // A social worker of another département and employer: refused outright.
        let (stranger, _) = app
            .new_account(Role::SocialWorker, Some(&app.elsewhere.other_post))
            .await;
        // One of another post of the same département.
        let (sibling_post,): (String,) = sqlx::query_as(
            "SELECT id FROM posts WHERE departement_code = (SELECT departement_code FROM posts WHERE id = $1) AND id <> $1 AND status <> 'closed' ORDER BY code LIMIT 1",
        )
        .bind(&post)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let (neighbour, neighbour_role) = app
            .new_account(Role::SocialWorker, Some(&sibling_post))
            .await;
        let today = passerelle_web::http::clock::paris_today();
        let iso = |d: time::Date| passerelle_store::db::time_text::date_to_text(d);
        let (starts, ends) = (iso(today), iso(today + time::Duration::days(30)));
        let national = app.session_for(Role::National).await;
        let path = format!("/postes/{post}/remplacements");
        let stranger_email = email_of(&app, &stranger).await;
        let form = |email: &str| {
            [
                ("email", email.to_string()),
                ("reason", "Congé de la titulaire".to_string()),
                ("starts_on", starts.clone()),
                ("ends_on", ends.clone()),
            ]
        };
        let pairs = |f: &[(&'static str, String); 4]| -> Vec<(&'static str, String)> { f.to_vec() };
        let stranger_form = pairs(&form(&stranger_email));
        let borrowed: Vec<(&str, &str)> = stranger_form
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let (status, page) = send_in(&app, &national, Method::Post, &path, &borrowed).await;
        assert_eq!(status, 422, "from elsewhere in France");
        assert!(page.contains("même employeur"), "{page}");
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM case_access_proposals WHERE account_id = $1",
                &stranger
            )
            .await,
            0
        );

        let neighbour_email = email_of(&app, &neighbour).await;
        let neighbour_form = pairs(&form(&neighbour_email));
        let borrowed: Vec<(&str, &str)> = neighbour_form
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let (status, _) = send_in(&app, &national, Method::Post, &path, &borrowed).await;
        assert_eq!(status, 303);
        let neighbour_session = app.session_of(&neighbour, &neighbour_role).await;
        let status = case_page(&app, &neighbour_session, &case).await;
        assert_eq!(status, 403, "nothing opens on a proposal");
        let proposal = open_proposal(&app, &neighbour).await;
        let confirm = format!("/postes/{post}/acces/{proposal}/confirmer");
        // A national colleague of the proposer may not confirm; the post's employer may.
        let (colleague, colleague_role) = app.new_account(Role::National, None).await;
        let colleague_session = app.session_of(&colleague, &colleague_role).await;
        let (status, _) = send_in(&app, &colleague_session, Method::Post, &confirm, &[]).await;
        assert_eq!(status, 403, "a national colleague of the proposer");
        let (status, _) = send_in(&app, &neighbour_session, Method::Post, &confirm, &[]).await;
        assert_eq!(status, 403, "the grantee");
        let employer = app.session_for(Role::Employer).await;
        let (status, _) = send_in(&app, &employer, Method::Post, &confirm, &[]).await;
        assert_eq!(status, 303);
        let status = case_page(&app, &neighbour_session, &case).await;
        assert_eq!(status, 200, "the confirmed replacement opens the case");
        assert_eq!(
            notices(&app, &proposal, "confirmed").await,
            1,
            "the post's social worker is told someone new can open the cases"
        );
        let worker = app.session_for(Role::SocialWorker).await;
        let (_, journal) = send_in(&app, &worker, Method::Get, "/journal/acces", &[]).await;
        assert!(
            journal.contains(&neighbour_email),
            "the grantee by name in the post's journal"
        );
        assert!(
            journal.contains("Consultation de données personnelles"),
            "and their read"
        );

        // The same replacement again, or one that overlaps it, is refused.
        let (status, page) = send_in(&app, &national, Method::Post, &path, &borrowed).await;
        assert_eq!(status, 422, "an overlapping replacement");
        assert!(page.contains("remplace déjà sur ce poste"), "{page}");
        // Withdrawing ends it at once.
        let (replacement,): (String,) =
            sqlx::query_as("SELECT id FROM post_replacements WHERE account_id = $1")
                .bind(&neighbour)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let (status, _) = send_in(
            &app,
            &employer,
            Method::Post,
            &format!("/postes/{post}/remplacements/{replacement}/retirer"),
            &[],
        )
        .await;
        assert_eq!(status, 303);
        let status = case_page(&app, &neighbour_session, &case).await;
        assert_eq!(status, 403, "no access once withdrawn");

        // A refused proposal grants nothing.
        let (status, _) = send_in(&app, &national, Method::Post, &path, &borrowed).await;
        assert_eq!(status, 303);
        let proposal = open_proposal(&app, &neighbour).await;
        let (status, _) = send_in(
            &app,
            &worker,
            Method::Post,
            &format!("/postes/{post}/acces/{proposal}/refuser"),
            &[],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM post_replacements WHERE account_id = $1",
                &neighbour
            )
            .await,
            1,
            "only the first, withdrawn"
        );
        let status = case_page(&app, &neighbour_session, &case).await;
        assert_eq!(status, 403);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_post_social_workers_are_told_by_email_who_can_open_their_cases() {
    let notice = passerelle_store::identity::case_access::DueNotice {
        id: "n".into(),
        attempts: 0,
        to_address: "iscg@exemple.fr".into(),
        to_name: "Inès Garnier".into(),
        event: "confirmed".into(),
        kind: "replacement".into(),
        post_id: "p1".into(),
        post_code: "ISCG-35-003".into(),
        grantee_name: "Paul Remplaçant".into(),
        proposer_name: "Claire Employeur".into(),
        starts_on: Some("2026-12-04".into()),
        ends_on: Some("2027-01-03".into()),
    };
    let (subject, body) = passerelle_web::mail::access_notice_text(&notice, "https://p.fr");
    assert!(
        subject.contains("Paul Remplaçant") && subject.contains("ISCG-35-003"),
        "{subject}"
    );
    assert!(body.contains("du 04/12/2026 au 03/01/2027"), "{body}");
    assert!(body.contains("Claire Employeur"), "{body}");
    assert!(
        body.contains("https://p.fr/postes/p1#acces-dossiers"),
        "{body}"
    );
}

/// The grants that open case content, as every role, for itself, a colleague of the same
/// remit and an account elsewhere: the role on the demo post and a replacement in it. No
/// request ever opens the post's cases at once; only the allowed proposals are recorded.
#[tokio::test]
async fn the_grant_matrix_every_role_for_itself_a_colleague_and_someone_elsewhere() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let departement: (String,) =
            sqlx::query_as("SELECT departement_code FROM posts WHERE id = $1")
                .bind(&post)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let (sibling_post,): (String,) = sqlx::query_as(
            "SELECT id FROM posts WHERE departement_code = $1 AND id <> $2 AND status <> 'closed' ORDER BY code LIMIT 1",
        )
        .bind(&departement.0)
        .bind(&post)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let (employer_post,): (String,) = sqlx::query_as(
            "SELECT id FROM posts WHERE employer_id = $1 AND id <> $2 AND status <> 'closed' ORDER BY code LIMIT 1",
        )
        .bind(app.scope(Role::Employer))
        .bind(&post)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let (other_employer,): (String,) =
            sqlx::query_as("SELECT id FROM employers WHERE id <> $1 ORDER BY id LIMIT 1")
                .bind(app.scope(Role::Employer))
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        // (role, colleague's scope, scope elsewhere or None when the role has only the nation)
        let scopes: Vec<(Role, Option<String>, Option<Held>)> = vec![
            (
                Role::Officer,
                Some(app.scope(Role::Officer)),
                Some((Role::Officer, Some(app.elsewhere.other_unit.clone()))),
            ),
            (
                Role::SocialWorker,
                Some(post.clone()),
                Some((Role::SocialWorker, Some(app.elsewhere.other_post.clone()))),
            ),
            (
                Role::Prevention,
                Some(app.scope(Role::Prevention)),
                Some((Role::Prevention, Some("13".into()))),
            ),
            (
                Role::Employer,
                Some(app.scope(Role::Employer)),
                Some((Role::Employer, Some(other_employer.clone()))),
            ),
            (
                Role::National,
                None,
                Some((Role::SocialWorker, Some(sibling_post.clone()))),
            ),
            (Role::Admin, None, Some((Role::National, None))),
        ];
        let sw_at_post = |account: String| {
            let db = app.db.clone();
            let post = post.clone();
            async move {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM account_roles WHERE account_id = $1 AND role = 'social_worker' AND scope_id = $2")
                    .bind(&account).bind(&post).fetch_one(db.pool()).await.unwrap();
                let (r,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM post_replacements WHERE account_id = $1 AND post_id = $2",
                )
                .bind(&account)
                .bind(&post)
                .fetch_one(db.pool())
                .await
                .unwrap();
                n + r
            }
        };
        let mut failures = Vec::new();
        for (role, colleague_scope, elsewhere) in scopes {
            let own = app.login(role).id.clone();
            let (colleague, _) = app.new_account(role, colleague_scope.as_deref()).await;
            // Colleagues also hold a social worker role in another post of the employer, so
            // that only the rule of the same remit can refuse them a replacement.
            let mut connection = app.db.pool().acquire().await.unwrap();
            passerelle_store::identity::account::grant_role(
                &mut connection,
                &AccountId::new(&colleague),
                Role::SocialWorker,
                Some(&employer_post),
            )
            .await
            .ok();
            drop(connection);
            let (other_role, other_scope) = elsewhere.unwrap();
            let (other, _) = app.new_account(other_role, other_scope.as_deref()).await;
            for (target_name, target) in [
                ("self", own),
                ("colleague", colleague),
                ("elsewhere", other),
            ] {
                let before = sw_at_post(target.clone()).await;
                let email = email_of(&app, &target).await;
                let role_grant = app
                    .send_as(
                        Some(role),
                        Method::Post,
                        &format!("/comptes/{target}/roles"),
                        &[
                            ("role".into(), "social_worker".into()),
                            ("scope".into(), format!("post:{post}")),
                        ],
                    )
                    .await
                    .status()
                    .as_u16();
                let expected_role = match (role, target_name) {
                    (Role::Employer | Role::Admin, "self" | "colleague") => 400,
                    (Role::Admin, "elsewhere") => 303,
                    _ => 403,
                };
                let replacement = app
                    .send_as(
                        Some(role),
                        Method::Post,
                        &format!("/postes/{post}/remplacements"),
                        &[
                            ("email".into(), email),
                            ("reason".into(), "Congé".into()),
                            (
                                "starts_on".into(),
                                passerelle_store::db::time_text::date_to_text(
                                    passerelle_web::http::clock::paris_today(),
                                ),
                            ),
                            (
                                "ends_on".into(),
                                passerelle_store::db::time_text::date_to_text(
                                    passerelle_web::http::clock::paris_today()
                                        + time::Duration::days(10),
                                ),
                            ),
                        ],
                    )
                    .await
                    .status()
                    .as_u16();
                let expected_replacement = match (role, target_name) {
                    (Role::National | Role::Employer, "self" | "colleague") => 422,
                    (Role::National, "elsewhere") => 303,
                    // The employer's coordinator elsewhere is no social worker.
                    (Role::Employer, "elsewhere") => 422,
                    _ => 403,
                };
                if (role_grant, replacement) != (expected_role, expected_replacement) {
                    failures.push(format!("{role:?} for {target_name}: role {role_grant} (expected {expected_role}), replacement {replacement} (expected {expected_replacement})"));
                }
                if sw_at_post(target.clone()).await != before {
                    failures.push(format!("{role:?} for {target_name}: the post's cases opened without a second person"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        app.finish().await;
    }
}
