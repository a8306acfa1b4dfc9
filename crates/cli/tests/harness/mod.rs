//! Servers, key files and PostgreSQL databases for the tests of the key guard and of backups.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary, without the environment of the machine's own installation.
pub fn passerelle() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_passerelle"));
    command
        .env_remove("PASSERELLE_DATABASE_URL")
        .env_remove("PASSERELLE_DATA_DIR")
        .env_remove("PASSERELLE_KEY_FILE")
        .env("PASSERELLE_LOG", "warn");
    command
}

/// Runs to completion; returns (exit success, stdout, stderr).
pub fn run(command: &mut Command) -> (bool, String, String) {
    let output = command.output().expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

pub fn assert_one_line_error(stderr: &str, expected: &str) {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    assert!(
        lines[0].starts_with("erreur : ") && lines[0].contains(expected),
        "« {expected} » expected in: {stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

/// A server started in the background, killed if the test fails.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    /// Stops it with SIGTERM and waits.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What `passerelle serve <args>` did within `wait`: started (its listening address), or
/// stopped with its stderr.
pub enum Started {
    Listening(Server),
    Exited { success: bool, stderr: String },
}

pub fn serve(args: &[&str], wait: Duration) -> Started {
    let mut child = passerelle()
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("Passerelle écoute sur ") {
                let _ = sender.send(url.to_string());
            }
        }
    });
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        if let Ok(url) = receiver.recv_timeout(Duration::from_millis(100)) {
            return Started::Listening(Server { child, url });
        }
        if let Ok(Some(status)) = child.try_wait() {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
            }
            return Started::Exited {
                success: status.success(),
                stderr,
            };
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("passerelle serve neither listened nor stopped within {wait:?}");
}

/// Asserts that `serve` refuses to start, with one French line containing `expected`.
pub fn assert_serve_refused(args: &[&str], expected: &str) {
    match serve(args, Duration::from_secs(60)) {
        Started::Listening(server) => {
            server.stop();
            panic!("the server started; it should have refused: {expected}");
        }
        Started::Exited { success, stderr } => {
            assert!(!success, "{stderr}");
            assert_one_line_error(&stderr, expected);
        }
    }
}

pub fn start(args: &[&str]) -> Server {
    match serve(args, Duration::from_secs(120)) {
        Started::Listening(server) => server,
        Started::Exited { stderr, .. } => panic!("the server did not start: {stderr}"),
    }
}

/// A fresh PostgreSQL database (its URL and name), dropped by [`drop_database`]. PostgreSQL
/// is part of every test run: never skipped.
pub fn new_postgres_database(runtime: &tokio::runtime::Runtime, label: &str) -> (String, String) {
    let url = passerelle_store::testing::postgres_url();
    let name = format!("passerelle_{label}_{}", uuid::Uuid::new_v4().simple());
    runtime.block_on(async {
        let admin = passerelle_store::Db::connect(&url, 1).await.unwrap();
        passerelle_store::testing::execute(&admin, &format!("CREATE DATABASE {name}")).await;
        admin.close().await;
    });
    (passerelle_store::testing::with_database(&url, &name), name)
}

pub fn drop_database(runtime: &tokio::runtime::Runtime, name: &str) {
    let url = passerelle_store::testing::postgres_url();
    runtime.block_on(async {
        let admin = passerelle_store::Db::connect(&url, 1).await.unwrap();
        passerelle_store::testing::execute(
            &admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .await;
        admin.close().await;
    });
}

/// A fresh key file of one random key, elsewhere.
pub fn other_key_file(folder: &Path) -> std::path::PathBuf {
    let path = folder.join("autre.key");
    passerelle_store::seal::KeyRing::generate_file(&path).unwrap();
    path
}
