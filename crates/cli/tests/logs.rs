//! The server's logs as a log collector receives them: with `--log-format json` one JSON
//! object a line, each request's lines carrying its request id; in either format never the
//! client's address nor the identifiers and tokens of the paths asked for.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CASE: &str = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b";
const FEED_TOKEN: &str = "Zx3kP9qLm2Vt8Rw4Yb7Nc1Hd6Jf5Gs0";

/// Starts a server on a fresh data folder with these log flags, asks for two paths with
/// identifiers from the client address 127.0.0.2, stops it; returns what it logged.
fn logs_of_two_requests(format: &str) -> String {
    let data = tempfile::tempdir().unwrap();
    let mut child = common::passerelle()
        .env_remove("PASSERELLE_CONFIG")
        .args(["--log-format", format, "--log", "info,tower_http=debug"])
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut url = None;
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(rest) = line.strip_prefix("Passerelle écoute sur ") {
            url = Some(rest.to_string());
            break;
        }
    }
    let url = url.expect("the server listens");
    let client = reqwest::blocking::Client::builder()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (path, id) in [
        (format!("/dossiers/{CASE}"), "essai-dossier"),
        (format!("/agenda/{FEED_TOKEN}"), "essai-agenda"),
    ] {
        client
            .get(format!("{url}{path}"))
            .header("x-request-id", id)
            .send()
            .unwrap();
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut logged = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logged)
        .unwrap();
    assert!(child.wait().unwrap().success(), "{logged}");
    logged
}

fn assert_no_personal_data(logged: &str) {
    for secret in ["127.0.0.2", CASE, FEED_TOKEN, "client"] {
        assert!(!logged.contains(secret), "« {secret} » logged:\n{logged}");
    }
}

#[test]
fn json_logs_carry_the_request_id_and_no_personal_data() {
    let logged = logs_of_two_requests("json");
    let lines: Vec<serde_json::Value> = logged
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        logged
            .lines()
            .all(|l| l.starts_with('{') || l.starts_with("attention :")),
        "only JSON lines (and the key file's creation notice): {logged}"
    );
    for (id, path) in [
        ("essai-dossier", "/dossiers/…"),
        ("essai-agenda", "/agenda/…"),
    ] {
        let answered = lines.iter().find(|l| {
            l["span"]["request_id"] == id && l["fields"]["message"] == "finished processing request"
        });
        let answered = answered.unwrap_or_else(|| panic!("no answer line for {id}: {logged}"));
        assert_eq!(answered["span"]["uri"], path);
        assert_eq!(answered["span"]["method"], "GET");
        assert!(answered["fields"]["status"].is_u64(), "{answered}");
    }
    assert_no_personal_data(&logged);
}

#[test]
fn text_logs_carry_the_request_id_and_no_personal_data() {
    let logged = logs_of_two_requests("text");
    assert!(
        logged
            .lines()
            .any(|l| l.contains("request_id=essai-dossier") && l.contains("/dossiers/…")),
        "{logged}"
    );
    assert_no_personal_data(&logged);
}
