//! The homes of the steering roles and of the technical administrator, on both backends: the
//! alerts (agreements ending or ended, vacancies, posts in creation, filled posts gone quiet)
//! and the figures of the scope, never another scope's; the accounts needing attention; and
//! the social worker's « Aujourd'hui » with the cases of a post they replace in.

mod helpers;

use helpers::{TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::registry::funding::Renewal;
use passerelle_domain::registry::post::PostStatus;
use passerelle_store::journal::Entry;
use passerelle_web::http::route_table::Method;

async fn page_of(app: &TestApp, who: Role, path: &str) -> String {
    let response = app.send_as(Some(who), Method::Get, path, &[]).await;
    assert_eq!(
        response.status().as_u16(),
        200,
        "{path} as {who:?} on {}",
        app.backend
    );
    response
        .text()
        .await
        .unwrap()
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
}

/// The part of a home under the heading `id` (up to the next heading or section's end).
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in the page"));
    let rest = &page[start..];
    let end = ["<h3", "<h2", "</section>"]
        .iter()
        .filter_map(|tag| rest[1..].find(tag).map(|at| at + 1))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

async fn code_of(app: &TestApp, post: &str) -> String {
    passerelle_store::registry::post::find(&app.db, post)
        .await
        .unwrap()
        .unwrap()
        .code
}

fn today() -> time::Date {
    passerelle_web::http::clock::paris_today()
}

async fn move_to(app: &TestApp, post: &str, status: PostStatus) {
    let national = app.login(Role::National).id.clone();
    passerelle_store::registry::post::move_post(
        &app.db,
        post,
        status,
        today(),
        today(),
        &national,
        Entry::new(JournalAction::PostLifecycle).by(&national, None),
    )
    .await
    .unwrap();
}

async fn agreement(app: &TestApp, post: &str, parties: &str, ends_in_days: i64) {
    let national = app.login(Role::National).id.clone();
    passerelle_store::registry::funding::add_agreement(
        &app.db,
        post,
        &passerelle_store::registry::funding::NewAgreement {
            parties,
            starts_on: today() - time::Duration::days(400),
            ends_on: today() + time::Duration::days(ends_in_days),
            renewal: Renewal::Express,
        },
        Entry::new(JournalAction::PostAgreement).by(&national, None),
    )
    .await
    .unwrap();
}

/// A filled post of the demo employer in the prevention referent's département, other
/// than the demo social worker's: inside every steering scope of the demo.
async fn second_inside_post(app: &TestApp) -> String {
    let (id,): (String,) = sqlx::query_as(
        "SELECT id FROM posts WHERE employer_id = $1 AND departement_code = $2 AND id <> $3 AND status = 'filled' ORDER BY code LIMIT 1",
    )
    .bind(app.scope(Role::Employer))
    .bind(app.scope(Role::Prevention))
    .bind(app.post_for(true))
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn each_steering_home_shows_the_vacancies_and_agreements_of_its_scope_only() {
    for app in spawn_all().await {
        let inside = second_inside_post(&app).await;
        let outside = app.post_for(false);
        let (inside_code, outside_code) =
            (code_of(&app, &inside).await, code_of(&app, &outside).await);
        move_to(&app, &inside, PostStatus::Vacant).await;
        move_to(&app, &outside, PostStatus::Vacant).await;
        agreement(
            &app,
            &app.post_for(true),
            "Préfecture et conseil départemental",
            20,
        )
        .await;
        agreement(&app, &inside, "Groupement de gendarmerie", -5).await;
        agreement(&app, &outside, "Convention d'ailleurs", 10).await;
        let own_code = code_of(&app, &app.post_for(true)).await;

        for who in [Role::Employer, Role::Prevention] {
            let home = page_of(&app, who, "/").await;
            let vacant = section(&home, "alertes-vacants-titre");
            assert!(
                vacant.contains(&format!("href=\"/postes/{inside}\"")),
                "{who:?} sees the vacancy of its scope on {}: {vacant}",
                app.backend
            );
            assert!(vacant.contains("vacant depuis le"), "{vacant}");
            let agreements = section(&home, "alertes-conventions-titre");
            assert!(
                agreements.contains(&own_code) && agreements.contains("dans 20 jours"),
                "{who:?}: {agreements}"
            );
            assert!(
                agreements.contains(&inside_code) && agreements.contains("échue le"),
                "{who:?}: {agreements}"
            );
            // Another employer's and département's post stays out.
            assert!(
                !vacant.contains(&outside_code),
                "{who:?} and another scope's vacancy on {}",
                app.backend
            );
            assert!(!agreements.contains("Convention d'ailleurs"), "{who:?}");
            assert!(
                home.contains("id=\"role-pages\""),
                "the role's pages follow"
            );
            assert!(
                !home.contains("id=\"comptes-attention\""),
                "no accounts for {who:?}"
            );
        }
        // The national team's lists are long (the ten longest shown): their counts say what
        // they hold, against the registry's.
        let vacant_count = |sql: &'static str, bind: String| {
            let db = app.db.clone();
            async move {
                let (n,): (i64,) = sqlx::query_as(sql)
                    .bind(bind)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
                n
            }
        };
        for (who, sql, bind) in [
            (
                Role::National,
                "SELECT COUNT(*) FROM posts WHERE status = 'vacant' AND $1 = ''",
                String::new(),
            ),
            (
                Role::Employer,
                "SELECT COUNT(*) FROM posts WHERE status = 'vacant' AND employer_id = $1",
                app.scope(Role::Employer),
            ),
            (
                Role::Prevention,
                "SELECT COUNT(*) FROM posts WHERE status = 'vacant' AND departement_code = $1",
                app.scope(Role::Prevention),
            ),
        ] {
            let expected = vacant_count(sql, bind).await;
            let home = page_of(&app, who, "/").await;
            assert!(
                section(&home, "alertes-vacants-titre")
                    .contains(&format!("Postes vacants ({expected})")),
                "{who:?}: {expected} vacant posts on {}",
                app.backend
            );
        }
        // Moving the post on ends its alert.
        move_to(&app, &inside, PostStatus::Filled).await;
        let home = page_of(&app, Role::Employer, "/").await;
        assert!(!section(&home, "alertes-vacants-titre").contains(&inside_code));
        app.finish().await;
    }
}

#[tokio::test]
async fn posts_in_creation_and_filled_posts_gone_quiet_are_flagged_until_a_referral_comes() {
    for app in spawn_all().await {
        let inside = second_inside_post(&app).await;
        let own = app.post_for(true);
        let own_code = code_of(&app, &own).await;
        // Back to recruitment: a post in creation, since today.
        move_to(&app, &inside, PostStatus::Vacant).await;
        move_to(&app, &inside, PostStatus::Recruiting).await;
        let home = page_of(&app, Role::Employer, "/").await;
        let creation = section(&home, "alertes-creation-titre");
        assert!(
            creation.contains(&format!("href=\"/postes/{inside}\""))
                && creation.contains("en recrutement depuis le"),
            "{creation}"
        );
        // The demo post, filled long ago, has had no case: quiet.
        let quiet = section(&home, "alertes-inactifs-titre");
        assert!(quiet.contains(&own_code), "{} on {}", quiet, app.backend);
        assert!(quiet.contains("aucun signalement reçu"), "{quiet}");
        // A referral comes: the post works again.
        app.case_for(true).await;
        let home = page_of(&app, Role::Employer, "/").await;
        assert!(!section(&home, "alertes-inactifs-titre").contains(&own_code));
        app.finish().await;
    }
}

#[tokio::test]
async fn the_figures_are_the_published_ones_of_the_scope() {
    for app in spawn_all().await {
        let counts = |sql: &'static str| {
            let db = app.db.clone();
            let employer = app.scope(Role::Employer);
            async move {
                let (n,): (i64,) = sqlx::query_as(sql)
                    .bind(employer)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
                n
            }
        };
        let filled =
            counts("SELECT COUNT(*) FROM posts WHERE employer_id = $1 AND status = 'filled'").await;
        let open =
            counts("SELECT COUNT(*) FROM posts WHERE employer_id = $1 AND status <> 'closed'")
                .await;
        let home = page_of(&app, Role::Employer, "/").await;
        assert!(
            section(&home, "chiffres-titre").contains(&format!("{filled} sur {open}")),
            "{filled} sur {open} on {}",
            app.backend
        );
        assert!(
            home.contains("id=\"chiffre-saisines\">0<"),
            "no referral yet"
        );
        // One referral: a count from 1 to 4, secret outside the post, everywhere it reaches.
        app.case_for(true).await;
        for who in [Role::Employer, Role::Prevention, Role::National] {
            let home = page_of(&app, who, "/").await;
            assert!(
                home.contains("id=\"chiffre-saisines\">s<"),
                "{who:?} on {}: {}",
                app.backend,
                section(&home, "chiffres-titre")
            );
            assert!(home.contains("id=\"chiffre-delai\">—<"), "no contact yet");
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn the_technical_administrator_sees_the_locked_accounts_and_the_invitations() {
    for app in spawn_all().await {
        let locked = app.login(Role::Prevention).clone();
        for attempt in 0..6 {
            let password = format!("pas le bon {attempt}");
            app.send_as(
                None,
                Method::Post,
                "/connexion",
                &[
                    ("email".into(), locked.email.clone()),
                    ("password".into(), password),
                ],
            )
            .await;
        }
        app.fresh_invitation().await;
        let home = page_of(&app, Role::Admin, "/").await;
        let accounts = section(&home, "comptes-titre");
        let line_of = |needle: &str| {
            accounts
                .split("<li")
                .find(|line| line.contains(needle))
                .map(str::to_string)
                .unwrap_or_default()
        };
        assert!(
            line_of(&locked.email).contains("bloqué"),
            "the locked account on {}: {accounts}",
            app.backend
        );
        assert!(
            line_of("invitee-").contains("invitation en attente"),
            "{accounts}"
        );
        // A week and a day later, the invitation has expired (and the lock lapsed).
        app.clock
            .advance(std::time::Duration::from_secs(8 * 24 * 3600));
        let home = page_of(&app, Role::Admin, "/").await;
        let accounts = section(&home, "comptes-titre");
        assert!(accounts.contains("invitation expirée"), "{accounts}");
        assert!(
            !accounts.contains(&locked.email),
            "the lock is over: {accounts}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_social_worker_replacing_in_a_post_sees_its_new_referrals_by_post() {
    for app in spawn_all().await {
        let other = app.post_for(false);
        let other_code = code_of(&app, &other).await;
        let case = app.case_for(false).await;
        let heading = format!("Poste {other_code} — en remplacement");
        let home = page_of(&app, Role::SocialWorker, "/aujourdhui").await;
        assert!(
            !home.contains(&heading) && !home.contains(&case),
            "no replacement yet"
        );

        let employer = app.login(Role::Employer).id.clone();
        let worker = app.login(Role::SocialWorker).id.clone();
        passerelle_store::registry::replacement::grant(
            &app.db,
            &passerelle_store::registry::replacement::NewReplacement {
                post_id: &other,
                account_id: &worker,
                reason: "congé",
                starts_on: today(),
                ends_on: today() + time::Duration::days(7),
                granted_by: &employer,
            },
            Entry::new(JournalAction::ReplacementGranted).by(&employer, None),
        )
        .await
        .unwrap();
        let reads = || async {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM journal WHERE scope_post_id = $1 AND action = 'personal_data.read'",
            )
            .bind(&other)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
            n
        };
        let before = reads().await;
        let home = page_of(&app, Role::SocialWorker, "/aujourdhui").await;
        assert!(
            home.contains(&heading),
            "the replaced post's section on {}",
            app.backend
        );
        let replaced = section(&home, "remplacement-1-new");
        assert!(
            replaced.contains(&format!("href=\"/dossiers/{case}\"")),
            "{replaced}"
        );
        assert!(
            replaced.contains("Fictive"),
            "the names, as for the post's own social worker"
        );
        assert!(
            home.contains("href=\"#remplacement-1\""),
            "announced at the top"
        );
        // Its own post's list does not mix it in.
        assert!(!section(&home, "today-new").contains(&case));
        assert_eq!(
            reads().await,
            before + 1,
            "the names read are journaled on the replaced post"
        );
        app.finish().await;
    }
}
