//! Presence schedules and appointments over HTTP on both backends: a schedule set and
//! refused when wrong, shown on the unit's page, poster (read with `pdftotext`) and feed
//! (read with Python's `icalendar`); appointments booked, refused on conflict, sealed, moved
//! and cancelled; private feeds that reveal nothing of another post and die when revoked.

mod helpers;

use helpers::{TestApp, pdf_text, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;
use std::io::Write;
use std::process::{Command, Stdio};
use time::{Date, Duration};

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn iso(date: Date) -> String {
    passerelle_store::db::time_text::date_to_text(date)
}

/// The first Wednesday at least eight days ahead (the demo's schedules leave Wednesdays free):
/// clear of today's absences and of the past.
fn coming_wednesday() -> Date {
    let mut day = passerelle_web::http::clock::paris_today() + Duration::days(8);
    while day.weekday() != time::Weekday::Wednesday {
        day += Duration::days(1);
    }
    day
}

async fn post_as(
    app: &TestApp,
    who: Role,
    path: &str,
    pairs: &[(&str, &str)],
) -> reqwest::Response {
    app.send_as(Some(who), Method::Post, path, &form(pairs))
        .await
}

/// The status and the text of a page, with HTML's escaped apostrophes read back.
async fn body(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, text.replace("&#x27;", "'").replace("&#39;", "'"))
}

fn slot_form<'a>(
    unit: &'a str,
    start: &'a str,
    end: &'a str,
    from: &'a str,
    zone: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("unit", unit),
        ("weekday", "3"),
        ("start", start),
        ("end", end),
        ("valid_from", from),
        ("valid_until", ""),
        ("time_zone", zone),
    ]
}

/// One event as Python's icalendar read it: start written in UTC, ISO weekday, start and end
/// in Paris ("HH:MM"), summary.
type ParsedEvent = (bool, u8, String, String, String);

/// Parses an iCalendar text with Python's icalendar (an independent parser).
fn parse_ics(text: &str) -> Vec<ParsedEvent> {
    let script = r#"
import sys, icalendar, datetime, zoneinfo
calendar = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
paris = zoneinfo.ZoneInfo("Europe/Paris")
for event in calendar.walk("VEVENT"):
    start = event.decoded("DTSTART")
    end = event.decoded("DTEND")
    utc = start.tzinfo is not None and start.utcoffset() == datetime.timedelta(0)
    local = start.astimezone(paris)
    print("%s\t%s\t%s\t%s\t%s" % (utc, local.isoweekday(), local.strftime("%H:%M"), end.astimezone(paris).strftime("%H:%M"), str(event.get("SUMMARY"))))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "Python's icalendar refused the feed ({}); run scripts/test.sh, which installs it:\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.splitn(5, '\t').collect();
            (
                fields[0] == "True",
                fields[1].parse().unwrap(),
                fields[2].into(),
                fields[3].into(),
                fields[4].into(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_schedule_is_refused_when_wrong_and_shown_on_the_unit_page_the_poster_and_the_feed() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let unit = app.scope(Role::Officer);
        let today = iso(passerelle_web::http::clock::paris_today());
        let slots = format!("/postes/{post}/presence/creneaux");
        let before = passerelle_store::presence::slots_of(&app.db, &post)
            .await
            .unwrap()
            .len();
        let added = post_as(
            &app,
            Role::SocialWorker,
            &slots,
            &slot_form(&unit, "9h", "12:00", &today, "Europe/Paris"),
        )
        .await;
        assert_eq!(added.status(), 303, "{}", app.backend);
        let count = || async {
            passerelle_store::presence::slots_of(&app.db, &post)
                .await
                .unwrap()
                .len()
        };
        assert_eq!(count().await, before + 1);

        // Bad input: a French message naming the problem, nothing written.
        let other_unit = app.elsewhere.other_unit.clone();
        for (fields, expected) in [
            (
                slot_form(&unit, "11:00", "13:00", &today, "Europe/Paris"),
                "chevauche",
            ),
            (
                slot_form(&unit, "15:00", "14:00", &today, "Europe/Paris"),
                "doit venir après le début",
            ),
            (
                slot_form(&other_unit, "15:00", "16:00", &today, "Europe/Paris"),
                "n'accueille pas ce poste",
            ),
            (
                slot_form(&unit, "15:00", "16:00", &today, "Mars/Olympus"),
                "n'est pas un fuseau horaire connu",
            ),
            (
                slot_form(&unit, "quinze heures", "16:00", &today, "Europe/Paris"),
                "n'est pas une heure",
            ),
            (
                slot_form(&unit, "15:00", "16:00", "31/02/2026", "Europe/Paris"),
                "n'est pas une date valide",
            ),
        ] {
            let (status, page) =
                body(post_as(&app, Role::SocialWorker, &slots, &fields).await).await;
            assert_eq!(status, 422, "{expected}");
            assert!(page.contains(expected), "{expected} not in the page");
        }
        assert_eq!(count().await, before + 1, "nothing half-written");
        let (status, page) = body(
            post_as(
                &app,
                Role::SocialWorker,
                &format!("/postes/{post}/presence/absences"),
                &[
                    ("kind", "leave"),
                    ("starts_on", "10/12/2026"),
                    ("ends_on", "01/12/2026"),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("précède le premier"));
        // The employer of the post may change it; an employer elsewhere may not.
        let outside = post_as(
            &app,
            Role::SocialWorker,
            &format!("/postes/{}/presence/creneaux", app.post_for(false)),
            &slot_form(&unit, "9h", "10h", &today, "Europe/Paris"),
        )
        .await;
        assert_eq!(outside.status(), 403);

        // The unit's public page, its poster and its feed show the hours.
        let (status, page) = body(app.get(&format!("/presence/unites/{unit}")).await).await;
        assert_eq!(status, 200);
        assert!(page.contains("9 h 00 – 12 h 00"), "{page}");
        let pdf = app
            .get(&format!("/presence/unites/{unit}/affiche.pdf"))
            .await;
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let text = pdf_text(&pdf.bytes().await.unwrap());
        assert!(text.contains("de 9 h à 12 h"), "{text}");
        for number in passerelle_domain::emergency::EMERGENCY_NUMBERS {
            assert!(
                text.contains(number.number),
                "{} missing from the poster:\n{text}",
                number.number
            );
        }
        let feed = app
            .get(&format!("/presence/unites/{unit}/agenda.ics"))
            .await;
        assert!(
            feed.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        let events = parse_ics(&feed.text().await.unwrap());
        let wednesdays: Vec<_> = events.iter().filter(|e| e.1 == 3).collect();
        assert!(
            wednesdays.len() >= 7,
            "eight weeks of Wednesdays (minus holidays): {events:?}"
        );
        assert!(events.iter().all(|e| e.0), "times are written in UTC");
        for (_, _, start, end, _) in wednesdays {
            assert_eq!(
                (start.as_str(), end.as_str()),
                ("09:00", "12:00"),
                "the instants are 9 h – 12 h in Paris"
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn appointments_are_booked_refused_on_conflict_sealed_moved_and_cancelled() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let unit = app.scope(Role::Officer);
        let today = iso(passerelle_web::http::clock::paris_today());
        let wednesday = iso(coming_wednesday());
        post_as(
            &app,
            Role::SocialWorker,
            &format!("/postes/{post}/presence/creneaux"),
            &slot_form(&unit, "9h", "12h", &today, "Europe/Paris"),
        )
        .await;
        let book = format!("/postes/{post}/rendez-vous");
        let booking =
            |mode: &'static str, start: &'static str, end: &'static str, consent: bool| {
                let mut fields = vec![
                    ("mode", mode),
                    ("unit", unit.as_str()),
                    ("date", wednesday.as_str()),
                    ("start", start),
                    ("end", end),
                    ("person", "Mme Secret-Témoin"),
                    ("safe_contact", "Appeler après 18 h, jamais le week-end"),
                ];
                if consent {
                    fields.push(("consent", "1"));
                }
                fields
            };
        let booked = post_as(
            &app,
            Role::Officer,
            &book,
            &booking("in_person", "9:30", "10:00", true),
        )
        .await;
        assert_eq!(booked.status(), 303, "{}", app.backend);
        // The booking answers with its confirmation: the appointment's page, `?pris=1`.
        let confirmation = booked.headers()["location"].to_str().unwrap().to_string();
        let location = confirmation.trim_end_matches("?pris=1").to_string();
        assert_ne!(location, confirmation, "{}", app.backend);
        let id = location.trim_start_matches("/rendez-vous/").to_string();

        for (fields, who, expected) in [
            (
                booking("visio", "9:45", "10:15", true),
                Role::SocialWorker,
                "autre rendez-vous",
            ),
            (
                booking("in_person", "13:00", "13:30", true),
                Role::SocialWorker,
                "présence",
            ),
            (
                booking("visio", "15:00", "15:30", false),
                Role::Officer,
                "Consentement",
            ),
            (
                booking("visio", "15:00", "14:30", true),
                Role::Officer,
                "après le début",
            ),
        ] {
            let (status, page) = body(post_as(&app, who, &book, &fields).await).await;
            assert_eq!(status, 422, "{expected}");
            assert!(page.contains(expected), "{expected} not in the page");
        }
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM appointments")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 1, "refused bookings write nothing");

        // The person and the safe-contact instructions are sealed at rest.
        let (person, safe): (Vec<u8>, Vec<u8>) =
            sqlx::query_as("SELECT person_sealed, safe_contact_sealed FROM appointments")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        for sealed in [&person, &safe] {
            let raw = String::from_utf8_lossy(sealed);
            assert!(!raw.contains("Secret") && !raw.contains("18 h"));
        }

        // The social worker's day list shows it, and the read is journaled.
        let (status, page) = body(
            app.send_as(
                Some(Role::SocialWorker),
                Method::Get,
                &format!("/postes/{post}/rendez-vous?jour={wednesday}"),
                &[],
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("Mme Secret-Témoin") && page.contains("Appeler après 18 h"));
        let (reads,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM journal WHERE action = 'personal_data.read' AND scope_post_id = $1")
            .bind(&post)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert!(reads >= 1);
        // Nobody above the post reads it.
        for role in [
            Role::Employer,
            Role::Prevention,
            Role::National,
            Role::Admin,
        ] {
            let response = app.send_as(Some(role), Method::Get, &location, &[]).await;
            assert_eq!(response.status(), 403, "{role:?}");
        }

        // Moved to a free time inside the presence, then cancelled once.
        let moved = post_as(
            &app,
            Role::SocialWorker,
            &format!("{location}/deplacer"),
            &[("date", &wednesday), ("start", "10:30"), ("end", "11:00")],
        )
        .await;
        assert_eq!(moved.status(), 303);
        let (_, page) = body(
            app.send_as(Some(Role::Officer), Method::Get, &location, &[])
                .await,
        )
        .await;
        assert!(page.contains("10 h 30"), "{page}");
        let outside = post_as(
            &app,
            Role::SocialWorker,
            &format!("{location}/deplacer"),
            &[("date", &wednesday), ("start", "12:30"), ("end", "13:00")],
        )
        .await;
        assert_eq!(outside.status(), 422);
        assert_eq!(
            post_as(&app, Role::Officer, &format!("{location}/annuler"), &[])
                .await
                .status(),
            303
        );
        assert_eq!(
            post_as(&app, Role::Officer, &format!("{location}/annuler"), &[])
                .await
                .status(),
            400
        );
        let row = passerelle_store::presence::appointment::find(&app.db, &id)
            .await
            .unwrap()
            .unwrap();
        assert!(!row.is_booked());
        app.finish().await;
    }
}

fn token_in(page: &str) -> String {
    let start = page
        .find("/agenda/")
        .expect("the feed address is shown once")
        + "/agenda/".len();
    page[start..].split(".ics").next().unwrap().to_string()
}

#[tokio::test]
async fn a_private_feed_shows_its_post_only_and_dies_when_revoked() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let unit = app.scope(Role::Officer);
        let today = iso(passerelle_web::http::clock::paris_today());
        let wednesday = iso(coming_wednesday());
        post_as(
            &app,
            Role::SocialWorker,
            &format!("/postes/{post}/presence/creneaux"),
            &slot_form(&unit, "9h", "12h", &today, "Europe/Paris"),
        )
        .await;
        let booked = post_as(
            &app,
            Role::SocialWorker,
            &format!("/postes/{post}/rendez-vous"),
            &[
                ("mode", "visio"),
                ("unit", ""),
                ("date", &wednesday),
                ("start", "14:00"),
                ("end", "14:45"),
                ("person", "M. Confidentiel"),
                ("safe_contact", "SMS seulement"),
                ("consent", "1"),
            ],
        )
        .await;
        assert_eq!(booked.status(), 303);

        let (status, page) = body(
            post_as(
                &app,
                Role::SocialWorker,
                "/compte/agenda",
                &[("show_names", "1")],
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        let token = token_in(&page);
        let feed = app
            .get(&format!("/agenda/{token}.ics"))
            .await
            .text()
            .await
            .unwrap();
        let events = parse_ics(&feed);
        assert!(
            events.iter().any(|(utc, _, start, end, summary)| *utc
                && start == "14:00"
                && end == "14:45"
                && summary.contains("M. Confidentiel")),
            "{events:?}"
        );
        assert!(
            feed.contains("visio.numerique.gouv.fr/"),
            "the visio link is in the event"
        );

        // A social worker of another post: their feed holds nothing of this post.
        let other_post = app.post_for(false);
        let (other, _) = app.new_account(Role::SocialWorker, Some(&other_post)).await;
        let entry = passerelle_store::journal::Entry::new(
            passerelle_domain::journal::JournalAction::CalendarFeedIssued,
        )
        .by(&other, None);
        let other_token = passerelle_store::presence::appointment::issue_feed(
            &app.db,
            &other,
            &other_post,
            true,
            entry,
        )
        .await
        .unwrap();
        let other_feed = app
            .get(&format!("/agenda/{other_token}.ics"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !other_feed.contains("Confidentiel") && !other_feed.contains("rendez-vous-"),
            "{other_feed}"
        );

        // Without names, the event says only "Rendez-vous"; the old token is revoked.
        let (_, page) = body(post_as(&app, Role::SocialWorker, "/compte/agenda", &[]).await).await;
        let anonymous_token = token_in(&page);
        assert_eq!(
            app.get(&format!("/agenda/{token}.ics")).await.status(),
            404,
            "replaced tokens are revoked"
        );
        let feed = app
            .get(&format!("/agenda/{anonymous_token}.ics"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !feed.contains("Confidentiel") && feed.contains("Rendez-vous (en visio)"),
            "{feed}"
        );
        assert_eq!(
            post_as(&app, Role::SocialWorker, "/compte/agenda/revoquer", &[])
                .await
                .status(),
            303
        );
        assert_eq!(
            app.get(&format!("/agenda/{anonymous_token}.ics"))
                .await
                .status(),
            404
        );
        app.finish().await;
    }
}
