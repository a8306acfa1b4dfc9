//! Sealed values on both backends: they open only in their own row and column, a tampered
//! or foreign value is refused, they never appear in clear in the raw database (SQLite file
//! bytes, pg_dump output), and `rekey` moves them all to a new key.

mod common;

use passerelle_domain::ids::{AccountId, CaseId, PostId, UnitId};
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

// The orientation's partner name, sealed since migration 0020.

/// A structure's name that could tell where a person went for help, distinctive enough that
/// finding it in the raw database cannot be a coincidence.
const PARTNER: &str = "Foyer d'accueil confidentiel des Tilleuls — 4be1d07c";

/// A referral received by a filled post of the demonstration: (case id, account id).
async fn a_case(test: &TestDb, ring: &KeyRing) -> (String, String) {
    use passerelle_domain::referral::category::CategoryGrid;
    use passerelle_domain::referral::{PersonInput, ReferralInput, validate_referral};
    let plan = common::demo_registry(test).await;
    let one = |sql: &'static str| async move {
        let (id,): (String,) = sqlx::query_as(sql).fetch_one(test.db.pool()).await.unwrap();
        id
    };
    let post = one("SELECT id FROM posts WHERE status = 'filled' ORDER BY code LIMIT 1").await;
    let unit = one("SELECT id FROM units ORDER BY id LIMIT 1").await;
    let input = ReferralInput {
        source: "intervention".into(),
        urgency: "normal".into(),
        categories: vec!["domestic_violence".into()],
        context: "Faits".into(),
        persons: vec![PersonInput {
            role: "victim".into(),
            last_name: "Durand".into(),
            first_name: "Alix".into(),
            phone: "0612345678".into(),
        }],
        consent: "yes".into(),
        contact_channel: "sms".into(),
        contact_hours: String::new(),
        procedure_reference: String::new(),
        danger: Default::default(),
    };
    let referral = validate_referral(&input, &CategoryGrid::first()).unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    let account = plan.logins[0].id.clone();
    let new = passerelle_store::referral::NewReferral {
        id: CaseId::new(id.clone()),
        post_id: &PostId::new(&post),
        unit_id: Some(&UnitId::new(&unit)),
        referred_by: &AccountId::new(&account),
        referral: &referral,
        notify_referrer: false,
    };
    passerelle_store::referral::create_referral(&test.db, ring, &new, written())
        .await
        .unwrap();
    (id, account)
}

fn written() -> passerelle_store::journal::Entry {
    passerelle_store::journal::Entry::new(
        passerelle_domain::journal::JournalAction::PersonalDataWritten,
    )
}

async fn orient(test: &TestDb, ring: &KeyRing, (case, account): &(String, String), name: &str) {
    passerelle_store::referral::case_work::propose_orientation(
        &test.db,
        ring,
        &CaseId::new(case),
        time::macros::date!(2026 - 01 - 05),
        passerelle_domain::referral::case::PartnerType::Cidff,
        name,
        &AccountId::new(account),
        written(),
    )
    .await
    .unwrap();
}

/// The partner names of a case's orientations as the case page reads them, by orientation id.
async fn partner_names(test: &TestDb, ring: &KeyRing, case: &str) -> Vec<(String, String)> {
    use passerelle_store::referral::case_work::WorkKind;
    let (post,): (String,) = sqlx::query_as("SELECT post_id FROM cases WHERE id = $1")
        .bind(case)
        .fetch_one(test.db.pool())
        .await
        .unwrap();
    let read = passerelle_store::journal::read::journal_read(
        &test.db,
        &PostId::new(&post),
        passerelle_store::journal::Entry::new(
            passerelle_domain::journal::JournalAction::PersonalDataRead,
        )
        .on("case", case),
    )
    .await
    .unwrap();
    let mut names: Vec<(String, String)> =
        passerelle_store::referral::case_work::work_of(&test.db, ring, &CaseId::new(case), &read)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|line| match line.kind {
                WorkKind::Orientation {
                    id, partner_name, ..
                } => Some((id, partner_name)),
                _ => None,
            })
            .collect();
    names.sort();
    names
}

/// The raw columns of every orientation: (id, clear name, sealed name), by id.
async fn orientation_rows(test: &TestDb) -> Vec<(String, String, Option<Vec<u8>>)> {
    sqlx::query_as(
        "SELECT id, partner_name, partner_name_sealed FROM case_orientations ORDER BY id",
    )
    .fetch_all(test.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_new_partner_name_is_stored_sealed_and_read_back() {
    use passerelle_store::referral::case_work::PARTNER_NAME;
    for test in testing::all_backends().await {
        let keys = tempfile::tempdir().unwrap();
        let (_, ring) = ring_in(keys.path());
        let case = a_case(&test, &ring).await;
        orient(&test, &ring, &case, PARTNER).await;
        orient(&test, &ring, &case, "").await;
        let rows = orientation_rows(&test).await;
        assert_eq!(rows.len(), 2);
        let (named, sealed) = rows
            .iter()
            .find_map(|(id, clear, sealed)| {
                assert_eq!(clear, "", "{:?}: no name in clear", test.backend());
                sealed.as_ref().map(|s| (id, s))
            })
            .expect("the named orientation is sealed");
        assert_eq!(
            ring.open_string(sealed, &PARTNER_NAME.associated_data(named))
                .unwrap()
                .as_str(),
            PARTNER
        );
        assert_eq!(
            rows.iter()
                .filter(|(_, _, sealed)| sealed.is_none())
                .count(),
            1,
            "no name, nothing sealed"
        );
        let names: Vec<String> = partner_names(&test, &ring, &case.0)
            .await
            .into_iter()
            .map(|(_, name)| name)
            .collect();
        assert!(names.contains(&PARTNER.to_string()) && names.contains(&String::new()));
        assert!(
            !contains(&raw_database(&test).await, PARTNER),
            "{:?}: the partner's name is in the raw database",
            test.backend()
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn partner_names_written_in_clear_are_sealed_by_the_start_up_step() {
    use passerelle_store::referral::case_work::{PARTNER_NAME, seal_clear_partner_names};
    for test in testing::all_backends().await {
        let keys = tempfile::tempdir().unwrap();
        let (_, ring) = ring_in(keys.path());
        let case = a_case(&test, &ring).await;
        // Rows as written before migration 0020: the name in clear, nothing sealed.
        for index in 0..5 {
            sqlx::query(
                "INSERT INTO case_orientations (id, case_id, partner_type, partner_name, status, \
                 proposed_on, status_changed_on, created_at) \
                 VALUES ($1, $2, 'cidff', $3, 'proposed', '2025-03-01', '2025-03-01', '2025-03-01T10:00:00Z')",
            )
            .bind(format!("old-{index}"))
            .bind(&case.0)
            .bind(format!("{PARTNER} {index}"))
            .execute(test.db.pool())
            .await
            .unwrap();
        }
        orient(&test, &ring, &case, "").await;
        let before = partner_names(&test, &ring, &case.0).await;

        let sealed = seal_clear_partner_names(&test.db, &ring, 2).await.unwrap();
        assert_eq!(sealed, 5, "{:?}", test.backend());
        for (id, clear, sealed) in orientation_rows(&test).await {
            assert_eq!(clear, "", "{:?} {id}", test.backend());
            if let Some(index) = id.strip_prefix("old-") {
                let opened = ring
                    .open_string(&sealed.unwrap(), &PARTNER_NAME.associated_data(&id))
                    .unwrap();
                assert_eq!(opened.as_str(), format!("{PARTNER} {index}"));
            }
        }
        assert_eq!(
            partner_names(&test, &ring, &case.0).await,
            before,
            "the case page reads the same names"
        );
        assert_eq!(
            seal_clear_partner_names(&test.db, &ring, 2).await.unwrap(),
            0,
            "a second start seals nothing"
        );
        let (journaled,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM journal WHERE detail LIKE 'migration 0020 : %'")
                .fetch_one(test.db.pool())
                .await
                .unwrap();
        assert_eq!(
            journaled, 3,
            "one journal row per batch of 2, none for the second start"
        );
        // Nor do the files: the step rewrote the table, leaving out freed pages and old rows.
        assert!(
            !contains(&raw_database(&test).await, PARTNER),
            "{:?}: a clear name is left in the raw database",
            test.backend()
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn rekey_moves_the_partner_names_to_the_new_key() {
    use passerelle_store::SEALED_COLUMNS;
    use passerelle_store::referral::case_work::PARTNER_NAME;
    use passerelle_store::seal::rekey_all;
    assert!(
        SEALED_COLUMNS
            .iter()
            .any(|c| c.table == PARTNER_NAME.table && c.column == PARTNER_NAME.column),
        "rekey walks the partner names"
    );
    for test in testing::all_backends().await {
        let keys = tempfile::tempdir().unwrap();
        let (path, old_ring) = ring_in(keys.path());
        let case = a_case(&test, &old_ring).await;
        orient(&test, &old_ring, &case, PARTNER).await;
        let new_ring = KeyRing::add_key(&path).unwrap();
        rekey_all(&test.db, &new_ring, 3, &|_| {}).await.unwrap();
        let only_k2 = only_key(&path, "k2");
        let names = partner_names(&test, &only_k2, &case.0).await;
        assert_eq!(names.len(), 1);
        assert_eq!(names[0].1, PARTNER, "{:?}", test.backend());
        test.finish().await;
    }
}

// Sealed case content opens only under the journaled read of its own post.

#[tokio::test]
async fn case_content_opens_only_under_a_journaled_read_of_its_post() {
    use passerelle_domain::referral::case::NoteVisibility;
    use passerelle_store::journal::read::journal_read;
    use passerelle_store::referral as store_referral;
    for test in testing::all_backends().await {
        let keys = tempfile::tempdir().unwrap();
        let (_, ring) = ring_in(keys.path());
        let (case_id, author) = a_case(&test, &ring).await;
        let (other,): (String,) = sqlx::query_as("SELECT id FROM accounts WHERE id <> $1 LIMIT 1")
            .bind(&author)
            .fetch_one(test.db.pool())
            .await
            .unwrap();
        for (by, visibility, text) in [
            (&author, NoteVisibility::Team, "note d'équipe"),
            (&author, NoteVisibility::Author, "note privée de l'autrice"),
            (&other, NoteVisibility::Author, "note privée d'un collègue"),
        ] {
            store_referral::add_note(
                &test.db,
                &ring,
                &CaseId::new(&case_id),
                &AccountId::new(by),
                visibility,
                text,
                written(),
            )
            .await
            .unwrap();
        }
        let case = store_referral::find_case(&test.db, &CaseId::new(&case_id))
            .await
            .unwrap()
            .unwrap();
        let rows = || async {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM journal")
                .fetch_one(test.db.pool())
                .await
                .unwrap();
            n
        };
        let before = rows().await;
        let read = |post: String| {
            let entry = passerelle_store::journal::Entry::new(
                passerelle_domain::journal::JournalAction::PersonalDataRead,
            )
            .on("case", &case_id);
            let db = &test.db;
            async move { journal_read(db, &PostId::new(&post), entry).await.unwrap() }
        };
        let elsewhere = read("un-autre-poste".into()).await;
        let own = read(case.post_id.clone().to_string()).await;
        assert_eq!(rows().await, before + 2, "one journal row per read");

        // A read journaled in another post opens nothing of this one.
        assert!(case.context(&ring, &elsewhere).is_err());
        assert!(
            store_referral::persons_of(&test.db, &ring, &CaseId::new(&case_id), &elsewhere)
                .await
                .is_err()
        );
        assert!(
            store_referral::notes_for(
                &test.db,
                &ring,
                &CaseId::new(&case_id),
                &AccountId::new(&author),
                &elsewhere
            )
            .await
            .is_err()
        );
        assert!(
            store_referral::case_work::work_of(&test.db, &ring, &CaseId::new(&case_id), &elsewhere)
                .await
                .is_err()
        );

        // Under its own post's read, the content opens; a private note only for its author.
        assert_eq!(case.context(&ring, &own).unwrap().as_deref(), Some("Faits"));
        let persons = store_referral::persons_of(&test.db, &ring, &CaseId::new(&case_id), &own)
            .await
            .unwrap();
        assert_eq!(persons[0].transmitted.last_name.as_deref(), Some("Durand"));
        let texts = |reader: String| {
            let (db, ring, case_id, own) = (&test.db, &ring, &case_id, &own);
            async move {
                store_referral::notes_for(
                    db,
                    ring,
                    &CaseId::new(case_id),
                    &AccountId::new(&reader),
                    own,
                )
                .await
                .unwrap()
                .into_iter()
                .map(|note| note.text)
                .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            texts(author.clone()).await,
            ["note d'équipe", "note privée de l'autrice"]
        );
        assert_eq!(
            texts(other.clone()).await,
            ["note d'équipe", "note privée d'un collègue"]
        );
        test.finish().await;
    }
}
