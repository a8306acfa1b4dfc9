//! The social worker's day over HTTP on both backends: a fresh referral comes first on the
//! home « Aujourd'hui » and in the inbox, marked « Nouveau » until one of the post's workers
//! opens it; the names beside the cases leave one journal row per view naming the cases
//! shown; the name the officer typed finds the case; the case page says who may read a note
//! just saved, asks for a destination before a transfer, and tells its chronology in order.

mod helpers;

use helpers::{TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    pairs: &[(&str, &str)],
) -> (u16, String, Option<String>) {
    let form: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let response = app
        .send_as(Some(Role::SocialWorker), method, path, &form)
        .await;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    let text = response.text().await.unwrap();
    (
        status,
        text.replace("&#x27;", "'").replace("&#39;", "'"),
        location,
    )
}

/// A referral of the demo post naming `first last`, as the officer typed them.
async fn refer(app: &TestApp, urgency: &str, first: &str, last: &str) -> String {
    let input = passerelle_domain::referral::ReferralInput {
        source: "intervention".into(),
        urgency: urgency.into(),
        categories: vec!["domestic_violence".into()],
        context: "Différend au domicile.".into(),
        persons: vec![passerelle_domain::referral::PersonInput {
            role: "victim".into(),
            last_name: last.into(),
            first_name: first.into(),
            phone: "06 12 34 56 78".into(),
        }],
        consent: "yes".into(),
        contact_channel: "phone_call".into(),
        contact_hours: String::new(),
        procedure_reference: String::new(),
        danger: Default::default(),
    };
    let post = app.scope(Role::SocialWorker);
    let unit = app.scope(Role::Officer);
    app.refer_with(&input, &post, &unit).await
}

/// The details of the reads of personal data journaled after `seq`.
async fn reads_after(app: &TestApp, seq: i64) -> Vec<String> {
    let rows: Vec<(Option<String>,)> = sqlx::query_as(
        "SELECT detail FROM journal WHERE seq > $1 AND action = 'personal_data.read' ORDER BY seq",
    )
    .bind(seq)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    rows.into_iter().map(|(d,)| d.unwrap_or_default()).collect()
}

async fn head(app: &TestApp) -> i64 {
    let (seq,): (i64,) =
        sqlx::query_as("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM journal")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    seq
}

/// The case ids in the order a page links them.
fn linked_cases(page: &str) -> Vec<String> {
    page.split("href=\"/dossiers/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|id| id.len() == 36)
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn a_fresh_referral_comes_first_named_and_journaled_until_it_is_opened() {
    for app in spawn_all().await {
        let urgent = refer(&app, "immediate", "Jean", "Dupont").await;
        // The urgent one was opened already: the fresh one, less urgent, comes first.
        let (status, _, _) = send(&app, Method::Get, &format!("/dossiers/{urgent}"), &[]).await;
        assert_eq!(status, 200);
        let fresh = refer(&app, "within_48h", "Maëlle", "Orlanne").await;

        // The home: the fresh referral first, marked and named; one read naming the cases.
        let before = head(&app).await;
        let (status, home, _) = send(&app, Method::Get, "/aujourdhui", &[]).await;
        assert_eq!(status, 200, "{home}");
        let new_list = home.split("id=\"today-day\"").next().unwrap();
        assert_eq!(
            linked_cases(new_list),
            vec![fresh.clone()],
            "only the new one is new"
        );
        assert!(new_list.contains("Nouveau") && new_list.contains("Maëlle Orlanne"));
        let reads = reads_after(&app, before).await;
        assert_eq!(reads.len(), 1, "{reads:?}");
        assert!(reads[0].contains(&fresh), "{reads:?}");

        // The inbox: the fresh one first, marked, its name shown; one read for the view,
        // naming every case of the page.
        let before = head(&app).await;
        let (status, inbox, _) = send(&app, Method::Get, "/dossiers", &[]).await;
        assert_eq!(status, 200);
        let order = linked_cases(&inbox);
        assert_eq!(order.first(), Some(&fresh), "{order:?}");
        let first_row = inbox.split("<tr>").find(|r| r.contains(&fresh)).unwrap();
        assert!(
            first_row.contains("Nouveau") && first_row.contains("Maëlle Orlanne"),
            "{first_row}"
        );
        let urgent_row = inbox.split("<tr>").find(|r| r.contains(&urgent)).unwrap();
        assert!(!urgent_row.contains("Nouveau") && urgent_row.contains("Jean Dupont"));
        let reads = reads_after(&app, before).await;
        assert_eq!(reads.len(), 1, "{reads:?}");
        for case in &order {
            assert!(
                reads[0].contains(case.as_str()),
                "{case} not named: {reads:?}"
            );
        }
        // Asked again (the list kept by the server): the names are read, and journaled, again.
        let before = head(&app).await;
        send(&app, Method::Get, "/dossiers", &[]).await;
        assert_eq!(reads_after(&app, before).await.len(), 1);

        // The name the officer typed finds the case, accents and all.
        let (_, found, _) = send(&app, Method::Get, "/dossiers?q=Ma%C3%ABlle%20Orlanne", &[]).await;
        assert_eq!(linked_cases(&found), vec![fresh.clone()]);
        let (_, found, _) = send(&app, Method::Get, "/dossiers?q=maelle%20orlane", &[]).await;
        assert_eq!(
            linked_cases(&found),
            vec![fresh.clone()],
            "a typo is tolerated"
        );

        // Opened: no longer new, on the home or in the inbox.
        send(&app, Method::Get, &format!("/dossiers/{fresh}"), &[]).await;
        let (_, home, _) = send(&app, Method::Get, "/aujourdhui", &[]).await;
        let new_list = home.split("id=\"today-day\"").next().unwrap();
        assert!(linked_cases(new_list).is_empty(), "{new_list}");
        let (_, inbox, _) = send(&app, Method::Get, "/dossiers", &[]).await;
        let row = inbox.split("<tr>").find(|r| r.contains(&fresh)).unwrap();
        assert!(!row.contains("Nouveau"), "{row}");
        app.finish().await;
    }
}

#[tokio::test]
async fn the_case_page_says_who_reads_a_note_and_asks_where_to_transfer() {
    for app in spawn_all().await {
        let case = app.case_for(true).await;
        let (status, _, location) = send(
            &app,
            Method::Post,
            &format!("/dossiers/{case}/notes"),
            &[("text", "Rappeler jeudi."), ("visibility", "author")],
        )
        .await;
        assert_eq!(status, 303);
        let location = location.unwrap();
        assert!(location.contains("note=author"), "{location}");
        let (_, page, _) = send(&app, Method::Get, &location, &[]).await;
        assert!(
            page.contains("Note enregistrée. Qui peut la lire : vous seul(e)."),
            "flash"
        );
        assert!(page.contains("lisible par vous seul(e)"), "on the note");
        // The sections are <details>, the transfer one of them, its list on no post.
        for section in ["add-interview", "add-action", "add-orientation", "transfer"] {
            assert!(
                page.contains(&format!(
                    "<details class=\"passerelle-section fr-mb-2w\" id=\"{section}\""
                )) || page.contains(&format!("id=\"{section}\">")),
                "{section}"
            );
        }
        assert!(page.contains("<option value=\"\" selected disabled>Choisir un poste</option>"));
        assert!(page.contains("class=\"fr-breadcrumb\""));
        let (status, refused, _) = send(
            &app,
            Method::Post,
            &format!("/dossiers/{case}/transfert"),
            &[("post", ""), ("reason", "Déménagement")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(refused.contains("Le champ « Poste de destination » est requis"));

        // The chronology, oldest first, with its times.
        let timeline = page.split("id=\"case-timeline\"").nth(1).unwrap();
        let timeline = timeline.split("</ol>").next().unwrap();
        let received = timeline.find("Statut : Reçu").expect("the receipt");
        let note = timeline.find("Note de").expect("the note");
        assert!(received < note, "{timeline}");
        assert!(timeline.contains(" à "), "a time: {timeline}");
        app.finish().await;
    }
}
