//! Two app servers on one PostgreSQL database behind nginx, as a national deployment runs:
//! a session opened anywhere works everywhere and ends everywhere; failed logins are counted
//! per real client whichever server answers; a referral written elsewhere reaches the social
//! worker's list on both servers within the poll interval; the daily purge runs once (one
//! journal row), and each status e-mail leaves once.

mod harness;
#[path = "../../web/tests/support/nginx.rs"]
mod nginx;

use harness::{drop_database, new_postgres_database, passerelle, run, start};
use nginx::{Nginx, nginx_binary};
use passerelle_domain::ids::{AccountId, CaseId, PostId};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::category::CategoryGrid;
use passerelle_domain::referral::{PersonInput, ReferralInput, validate_referral};
use passerelle_store::Db;
use passerelle_store::identity::{account, session};
use passerelle_store::journal::Entry;
use passerelle_store::seal::KeyRing;
use std::collections::HashSet;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How often each server polls the read stamps of its case lists.
const POLL_MS: u64 = 300;

fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(address.parse::<IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The demo account printed for `local_part` (e.g. « intervenant »): address and password.
fn demo_login(stdout: &str, local_part: &str) -> (String, String) {
    let line = stdout
        .lines()
        .find(|line| line.contains(&format!(" {local_part}@")))
        .unwrap_or_else(|| panic!("no demo login {local_part} in: {stdout}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let email = words.iter().find(|w| w.contains('@')).unwrap().to_string();
    let at = words.iter().position(|w| *w == ":").unwrap();
    (email, words[at + 1].to_string())
}

/// A session of `email`'s first role, second factor done, as the login would leave it.
async fn session_of(db: &Db, email: &str) -> (String, String) {
    let (account_id,): (String,) = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
        .bind(email)
        .fetch_one(db.pool())
        .await
        .unwrap();
    let role = account::roles_of(db, &AccountId::new(&account_id))
        .await
        .unwrap()
        .remove(0);
    let mut connection = db.pool().begin().await.unwrap();
    let token = session::create(
        &mut connection,
        Some(&account_id),
        None,
        &db.clock().now_text(),
    )
    .await
    .unwrap();
    let hash = session::token_hash(&token);
    session::mark_second_factor_done(&mut connection, &hash)
        .await
        .unwrap();
    session::set_active_role(&mut connection, &hash, &role.id)
        .await
        .unwrap();
    connection.commit().await.unwrap();
    (token, account_id)
}

/// GET through nginx with a session: (status, body, the server that answered).
async fn page(
    client: &reqwest::Client,
    proxy: &Nginx,
    path: &str,
    token: &str,
) -> (u16, String, String) {
    let answer = client
        .get(proxy.url(path))
        .header("cookie", format!("passerelle_session={token}"))
        .send()
        .await
        .unwrap();
    let upstream = answer
        .headers()
        .get("x-passerelle-upstream")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        answer.status().as_u16(),
        answer.text().await.unwrap(),
        upstream,
    )
}

/// The anti-forgery token of the forms a browser with `cookie` is shown.
fn form_token(keys: &KeyRing, cookie: &str) -> String {
    let mut headers = axum::http::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    passerelle_web::http::auth::form_token(keys, &headers).unwrap()
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[test]
fn two_servers_behind_nginx_share_sessions_lockouts_lists_and_daily_jobs() {
    let Some(nginx_binary) = nginx_binary() else {
        eprintln!("nginx absent: test skipped (required under CI)");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (url, name) = new_postgres_database(&runtime, "two_servers");
    let folder = tempfile::tempdir().unwrap();
    let key_file = folder.path().join("passerelle.key");
    let (ok, stdout, stderr) = run(passerelle().args([
        "demo",
        "--database-url",
        &url,
        "--months",
        "0",
        "--data-dir",
        folder.path().to_str().unwrap(),
    ]));
    assert!(ok, "{stderr}");
    // Each server its own data folder (checkpoints) and mail folder, one key file for both.
    let servers: Vec<_> = (0..2)
        .map(|i| {
            let data = folder.path().join(format!("serveur-{i}"));
            let mail = folder.path().join(format!("courriels-{i}"));
            start(&[
                "--database-url",
                &url,
                "--data-dir",
                data.to_str().unwrap(),
                "--key-file",
                key_file.to_str().unwrap(),
                "--trusted-proxies",
                "127.0.0.1",
                "--case-list-poll-ms",
                &POLL_MS.to_string(),
                "--mail-dir",
                mail.to_str().unwrap(),
                "--mail-interval-secs",
                "1",
            ])
        })
        .collect();
    let addresses: Vec<std::net::SocketAddr> = servers
        .iter()
        .map(|s| s.url.trim_start_matches("http://").parse().unwrap())
        .collect();
    let proxy = Nginx::start(&nginx_binary, &addresses);
    let keys = KeyRing::load(&key_file).unwrap();
    runtime.block_on(async {
        let db = Db::connect(&url, 4)
            .await
            .unwrap()
            .with_journal_key(keys.journal_key());
        let browser = client_from("127.0.0.4");

        // One session, both servers: the list answers from each of them.
        let (social_worker, _) = session_of(&db, &demo_login(&stdout, "intervenant").0).await;
        let mut answered_by = HashSet::new();
        let mut inbox = String::new();
        for _ in 0..4 {
            let (status, body, upstream) = page(&browser, &proxy, "/dossiers", &social_worker).await;
            assert_eq!(status, 200, "{upstream}: {body}");
            answered_by.insert(upstream);
            inbox = body;
        }
        assert_eq!(answered_by.len(), 2, "both servers answered: {answered_by:?}");

        // A referral written elsewhere (a third writer) shows on both servers within a poll.
        let (post,): (String,) = sqlx::query_as(
            "SELECT r.scope_id FROM account_roles r JOIN accounts a ON a.id = r.account_id \
             WHERE a.email = $1 AND r.role = 'social_worker'",
        )
        .bind(demo_login(&stdout, "intervenant").0)
        .fetch_one(db.pool())
        .await
        .unwrap();
        let (_, officer_id) = session_of(&db, &demo_login(&stdout, "officier").0).await;
        assert!(!inbox.to_lowercase().contains("deuxserveurs"));
        let input = ReferralInput {
            source: "intervention".into(),
            urgency: "within_48h".into(),
            categories: vec!["domestic_violence".into()],
            context: "Faits".into(),
            persons: vec![PersonInput {
                role: "victim".into(),
                last_name: "Deuxserveurs".into(),
                first_name: "Alix".into(),
                phone: "0612345678".into(),
            }],
            consent: "yes".into(),
            contact_channel: "sms".into(),
            contact_hours: String::new(),
            procedure_reference: String::new(),
            danger: Default::default(),
        };
        let referral = validate_referral(&input, &CategoryGrid::first()).unwrap();
        let case_id = uuid::Uuid::now_v7().to_string();
        let new = passerelle_store::referral::NewReferral {
            id: CaseId::new(&case_id),
            post_id: &PostId::new(&post),
            unit_id: None,
            referred_by: &AccountId::new(&officer_id),
            referral: &referral,
            notify_referrer: true,
        };
        passerelle_store::referral::create_referral(
            &db,
            &keys,
            &new,
            Entry::new(JournalAction::PersonalDataWritten),
        )
        .await
        .unwrap();
        // Its officer is told of five status changes: five e-mails for the servers to send.
        for _ in 0..5 {
            let mut connection = db.pool().acquire().await.unwrap();
            passerelle_store::mail::outbox::queue_status_mail(&mut connection, &case_id, "ailleurs")
                .await
                .unwrap();
        }
        let written = Instant::now();
        let mut fresh_on = HashSet::new();
        while fresh_on.len() < 2 {
            assert!(
                written.elapsed() < Duration::from_millis(20 * POLL_MS),
                "the new referral reached only {fresh_on:?}"
            );
            let (_, body, upstream) = page(&browser, &proxy, "/dossiers", &social_worker).await;
            // The names are in the list for the post's social workers.
            if body.to_lowercase().contains("deuxserveurs") {
                fresh_on.insert(upstream);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // Logging out through one server ends the session on both, within the kept copy's time.
        let csrf = form_token(&keys, &format!("passerelle_session={social_worker}"));
        let logout = browser
            .post(proxy.url("/deconnexion"))
            .header("cookie", format!("passerelle_session={social_worker}"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(logout.status().as_u16(), 303);
        tokio::time::sleep(Duration::from_secs(3)).await;
        for _ in 0..4 {
            let (status, _, upstream) = page(&browser, &proxy, "/dossiers", &social_worker).await;
            assert_ne!(status, 200, "{upstream} still takes the ended session");
        }

        // Failed logins from one client, spread over both servers, lock that client only.
        let (guesser, colleague) = (client_from("127.0.0.2"), client_from("127.0.0.3"));
        // A browser before logging in: its anti-forgery cookie and the form's token.
        let anonymous = format!("passerelle_csrf={}", "0123456789abcdef".repeat(4));
        let anonymous_token = form_token(&keys, &anonymous);
        let login_form = |email: String, password: String| {
            vec![("email", email), ("password", password), ("csrf", anonymous_token.clone())]
        };
        let limit = passerelle_domain::identity::account::ADDRESS_LOCKOUT_THRESHOLD;
        let mut refused_by = HashSet::new();
        for attempt in 0..limit {
            let answer = guesser
                .post(proxy.url("/connexion"))
                .header("cookie", &anonymous)
                .form(&login_form(format!("inconnu-{attempt}@exemple.fr"), "devine".into()))
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status().as_u16(), 401, "attempt {attempt}");
            refused_by.insert(answer.headers()["x-passerelle-upstream"].to_str().unwrap().to_string());
        }
        assert_eq!(refused_by.len(), 2, "both servers counted failures");
        for _ in 0..2 {
            let locked = guesser
                .post(proxy.url("/connexion"))
                .header("cookie", &anonymous)
                .form(&login_form("encore@exemple.fr".into(), "x".into()))
                .send()
                .await
                .unwrap();
            assert_eq!(locked.status().as_u16(), 429, "locked on every server");
        }
        let (email, password) = demo_login(&stdout, "officier");
        let answer = colleague
            .post(proxy.url("/connexion"))
            .header("cookie", &anonymous)
            .form(&login_form(email, password))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 303, "another client logs in");

        // The daily purge ran once for the day, though both servers ticked at start.
        let purges = count(
            &db,
            "SELECT COUNT(*) FROM journal WHERE action = 'job.ran' AND target_id = 'retention_purge'",
        )
        .await;
        assert_eq!(purges, 1, "one purge a day across the servers");
        // Each status e-mail left once, from one server or the other.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let waiting = count(&db, "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL").await;
            if waiting == 0 || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let queued = count(&db, "SELECT COUNT(*) FROM mail_outbox").await;
        assert_eq!(queued, 5, "the status changes queued their e-mails");
        let files: usize = (0..2)
            .map(|i| {
                std::fs::read_dir(folder.path().join(format!("courriels-{i}")))
                    .map(|entries| entries.count())
                    .unwrap_or(0)
            })
            .sum();
        assert_eq!(files as i64, queued, "each e-mail written once");
        db.close().await;
    });
    drop(proxy);
    for server in servers {
        server.stop();
    }
    drop_database(&runtime, &name);
}
