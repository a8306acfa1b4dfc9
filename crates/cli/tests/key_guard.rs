//! The key guarded: a command started with a key file that cannot open the database's data
//! refuses to start, in one French line, and never makes a new key for a database that has
//! data; a second server on the same PostgreSQL with another key cannot write.

mod harness;

use harness::*;

/// A key file written by hand, readable by its owner only (or the binary warns).
fn private(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

fn demo(data: &str, months: &str) {
    let (ok, _, stderr) = run(passerelle().args(["demo", "--data-dir", data, "--months", months]));
    assert!(ok, "{stderr}");
}

#[test]
fn a_server_without_its_key_file_refuses_a_database_with_data_and_makes_no_key() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().to_str().unwrap();
    demo(data, "1");
    let key = folder.path().join("passerelle.key");
    std::fs::rename(&key, folder.path().join("mise-de-cote.key")).unwrap();
    assert_serve_refused(
        &["--data-dir", data],
        "est absent, et cette base contient déjà des données scellées",
    );
    assert!(
        !key.exists(),
        "no key file is made for a database with data"
    );
    for command in [
        vec!["purge", "--data-dir", data, "--dry-run"],
        vec!["audit", "verify", "--data-dir", data],
        vec!["rekey", "--new-key", "--data-dir", data],
        vec![
            "user",
            "invite",
            "--data-dir",
            data,
            "--email",
            "a@exemple.fr",
            "--name",
            "A",
        ],
        vec![
            "backup",
            "--data-dir",
            data,
            "--output",
            "/tmp/passerelle-never",
        ],
    ] {
        let (ok, _, stderr) = run(passerelle().args(&command));
        assert!(!ok, "{command:?}");
        assert_one_line_error(
            &stderr,
            "restaurez le fichier de clés sauvegardé avec la base",
        );
        assert!(!key.exists(), "{command:?} made a key file");
    }
}

#[test]
fn a_wrong_key_file_is_refused_by_every_command_naming_the_key() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().to_str().unwrap();
    demo(data, "1");
    let other = other_key_file(folder.path());
    let other = other.to_str().unwrap();
    let expected = "ne peut pas ouvrir les données de cette base : sa clé k1 n'est pas celle";
    assert_serve_refused(&["--data-dir", data, "--key-file", other], expected);
    let before = std::fs::read_to_string(other).unwrap();
    for command in [
        vec!["migrate", "--data-dir", data, "--key-file", other],
        vec!["purge", "--data-dir", data, "--key-file", other],
        vec![
            "audit",
            "checkpoint",
            "--data-dir",
            data,
            "--key-file",
            other,
        ],
        vec![
            "rekey",
            "--new-key",
            "--data-dir",
            data,
            "--key-file",
            other,
        ],
        vec!["demo", "--data-dir", data, "--key-file", other],
    ] {
        let (ok, _, stderr) = run(passerelle().args(&command));
        assert!(!ok, "{command:?}");
        assert_one_line_error(&stderr, expected);
    }
    assert_eq!(
        std::fs::read_to_string(other).unwrap(),
        before,
        "rekey added no key"
    );
    // A key file without the database's first key (k2 alone): the missing key is named.
    let only_k2 = folder.path().join("k2.key");
    std::fs::write(
        &only_k2,
        std::fs::read_to_string(other)
            .unwrap()
            .replace("k1 ", "k2 "),
    )
    .unwrap();
    private(&only_k2);
    let (ok, _, stderr) = run(passerelle().args([
        "purge",
        "--data-dir",
        data,
        "--key-file",
        only_k2.to_str().unwrap(),
    ]));
    assert!(!ok);
    assert_one_line_error(&stderr, "il manque la clé k1");
}

/// A database of before the fingerprints (none recorded): its sealed values and journal
/// still tell a wrong key.
#[test]
fn a_database_without_recorded_fingerprints_is_probed() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().to_str().unwrap();
    demo(data, "1");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = passerelle_store::Db::open_sqlite_in(folder.path())
            .await
            .unwrap();
        passerelle_store::testing::execute(&db, "DELETE FROM key_fingerprints").await;
        db.close().await;
    });
    let other = other_key_file(folder.path());
    let (ok, _, stderr) = run(passerelle().args([
        "purge",
        "--dry-run",
        "--data-dir",
        data,
        "--key-file",
        other.to_str().unwrap(),
    ]));
    assert!(!ok);
    assert_one_line_error(&stderr, "sa clé k1 n'est pas celle");
    // The right key passes and is recorded again.
    let (ok, _, stderr) = run(passerelle().args(["purge", "--dry-run", "--data-dir", data]));
    assert!(ok, "{stderr}");
    let recorded = runtime.block_on(async {
        let db = passerelle_store::Db::open_sqlite_in(folder.path())
            .await
            .unwrap();
        let recorded = passerelle_store::seal::key_guard::recorded(&db)
            .await
            .unwrap();
        db.close().await;
        recorded
    });
    assert_eq!(recorded.len(), 1);
}

#[test]
fn an_empty_database_gets_a_new_key_file_and_rekey_records_the_next() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().to_str().unwrap();
    let (ok, _, stderr) = run(passerelle().args(["migrate", "--data-dir", data]));
    assert!(ok, "{stderr}");
    let key = folder.path().join("passerelle.key");
    assert!(!key.exists(), "migrate makes no key");
    let server = start(&["--data-dir", data]);
    server.stop();
    assert!(
        key.exists(),
        "the first start of an empty database makes its key file"
    );
    let (ok, _, stderr) = run(passerelle().args(["rekey", "--new-key", "--data-dir", data]));
    assert!(ok, "{stderr}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let recorded = runtime.block_on(async {
        let db = passerelle_store::Db::open_sqlite_in(folder.path())
            .await
            .unwrap();
        let recorded = passerelle_store::seal::key_guard::recorded(&db)
            .await
            .unwrap();
        db.close().await;
        recorded
    });
    let ids: Vec<&str> = recorded.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["k1", "k2"]);
    // The key file of before the new key now lacks k2.
    let text = std::fs::read_to_string(&key).unwrap();
    let only_k1: String = text.lines().take(1).map(|l| format!("{l}\n")).collect();
    let old = folder.path().join("avant.key");
    std::fs::write(&old, only_k1).unwrap();
    private(&old);
    assert_serve_refused(
        &["--data-dir", data, "--key-file", old.to_str().unwrap()],
        "il manque la clé k2",
    );
}

#[test]
fn a_second_server_on_the_same_postgresql_with_another_key_refuses_to_start() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (url, name) = new_postgres_database(&runtime, "keys");
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    let outcome = std::panic::catch_unwind(|| {
        let server = start(&[
            "--database-url",
            &url,
            "--data-dir",
            first.path().to_str().unwrap(),
        ]);
        assert!(first.path().join("passerelle.key").exists());
        // Without a key file: refused, none made.
        assert_serve_refused(
            &[
                "--database-url",
                &url,
                "--data-dir",
                second.path().to_str().unwrap(),
            ],
            "est absent, et cette base contient déjà des données scellées ou un journal signé (clé k1)",
        );
        assert!(!second.path().join("passerelle.key").exists());
        // With a key file of its own: refused.
        let other = other_key_file(second.path());
        assert_serve_refused(
            &[
                "--database-url",
                &url,
                "--data-dir",
                second.path().to_str().unwrap(),
                "--key-file",
                other.to_str().unwrap(),
            ],
            "sa clé k1 n'est pas celle",
        );
        // With the shared key file: it starts beside the first.
        let shared = first.path().join("passerelle.key");
        let beside = start(&[
            "--database-url",
            &url,
            "--data-dir",
            second.path().to_str().unwrap(),
            "--key-file",
            shared.to_str().unwrap(),
        ]);
        beside.stop();
        server.stop();
    });
    drop_database(&runtime, &name);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
