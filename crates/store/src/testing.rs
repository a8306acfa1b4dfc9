//! Test databases: every store test runs on SQLite and on PostgreSQL (a fresh database per
//! test, dropped afterwards). PostgreSQL is never skipped: the server is `TEST_DATABASE_URL`,
//! or the local one at [`DEFAULT_POSTGRES_URL`], and a test that cannot reach it fails saying
//! how to start it.

use crate::db::clock::{Clock, ClockHand};
use crate::seal::KeyRing;
use crate::{Backend, Db};

/// The key file of every test database (a fixed key: tests are reproducible). Its journal
/// key links the journal's rows, as the key file does on a server.
pub const KEY_FILE: &str = "k1 dGVzdCBrZXkgb2YgdGhlIHRlc3QgZGF0YWJhc2VzISE=\n";

pub fn key_ring() -> KeyRing {
    KeyRing::parse(KEY_FILE).expect("the test key file parses")
}

/// A migrated, empty database that cleans up after itself when [`TestDb::finish`] is called.
/// Its clock is adjustable: a test moves it on with `clock` instead of waiting.
pub struct TestDb {
    pub db: Db,
    pub clock: ClockHand,
    _folder: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
    postgres_url: Option<String>,
}

impl TestDb {
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// The folder of the SQLite files, for tests that read the raw bytes.
    pub fn sqlite_folder(&self) -> Option<&std::path::Path> {
        self._folder.as_ref().map(|f| f.path())
    }

    /// The PostgreSQL URL of this test database.
    pub fn url(&self) -> Option<&str> {
        self.postgres_url.as_deref()
    }

    /// Closes the pool and drops the PostgreSQL database.
    pub async fn finish(self) {
        self.db.close().await;
        if let Some((admin_url, name)) = self.postgres
            && let Ok(admin) = Db::connect(&admin_url, 1).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(admin.pool())
            .await;
            admin.close().await;
        }
    }
}

/// The PostgreSQL server of the tests when `TEST_DATABASE_URL` is unset: the local server
/// with trust authentication that `.ci/run` sets up (and `scripts/test.sh` defaults to).
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The PostgreSQL server of the tests: `TEST_DATABASE_URL`, or [`DEFAULT_POSTGRES_URL`].
/// PostgreSQL is part of every test run, under `scripts/test.sh` as under a plain
/// `cargo test`: no test can skip it.
pub fn postgres_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_POSTGRES_URL.to_string())
}

/// The administration connection to the tests' PostgreSQL server; a server that does not
/// answer fails the test with what to do.
async fn postgres_admin(admin_url: &str) -> Db {
    match Db::connect(admin_url, 1).await {
        Ok(admin) => admin,
        Err(error) => panic!(
            "PostgreSQL does not answer at {url} ({error}).\n\
             Every database test runs on PostgreSQL too and is never skipped. Start a local server \
             with trust authentication on 127.0.0.1:5432 (on Debian: `pg_ctlcluster <version> main start`, \
             or run `.ci/run`, which installs, configures and starts it), or set TEST_DATABASE_URL \
             to another server (postgres://user@host:port/database).",
            url = crate::db::redact_url(admin_url),
        ),
    }
}

pub async fn sqlite() -> TestDb {
    let folder = tempfile::tempdir().expect("temporary folder");
    let db = Db::open_sqlite_in(folder.path())
        .await
        .expect("sqlite opens");
    db.migrate().await.expect("sqlite migrates");
    let (clock, hand) = Clock::adjustable();
    let db = db
        .with_journal_key(key_ring().journal_key())
        .with_clock(clock);
    TestDb {
        db,
        clock: hand,
        _folder: Some(folder),
        postgres: None,
        postgres_url: None,
    }
}

pub async fn postgres(admin_url: &str) -> TestDb {
    let name = format!("passerelle_test_{}", uuid::Uuid::new_v4().simple());
    let admin = postgres_admin(admin_url).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(admin.pool())
        .await
        .expect("create test database");
    admin.close().await;
    let url = with_database(admin_url, &name);
    let db = Db::connect(&url, 8).await.expect("test database opens");
    db.migrate().await.expect("postgres migrates");
    let (clock, hand) = Clock::adjustable();
    let db = db
        .with_journal_key(key_ring().journal_key())
        .with_clock(clock);
    TestDb {
        db,
        clock: hand,
        _folder: None,
        postgres: Some((admin_url.to_string(), name)),
        postgres_url: Some(url),
    }
}

/// The same server URL, pointing at another database.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

/// One migrated, empty database per backend: SQLite and PostgreSQL.
pub async fn all_backends() -> Vec<TestDb> {
    let url = postgres_url();
    vec![sqlite().await, postgres(&url).await]
}

/// Runs a statement written by a test (database names and the like).
pub async fn execute(db: &Db, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(db.pool())
        .await
        .expect("test statement runs");
}
