//! What several store tests start from: the demonstration's registry and accounts (their
//! passwords never checked here), and some months of its case work.

use passerelle_demo as demo;
use passerelle_store::registry::territory::{Referentials, load_referentials};
use passerelle_store::testing::{self, TestDb};

/// The demonstration's territory, registry and accounts, written in `test`.
pub async fn demo_registry(test: &TestDb) -> demo::DemoPlan {
    let referentials = Referentials::embedded().unwrap();
    load_referentials(&test.db, &referentials).await.unwrap();
    let plan = demo::plan(&referentials, 2020);
    let hashes: Vec<String> = plan
        .logins
        .iter()
        .map(|_| "$argon2id$test".to_string())
        .collect();
    demo::insert(&test.db, &plan, &hashes, &|_| {})
        .await
        .unwrap();
    plan
}

/// The registry, and `months` of case work up to the demonstration's day.
#[allow(dead_code)] // not every test binary that includes this module writes case work
pub async fn demo_activity(test: &TestDb, months: u32) -> demo::DemoPlan {
    let plan = demo_registry(test).await;
    demo::activity::insert_activity(
        &test.db,
        &testing::key_ring(),
        &plan,
        demo::DEMO_TODAY,
        months,
        &|_| {},
    )
    .await
    .unwrap();
    plan
}

/// A migration's statements, one by one, comments left out.
#[allow(dead_code)] // for the tests that replay a migration
pub fn statements(sql: &str) -> Vec<String> {
    sql.split(";\n")
        .map(|chunk| {
            chunk
                .lines()
                .filter(|line| !line.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .to_string()
        })
        .filter(|statement| !statement.is_empty())
        .collect()
}
