//! The journal's hash chain on both backends: edits and deletions made directly in SQL are
//! caught, and the first broken row is named.

use passerelle_domain::journal::JournalAction;
use passerelle_store::journal::{self, Entry, verify};
use passerelle_store::testing::{self, TestDb, execute};

/// What an attacker with full control of the database does first: drop the append-only
/// triggers. The hash chain must still catch what follows.
async fn drop_guards_on(test: &TestDb) {
    match test.backend() {
        passerelle_store::Backend::Sqlite => {
            execute(&test.db, "DROP TRIGGER journal_no_update").await;
            execute(&test.db, "DROP TRIGGER journal_no_delete").await;
        }
        passerelle_store::Backend::Postgres => {
            execute(&test.db, "DROP TRIGGER journal_no_update ON journal").await;
            execute(&test.db, "DROP TRIGGER journal_no_delete ON journal").await;
        }
    }
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
        assert_eq!(verify(&test.db, &|_| {}).await.unwrap().first_break, None);
        test.finish().await;
    }
}

async fn write_rows(db: &passerelle_store::Db, count: usize) {
    for index in 0..count {
        let entry = Entry::new(JournalAction::LoginSucceeded)
            .by(&format!("account-{index}"), Some("admin"))
            .on("account", "target")
            .detail(format!("ligne {index}"));
        journal::record(db, entry).await.unwrap();
    }
}

#[tokio::test]
async fn an_untouched_journal_verifies() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 20).await;
        let result = verify(&test.db, &|_| {}).await.unwrap();
        assert_eq!(result.rows_checked, 20);
        assert_eq!(result.first_break, None, "{:?}", test.backend());
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
        let (seq, reason) = verify(&test.db, &|_| {})
            .await
            .unwrap()
            .first_break
            .expect("edit detected");
        assert_eq!(seq, 4, "{:?}", test.backend());
        assert!(reason.contains("modifié"), "{reason}");
        test.finish().await;
    }
}

#[tokio::test]
async fn a_row_rewritten_with_a_fresh_hash_breaks_the_next_link() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 10).await;
        drop_guards_on(&test).await;
        // A forger who recomputes row 6's own hash still breaks row 7's link to it.
        let rows: Vec<journal::Row> = sqlx::query_as("SELECT seq, at, actor_account_id, actor_role, action, target_kind, target_id, scope_post_id, scope_employer_id, scope_departement, detail, ip, previous_hash, hash FROM journal WHERE seq = 6")
            .fetch_all(test.db.pool())
            .await
            .unwrap();
        let mut forged = rows[0].clone();
        forged.detail = Some("falsifié".into());
        let hash = journal::row_hash(&forged);
        sqlx::query("UPDATE journal SET detail = $1, hash = $2 WHERE seq = 6")
            .bind("falsifié")
            .bind(&hash)
            .execute(test.db.pool())
            .await
            .unwrap();
        let (seq, reason) = verify(&test.db, &|_| {})
            .await
            .unwrap()
            .first_break
            .expect("forgery detected");
        assert_eq!(seq, 7, "{reason}");
        test.finish().await;
    }
}

#[tokio::test]
async fn deleted_rows_are_named_in_the_middle_and_at_the_end() {
    for test in testing::all_backends().await {
        write_rows(&test.db, 10).await;
        drop_guards_on(&test).await;
        execute(&test.db, "DELETE FROM journal WHERE seq = 5").await;
        let (seq, reason) = verify(&test.db, &|_| {})
            .await
            .unwrap()
            .first_break
            .expect("deletion detected");
        assert_eq!(seq, 5, "{reason}");
        assert!(reason.contains("supprimée"));
        test.finish().await;
    }
    for test in testing::all_backends().await {
        write_rows(&test.db, 10).await;
        drop_guards_on(&test).await;
        execute(&test.db, "DELETE FROM journal WHERE seq >= 9").await;
        let (seq, reason) = verify(&test.db, &|_| {})
            .await
            .unwrap()
            .first_break
            .expect("truncation detected");
        assert_eq!(seq, 9, "{reason}");
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
        let result = verify(&test.db, &|_| {}).await.unwrap();
        assert_eq!(
            (result.rows_checked, result.first_break),
            (80, None),
            "{:?}",
            test.backend()
        );
        test.finish().await;
    }
}
