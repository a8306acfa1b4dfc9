//! Appointments booked from a case, over HTTP on both backends: the form offers the post's
//! free slots inside its presences and takes the person and the safe contact from the case
//! (one journaled read); the booking is confirmed, listed on the case and in the post's week
//! (today marked, weeks before and after); a refused booking writes nothing and keeps what was
//! chosen; « Déplacer » starts from the current hours.

mod helpers;

use helpers::{TestApp, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;
use time::{Date, Duration};

fn iso(date: Date) -> String {
    passerelle_store::db::time_text::date_to_text(date)
}

fn today() -> Date {
    passerelle_web::http::clock::paris_today()
}

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let response = app
        .send_as(Some(Role::SocialWorker), Method::Get, path, &[])
        .await;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, text.replace("&#x27;", "'").replace("&#39;", "'"))
}

async fn post(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
    let form: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    app.send_as(Some(Role::SocialWorker), Method::Post, path, &form)
        .await
}

/// The journal's rows of personal data read so far.
async fn reads(app: &TestApp) -> i64 {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM journal WHERE action = 'personal_data.read'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    count
}

async fn appointments_of(app: &TestApp, case: &str) -> i64 {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM appointments WHERE case_id = $1")
        .bind(case)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    count
}

/// The error a page shows, for a failure's message.
fn gist(page: &str) -> String {
    match page.find("fr-alert--error") {
        Some(at) => page[at..].chars().take(400).collect(),
        None => String::new(),
    }
}

/// The values of the inputs named `name` in a page, in order.
fn values_of(page: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    page.match_indices(&marker)
        .map(|(at, _)| {
            let rest = &page[at + marker.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// A presence of the demo post at the officer's unit every day of the week, 9 h – 12 h, from
/// today, where the demo's schedule has none yet: whatever today is, this week and the next
/// have free slots (but on holidays).
async fn open_every_day(app: &TestApp) {
    let post_id = app.post_for(true);
    let unit = app.scope(Role::Officer);
    for weekday in 1..=7 {
        let answer = post(
            app,
            &format!("/postes/{post_id}/presence/creneaux"),
            &[
                ("unit", &unit),
                ("weekday", &weekday.to_string()),
                ("start", "9h"),
                ("end", "12h"),
                ("valid_from", &iso(today())),
                ("valid_until", ""),
                ("time_zone", "Europe/Paris"),
            ],
        )
        .await;
        let status = answer.status();
        let text = answer.text().await.unwrap();
        assert!(
            status.is_redirection() || gist(&text).contains("chevauche"),
            "{} {}",
            app.backend,
            gist(&text)
        );
    }
}

/// The case's person line, as its booking form offers it.
async fn person_line(app: &TestApp, case: &str) -> String {
    let (_, form) = get(app, &format!("/dossiers/{case}/rendez-vous")).await;
    values_of(&form, "person_line").remove(0)
}

#[tokio::test]
async fn a_case_books_its_person_on_a_free_slot_confirmed_and_listed() {
    for app in spawn_all().await {
        open_every_day(&app).await;
        let case = app.case_for(true).await;
        let (status, case_page) = get(&app, &format!("/dossiers/{case}")).await;
        assert_eq!(status, 200, "{}", app.backend);
        assert!(case_page.contains(&format!("href=\"/dossiers/{case}/rendez-vous\"")));
        assert!(
            case_page.contains("Aucun rendez-vous à venir."),
            "{}",
            app.backend
        );

        // The form: the case's person and safe contact, read under one journal row.
        let before = reads(&app).await;
        let (status, form) = get(&app, &format!("/dossiers/{case}/rendez-vous")).await;
        assert_eq!(status, 200, "{}", app.backend);
        assert_eq!(reads(&app).await - before, 1, "{}", app.backend);
        assert!(
            form.contains("Victime : Camille Fictive"),
            "{}",
            app.backend
        );
        assert!(
            form.contains("id=\"booking-safe-contact\""),
            "{}",
            app.backend
        );
        assert!(!form.contains("name=\"person\""), "no name to retype");
        let lines = values_of(&form, "person_line");
        assert_eq!(lines.len(), 1, "{}", app.backend);
        let slots = values_of(&form, "slot");
        assert!(
            slots.len() > 2,
            "free slots first, then « autre » : {slots:?}"
        );
        assert_eq!(slots.last().map(String::as_str), Some("autre"));
        let first = slots[0].clone();
        let parts: Vec<&str> = first.split('|').collect();
        assert_eq!(parts.len(), 4, "{first}");
        let (day, start, end) = (parts[0], parts[1], parts[2]);
        assert_eq!(parts[3], app.scope(Role::Officer));
        let day_date = Date::parse(
            day,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap();
        assert!(day_date >= today() && day_date - today() < Duration::days(14));

        // Booked on the first free slot, for the case's person.
        let booked = post(
            &app,
            &format!("/dossiers/{case}/rendez-vous"),
            &[
                ("slot", &first),
                ("person_line", &lines[0]),
                ("consent", "1"),
            ],
        )
        .await;
        assert_eq!(booked.status(), 303, "{}", app.backend);
        let location = booked.headers()["location"].to_str().unwrap().to_string();
        assert!(location.ends_with("?pris=1"), "{location}");
        let appointment = location
            .trim_start_matches("/rendez-vous/")
            .trim_end_matches("?pris=1")
            .to_string();
        assert_eq!(appointments_of(&app, &case).await, 1, "{}", app.backend);

        // The confirmation: day, hours, place and mode, the ways back to the case and the week.
        let (status, confirmation) = get(&app, &location).await;
        assert_eq!(status, 200, "{}", app.backend);
        let alert = &confirmation[confirmation.find("id=\"booking-confirmed\"").unwrap()..];
        let alert = &alert[..alert.find("</div>").unwrap()];
        let french_day = passerelle_web::http::clock::french_date(day_date);
        assert!(alert.contains(&french_day), "{alert}");
        let hour = |clock: &str| {
            let (h, m) = clock.split_once(':').unwrap();
            format!("{} h {m}", h.trim_start_matches('0'))
        };
        assert!(
            alert.contains(&hour(start)) && alert.contains(&hour(end)),
            "{alert}"
        );
        assert!(alert.contains("À l'unité"), "{alert}");
        assert!(
            alert.contains(&format!("href=\"/dossiers/{case}\"")),
            "{alert}"
        );
        assert!(alert.contains(&format!(
            "href=\"/postes/{}/rendez-vous/semaine?semaine={day}\"",
            app.post_for(true)
        )));
        assert!(
            confirmation.contains("Camille Fictive"),
            "the person, from the case"
        );
        // The plain page says nothing of a booking.
        let (_, plain) = get(&app, &format!("/rendez-vous/{appointment}")).await;
        assert!(!plain.contains("booking-confirmed"), "{}", app.backend);
        // « Déplacer » starts from the current day and hours.
        assert!(plain.contains(&format!("name=\"date\" value=\"{day}\"")));
        assert!(plain.contains(&format!("name=\"start\" value=\"{start}\"")));
        assert!(plain.contains(&format!("name=\"end\" value=\"{end}\"")));

        // The case lists it; the form no longer offers its slot.
        let (_, case_page) = get(&app, &format!("/dossiers/{case}")).await;
        assert!(case_page.contains(&format!("href=\"/rendez-vous/{appointment}\"")));
        assert!(case_page.contains(&french_day), "{}", app.backend);
        let (_, form) = get(&app, &format!("/dossiers/{case}/rendez-vous")).await;
        assert!(
            !values_of(&form, "slot").contains(&first),
            "{}",
            app.backend
        );
        // The day's page lists its free slots beside its form: not the taken one, but the
        // next one when it is on that day.
        let day_path = format!("/postes/{}/rendez-vous?jour={day}", app.post_for(true));
        let (_, day_page) = get(&app, &day_path).await;
        let free = &day_page[day_page.find("id=\"free-slots\"").unwrap_or(0)..];
        let free = &free[..free.find("</p>").unwrap_or(0)];
        let next: Vec<&str> = slots[1].split('|').collect();
        if next[0] == day {
            assert!(
                free.contains(&format!("{} – {}", hour(next[1]), hour(next[2]))),
                "{free}"
            );
        }
        assert!(
            !free.contains(&format!("{} – {}", hour(start), hour(end))),
            "{free}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_refused_booking_from_a_case_writes_nothing_and_keeps_the_choice() {
    for app in spawn_all().await {
        let case = app.case_for(true).await;
        let path = format!("/dossiers/{case}/rendez-vous");
        let tomorrow = iso(today() + Duration::days(1));
        let line = person_line(&app, &case).await;
        let before = reads(&app).await;
        // Without consent.
        let refused = post(
            &app,
            &path,
            &[
                ("slot", "autre"),
                ("mode", "visio"),
                ("date", &tomorrow),
                ("start", "10:00"),
                ("end", "10:30"),
                ("person_line", &line),
            ],
        )
        .await;
        assert_eq!(refused.status(), 422, "{}", app.backend);
        let page = refused.text().await.unwrap().replace("&#x27;", "'");
        assert!(page.contains("Consentement :"), "{}", app.backend);
        assert!(page.contains(&format!("name=\"date\" value=\"{tomorrow}\"")));
        assert!(page.contains("id=\"slot-other\" name=\"slot\" value=\"autre\" checked"));
        // The refusal read the case once (its persons, its safe contact), and only once.
        assert_eq!(reads(&app).await - before, 1, "{}", app.backend);
        // Too long; a person not of the case; an hour not on a clock.
        for (fields, message) in [
            (vec![("start", "10:00"), ("end", "14:00")], "durée"),
            (
                vec![
                    ("start", "10:00"),
                    ("end", "10:30"),
                    ("person_line", "inconnue"),
                ],
                "Personne :",
            ),
            (vec![("start", "25:00"), ("end", "10:30")], "début"),
        ] {
            let mut form = vec![
                ("slot", "autre"),
                ("mode", "visio"),
                ("date", tomorrow.as_str()),
                ("consent", "1"),
                ("person_line", line.as_str()),
            ];
            // The last value of a field is the one read: the line is replaced where asked.
            form.retain(|(name, _)| !fields.iter().any(|(other, _)| other == name));
            form.extend(fields);
            let refused = post(&app, &path, &form).await;
            assert_eq!(refused.status(), 422, "{message} ({})", app.backend);
            let page = refused.text().await.unwrap();
            assert!(
                page.contains(message),
                "{message}: {} {}",
                app.backend,
                gist(&page)
            );
        }
        assert_eq!(appointments_of(&app, &case).await, 0, "{}", app.backend);
        // A free time by visio goes through.
        let booked = post(
            &app,
            &path,
            &[
                ("slot", "autre"),
                ("mode", "visio"),
                ("date", &tomorrow),
                ("start", "10:00"),
                ("end", "10:30"),
                ("consent", "1"),
                ("person_line", &line),
            ],
        )
        .await;
        assert_eq!(booked.status(), 303, "{}", app.backend);
        assert_eq!(appointments_of(&app, &case).await, 1, "{}", app.backend);
        app.finish().await;
    }
}

#[tokio::test]
async fn the_week_shows_monday_to_sunday_with_today_and_its_appointments() {
    for app in spawn_all().await {
        let post_id = app.post_for(true);
        let case = app.case_for(true).await;
        let in_ten_days = today() + Duration::days(10);
        let line = person_line(&app, &case).await;
        let booked = post(
            &app,
            &format!("/dossiers/{case}/rendez-vous"),
            &[
                ("slot", "autre"),
                ("mode", "visio"),
                ("date", &iso(in_ten_days)),
                ("start", "14:00"),
                ("end", "14:45"),
                ("consent", "1"),
                ("person_line", &line),
            ],
        )
        .await;
        let status = booked.status();
        assert_eq!(
            status,
            303,
            "{} {}",
            app.backend,
            gist(&booked.text().await.unwrap())
        );

        // This week: seven days from Monday, today marked; its neighbours linked.
        let monday = passerelle_domain::presence::monday_of(today());
        let before = reads(&app).await;
        let (status, week) = get(&app, &format!("/postes/{post_id}/rendez-vous/semaine")).await;
        assert_eq!(status, 200, "{}", app.backend);
        for offset in 0..7 {
            assert!(week.contains(&format!(
                "id=\"jour-{}\"",
                iso(monday + Duration::days(offset))
            )));
        }
        assert_eq!(
            week.matches("aria-current=\"date\"").count(),
            1,
            "{}",
            app.backend
        );
        assert!(
            week.contains(&format!(
                "id=\"jour-{}\" aria-current=\"date\"",
                iso(today())
            )) || week.contains(&format!(
                "aria-current=\"date\" id=\"jour-{}\"",
                iso(today())
            ))
        );
        assert!(week.contains(&format!(
            "semaine={}\">Semaine précédente",
            iso(monday - Duration::weeks(1))
        )));
        assert!(week.contains(&format!(
            "semaine={}\">Semaine suivante",
            iso(monday + Duration::weeks(1))
        )));
        // The booking's week names its person, under one journal row; today is not in it.
        let later = iso(in_ten_days);
        let (status, week) = get(
            &app,
            &format!("/postes/{post_id}/rendez-vous/semaine?semaine={later}"),
        )
        .await;
        assert_eq!(status, 200, "{}", app.backend);
        assert!(!week.contains("aria-current=\"date\""), "{}", app.backend);
        let day = &week[week.find(&format!("id=\"jour-{later}\"")).unwrap()..];
        let day = &day[..day.find("</section>").unwrap()];
        assert!(
            day.contains("14 h 00 – 14 h 45") && day.contains("Camille Fictive"),
            "{day}"
        );
        let counted = reads(&app).await - before;
        // An empty week reads nobody.
        let far = iso(today() + Duration::days(400));
        let (status, empty) = get(
            &app,
            &format!("/postes/{post_id}/rendez-vous/semaine?semaine={far}"),
        )
        .await;
        assert_eq!(status, 200, "{}", app.backend);
        assert!(
            empty.contains("0 rendez-vous cette semaine"),
            "{}",
            app.backend
        );
        assert_eq!(reads(&app).await - before, counted, "{}", app.backend);
        // The day's page leads to its week.
        let (_, day) = get(&app, &format!("/postes/{post_id}/rendez-vous?jour={later}")).await;
        assert!(day.contains(&format!(
            "href=\"/postes/{post_id}/rendez-vous/semaine?semaine={later}\""
        )));
        // The social worker's desk opens on the week.
        let desk = app
            .send_as(Some(Role::SocialWorker), Method::Get, "/rendez-vous", &[])
            .await;
        assert_eq!(
            desk.headers()["location"].to_str().unwrap(),
            format!("/postes/{post_id}/rendez-vous/semaine")
        );
        app.finish().await;
    }
}
