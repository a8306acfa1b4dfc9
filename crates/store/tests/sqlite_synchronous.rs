//! SQLite syncs every commit by default (`synchronous=FULL`), so a write acknowledged to a
//! person survives a power cut; `normal` is an explicit choice. The ignored measure gives the
//! cost per small write transaction (`cargo test --release -p passerelle-store --test
//! sqlite_synchronous -- --ignored --nocapture`), recorded in docs/benchmarks.md.

use passerelle_store::Db;
use passerelle_store::db::{SqliteSynchronous, sqlite_synchronous};

async fn level(db: &Db) -> i64 {
    let (level,): (i64,) = sqlx::query_as("PRAGMA synchronous")
        .fetch_one(db.pool())
        .await
        .unwrap();
    level
}

#[tokio::test]
async fn every_sqlite_connection_syncs_each_commit_unless_told_otherwise() {
    if std::env::var("PASSERELLE_SQLITE_SYNCHRONOUS").is_ok() {
        return; // The variable chooses the level for this run.
    }
    assert_eq!(sqlite_synchronous(), SqliteSynchronous::Full);
    let db = passerelle_store::testing::sqlite().await;
    // Every connection of the pool, not only the first: hold several at once.
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut connection = db.db.pool().acquire().await.unwrap();
        let (value,): (i64,) = sqlx::query_as("PRAGMA synchronous")
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        assert_eq!(value, 2, "FULL is 2, NORMAL 1");
        held.push(connection);
    }
    drop(held);
    assert_eq!(level(&db.db).await, 2);
    assert_eq!(
        SqliteSynchronous::parse(" Normal "),
        Some(SqliteSynchronous::Normal)
    );
    assert_eq!(SqliteSynchronous::parse("off"), None);
    db.finish().await;
}

/// Small write transactions, one after the other, as form submissions are.
#[tokio::test]
#[ignore]
async fn measure_the_cost_of_a_synced_commit() {
    let test_db = passerelle_store::testing::sqlite().await;
    let db = &test_db.db;
    sqlx::query("CREATE TABLE bench_writes (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")
        .execute(db.pool())
        .await
        .unwrap();
    let writes = 2_000;
    let started = std::time::Instant::now();
    let mut latencies = Vec::with_capacity(writes);
    for index in 0..writes {
        let one = std::time::Instant::now();
        let mut tx = db.begin_write().await.unwrap();
        sqlx::query("INSERT INTO bench_writes (note) VALUES ($1)")
            .bind(format!("écriture {index}"))
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        latencies.push(one.elapsed().as_secs_f64() * 1000.0);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    println!(
        "synchronous={:?} (PRAGMA {}): {writes} write transactions in {:.2} s = {:.0} commits/s, p50 {:.3} ms, p99 {:.3} ms",
        sqlite_synchronous(),
        level(db).await,
        elapsed,
        writes as f64 / elapsed,
        latencies[writes / 2],
        latencies[writes * 99 / 100]
    );
    test_db.finish().await;
}
