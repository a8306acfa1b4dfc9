//! The poster a unit keeps on its wall, over HTTP on both backends: the State's block (the
//! Marianne drawn in blue and red, the motto) and the Marianne font, seen on the page rendered
//! by poppler (`pdftoppm`, `pdffonts`); the regular week with « sauf jours fériés » and the
//! coming absences, no dated weeks, words that agree (`pdftotext`); saved under the unit's name;
//! the HTML poster draws the same block in the same font.

mod helpers;

use helpers::{TestApp, pdf_text, spawn_all};
use passerelle_domain::identity::role::Role;
use passerelle_web::http::route_table::Method;
use std::process::Command;
use time::{Date, Duration, Weekday};

fn french(date: Date) -> String {
    format!(
        "{:02}/{:02}/{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// The first `weekday` at least `days` days after today.
fn next(weekday: Weekday, days: i64) -> Date {
    let mut day = passerelle_web::http::clock::paris_today() + Duration::days(days);
    while day.weekday() != weekday {
        day += Duration::days(1);
    }
    day
}

async fn post_form(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> u16 {
    let form: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    app.send_as(Some(Role::SocialWorker), Method::Post, path, &form)
        .await
        .status()
        .as_u16()
}

/// Runs a poppler tool on the PDF and returns what it printed (or wrote, for `pdftoppm`).
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> Vec<u8> {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("affiche.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = folder.path().join("page");
    let mut command = Command::new(tool);
    command.args(args).arg(&path);
    if tool == "pdftoppm" {
        command.arg(&out);
    }
    let output = command
        .output()
        .unwrap_or_else(|_| panic!("{tool} (poppler-utils) is installed by .ci/run"));
    assert!(output.status.success(), "{tool} failed");
    if tool == "pdftoppm" {
        std::fs::read(folder.path().join("page.ppm")).unwrap()
    } else {
        output.stdout
    }
}

/// A binary PPM (P6) page: width, height and RGB pixels.
struct Page {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Page {
    fn parse(ppm: &[u8]) -> Page {
        // "P6\n<width> <height>\n255\n" then the pixels.
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while ppm[at].is_ascii_whitespace() {
                at += 1;
            }
            let start = at;
            while !ppm[at].is_ascii_whitespace() {
                at += 1;
            }
            fields.push(String::from_utf8(ppm[start..at].to_vec()).unwrap());
        }
        assert_eq!(fields[0], "P6");
        let (width, height) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
        Page {
            width,
            height,
            rgb: ppm[at + 1..].to_vec(),
        }
    }

    /// Counts the pixels of the area (x, y, width, height in points at 72 dpi) that `test` accepts.
    fn count(
        &self,
        area: (usize, usize, usize, usize),
        test: impl Fn(u8, u8, u8) -> bool,
    ) -> usize {
        let (x, y, w, h) = area;
        let mut found = 0;
        for row in y..(y + h).min(self.height) {
            for column in x..(x + w).min(self.width) {
                let i = (row * self.width + column) * 3;
                if test(self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]) {
                    found += 1;
                }
            }
        }
        found
    }
}

fn is_blue(r: u8, g: u8, b: u8) -> bool {
    r < 60 && g < 60 && b > 100
}
fn is_red(r: u8, g: u8, b: u8) -> bool {
    r > 180 && g < 60 && b < 80
}
fn is_black(r: u8, g: u8, b: u8) -> bool {
    r < 50 && g < 50 && b < 50
}
/// Dark grey or black: the motto's thin letters are mostly antialiased at 72 dpi.
fn is_dark(r: u8, g: u8, b: u8) -> bool {
    r < 120 && g < 120 && b < 120
}

#[tokio::test]
async fn the_poster_shows_the_state_block_the_regular_week_and_the_coming_absences() {
    for app in spawn_all().await {
        let post = app.post_for(true);
        let unit = app.scope(Role::Officer);
        let unit_name = "Brigade de Pont-l'Abbé";
        sqlx::query("UPDATE units SET name = $1 WHERE id = $2")
            .bind(unit_name)
            .bind(&unit)
            .execute(app.db.pool())
            .await
            .unwrap();
        // The unit's existing slots are replaced by a week the test knows.
        let existing = passerelle_store::presence::slots_of(&app.db, &post)
            .await
            .unwrap();
        for slot in existing {
            sqlx::query("DELETE FROM presence_slots WHERE id = $1")
                .bind(&slot.id)
                .execute(app.db.pool())
                .await
                .unwrap();
        }
        let today = french(passerelle_web::http::clock::paris_today());
        let slots = format!("/postes/{post}/presence/creneaux");
        for (weekday, start, end) in [
            ("2", "9h", "12h"),
            ("4", "14h", "17h"),
            ("2", "14h", "16h30"),
        ] {
            let status = post_form(
                &app,
                &slots,
                &[
                    ("unit", unit.as_str()),
                    ("weekday", weekday),
                    ("start", start),
                    ("end", end),
                    ("valid_from", &today),
                    ("valid_until", ""),
                    ("time_zone", "Europe/Paris"),
                ],
            )
            .await;
            assert_eq!(status, 303, "{} slot {weekday} {start}", app.backend);
        }
        // A Tuesday off is announced; a Wednesday off (no presence that day) is not.
        let tuesday_off = next(Weekday::Tuesday, 15);
        let wednesday_off = next(Weekday::Wednesday, 15);
        for day in [tuesday_off, wednesday_off] {
            let status = post_form(
                &app,
                &format!("/postes/{post}/presence/absences"),
                &[
                    ("kind", "leave"),
                    ("starts_on", &french(day)),
                    ("ends_on", &french(day)),
                ],
            )
            .await;
            assert_eq!(status, 303, "absence on {}", french(day));
        }

        let response = app
            .get(&format!("/presence/unites/{unit}/affiche.pdf"))
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-disposition"],
            "inline; filename=\"affiche-brigade-de-pont-l-abbe.pdf\""
        );
        let pdf = response.bytes().await.unwrap().to_vec();

        // Its words: the block, the regular week, no dated weeks, words that agree.
        let text = pdf_text(&pdf);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "RÉPUBLIQUE FRANÇAISE",
            unit_name,
            "Intervenant social en gendarmerie",
            "Le mardi de 9 h à 12 h et de 14 h à 16 h 30",
            "Le jeudi de 14 h à 17 h",
            "sauf jours fériés",
            "Absences prévues",
            "Pour rencontrer l’intervenant social",
            "3919",
        ] {
            assert!(flat.contains(expected), "« {expected} » missing:\n{text}");
        }
        assert!(
            flat.contains(&format!("Le {}", french(tuesday_off))),
            "{text}"
        );
        for stale in [
            "Semaine du",
            "prochaines semaines",
            "Pour la rencontrer",
            &french(wednesday_off),
        ] {
            assert!(!flat.contains(stale), "« {stale} » on the poster:\n{text}");
        }

        // Its font: Marianne, embedded, and nothing else.
        let fonts = String::from_utf8(poppler("pdffonts", &[], &pdf)).unwrap();
        let names: Vec<&str> = fonts
            .lines()
            .skip(2)
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        assert!(!names.is_empty(), "{fonts}");
        assert!(
            names.iter().all(|n| n.contains("Marianne")),
            "only Marianne is embedded:\n{fonts}"
        );
        assert!(names.iter().any(|n| n.contains("Marianne-Bold")), "{fonts}");

        // Its page, rendered at 72 dpi (one pixel a point): A4, not blank, and in the top left
        // corner the Marianne's blue and red field above the words, then the black motto.
        let page = Page::parse(&poppler(
            "pdftoppm",
            &["-r", "72", "-singlefile", "-f", "1", "-l", "1"],
            &pdf,
        ));
        // A4 is 595.28 × 841.89 points: poppler rounds up.
        assert!(
            (595..=596).contains(&page.width) && (842..=843).contains(&page.height),
            "A4 in points: {} × {}",
            page.width,
            page.height
        );
        let whole = (0, 0, page.width, page.height);
        assert!(page.count(whole, is_black) > 2_000, "the page has text");
        let marianne = (40, 30, 40, 25);
        assert!(
            page.count(marianne, is_blue) > 50,
            "the Marianne's blue field"
        );
        assert!(
            page.count(marianne, is_red) > 50,
            "the Marianne's red field"
        );
        let block = (40, 30, 90, 110);
        assert!(page.count(block, is_black) > 300, "the words and the motto");
        let motto = (40, 85, 60, 25);
        assert!(page.count(motto, is_dark) > 60, "the motto under the words");
        // The rest of the page carries no blue and red bars of the old block.
        assert!(page.count((140, 0, 455, 30), is_red) == 0);

        // The HTML poster draws the PDF's very block (its Marianne and motto images), in the
        // Marianne font the DSFR distributes, and no longer the two coloured bars.
        let html = app
            .get(&format!("/presence/unites/{unit}/affiche"))
            .await
            .text()
            .await
            .unwrap();
        use base64::Engine;
        for (image, svg) in [
            (
                "affiche__marianne",
                passerelle_documents::poster::MARIANNE_SVG,
            ),
            ("affiche__devise", passerelle_documents::poster::MOTTO_SVG),
        ] {
            let data = base64::engine::general_purpose::STANDARD.encode(svg);
            assert!(
                html.contains(&format!(
                    "<img class=\"{image}\" src=\"data:image/svg+xml;base64,{data}\""
                )),
                "{image} missing:\n{html}"
            );
        }
        assert!(html.contains("République<br>française"), "{html}");
        let stylesheet = html
            .split("<link rel=\"stylesheet\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        let css = app.get(&stylesheet).await.text().await.unwrap();
        assert!(!css.contains("border-image"), "the old bars:\n{css}");
        let folder = stylesheet.rsplit_once('/').unwrap().0;
        for font in ["Marianne-Regular.woff2", "Marianne-Bold.woff2"] {
            let url = format!("vendor/dsfr/fonts/{font}");
            assert!(css.contains(&format!("src: url({url})")), "{font}:\n{css}");
            let bytes = app
                .get(&format!("{folder}/{url}"))
                .await
                .bytes()
                .await
                .unwrap();
            assert!(bytes.starts_with(b"wOF2"), "{font} is served");
        }
        app.finish().await;
    }
}
