//! Migration 0027 moves a case's comma-joined categories into `case_categories`: every case
//! keeps its codes, in order, a repeated code once; a code the grid does not know cannot be
//! stored. On SQLite and PostgreSQL, over the demonstration's cases.

mod common;

use passerelle_store::Backend;
use passerelle_store::testing::{self, TestDb};
use std::collections::BTreeMap;

fn migration(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => include_str!("../migrations/sqlite/0027_case_categories.sql"),
        Backend::Postgres => include_str!("../migrations/postgres/0027_case_categories.sql"),
    }
}

/// Every case's codes, in their order.
async fn categories(test: &TestDb) -> BTreeMap<String, Vec<String>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT case_id, category FROM case_categories ORDER BY case_id, position")
            .fetch_all(test.db.pool())
            .await
            .unwrap();
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (case, code) in rows {
        found.entry(case).or_default().push(code);
    }
    found
}

#[tokio::test]
async fn the_comma_joined_categories_move_to_their_table_in_order() {
    for test in testing::all_backends().await {
        common::demo_activity(&test, 1).await;
        let expected = categories(&test).await;
        assert!(
            expected.len() > 20,
            "the demo has cases: {}",
            expected.len()
        );
        assert!(
            expected.values().any(|codes| codes.len() > 1),
            "some have two"
        );

        // The database as it was before 0027: the codes as text (one repeated, as an old
        // referral could hold), no table.
        testing::execute(
            &test.db,
            "ALTER TABLE cases ADD COLUMN categories TEXT NOT NULL DEFAULT ''",
        )
        .await;
        for (case, codes) in &expected {
            let mut text = codes.join(",");
            text.push(',');
            text.push_str(&codes[0]);
            sqlx::query("UPDATE cases SET categories = $1 WHERE id = $2")
                .bind(&text)
                .bind(case)
                .execute(test.db.pool())
                .await
                .unwrap();
        }
        // One connection, as the migration runner uses: another connection's copy of the
        // schema could still hold the dropped table's index for a moment on SQLite.
        let mut connection = test.db.pool().acquire().await.unwrap();
        let mut run = async |sql: &str| {
            sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&mut *connection)
                .await
                .unwrap_or_else(|error| panic!("{sql}: {error}"));
        };
        run("DROP TABLE case_categories").await;
        for statement in common::statements(migration(test.backend())) {
            run(&statement).await;
        }
        drop(connection);
        assert_eq!(categories(&test).await, expected, "{:?}", test.backend());
        let column: Result<Vec<(String,)>, _> = sqlx::query_as("SELECT categories FROM cases")
            .fetch_all(test.db.pool())
            .await;
        assert!(column.is_err(), "the text column is gone");

        // A code the grid does not know is refused by the table.
        let (case,) = (expected.keys().next().unwrap(),);
        let unknown = sqlx::query(
            "INSERT INTO case_categories (case_id, category, position) VALUES ($1, 'inconnue', 9)",
        )
        .bind(case)
        .execute(test.db.pool())
        .await;
        assert!(unknown.is_err(), "{:?}", test.backend());
        test.finish().await;
    }
}
