//! Sealed values on both backends: they never appear in clear in the raw database (SQLite
//! file bytes, pg_dump output), and `rekey` moves them to a new key.

use passerelle_store::seal::{KeyRing, SealedColumn, associated_data, rekey_column};
use passerelle_store::testing::{self, TestDb, execute};

const SCRATCH: SealedColumn = SealedColumn {
    table: "seal_scratch",
    id_column: "id",
    column: "secret",
};
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

/// Everything the database holds, as bytes: the SQLite files, or a pg_dump of the database.
async fn raw_database(test: &TestDb) -> Vec<u8> {
    if let Some(folder) = test.sqlite_folder() {
        // Checkpoint so the data is in the main file too; read the WAL anyway.
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

fn ring_in(folder: &std::path::Path) -> (std::path::PathBuf, KeyRing) {
    let path = folder.join("passerelle.key");
    let ring = KeyRing::generate_file(&path).unwrap();
    (path, ring)
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
            execute(&test.db, "VACUUM").await;
        }
        let sealed = ring.seal(
            PLAINTEXT.as_bytes(),
            &associated_data("seal_scratch", "secret", "row-1"),
        );
        insert(&test, "row-1", Some(sealed), None).await;
        assert!(
            !contains(&raw_database(&test).await, PLAINTEXT),
            "plaintext found in {:?}",
            test.backend()
        );
        let (stored,): (Vec<u8>,) =
            sqlx::query_as("SELECT secret FROM seal_scratch WHERE id = 'row-1'")
                .fetch_one(test.db.pool())
                .await
                .unwrap();
        assert_eq!(
            ring.open_string(&stored, &associated_data("seal_scratch", "secret", "row-1"))
                .unwrap()
                .as_str(),
            PLAINTEXT
        );
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
            let id = format!("row-{index:02}");
            insert(
                &test,
                &id,
                Some(old_ring.seal(
                    format!("secret {index}").as_bytes(),
                    &associated_data("seal_scratch", "secret", &id),
                )),
                None,
            )
            .await;
        }
        insert(&test, "empty", None, None).await;
        let new_ring = KeyRing::add_key(&path).unwrap();
        assert_eq!(new_ring.current_key_id(), "k2");
        let resealed = rekey_column(&test.db, &new_ring, &SCRATCH, 7, &|_| {})
            .await
            .unwrap();
        assert_eq!(resealed, 25);
        assert_eq!(
            rekey_column(&test.db, &new_ring, &SCRATCH, 7, &|_| {})
                .await
                .unwrap(),
            0,
            "nothing left under the old key"
        );
        // Without the old key, every value still opens.
        let k2_line = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .find(|l| l.starts_with("k2 "))
            .unwrap()
            .to_string();
        let only_new = KeyRing::parse(&k2_line).unwrap();
        let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(
            "SELECT id, secret FROM seal_scratch WHERE secret IS NOT NULL ORDER BY id",
        )
        .fetch_all(test.db.pool())
        .await
        .unwrap();
        for (index, (id, sealed)) in rows.iter().enumerate() {
            assert_eq!(
                only_new
                    .open_string(sealed, &associated_data("seal_scratch", "secret", id))
                    .unwrap()
                    .as_str(),
                format!("secret {index}")
            );
        }
        test.finish().await;
    }
}

#[test]
fn a_value_moved_to_another_row_does_not_open() {
    let keys = tempfile::tempdir().unwrap();
    let (_, ring) = ring_in(keys.path());
    let sealed = ring.seal(
        b"x",
        &associated_data("accounts", "totp_secret_sealed", "a"),
    );
    assert!(
        ring.open(
            &sealed,
            &associated_data("accounts", "totp_secret_sealed", "b")
        )
        .is_err()
    );
    let unknown = KeyRing::parse(&format!("k9 {}", "A".repeat(43) + "=")).unwrap();
    assert!(
        unknown
            .open(
                &sealed,
                &associated_data("accounts", "totp_secret_sealed", "a")
            )
            .unwrap_err()
            .to_string()
            .contains("k1")
    );
}
