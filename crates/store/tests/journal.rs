//! The journal's keyed chain on both backends. Whoever holds the database can drop the
//! append-only triggers and rewrite rows at will, but not the key file: every rewrite the
//! audit tried — rolling the head back, editing a row and recomputing what follows, erasing
//! one actor's rows and renumbering, with plain SHA-256 or a key of their own — is caught,
//! by the chain itself or by a signed checkpoint kept outside the database.

use base64::Engine;
use passerelle_domain::journal::JournalAction;
use passerelle_store::Db;
use passerelle_store::journal::checkpoint::{self, CheckpointLine};
use passerelle_store::journal::{self, Entry, JournalKey, Row, Verification, row_hash, row_link};
use passerelle_store::seal::KeyRing;
use passerelle_store::testing::{self, TestDb, execute};

/// What an attacker with full control of the database does first: drop the append-only
/// triggers. The keyed chain must still catch what follows.
async fn drop_guards_on(test: &TestDb) {
    match test.backend() {
        passerelle_store::Backend::Sqlite => {
            execute(&test.db, "DROP TRIGGER IF EXISTS journal_no_update").await;
            execute(&test.db, "DROP TRIGGER IF EXISTS journal_no_delete").await;
        }
        passerelle_store::Backend::Postgres => {
            execute(
                &test.db,
                "DROP TRIGGER IF EXISTS journal_no_update ON journal",
            )
            .await;
            execute(
                &test.db,
                "DROP TRIGGER IF EXISTS journal_no_delete ON journal",
            )
            .await;
        }
    }
}

/// Rows by three actors in turn: account-a, account-b, account-c.
async fn write_rows(db: &Db, count: usize) {
    for index in 0..count {
        let actor = ["account-a", "account-b", "account-c"][index % 3];
        let entry = Entry::new(JournalAction::LoginSucceeded)
            .by(actor, Some("admin"))
            .on("account", "target")
            .detail(format!("ligne {index}"));
        journal::record(db, entry).await.unwrap();
    }
}

async fn check(db: &Db, checkpoints: &[CheckpointLine]) -> Verification {
    check_with(db, &testing::key_ring(), checkpoints).await
}

async fn check_with(db: &Db, keys: &KeyRing, checkpoints: &[CheckpointLine]) -> Verification {
    journal::verify(db, keys, checkpoints, &|_| {})
        .await
        .unwrap()
}

/// The first break, which must exist.
async fn first_break(db: &Db) -> (i64, String) {
    check(db, &[])
        .await
        .first_break
        .expect("tampering detected")
}

/// A checkpoint of the journal as it is now, as a line of the checkpoint file.
async fn checkpoint_now(db: &Db) -> String {
    checkpoint::take(db).await.unwrap().line()
}

fn lines(text: &[String]) -> Vec<CheckpointLine> {
    checkpoint::parse_lines(&text.join("\n"))
}

async fn all_rows(db: &Db) -> Vec<Row> {
    sqlx::query_as("SELECT seq, at, actor_account_id, actor_role, action, target_kind, target_id, scope_post_id, scope_employer_id, scope_departement, detail, ip, previous_hash, hash FROM journal ORDER BY seq")
        .fetch_all(db.pool())
        .await
        .unwrap()
}

/// The attacker's rewrite: the journal replaced by `rows`, renumbered from 1; the rows from
/// index `from` on are relinked with `link` (the earlier ones keep their links), and the
/// head is set to match.
async fn forge_chain(
    test: &TestDb,
    mut rows: Vec<Row>,
    from: usize,
    link: impl Fn(&Row) -> String,
) {
    drop_guards_on(test).await;
    execute(&test.db, "DELETE FROM journal").await;
    let mut previous = journal::GENESIS_HASH.to_string();
    for (index, row) in rows.iter_mut().enumerate() {
        row.seq = index as i64 + 1;
        if index >= from {
            row.previous_hash = previous.clone();
            row.hash = link(row);
        }
        previous = row.hash.clone();
        sqlx::query(
            "INSERT INTO journal (seq, at, actor_account_id, actor_role, action, target_kind, target_id, \
             scope_post_id, scope_employer_id, scope_departement, detail, ip, previous_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(row.seq)
        .bind(&row.at)
        .bind(&row.actor_account_id)
        .bind(&row.actor_role)
        .bind(&row.action)
        .bind(&row.target_kind)
        .bind(&row.target_id)
        .bind(&row.scope_post_id)
        .bind(&row.scope_employer_id)
        .bind(&row.scope_departement)
        .bind(&row.detail)
        .bind(&row.ip)
        .bind(&row.previous_hash)
        .bind(&row.hash)
        .execute(test.db.pool())
        .await
        .unwrap();
    }
    sqlx::query("UPDATE journal_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(rows.len() as i64)
        .bind(&previous)
        .execute(test.db.pool())
        .await
        .unwrap();
}

/// A key file line the attacker could write: the same id as the real key, or another one.
fn foreign_key(id: &str) -> JournalKey {
    let key = base64::engine::general_purpose::STANDARD.encode([0x5a; 32]);
    KeyRing::parse(&format!("{id} {key}\n"))
        .unwrap()
        .journal_key()
}

#[tokio::test]
async fn the_application_cannot_change_or_remove_a_row() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 3).await;
        let update = sqlx::query("UPDATE journal SET detail = 'x' WHERE seq = 2")
            .execute(test.db.pool())
            .await;
        assert!(
            update.unwrap_err().to_string().contains("ajout seul"),
            "{:?}",
            test.backend()
        );
        let delete = sqlx::query("DELETE FROM journal WHERE seq = 3")
            .execute(test.db.pool())
            .await;
        assert!(delete.unwrap_err().to_string().contains("ajout seul"));
        assert!(check(&test.db, &[]).await.is_intact());
        test.finish().await;
    }
}

#[tokio::test]
async fn an_untouched_journal_verifies_with_every_link_keyed() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 20).await;
        let checkpoints = lines(&[checkpoint_now(&test.db).await]);
        write_rows(&test.db, 2).await;
        let result = check(&test.db, &checkpoints).await;
        assert_eq!(
            (
                result.rows_checked,
                result.legacy_rows,
                result.checkpoints_matched
            ),
            (22, 0, 1)
        );
        assert!(result.is_intact(), "{result:?}");
        assert!(
            all_rows(&test.db)
                .await
                .iter()
                .all(|r| r.hash.starts_with("k1:"))
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn an_append_without_the_key_fails_and_writes_nothing() {
    for test in testing::all_backends().await {
        let keyless = match test.url() {
            Some(url) => Db::connect(url, 1).await.unwrap(),
            None => Db::open_sqlite_in(test.sqlite_folder().unwrap())
                .await
                .unwrap(),
        };
        let error = journal::record(&keyless, Entry::new(JournalAction::Logout))
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("clé du journal absente"),
            "{error}"
        );
        assert!(checkpoint::take(&keyless).await.is_err());
        keyless.close().await;
        assert_eq!(check(&test.db, &[]).await.rows_checked, 0);
        test.finish().await;
    }
}

#[tokio::test]
async fn an_edited_row_is_named() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 10).await;
        drop_guards_on(&test).await;
        execute(
            &test.db,
            "UPDATE journal SET actor_account_id = 'someone-else' WHERE seq = 4",
        )
        .await;
        let (seq, reason) = first_break(&test.db).await;
        assert_eq!(seq, 4, "{:?}", test.backend());
        assert!(reason.contains("modifié"), "{reason}");
        test.finish().await;
    }
}

#[tokio::test]
async fn deleted_rows_are_named_in_the_middle_and_at_the_end() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 10).await;
        drop_guards_on(&test).await;
        execute(&test.db, "DELETE FROM journal WHERE seq = 5").await;
        let (seq, reason) = first_break(&test.db).await;
        assert_eq!(seq, 5, "{reason}");
        assert!(reason.contains("supprimée"));
        test.finish().await;
    }
    for test in testing::all_backends().await {
        write_rows(&test.db, 10).await;
        drop_guards_on(&test).await;
        execute(&test.db, "DELETE FROM journal WHERE seq >= 9").await;
        let (seq, reason) = first_break(&test.db).await;
        assert_eq!(seq, 9, "{reason}");
        test.finish().await;
    }
}

/// Audit rewrite (a): triggers dropped, the last rows deleted and the head set back. The
/// rest is an intact chain; only a checkpoint taken before knows there were more rows.
#[tokio::test]
async fn a_head_rolled_back_is_caught_by_a_checkpoint() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 10).await;
        let checkpoints = vec![checkpoint_now(&test.db).await];
        let rows = all_rows(&test.db).await;
        drop_guards_on(&test).await;
        execute(&test.db, "DELETE FROM journal WHERE seq > 7").await;
        sqlx::query("UPDATE journal_head SET seq = 7, hash = $1 WHERE id = 1")
            .bind(&rows[6].hash)
            .execute(test.db.pool())
            .await
            .unwrap();
        assert!(
            check(&test.db, &[]).await.is_intact(),
            "a chain alone cannot tell"
        );
        let result = check(&test.db, &lines(&checkpoints)).await;
        assert!(!result.is_intact());
        let finding = &result.checkpoint_findings[0];
        assert!(
            finding.contains("retour en arrière") && finding.contains("lignes 8 à 10"),
            "{:?}: {finding}",
            test.backend()
        );
        // The server writes on: the count is back, the link at row 10 is not.
        write_rows(&test.db, 5).await;
        let result = check(&test.db, &lines(&checkpoints)).await;
        assert!(
            result.checkpoint_findings[0].starts_with("ligne 10 : son lien diffère"),
            "{result:?}"
        );
        // Rewriting the checkpoint to match is itself reported.
        let forged =
            checkpoints[0]
                .replace("count=10", "count=7")
                .replacen(&rows[9].hash, &rows[6].hash, 1);
        let finding = &check(&test.db, &lines(&[forged])).await.checkpoint_findings[0];
        assert!(
            finding.contains("ligne 1 : signature invalide"),
            "{finding}"
        );
        test.finish().await;
    }
}

/// Audit rewrite (b): a row edited and every later link recomputed with plain SHA-256,
/// in the old unkeyed form or dressed as a keyed link.
#[tokio::test]
async fn an_edited_row_with_every_later_link_recomputed_is_caught() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 10).await;
        let mut rows = all_rows(&test.db).await;
        rows[3].detail = Some("réécrit".into());
        forge_chain(&test, rows.clone(), 3, row_hash).await;
        let (seq, reason) = first_break(&test.db).await;
        assert_eq!(seq, 4, "{reason}");
        assert!(reason.contains("lien sans clé"), "{reason}");
        forge_chain(&test, rows, 3, |row| format!("k1:{}", row_hash(row))).await;
        let (seq, reason) = first_break(&test.db).await;
        assert_eq!(seq, 4, "{reason}");
        assert!(reason.contains("recalculé sans la clé"), "{reason}");
        test.finish().await;
    }
}

/// Audit rewrite (c): one actor's rows erased, the rest renumbered and relinked with plain
/// SHA-256 — from the first erased row, or the whole chain so that no keyed row is left.
#[tokio::test]
async fn an_erased_actor_is_caught() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 6).await;
        let mut checkpoints = vec![checkpoint_now(&test.db).await];
        write_rows(&test.db, 6).await;
        checkpoints.push(checkpoint_now(&test.db).await);
        let kept: Vec<Row> = all_rows(&test.db)
            .await
            .into_iter()
            .filter(|r| r.actor_account_id.as_deref() != Some("account-b"))
            .collect();
        // account-b wrote row 2 first: from there on, every link is recomputed.
        forge_chain(&test, kept.clone(), 1, row_hash).await;
        let (seq, reason) = first_break(&test.db).await;
        assert_eq!(seq, 2, "{reason}");
        // The whole chain in the old form is a consistent chain of old rows…
        forge_chain(&test, kept, 0, row_hash).await;
        let alone = check(&test.db, &[]).await;
        assert_eq!((alone.first_break, alone.legacy_rows), (None, 8));
        // …that the checkpoints do not recognise.
        let result = check(&test.db, &lines(&checkpoints)).await;
        let findings = result.checkpoint_findings.join("\n");
        assert!(
            findings.contains("ligne 6 : son lien diffère"),
            "{findings}"
        );
        assert!(
            findings.contains("retour en arrière") && findings.contains("lignes 9 à 12"),
            "{findings}"
        );
        test.finish().await;
    }
}

/// Audit rewrite (d): (b) and (c) relinked with a key the attacker made, under the real
/// key's id or under an id of their own.
#[tokio::test]
async fn a_chain_relinked_with_another_key_is_caught() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 9).await;
        let checkpoints = vec![checkpoint_now(&test.db).await];
        let mut rows = all_rows(&test.db).await;
        rows[4].detail = Some("réécrit".into());
        forge_chain(&test, rows.clone(), 4, |row| {
            row_link(row, &foreign_key("k1"))
        })
        .await;
        let (seq, reason) = first_break(&test.db).await;
        assert_eq!(seq, 5, "{reason}");
        assert!(reason.contains("recalculé sans la clé"), "{reason}");
        let kept: Vec<Row> = rows
            .into_iter()
            .filter(|r| r.actor_account_id.as_deref() != Some("account-c"))
            .collect();
        forge_chain(&test, kept, 0, |row| row_link(row, &foreign_key("k9"))).await;
        let result = check(&test.db, &lines(&checkpoints)).await;
        let (seq, reason) = result.first_break.unwrap();
        assert_eq!(seq, 1, "{reason}");
        assert!(
            reason.contains("clé « k9 », absente du fichier de clés"),
            "{reason}"
        );
        assert!(result.checkpoint_findings[0].contains("retour en arrière"));
        test.finish().await;
    }
}

/// Rows written before links were keyed stand as the chain's start, and are counted; the
/// first keyed row says that the key changed.
#[tokio::test]
async fn rows_from_before_the_keys_may_only_start_the_chain() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 3).await;
        let rows = all_rows(&test.db).await;
        forge_chain(&test, rows, 0, row_hash).await;
        let seq = journal::record_key_change(&test.db).await.unwrap();
        assert_eq!(seq, Some(4));
        assert_eq!(journal::record_key_change(&test.db).await.unwrap(), None);
        write_rows(&test.db, 2).await;
        let result = check(&test.db, &[]).await;
        assert!(result.is_intact(), "{result:?}");
        assert_eq!((result.rows_checked, result.legacy_rows), (6, 3));
        let detail = all_rows(&test.db).await[3].detail.clone().unwrap();
        assert!(
            detail.contains("les 3 lignes précédentes sont chaînées sans clé"),
            "{detail}"
        );
        test.finish().await;
    }
}

/// `rekey --new-key`: new links use the new key, old rows verify with the old key that
/// stays in the file, and the change itself is a row.
#[tokio::test]
async fn a_new_key_links_new_rows_and_old_ones_still_verify() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 3).await;
        let second = base64::engine::general_purpose::STANDARD.encode([0x42; 32]);
        let both = KeyRing::parse(&format!("{}k2 {second}\n", testing::KEY_FILE)).unwrap();
        let rekeyed = test.db.clone().with_journal_key(both.journal_key());
        assert_eq!(journal::record_key_change(&rekeyed).await.unwrap(), Some(4));
        write_rows(&rekeyed, 2).await;
        let checkpoints = lines(&[checkpoint::take(&rekeyed).await.unwrap().line()]);
        let rows = all_rows(&test.db).await;
        assert!(rows[2].hash.starts_with("k1:") && rows[3].hash.starts_with("k2:"));
        assert_eq!(rows[3].action, "journal.key_changed");
        let result = check_with(&test.db, &both, &checkpoints).await;
        assert!(result.is_intact(), "{result:?}");
        assert_eq!(result.checkpoints_matched, 1);
        // A key file that lost k1 (or never got k2) cannot vouch for the rows linked with it.
        let (seq, reason) = check_with(&test.db, &testing::key_ring(), &[])
            .await
            .first_break
            .unwrap();
        assert_eq!(seq, 4);
        assert!(reason.contains("clé « k2 », absente"), "{reason}");
        let only_k2 = KeyRing::parse(&format!("k2 {second}\n")).unwrap();
        let result = check_with(&test.db, &only_k2, &[]).await;
        assert!(
            result
                .first_break
                .unwrap()
                .1
                .contains("ligne 1 : lien signé avec la clé « k1 »")
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn concurrent_appends_keep_one_chain() {
    for test in testing::all_backends().await {
        let mut tasks = Vec::new();
        for task in 0..8 {
            let db = test.db.clone();
            tasks.push(tokio::spawn(async move {
                for index in 0..10 {
                    journal::record(
                        &db,
                        Entry::new(JournalAction::Logout).detail(format!("{task}-{index}")),
                    )
                    .await
                    .unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let result = check(&test.db, &[]).await;
        assert_eq!(
            (result.rows_checked, result.first_break),
            (80, None),
            "{:?}",
            test.backend()
        );
        test.finish().await;
    }
}
