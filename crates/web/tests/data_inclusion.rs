//! The data·inclusion files, fetched from a server on the demo data (both backends) and
//! validated by the official package's pydantic models (scripts/check_data_inclusion.py,
//! `data-inclusion-schema` pinned in scripts/test-requirements.txt): the test fails, never
//! skips, when Python or the package is missing. The opening hours are checked against the
//! presence schedules read from the store, and no personal name is published.

mod helpers;

use helpers::spawn_all;
use passerelle_web::http::route_table::Method;
use std::collections::BTreeMap;
use std::path::PathBuf;
use time::Weekday;

fn day(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Monday => "Mo",
        Weekday::Tuesday => "Tu",
        Weekday::Wednesday => "We",
        Weekday::Thursday => "Th",
        Weekday::Friday => "Fr",
        Weekday::Saturday => "Sa",
        Weekday::Sunday => "Su",
    }
}

#[tokio::test]
async fn the_directory_files_pass_the_official_models_and_tell_the_schedules() {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/check_data_inclusion.py")
        .canonicalize()
        .expect("scripts/check_data_inclusion.py");
    for app in spawn_all().await {
        let mut files = Vec::new();
        for name in ["structures", "services"] {
            let response = app
                .send_as(
                    None,
                    Method::Get,
                    &format!("/donnees/data-inclusion/{name}.json"),
                    &[],
                )
                .await;
            assert_eq!(response.status().as_u16(), 200, "{name}");
            assert_eq!(
                response.headers()["content-type"].to_str().unwrap(),
                "application/json"
            );
            files.push(response.text().await.unwrap());
        }
        let services: Vec<serde_json::Value> = serde_json::from_str(&files[1]).unwrap();
        assert!(!services.is_empty(), "the demo has filled posts");

        // What the schedules say, read from the store: the slots in effect today of each
        // post at each of its units.
        let today = passerelle_web::http::clock::paris_today();
        let mut expected: BTreeMap<String, Vec<[String; 3]>> = BTreeMap::new();
        for reception in passerelle_store::registry::directory::filled_receptions(&app.db)
            .await
            .unwrap()
        {
            let id = format!("passerelle--{}--{}", reception.post_code, reception.unit_id);
            let slots = passerelle_store::presence::slots_of(&app.db, reception.post_id.as_str())
                .await
                .unwrap();
            let in_effect = slots
                .iter()
                .filter(|slot| slot.unit_id == reception.unit_id.as_str())
                .filter(|slot| {
                    slot.valid_from <= today && slot.valid_until.is_none_or(|u| u >= today)
                })
                .map(|slot| {
                    let hhmm = |t: time::Time| format!("{:02}:{:02}", t.hour(), t.minute());
                    [
                        day(slot.weekday).to_string(),
                        hhmm(slot.start),
                        hhmm(slot.end),
                    ]
                });
            expected.entry(id).or_default().extend(in_effect);
        }
        assert!(
            expected.values().any(|slots| !slots.is_empty()),
            "the demo's schedules give some hours to check"
        );

        // No personal name: none of the names the social workers chose to show publicly,
        // nor any account's.
        let names: Vec<(String,)> =
            sqlx::query_as("SELECT display_name FROM accounts WHERE display_name IS NOT NULL")
                .fetch_all(app.db.pool())
                .await
                .unwrap();
        for (name,) in names {
            for file in &files {
                assert!(!file.contains(&name), "{name} published");
            }
        }

        let folder = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = ["structures.json", "services.json", "attendu.json"]
            .iter()
            .map(|name| folder.path().join(name))
            .collect();
        std::fs::write(&paths[0], &files[0]).unwrap();
        std::fs::write(&paths[1], &files[1]).unwrap();
        std::fs::write(&paths[2], serde_json::to_vec(&expected).unwrap()).unwrap();
        let output = std::process::Command::new("python3")
            .arg(&script)
            .args(&paths)
            .output()
            .expect("python3 runs (scripts/test.sh installs the test requirements)");
        assert!(
            output.status.success(),
            "{}: the official models refused the files, or the hours differ from the schedules \
             (is data-inclusion-schema installed? scripts/test.sh installs it):\n{}{}",
            app.backend,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        println!(
            "{}: {}",
            app.backend,
            String::from_utf8_lossy(&output.stdout).trim()
        );
    }
}
