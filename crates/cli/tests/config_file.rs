//! The TOML configuration file as an operator writes it: `passerelle config check` names the
//! line and the key of each problem in French; `--config` sets what the variables would, and
//! flags and variables win over it.

mod common;

use common::run;
use std::path::{Path, PathBuf};
use std::process::Command;

fn passerelle() -> Command {
    let mut command = common::passerelle();
    command.env_remove("PASSERELLE_CONFIG");
    command
}

/// Writes `text` as a configuration file readable by its owner only.
fn file(folder: &Path, text: &str) -> PathBuf {
    let path = folder.join("passerelle.toml");
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

fn check(path: &Path) -> (bool, String, String) {
    run(passerelle().arg("config").arg("check").arg(path))
}

#[test]
fn a_valid_file_is_accepted_with_its_keys_named() {
    let folder = tempfile::tempdir().unwrap();
    let path = file(
        folder.path(),
        r#"# Production
database_url = "postgres://passerelle@127.0.0.1/passerelle"
listen = "127.0.0.1:8080"
public_url = "https://passerelle.example.fr"
secure_cookies = true
trusted_proxies = "127.0.0.1, 10.0.0.0/8"
forwarded_header = "forwarded"
db_connections = 8
retention_years = 2
smtp_url = "smtps://passerelle:motdepasse@smtp.example.fr:465"
oidc_issuer = "https://proconnect.example.fr/api/v2"
oidc_client_id = "passerelle"
oidc_client_secret = "un-secret-de-test"
journal_checkpoints = "/srv/journal/points.txt"
backup_dir = "/srv/sauvegardes"
log_format = "json"
"#,
    );
    let (ok, stdout, stderr) = check(&path);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("valide : 15 clé(s)"), "{stdout}");
    assert!(stdout.contains("journal_checkpoints"), "{stdout}");
    assert!(stderr.is_empty(), "no warning for a private file: {stderr}");
    assert!(!stdout.contains("un-secret-de-test"));
}

#[test]
fn each_problem_names_its_line_and_key_in_french() {
    let folder = tempfile::tempdir().unwrap();
    let path = file(
        folder.path(),
        r#"# lignes numérotées à partir de 1
listne = "127.0.0.1:8080"
db_connections = "beaucoup"
secure_cookies = "oui"
forwarded_header = "x-real-ip"
retention_years = 70000
listen = "pas une adresse"
oidc_issuer = "https://proconnect.example.fr/api/v2"
log_format = "xml"

[smtp]
url = "smtp://localhost:25"
"#,
    );
    let (ok, stdout, stderr) = check(&path);
    assert!(!ok);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let name = path.display().to_string();
    let expected = [
        "ligne 2 : clé « listne » inconnue — vouliez-vous écrire « listen » ?",
        "ligne 3, clé « db_connections » : valeur « beaucoup » refusée (un nombre entier positif est attendu)",
        "ligne 4, clé « secure_cookies » : true ou false attendu",
        "ligne 5, clé « forwarded_header » : valeur « x-real-ip » refusée",
        "ligne 6, clé « retention_years » : valeur « 70000 » refusée (nombre hors des bornes permises)",
        "ligne 7, clé « listen » : valeur « pas une adresse » refusée (adresse et port attendus",
        "ligne 8, clé « oidc_issuer » : ProConnect demande aussi « oidc_client_id » et « oidc_client_secret »",
        "ligne 9, clé « log_format » : valeur « xml » refusée (valeurs possibles : text, json)",
        "ligne 11 : section [smtp] inconnue — les clés s'écrivent à plat",
    ];
    let lines: Vec<&str> = stderr.lines().collect();
    for (i, text) in expected.iter().enumerate() {
        assert!(
            lines[i].starts_with(&format!("{name}, {text}")),
            "line {i} of the report should be « {text} », report:\n{stderr}"
        );
    }
    assert_eq!(
        lines.last().copied(),
        Some(
            format!("erreur : 9 problème(s) dans le fichier de configuration « {name} »").as_str()
        ),
        "{stderr}"
    );
}

#[test]
fn a_file_that_is_not_toml_names_the_line() {
    let folder = tempfile::tempdir().unwrap();
    let path = file(folder.path(), "listen = \"127.0.0.1:8080\"\nlog = \n");
    let (ok, _, stderr) = check(&path);
    assert!(!ok);
    assert!(
        stderr.contains("ligne 2 : ce n'est pas du TOML valide"),
        "{stderr}"
    );
    let (ok, _, stderr) = check(&folder.path().join("absent.toml"));
    assert!(!ok);
    assert!(stderr.contains("illisible : fichier absent"), "{stderr}");
}

#[test]
fn a_file_others_can_read_is_warned_about() {
    let folder = tempfile::tempdir().unwrap();
    let path = file(folder.path(), "listen = \"127.0.0.1:8080\"\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (ok, _, stderr) = check(&path);
        assert!(ok, "a warning, not a refusal: {stderr}");
        assert!(
            stderr.contains("lisible par tous (mode 0644)") && stderr.contains("chmod 0640"),
            "{stderr}"
        );
    }
}

/// `migrate` creates its SQLite database in the data folder it was given: which one shows
/// where the setting came from.
fn migrated_into(folder: &Path) -> bool {
    folder.join("passerelle.db").exists()
}

#[test]
fn the_file_sets_what_a_variable_would_and_variables_and_flags_win() {
    let root = tempfile::tempdir().unwrap();
    let [from_file, from_variable, from_flag] =
        ["fichier", "variable", "option"].map(|name| root.path().join(name));
    let path = file(
        root.path(),
        &format!("data_dir = \"{}\"\n", from_file.display()),
    );
    // Run from the folder, so that a file not read would leave ./data there, not in the tree.
    let (ok, _, stderr) = run(passerelle()
        .current_dir(root.path())
        .arg("--config")
        .arg(&path)
        .arg("migrate"));
    assert!(ok, "{stderr}");
    assert!(migrated_into(&from_file), "the file's data_dir is used");

    let (ok, _, stderr) = run(passerelle()
        .arg("migrate")
        .env("PASSERELLE_CONFIG", &path)
        .env("PASSERELLE_DATA_DIR", &from_variable));
    assert!(ok, "{stderr}");
    assert!(
        migrated_into(&from_variable),
        "the variable wins over the file"
    );

    let (ok, _, stderr) = run(passerelle()
        .arg("migrate")
        .arg(format!("--config={}", path.display()))
        .arg("--data-dir")
        .arg(&from_flag));
    assert!(ok, "{stderr}");
    assert!(migrated_into(&from_flag), "the flag wins over the file");
}

#[test]
fn a_command_refuses_a_wrong_file_before_doing_anything() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("donnees");
    let path = file(
        root.path(),
        &format!("data_dir = \"{}\"\ndb_conections = 4\n", data.display()),
    );
    let (ok, _, stderr) = run(passerelle().arg("--config").arg(&path).arg("migrate"));
    assert!(!ok);
    assert!(
        stderr.starts_with(&format!(
            "erreur : {}, ligne 2 : clé « db_conections » inconnue — vouliez-vous écrire « db_connections » ?",
            path.display()
        )),
        "{stderr}"
    );
    assert!(!data.exists(), "nothing created");
}

#[test]
fn a_secret_from_the_file_is_not_shown_by_help() {
    let root = tempfile::tempdir().unwrap();
    let path = file(
        root.path(),
        "oidc_issuer = \"https://proconnect.example.fr\"\noidc_client_id = \"passerelle\"\noidc_client_secret = \"un-secret-de-test\"\n",
    );
    let (ok, stdout, stderr) = run(passerelle()
        .arg("--config")
        .arg(&path)
        .args(["serve", "--help"]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("--oidc-client-secret"), "{stdout}");
    assert!(!stdout.contains("un-secret-de-test"), "{stdout}");
}
