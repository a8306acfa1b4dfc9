//! The `passerelle` binary as an operator runs it.

use passerelle_store::testing;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn passerelle() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_passerelle"));
    command
        .env_remove("PASSERELLE_DATABASE_URL")
        .env_remove("PASSERELLE_DATA_DIR")
        .env("PASSERELLE_LOG", "warn");
    command
}

/// Runs to completion; returns (exit success, stdout, stderr).
fn run(command: &mut Command) -> (bool, String, String) {
    let output = command.output().expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_one_line_error(stderr: &str, expected: &str) {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {stderr}");
    assert!(
        lines[0].starts_with("erreur : ") && lines[0].contains(expected),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn a_bad_database_url_is_one_line_and_a_failure_exit() {
    let (ok, _, stderr) =
        run(passerelle().args(["migrate", "--database-url", "mysql://u:secret@h/db"]));
    assert!(!ok);
    assert_one_line_error(&stderr, "adresse de base de données non reconnue");
    assert!(!stderr.contains("secret"));
    let (ok, _, stderr) = run(passerelle().args([
        "serve",
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
        "--listen",
        "127.0.0.1:0",
        "--key-file",
        "/tmp/passerelle-cli-test.key",
    ]));
    assert!(!ok);
    assert_one_line_error(&stderr, "impossible de se connecter");
}

#[test]
fn an_unwritable_data_folder_is_one_line_and_a_failure_exit() {
    let (ok, _, stderr) =
        run(passerelle().args(["migrate", "--data-dir", "/proc/passerelle-data"]));
    assert!(!ok);
    assert_one_line_error(&stderr, "impossible de créer le dossier de données");
}

#[test]
fn migrate_twice_then_demo_prints_one_login_per_role() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().to_str().unwrap();
    for _ in 0..2 {
        let (ok, _, stderr) = run(passerelle().args(["migrate", "--data-dir", data]));
        assert!(ok, "{stderr}");
    }
    let (ok, stdout, stderr) =
        run(passerelle().args(["demo", "--data-dir", data, "--seed", "11", "--months", "1"]));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("Activité de démonstration (1 mois)"),
        "{stdout}"
    );
    // The retention purge finds nothing that old in a month of activity, and says so.
    let (ok, purge_out, stderr) =
        run(passerelle().args(["purge", "--data-dir", data, "--dry-run"]));
    assert!(ok, "{stderr}");
    assert!(
        purge_out.contains("Simulation — Données personnelles seraient effacées : 0 dossier(s)"),
        "{purge_out}"
    );
    let (ok, _, stderr) = run(passerelle().args(["purge", "--data-dir", data, "--years", "0"]));
    assert!(!ok);
    assert_one_line_error(&stderr, "au moins 1 an");
    for login in [
        "officier@",
        "intervenant@",
        "employeur@",
        "prevention@",
        "national@",
        "admin@",
    ] {
        assert!(stdout.contains(login), "{login} in {stdout}");
    }
    let (ok, _, stderr) = run(passerelle().args(["demo", "--data-dir", data, "--seed", "11"]));
    assert!(!ok, "a second demo on the same database is refused");
    assert_one_line_error(&stderr, "base vide");
}

#[test]
fn demo_runs_on_postgresql_too() {
    let url = testing::postgres_url();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let name = format!("passerelle_cli_{}", std::process::id());
    let admin = runtime
        .block_on(passerelle_store::Db::connect(&url, 1))
        .unwrap();
    runtime.block_on(sqlx_execute(
        &admin,
        &format!("DROP DATABASE IF EXISTS {name}"),
    ));
    runtime.block_on(sqlx_execute(&admin, &format!("CREATE DATABASE {name}")));
    let database_url = testing::with_database(&url, &name);
    let key_folder = tempfile::tempdir().unwrap();
    let (ok, stdout, stderr) = run(passerelle().args([
        "demo",
        "--database-url",
        &database_url,
        "--months",
        "1",
        "--data-dir",
        key_folder.path().to_str().unwrap(),
    ]));
    runtime.block_on(sqlx_execute(
        &admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    ));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("admin@demo.passerelle.test"));
    assert!(
        stdout.contains("Activité de démonstration (1 mois)"),
        "{stdout}"
    );
}

async fn sqlx_execute(db: &passerelle_store::Db, sql: &str) {
    passerelle_store::testing::execute(db, sql).await;
}

#[test]
fn serve_demo_serves_the_home_page_and_stops_cleanly_on_sigterm() {
    let elsewhere = tempfile::tempdir().unwrap();
    let checkpoints = elsewhere.path().join("journal-checkpoints.txt");
    let mut child = passerelle()
        .args([
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--demo-months",
            "0",
            "--checkpoints",
            checkpoints.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut url = None;
    let mut printed = String::new();
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.strip_prefix("Passerelle écoute sur ") {
            url = Some(rest.to_string());
            break;
        }
    }
    let url = url.unwrap_or_else(|| panic!("no listening line in: {printed}"));
    assert!(
        printed.contains("admin@demo.passerelle.test"),
        "demo logins printed: {printed}"
    );
    let body = reqwest::blocking::get(format!("{url}/"))
        .unwrap()
        .text()
        .unwrap();
    assert!(body.contains("national-posts-count"));
    // SIGTERM: graceful shutdown, exit code 0.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit status {exit:?}");
    // A checkpoint of the journal at start, and one at shutdown.
    let written = std::fs::read_to_string(&checkpoints).unwrap();
    assert_eq!(written.lines().count(), 2, "{written}");
    assert!(
        written
            .lines()
            .all(|l| l.starts_with("journal-checkpoint v1 count="))
    );
}

/// The data folder's database, its journal linked with the folder's key file.
fn open_keyed(runtime: &tokio::runtime::Runtime, folder: &std::path::Path) -> passerelle_store::Db {
    let keys = passerelle_store::seal::KeyRing::load(&folder.join("passerelle.key")).unwrap();
    runtime
        .block_on(passerelle_store::Db::open_sqlite_in(folder))
        .unwrap()
        .with_journal_key(keys.journal_key())
}

#[test]
fn audit_verify_names_the_first_broken_row() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().to_str().unwrap();
    let (ok, _, stderr) = run(passerelle().args(["demo", "--data-dir", data, "--months", "0"]));
    assert!(ok, "{stderr}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = open_keyed(&runtime, folder.path());
    for index in 0..5 {
        let entry = passerelle_store::journal::Entry::new(
            passerelle_domain::journal::JournalAction::Logout,
        )
        .detail(format!("{index}"));
        runtime
            .block_on(passerelle_store::journal::record(&db, entry))
            .unwrap();
    }
    // The demo journals what it publishes (the network's announcements): every row counts.
    let (rows,): (i64,) = runtime
        .block_on(sqlx::query_as("SELECT COUNT(*) FROM journal").fetch_one(db.pool()))
        .unwrap();
    assert!(rows >= 5);
    let (ok, stdout, stderr) = run(passerelle().args(["audit", "verify", "--data-dir", data]));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains(&format!("Journal intègre : {rows} lignes")),
        "{stdout}"
    );
    assert!(stdout.contains("Aucun point de contrôle"), "{stdout}");
    // An attacker with the database in hand drops the append-only trigger first.
    runtime.block_on(testing::execute(&db, "DROP TRIGGER journal_no_update"));
    runtime.block_on(testing::execute(
        &db,
        "UPDATE journal SET detail = 'x' WHERE seq = 3",
    ));
    runtime.block_on(db.close());
    let (ok, _, stderr) = run(passerelle().args(["audit", "verify", "--data-dir", data]));
    assert!(!ok);
    assert_one_line_error(&stderr, "ligne 3 : contenu modifié");
}

#[test]
fn the_first_administrator_is_invited_from_the_command_line() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().to_str().unwrap();
    let (ok, stdout, stderr) = run(passerelle().args([
        "user",
        "invite",
        "--data-dir",
        data,
        "--email",
        "Admin@Exemple.fr",
        "--name",
        "Administration",
        "--public-url",
        "https://passerelle.exemple.fr",
    ]));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("admin@exemple.fr")
            && stdout.contains("https://passerelle.exemple.fr/invitation/"),
        "{stdout}"
    );
    let (ok, _, stderr) = run(passerelle().args([
        "user",
        "invite",
        "--data-dir",
        data,
        "--email",
        "admin@exemple.fr",
        "--name",
        "Encore",
    ]));
    assert!(!ok);
    assert_one_line_error(&stderr, "un compte existe déjà");
    let (ok, _, stderr) = run(passerelle().args([
        "user",
        "invite",
        "--data-dir",
        data,
        "--email",
        "pas-une-adresse",
        "--name",
        "X",
    ]));
    assert!(!ok);
    assert_one_line_error(&stderr, "adresse électronique");
}

#[test]
fn rekey_adds_a_key_and_reseals_under_it() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().to_str().unwrap();
    let key_file = folder.path().join("passerelle.key");
    // A sealed TOTP secret under the first key.
    let ring = passerelle_store::seal::KeyRing::generate_file(&key_file).unwrap();
    let (ok, _, stderr) = run(passerelle().args(["demo", "--data-dir", data, "--months", "0"]));
    assert!(ok, "{stderr}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime
        .block_on(passerelle_store::Db::open_sqlite_in(folder.path()))
        .unwrap();
    let (id,): (String,) = runtime
        .block_on(
            sqlx::query_as("SELECT id FROM accounts ORDER BY email LIMIT 1").fetch_one(db.pool()),
        )
        .unwrap();
    let associated = passerelle_store::seal::associated_data("accounts", "totp_secret_sealed", &id);
    runtime
        .block_on(
            sqlx::query("UPDATE accounts SET totp_secret_sealed = $1 WHERE id = $2")
                .bind(ring.seal(b"0123456789abcdefghij", &associated))
                .bind(&id)
                .execute(db.pool()),
        )
        .unwrap();
    runtime.block_on(db.close());
    let (ok, _, stderr) = run(passerelle().args([
        "user",
        "invite",
        "--data-dir",
        data,
        "--email",
        "a@exemple.fr",
        "--name",
        "Admin",
    ]));
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = run(passerelle().args(["rekey", "--new-key", "--data-dir", data]));
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("1 valeur(s) rescellée(s) avec la clé « k2 »"),
        "{stdout}"
    );
    // The journal key follows: the change is a row linked with k2, the rows before it
    // still verify with k1, which stays in the file.
    assert!(
        stdout.contains("Journal : les liens sont désormais signés avec la clé « k2 »"),
        "{stdout}"
    );
    let (ok, stdout, stderr) = run(passerelle().args(["audit", "verify", "--data-dir", data]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("Journal intègre"), "{stdout}");
    let text = std::fs::read_to_string(&key_file).unwrap();
    let without_k1: String = text
        .lines()
        .filter(|l| !l.starts_with("k1 "))
        .map(|l| format!("{l}\n"))
        .collect();
    let only_k2 = folder.path().join("k2-seule.key");
    std::fs::write(&only_k2, without_k1).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&only_k2, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (ok, _, stderr) = run(passerelle().args([
        "audit",
        "verify",
        "--data-dir",
        data,
        "--key-file",
        only_k2.to_str().unwrap(),
    ]));
    assert!(!ok);
    // The database recorded k1's fingerprint: a file without it is refused before the walk.
    assert_one_line_error(&stderr, "il manque la clé k1");
    let new_ring = passerelle_store::seal::KeyRing::load(&key_file).unwrap();
    let db = runtime
        .block_on(passerelle_store::Db::open_sqlite_in(folder.path()))
        .unwrap();
    let (sealed,): (Vec<u8>,) = runtime
        .block_on(
            sqlx::query_as("SELECT totp_secret_sealed FROM accounts WHERE id = $1")
                .bind(&id)
                .fetch_one(db.pool()),
        )
        .unwrap();
    assert_eq!(
        passerelle_store::seal::KeyRing::key_id_of(&sealed).unwrap(),
        "k2"
    );
    assert_eq!(
        new_ring.open(&sealed, &associated).unwrap().as_slice(),
        b"0123456789abcdefghij"
    );
}

/// Audit rewrite (a) through the command line: the last rows deleted and the head set back
/// leave an intact chain, which the checkpoint taken before contradicts.
#[test]
fn a_journal_rolled_back_is_caught_by_the_checkpoint_file() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().to_str().unwrap();
    let invite = |email: &str| {
        let (ok, _, stderr) = run(passerelle().args([
            "user",
            "invite",
            "--data-dir",
            data,
            "--email",
            email,
            "--name",
            "Admin",
        ]));
        assert!(ok, "{stderr}");
    };
    invite("un@exemple.fr");
    invite("deux@exemple.fr");
    invite("trois@exemple.fr");
    let (ok, stdout, stderr) = run(passerelle().args(["audit", "checkpoint", "--data-dir", data]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("3 lignes"), "{stdout}");
    let file = folder.path().join("journal-checkpoints.txt");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        written.starts_with("journal-checkpoint v1 count=3 head=k1:"),
        "{written}"
    );
    let (ok, stdout, stderr) = run(passerelle().args(["audit", "verify", "--data-dir", data]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("1 point(s) de contrôle"), "{stdout}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = open_keyed(&runtime, folder.path());
    for sql in [
        "DROP TRIGGER journal_no_delete",
        "DELETE FROM journal WHERE seq = 3",
        "UPDATE journal_head SET seq = 2, hash = (SELECT hash FROM journal WHERE seq = 2)",
    ] {
        runtime.block_on(testing::execute(&db, sql));
    }
    runtime.block_on(db.close());
    // Without the checkpoints the chain looks whole; with them, the rollback is named.
    let elsewhere = folder.path().join("ailleurs.txt");
    let (ok, _, _) = run(passerelle()
        .args(["audit", "verify", "--data-dir", data])
        .env("PASSERELLE_JOURNAL_CHECKPOINTS", &elsewhere));
    assert!(!ok, "a checkpoint file named on purpose must exist");
    std::fs::write(&elsewhere, "").unwrap();
    let (ok, _, stderr) = run(passerelle()
        .args(["audit", "verify", "--data-dir", data])
        .env("PASSERELLE_JOURNAL_CHECKPOINTS", &elsewhere));
    assert!(ok, "{stderr}");
    let (ok, _, stderr) = run(passerelle().args([
        "audit",
        "verify",
        "--data-dir",
        data,
        "--checkpoints",
        file.to_str().unwrap(),
    ]));
    assert!(!ok);
    assert_one_line_error(&stderr, "retour en arrière");
    assert!(stderr.contains("ligne 3 disparue"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_new_data_folder_and_its_key_file_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().join("nouveau").join("donnees");
    let (ok, _, stderr) = run(passerelle().args([
        "user",
        "invite",
        "--data-dir",
        data.to_str().unwrap(),
        "--email",
        "a@exemple.fr",
        "--name",
        "Admin",
    ]));
    assert!(ok, "{stderr}");
    assert!(stderr.contains("fichier de clés créé"), "{stderr}");
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(data.parent().unwrap()), 0o700);
    assert_eq!(mode(&data.join("passerelle.key")), 0o600);
    let (ok, _, stderr) =
        run(passerelle().args(["audit", "checkpoint", "--data-dir", data.to_str().unwrap()]));
    assert!(ok, "{stderr}");
    assert_eq!(mode(&data.join("journal-checkpoints.txt")), 0o600);
    let elsewhere = folder.path().join("autre-volume").join("points.txt");
    let (ok, _, stderr) = run(passerelle().args([
        "audit",
        "checkpoint",
        "--data-dir",
        data.to_str().unwrap(),
        "--checkpoints",
        elsewhere.to_str().unwrap(),
    ]));
    assert!(ok, "{stderr}");
    assert_eq!(mode(elsewhere.parent().unwrap()), 0o700);
}
