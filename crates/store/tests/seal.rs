//! Sealed values on both backends: they open only in their own row and column, a tampered
//! or foreign value is refused, they never appear in clear in the raw database (SQLite file
//! bytes, pg_dump output), and `rekey` moves them all to a new key.

use passerelle_store::seal::{KeyRing, SealError, SealedColumn, rekey_column};
use passerelle_store::testing::{self, TestDb, execute};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A column shaped like `accounts.totp_secret_sealed`, owned by these tests.
const SCRATCH: SealedColumn = SealedColumn {
    table: "seal_scratch",
    id_column: "id",
    column: "secret",
};
/// Long and distinctive, so finding it in the raw database cannot be a coincidence.
const PLAINTEXT: &str = "Note confidentielle : la personne craint pour sa sécurité — 7f3a9c2e1b";

async fn scratch_table(test: &TestDb) {
    let blob = match test.backend() {
        passerelle_store::Backend::Sqlite => "BLOB",
        passerelle_store::Backend::Postgres => "BYTEA",
    };
    execute(
        &test.db,
        &format!("CREATE TABLE seal_scratch (id TEXT PRIMARY KEY, secret {blob}, clear TEXT)"),
    )
    .await;
}

async fn insert(test: &TestDb, id: &str, sealed: Option<Vec<u8>>, clear: Option<&str>) {
    sqlx::query("INSERT INTO seal_scratch (id, secret, clear) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(sealed)
        .bind(clear)
        .execute(test.db.pool())
        .await
        .unwrap();
}

async fn seal_into(test: &TestDb, ring: &KeyRing, id: &str, plaintext: &str) {
    let sealed = ring.seal(plaintext.as_bytes(), &SCRATCH.associated_data(id));
    insert(test, id, Some(sealed), None).await;
}

async fn stored(test: &TestDb, id: &str) -> Vec<u8> {
    let (sealed,): (Vec<u8>,) = sqlx::query_as("SELECT secret FROM seal_scratch WHERE id = $1")
        .bind(id)
        .fetch_one(test.db.pool())
        .await
        .unwrap();
    sealed
}

async fn store(test: &TestDb, id: &str, sealed: Vec<u8>) {
    sqlx::query("UPDATE seal_scratch SET secret = $1 WHERE id = $2")
        .bind(sealed)
        .bind(id)
        .execute(test.db.pool())
        .await
        .unwrap();
}

async fn all_stored(test: &TestDb) -> Vec<(String, Vec<u8>)> {
    sqlx::query_as("SELECT id, secret FROM seal_scratch WHERE secret IS NOT NULL ORDER BY id")
        .fetch_all(test.db.pool())
        .await
        .unwrap()
}

/// Everything the database holds, as bytes: the SQLite files, or a pg_dump of the database.
async fn raw_database(test: &TestDb) -> Vec<u8> {
    if let Some(folder) = test.sqlite_folder() {
        // Checkpoint so the data is in the main file too; the WAL is read anyway.
        execute(&test.db, "PRAGMA wal_checkpoint(TRUNCATE)").await;
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(folder).unwrap() {
            bytes.extend(std::fs::read(entry.unwrap().path()).unwrap_or_default());
        }
        bytes
    } else {
        let url = test.url().expect("PostgreSQL URL");
        let output = std::process::Command::new("pg_dump")
            .args(["--data-only", "--dbname", url])
            .output()
            .expect("pg_dump runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

fn ring_in(folder: &Path) -> (PathBuf, KeyRing) {
    let path = folder.join("passerelle.key");
    let ring = KeyRing::generate_file(&path).unwrap();
    (path, ring)
}

/// A ring holding only the key `id` of the key file at `path`.
fn only_key(path: &Path, id: &str) -> KeyRing {
    let text = std::fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{id} ")))
        .unwrap();
    KeyRing::parse(line).unwrap()
}

#[tokio::test]
async fn a_sealed_value_round_trips_through_the_database() {
    for test in testing::all_backends().await {
        scratch_table(&test).await;
        let keys = tempfile::tempdir().unwrap();
        let (_, ring) = ring_in(keys.path());
        seal_into(&test, &ring, "row-1", PLAINTEXT).await;
        let opened = ring.open_string(
            &stored(&test, "row-1").await,
            &SCRATCH.associated_data("row-1"),
        );
        assert_eq!(opened.unwrap().as_str(), PLAINTEXT, "{:?}", test.backend());
        test.finish().await;
    }
}

#[tokio::test]
async fn a_value_moved_to_another_row_or_column_does_not_open() {
    for test in testing::all_backends().await {
        scratch_table(&test).await;
        let keys = tempfile::tempdir().unwrap();
        let (_, ring) = ring_in(keys.path());
        seal_into(&test, &ring, "row-1", PLAINTEXT).await;
        seal_into(&test, &ring, "row-2", "autre secret").await;
        // Copied over another row's value, inside the database.
        store(&test, "row-2", stored(&test, "row-1").await).await;
        let moved = ring.open(
            &stored(&test, "row-2").await,
            &SCRATCH.associated_data("row-2"),
        );
        assert!(
            matches!(moved, Err(SealError::Tampered)),
            "{:?}",
            test.backend()
        );
        // Read as if it belonged to another column of the same row.
        let other_column =
            passerelle_store::seal::associated_data("seal_scratch", "clear", "row-1");
        let moved = ring.open(&stored(&test, "row-1").await, &other_column);
        assert!(
            matches!(moved, Err(SealError::Tampered)),
            "{:?}",
            test.backend()
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn a_tampered_byte_is_refused() {
    for test in testing::all_backends().await {
        scratch_table(&test).await;
        let keys = tempfile::tempdir().unwrap();
        let (_, ring) = ring_in(keys.path());
        seal_into(&test, &ring, "row-1", PLAINTEXT).await;
        let mut sealed = stored(&test, "row-1").await;
        let middle = sealed.len() / 2;
        sealed[middle] ^= 0x01;
        store(&test, "row-1", sealed).await;
        let opened = ring.open(
            &stored(&test, "row-1").await,
            &SCRATCH.associated_data("row-1"),
        );
        assert!(
            matches!(opened, Err(SealError::Tampered)),
            "{:?}",
            test.backend()
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn a_value_sealed_with_a_key_absent_from_the_ring_names_that_key() {
    for test in testing::all_backends().await {
        scratch_table(&test).await;
        let keys = tempfile::tempdir().unwrap();
        let (_, ring) = ring_in(keys.path());
        seal_into(&test, &ring, "row-1", PLAINTEXT).await;
        let other = tempfile::tempdir().unwrap();
        let (path, _) = ring_in(other.path());
        KeyRing::add_key(&path).unwrap();
        let without_k1 = only_key(&path, "k2");
        let error = without_k1
            .open(
                &stored(&test, "row-1").await,
                &SCRATCH.associated_data("row-1"),
            )
            .unwrap_err();
        assert!(
            matches!(&error, SealError::UnknownKey(id) if id == "k1"),
            "{error}"
        );
        assert!(error.to_string().contains("« k1 »"));
        test.finish().await;
    }
}

#[tokio::test]
async fn a_sealed_value_never_reaches_the_raw_database_in_clear() {
    for test in testing::all_backends().await {
        scratch_table(&test).await;
        let keys = tempfile::tempdir().unwrap();
        let (_, ring) = ring_in(keys.path());
        // Control: the same text written in clear is found, so the search would catch a leak.
        insert(&test, "control", None, Some(PLAINTEXT)).await;
        assert!(
            contains(&raw_database(&test).await, PLAINTEXT),
            "control on {:?}",
            test.backend()
        );
        execute(&test.db, "DELETE FROM seal_scratch").await;
        if test.sqlite_folder().is_some() {
            // Rewrites the file, so the deleted control row's bytes are gone from free pages.
            execute(&test.db, "VACUUM").await;
        }
        seal_into(&test, &ring, "row-1", PLAINTEXT).await;
        assert!(
            !contains(&raw_database(&test).await, PLAINTEXT),
            "plaintext found in {:?}",
            test.backend()
        );
        let opened = ring.open_string(
            &stored(&test, "row-1").await,
            &SCRATCH.associated_data("row-1"),
        );
        assert_eq!(opened.unwrap().as_str(), PLAINTEXT);
        test.finish().await;
    }
}

#[tokio::test]
async fn rekey_moves_every_value_to_the_new_key() {
    for test in testing::all_backends().await {
        scratch_table(&test).await;
        let keys = tempfile::tempdir().unwrap();
        let (path, old_ring) = ring_in(keys.path());
        for index in 0..25 {
            seal_into(
                &test,
                &old_ring,
                &format!("row-{index:02}"),
                &format!("secret {index}"),
            )
            .await;
        }
        insert(&test, "empty", None, None).await;
        let new_ring = KeyRing::add_key(&path).unwrap();
        assert_eq!(new_ring.current_key_id(), "k2");
        // A value sealed under the new key before the rekey is left as it is.
        seal_into(&test, &new_ring, "row-99", "secret 25").await;
        let only_k2 = only_key(&path, "k2");
        let before = all_stored(&test).await;
        assert!(
            before
                .iter()
                .any(|(id, sealed)| only_k2.open(sealed, &SCRATCH.associated_data(id)).is_err()),
            "before the rekey, the old key is still needed"
        );

        let examined = AtomicU64::new(0);
        let progress = |n| examined.store(n, Ordering::Relaxed);
        let resealed = rekey_column(&test.db, &new_ring, &SCRATCH, 7, &progress)
            .await
            .unwrap();
        assert_eq!(resealed, 25, "{:?}", test.backend());
        assert_eq!(
            examined.load(Ordering::Relaxed),
            26,
            "every non-null value examined"
        );
        let again = rekey_column(&test.db, &new_ring, &SCRATCH, 7, &|_| {})
            .await
            .unwrap();
        assert_eq!(again, 0, "nothing left under the old key");

        // Without the old key, every value still opens, in its own row.
        let after = all_stored(&test).await;
        assert_eq!(after.len(), 26);
        for (index, (id, sealed)) in after.iter().enumerate() {
            assert_eq!(KeyRing::key_id_of(sealed).unwrap(), "k2");
            let opened = only_k2
                .open_string(sealed, &SCRATCH.associated_data(id))
                .unwrap();
            assert_eq!(opened.as_str(), format!("secret {index}"));
        }
        test.finish().await;
    }
}
