//! Changing one's password: the other sessions end, the current password is not guessed
//! from an open session, the same password is not set again.

use super::*;

fn signed_in_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn cookies(token: &str) -> String {
    format!("passerelle_csrf={CSRF}; passerelle_session={token}")
}

async fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> reqwest::Response {
    signed_in_client()
        .post(app.url("/compte/mot-de-passe"))
        .header("cookie", cookies(token))
        .form(&[
            ("csrf", CSRF),
            ("current", current),
            ("password", new),
            ("confirmation", new),
        ])
        .send()
        .await
        .unwrap()
}

async fn account_page(app: &TestApp, token: &str) -> reqwest::StatusCode {
    signed_in_client()
        .get(app.url("/compte"))
        .header("cookie", cookies(token))
        .send()
        .await
        .unwrap()
        .status()
}

const NEW: &str = "cheval agrafe lumière boussole";

#[tokio::test]
async fn a_new_password_closes_the_other_sessions_and_cannot_be_the_old_one() {
    for app in spawn_all().await {
        let officer = app.login(Role::Officer).clone();
        let (mine, elsewhere) = (
            app.session_for(Role::Officer).await,
            app.session_for(Role::Officer).await,
        );
        let same = change_password(&app, &mine, &officer.password, &officer.password).await;
        assert_eq!(same.status(), 422);
        assert!(
            same.text()
                .await
                .unwrap()
                .contains("Nouveau mot de passe : il doit être différent du mot de passe actuel")
        );
        let changed = change_password(&app, &mine, &officer.password, NEW).await;
        assert_eq!(changed.status(), 200);
        assert!(
            changed
                .text()
                .await
                .unwrap()
                .contains("Votre mot de passe est changé")
        );
        assert_eq!(account_page(&app, &mine).await, 200, "this session stays");
        assert_eq!(
            account_page(&app, &elsewhere).await,
            303,
            "the other one ends"
        );
        assert_eq!(
            login(&browser(&app), &app, &officer.email, NEW)
                .await
                .status(),
            303
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn wrong_current_passwords_lock_the_account_like_wrong_logins() {
    for app in spawn_all().await {
        let officer = app.login(Role::Officer).clone();
        let token = app.session_for(Role::Officer).await;
        let mut statuses = Vec::new();
        for _ in 0..passerelle_domain::identity::account::LOCKOUT_THRESHOLD {
            statuses.push(
                change_password(&app, &token, "pas le bon", NEW)
                    .await
                    .status()
                    .as_u16(),
            );
        }
        assert_eq!(statuses, [422, 422, 422, 422, 429]);
        assert_eq!(
            account_page(&app, &token).await,
            303,
            "the guessing session ends"
        );
        let locked = login(&browser(&app), &app, &officer.email, &officer.password).await;
        assert_eq!(locked.status(), 429);
        assert!(
            locked
                .text()
                .await
                .unwrap()
                .contains("bloquée pendant 15 minutes")
        );
        // Another open session cannot go on guessing either, even with the right one.
        let other = app.session_for(Role::Officer).await;
        let refused = change_password(&app, &other, &officer.password, NEW).await;
        assert_eq!(refused.status(), 429);
        assert_eq!(
            login(&browser(&app), &app, &officer.email, NEW)
                .await
                .status(),
            429,
            "the password did not change"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn parallel_wrong_current_passwords_are_checked_five_at_most() {
    for app in spawn_all().await {
        let mut answers = tokio::task::JoinSet::new();
        for _ in 0..12 {
            let token = app.session_for(Role::Officer).await;
            let url = app.url("/compte/mot-de-passe");
            answers.spawn(async move {
                signed_in_client()
                    .post(url)
                    .header("cookie", cookies(&token))
                    .form(&[
                        ("csrf", CSRF),
                        ("current", "pas le bon"),
                        ("password", NEW),
                        ("confirmation", NEW),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            });
        }
        let statuses = answers.join_all().await;
        let checked = statuses.iter().filter(|s| **s == 422).count();
        assert!(
            checked < passerelle_domain::identity::account::LOCKOUT_THRESHOLD as usize,
            "{checked} current passwords checked before the lock: {statuses:?}"
        );
        app.finish().await;
    }
}
