//! Behind a reverse proxy: the client's address comes from the forwarding header only when
//! the proxy is trusted, so the address lockout and the journal see each real client.

use crate::helpers::{CSRF, TestApp};
use passerelle_domain::identity::role::Role;
use std::io::{Read, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn trusting(proxies: &str) -> passerelle_web::Config {
    passerelle_web::Config {
        trusted_proxies: passerelle_web::http::forwarded::TrustedProxies::parse(
            proxies,
            passerelle_web::http::forwarded::ForwardedHeader::XForwardedFor,
        )
        .unwrap(),
        ..passerelle_web::Config::default()
    }
}

/// Reads a case with forged forwarding headers; returns the address its journal row holds.
async fn address_journaled_for_a_case_read(app: &TestApp) -> Option<String> {
    let case = app.case_for(true).await;
    let session = app.session_for(Role::SocialWorker).await;
    let response = app
        .client
        .get(app.url(&format!("/dossiers/{case}")))
        .header("cookie", format!("passerelle_session={session}"))
        .header("x-forwarded-for", "198.51.100.7")
        .header("forwarded", "for=198.51.100.8")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (ip,): (Option<String>,) =
        sqlx::query_as("SELECT ip FROM journal WHERE target_id = $1 ORDER BY seq DESC LIMIT 1")
            .bind(&case)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    ip
}

#[tokio::test]
async fn a_forwarding_header_counts_only_from_a_trusted_proxy() {
    for test_db in passerelle_store::testing::all_backends().await {
        let app = TestApp::spawn(test_db).await;
        let address = address_journaled_for_a_case_read(&app).await;
        assert_eq!(address.as_deref(), Some("127.0.0.1"), "no proxy trusted");
        app.finish().await;
    }
    let app = TestApp::spawn_with(
        passerelle_store::testing::sqlite().await,
        trusting("10.0.0.0/8, fd00::/8"),
    )
    .await;
    let address = address_journaled_for_a_case_read(&app).await;
    assert_eq!(
        address.as_deref(),
        Some("127.0.0.1"),
        "the peer is not one of them"
    );
    app.finish().await;
    let app = TestApp::spawn_with(
        passerelle_store::testing::sqlite().await,
        trusting("127.0.0.1"),
    )
    .await;
    let address = address_journaled_for_a_case_read(&app).await;
    assert_eq!(
        address.as_deref(),
        Some("198.51.100.7"),
        "the trusted proxy's word"
    );
    app.finish().await;
}

/// Debian's nginx, started on a free loopback port with its own configuration, pid and logs
/// in a temporary folder, in front of `upstream`; stopped on drop.
struct Nginx {
    binary: PathBuf,
    port: u16,
    folder: tempfile::TempDir,
}

/// The nginx binary; None (the test is skipped) only outside CI: under CI, or with
/// PASSERELLE_REQUIRE_NGINX=1, its absence fails the test, as PostgreSQL's does.
fn nginx_binary() -> Option<PathBuf> {
    let found = std::env::var_os("PASSERELLE_NGINX")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/sbin/nginx", "/usr/bin/nginx"].map(PathBuf::from))
        .find(|path| path.is_file());
    let required = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
        || std::env::var("PASSERELLE_REQUIRE_NGINX").as_deref() == Ok("1");
    if found.is_none() && required {
        panic!(
            "nginx is missing but required (CI or PASSERELLE_REQUIRE_NGINX=1): apt-get install nginx-light"
        );
    }
    found
}

impl Nginx {
    fn start(binary: &Path, upstream: std::net::SocketAddr) -> Self {
        let folder = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = folder.path().display();
        let config = format!(
            r#"daemon on;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location = /nginx-pret {{ return 204; }}
        location / {{
            proxy_pass http://{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"#
        );
        std::fs::write(folder.path().join("nginx.conf"), config).unwrap();
        let nginx = Self {
            binary: binary.to_path_buf(),
            port,
            folder,
        };
        // As a daemon, nginx returns once it listens (it forks after opening its sockets):
        // nothing to wait for.
        let started = nginx.command().status().expect("nginx starts");
        if !started.success() {
            let log = std::fs::read_to_string(nginx.folder.path().join("error.log"));
            panic!("nginx did not start ({started}): {log:?}");
        }
        nginx.answers_itself();
        nginx
    }

    /// nginx with this folder and configuration.
    fn command(&self) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .arg("-p")
            .arg(self.folder.path())
            .arg("-e")
            .arg(self.folder.path().join("error.log"))
            .arg("-c")
            .arg(self.folder.path().join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// One request nginx answers without the upstream: once answered, its pid file is written
    /// (before it serves), so it can be stopped.
    fn answers_itself(&self) {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port))
            .expect("nginx listens as soon as it has started");
        stream
            .write_all(b"GET /nginx-pret HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Nginx {
    /// Signals the nginx of this folder's pid file to stop.
    fn drop(&mut self) {
        let _ = self.command().args(["-s", "stop"]).status();
    }
}

/// A browser on this machine connecting from `address` (any of 127.0.0.0/8 is loopback).
fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(address.parse::<IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn log_in(client: &reqwest::Client, nginx: &Nginx, email: &str, password: &str) -> u16 {
    client
        .post(nginx.url("/connexion"))
        .header("cookie", format!("passerelle_csrf={CSRF}"))
        .form(&[("email", email), ("password", password), ("csrf", CSRF)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_nginx_failed_logins_are_counted_per_real_client() {
    let Some(binary) = nginx_binary() else {
        eprintln!("nginx absent: test skipped (required under CI)");
        return;
    };
    for test_db in passerelle_store::testing::all_backends().await {
        // nginx connects from 127.0.0.1; the browsers from 127.0.0.2 and 127.0.0.3.
        let app = TestApp::spawn_with(test_db, trusting("127.0.0.1, ::1")).await;
        let nginx = Nginx::start(&binary, app.address);
        let (guesser, colleague) = (client_from("127.0.0.2"), client_from("127.0.0.3"));
        let limit = passerelle_domain::identity::account::ADDRESS_LOCKOUT_THRESHOLD;
        for attempt in 0..limit {
            let email = format!("inconnu-{attempt}@exemple.fr");
            let status = log_in(&guesser, &nginx, &email, "devine").await;
            assert_eq!(status, 401, "attempt {attempt} ({})", app.backend);
        }
        let locked = guesser
            .post(nginx.url("/connexion"))
            .header("cookie", format!("passerelle_csrf={CSRF}"))
            .form(&[
                ("email", "encore@exemple.fr"),
                ("password", "x"),
                ("csrf", CSRF),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(locked.status(), 429);
        assert!(
            locked
                .text()
                .await
                .unwrap()
                .contains(passerelle_web::identity::login::ADDRESS_LOCKED)
        );
        // The colleague at the next workstation, through the same balancer, is not locked out.
        let officer = app.login(Role::Officer).clone();
        let status = log_in(&colleague, &nginx, &officer.email, &officer.password).await;
        assert_eq!(status, 303, "another client logs in ({})", app.backend);
        let (failures_from_guesser,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM journal WHERE action = 'login.failed' AND ip = '127.0.0.2'",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(
            failures_from_guesser, limit,
            "the journal names the real client"
        );
        drop(nginx);
        app.finish().await;
    }
}
