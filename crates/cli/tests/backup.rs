//! Backups that restore: `passerelle backup` while many connections write, `restore` into a
//! fresh place, then the same counts as the manifest, sealed fields readable, the journal and
//! the statistics verified, and the server starting on the copy — on SQLite and PostgreSQL.

mod harness;

use harness::*;
use passerelle_domain::journal::JournalAction;
use passerelle_store::Db;
use passerelle_store::journal::{Entry, record};
use passerelle_store::seal::KeyRing;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Writers appending journal rows from `connections` tasks until stopped.
struct Load {
    stop: Arc<AtomicBool>,
    /// Rows written so far, which the test awaits.
    written: Arc<tokio::sync::watch::Sender<u64>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(runtime: &tokio::runtime::Runtime, db: &Db, connections: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let written = Arc::new(tokio::sync::watch::Sender::new(0));
        let tasks = (0..connections)
            .map(|writer| {
                let (db, stop, written) = (db.clone(), stop.clone(), written.clone());
                runtime.spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        let entry =
                            Entry::new(JournalAction::Logout).detail(format!("charge {writer}"));
                        record(&db, entry).await.expect("a write under load");
                        written.send_modify(|n| *n += 1);
                    }
                })
            })
            .collect();
        Self {
            stop,
            written,
            tasks,
        }
    }

    fn written(&self) -> u64 {
        *self.written.borrow()
    }

    /// Returns once the writers have written `rows` rows (they are under way).
    fn wait_until_written(&self, runtime: &tokio::runtime::Runtime, rows: u64) {
        let mut written = self.written.subscribe();
        runtime
            .block_on(written.wait_for(|n| *n >= rows))
            .expect("the writers write");
    }

    fn stop(self, runtime: &tokio::runtime::Runtime) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            runtime.block_on(task).expect("writer finished");
        }
        *self.written.borrow()
    }
}

/// The journal's row count: every row acknowledged before a backup starts must be in it.
fn journal_rows(runtime: &tokio::runtime::Runtime, db: &Db) -> i64 {
    let (rows,): (i64,) = runtime
        .block_on(sqlx::query_as("SELECT seq FROM journal_head WHERE id = 1").fetch_one(db.pool()))
        .unwrap();
    rows
}

/// Runs `passerelle backup` while `load` writes; returns the archive written.
fn backup_under_load(
    runtime: &tokio::runtime::Runtime,
    load: &Load,
    database: &[&str],
    output: &Path,
) -> PathBuf {
    // Let the writers get going first.
    load.wait_until_written(runtime, 20);
    let before = load.written();
    let (ok, stdout, stderr) = run(passerelle()
        .arg("backup")
        .args(database)
        .args(["--output", output.to_str().unwrap()]));
    assert!(ok, "{stderr}");
    println!("{stdout}");
    assert!(stdout.contains("Sauvegarde écrite"), "{stdout}");
    assert!(
        load.written() > before,
        "the backup ran while rows were written"
    );
    archives(output).pop().expect("one archive")
}

fn archives(folder: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "age"))
        .collect();
    found.sort();
    found
}

fn assert_restored(stdout: &str) {
    for expected in [
        "comptes identiques au manifeste",
        "Journal intègre",
        "Statistiques exactes",
    ] {
        assert!(stdout.contains(expected), "« {expected} » in {stdout}");
    }
}

/// A sealed identity of the restored database opens with the key file.
fn assert_sealed_readable(runtime: &tokio::runtime::Runtime, db: &Db, key_file: &Path) {
    let ring = KeyRing::load(key_file).unwrap();
    let column = passerelle_store::referral::person::IDENTITY;
    let (id, sealed): (String, Vec<u8>) = runtime
        .block_on(
            sqlx::query_as(
                "SELECT id, identity_sealed FROM persons WHERE identity_sealed IS NOT NULL LIMIT 1",
            )
            .fetch_one(db.pool()),
        )
        .expect("the demo sealed identities");
    let opened = ring.open(&sealed, &column.associated_data(&id)).unwrap();
    assert!(!opened.is_empty());
}

#[test]
fn a_sqlite_backup_under_load_restores_with_the_same_counts_and_a_working_server() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("donnees");
    let data_arg = data.to_str().unwrap();
    let (ok, _, stderr) = run(passerelle().args(["demo", "--data-dir", data_arg, "--months", "1"]));
    assert!(ok, "{stderr}");
    let key_file = data.join("passerelle.key");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let ring = KeyRing::load(&key_file).unwrap();
    let db = runtime
        .block_on(Db::open_sqlite_in(&data))
        .unwrap()
        .with_journal_key(ring.journal_key());
    let output = root.path().join("sauvegardes");
    let load = Load::start(&runtime, &db, 8);
    load.wait_until_written(&runtime, 20);
    let acknowledged = journal_rows(&runtime, &db);
    let archive = backup_under_load(&runtime, &load, &["--data-dir", data_arg], &output);
    let written = load.stop(&runtime);
    runtime.block_on(db.close());
    println!("{written} journal rows written during the test");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the archive is private");
    }

    // A wrong key file: refused in French, nothing restored.
    let other = other_key_file(root.path());
    let refused = root.path().join("refusee");
    let (ok, _, stderr) = run(passerelle().args([
        "restore",
        archive.to_str().unwrap(),
        "--data-dir",
        refused.to_str().unwrap(),
        "--key-file",
        other.to_str().unwrap(),
    ]));
    assert!(!ok);
    assert_one_line_error(&stderr, "ne peut pas ouvrir cette sauvegarde");
    assert!(!refused.join("passerelle.db").exists());

    let restored = root.path().join("restauree");
    let restored_arg = restored.to_str().unwrap();
    let key_arg = key_file.to_str().unwrap();
    let (ok, stdout, stderr) = run(passerelle().args([
        "restore",
        archive.to_str().unwrap(),
        "--data-dir",
        restored_arg,
        "--key-file",
        key_arg,
    ]));
    assert!(ok, "{stderr}");
    assert_restored(&stdout);
    // Never over an existing database.
    let (ok, _, stderr) = run(passerelle().args([
        "restore",
        archive.to_str().unwrap(),
        "--data-dir",
        restored_arg,
        "--key-file",
        key_arg,
    ]));
    assert!(!ok);
    assert_one_line_error(&stderr, "contient déjà une base");
    for command in [
        vec![
            "audit",
            "verify",
            "--data-dir",
            restored_arg,
            "--key-file",
            key_arg,
        ],
        vec!["stats", "verify", "--data-dir", restored_arg],
    ] {
        let (ok, _, stderr) = run(passerelle().args(&command));
        assert!(ok, "{command:?}: {stderr}");
    }
    let copy = runtime.block_on(Db::open_sqlite_in(&restored)).unwrap();
    assert_sealed_readable(&runtime, &copy, &key_file);
    assert!(
        journal_rows(&runtime, &copy) >= acknowledged,
        "every write acknowledged before the backup is in it"
    );
    let (integrity,): (String,) = runtime
        .block_on(sqlx::query_as("PRAGMA integrity_check").fetch_one(copy.pool()))
        .unwrap();
    assert_eq!(integrity, "ok");
    runtime.block_on(copy.close());
    let server = start(&["--data-dir", restored_arg, "--key-file", key_arg]);
    let health = reqwest::blocking::get(format!("{}/healthz", server.url)).unwrap();
    assert_eq!(health.status(), 200);
    server.stop();

    // Retention: the two most recent archives stay.
    for _ in 0..2 {
        let (ok, _, stderr) = run(passerelle().args([
            "backup",
            "--data-dir",
            data_arg,
            "--output",
            output.to_str().unwrap(),
            "--keep",
            "2",
        ]));
        assert!(ok, "{stderr}");
    }
    let kept = archives(&output);
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(!kept.contains(&archive));
}

#[test]
fn a_postgresql_backup_under_load_restores_into_a_fresh_database() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (source, source_name) = new_postgres_database(&runtime, "sauvegarde");
    let (target, target_name) = new_postgres_database(&runtime, "restauration");
    let root = tempfile::tempdir().unwrap();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let keys = root.path().to_str().unwrap();
        let (ok, _, stderr) = run(passerelle().args([
            "demo",
            "--database-url",
            &source,
            "--data-dir",
            keys,
            "--months",
            "1",
        ]));
        assert!(ok, "{stderr}");
        let key_file = root.path().join("passerelle.key");
        let key_arg = key_file.to_str().unwrap();
        let ring = KeyRing::load(&key_file).unwrap();
        let db = runtime
            .block_on(Db::connect(&source, 8))
            .unwrap()
            .with_journal_key(ring.journal_key());
        let load = Load::start(&runtime, &db, 8);
        load.wait_until_written(&runtime, 20);
        let acknowledged = journal_rows(&runtime, &db);
        let archive = backup_under_load(
            &runtime,
            &load,
            &["--database-url", &source, "--data-dir", keys],
            &root.path().join("sauvegardes"),
        );
        load.stop(&runtime);
        runtime.block_on(db.close());

        let (ok, stdout, stderr) = run(passerelle().args([
            "restore",
            archive.to_str().unwrap(),
            "--database-url",
            &target,
            "--key-file",
            key_arg,
        ]));
        assert!(ok, "{stderr}");
        assert_restored(&stdout);
        // The target is no longer empty: a second restore is refused.
        let (ok, _, stderr) = run(passerelle().args([
            "restore",
            archive.to_str().unwrap(),
            "--database-url",
            &target,
            "--key-file",
            key_arg,
        ]));
        assert!(!ok);
        assert_one_line_error(&stderr, "n'est pas vide");
        for command in [
            vec![
                "audit",
                "verify",
                "--database-url",
                &target,
                "--data-dir",
                keys,
            ],
            vec!["stats", "verify", "--database-url", &target],
        ] {
            let (ok, _, stderr) = run(passerelle().args(&command));
            assert!(ok, "{command:?}: {stderr}");
        }
        let copy = runtime.block_on(Db::connect(&target, 2)).unwrap();
        assert_sealed_readable(&runtime, &copy, &key_file);
        assert!(journal_rows(&runtime, &copy) >= acknowledged);
        runtime.block_on(copy.close());
    }));
    drop_database(&runtime, &source_name);
    drop_database(&runtime, &target_name);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
