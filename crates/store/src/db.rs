//! Connection, migrations and the few places where the two backends differ.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Connection, Executor};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// Errors of the store, with messages that can be shown to an operator as they are.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("adresse de base de données non reconnue « {0} » : attendu sqlite://… ou postgres://…")]
    UnsupportedUrl(String),
    #[error("impossible de se connecter à la base de données : {0}")]
    Connect(#[source] sqlx::Error),
    #[error("impossible de créer le dossier de données « {path} » : {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("échec des migrations : {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error("donnée invalide en base ({0})")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What a write checked against the data it finds can answer: a refusal the person can act
/// on (a French message naming the field), or a storage failure.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0}")]
    Refused(#[from] passerelle_domain::ParseError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for WriteError {
    fn from(error: sqlx::Error) -> Self {
        WriteError::Store(error.into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl FromStr for Backend {
    type Err = StoreError;
    fn from_str(url: &str) -> Result<Self, Self::Err> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// The backend a connection talks to (for code that holds only a transaction).
    pub fn of_connection(connection: &sqlx::AnyConnection) -> Self {
        if connection.backend_name().eq_ignore_ascii_case("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// The largest number of bind parameters one statement may carry on this backend.
    pub fn max_bind_parameters(self) -> usize {
        match self {
            Backend::Sqlite => 32_766,
            Backend::Postgres => 65_535,
        }
    }
}

/// Hides a password in a database URL before it is printed or logged.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The database: a pool plus the backend it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Db {
    /// Connects to `url` (sqlite://… or postgres://…). Does not migrate.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Self> {
        let backend: Backend = url.parse()?;
        sqlx::any::install_default_drivers();
        // One direct attempt first: a wrong URL or a server that is down fails at once with its
        // own message, instead of after the pool's retries.
        let probe = sqlx::AnyConnection::connect(url)
            .await
            .map_err(StoreError::Connect)?;
        probe.close().await.map_err(StoreError::Connect)?;
        let options = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10));
        let options = match backend {
            // WAL lets readers work while one writer writes; foreign keys are off by default.
            Backend::Sqlite => options.after_connect(|connection, _| {
                Box::pin(async move {
                    connection
                        .execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => options,
        };
        let pool = options.connect(url).await.map_err(StoreError::Connect)?;
        Ok(Self { pool, backend })
    }

    /// Opens (creating if needed) the SQLite database file `passerelle.db` in `data_dir`.
    pub async fn open_sqlite_in(data_dir: &Path) -> StoreResult<Self> {
        let url = sqlite_url_in(data_dir)?;
        Self::connect(&url, 8).await
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator.run(&self.pool).await?;
        // The rollups follow the counting rules of this code, whatever built them.
        crate::rollup::bring_up_to_date(self).await
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (BEGIN IMMEDIATE): a transaction that read first and wrote later could otherwise fail
    /// when another writer committed in between, which the busy timeout does not retry.
    pub async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Refreshes the planner's statistics after a bulk load: on PostgreSQL, until autovacuum
    /// passes, a fresh table looks empty and its indexes go unused; its new rows are not yet
    /// marked visible either, so the reports' covering index would still visit the table
    /// (VACUUM marks them: the national report 35 → 22 ms after a year of national activity).
    pub async fn analyze(&self) -> StoreResult<()> {
        let statement = match self.backend {
            Backend::Sqlite => "ANALYZE",
            Backend::Postgres => "VACUUM ANALYZE",
        };
        // As a simple query: VACUUM refuses to run inside a transaction block.
        self.pool.execute(statement).await?;
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> StoreResult<()> {
        let _: AnyRow = sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    /// Connections open in the pool, and how many of them are idle.
    pub fn pool_usage(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Reads a value of the key-value table that records the state of the installation.
    pub async fn meta(&self, key: &str) -> StoreResult<Option<String>> {
        let value: Option<(String,)> = sqlx::query_as("SELECT value FROM app_meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(value.map(|(value,)| value))
    }

    pub async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO app_meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Creates `data_dir` if needed and returns the URL of the SQLite file inside it.
pub fn sqlite_url_in(data_dir: &Path) -> StoreResult<String> {
    std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
        path: data_dir.display().to_string(),
        source,
    })?;
    // create_dir_all succeeds on an existing read-only folder: probe that we can write in it.
    let probe = data_dir.join(".passerelle-write-probe");
    std::fs::write(&probe, b"")
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
    let file = data_dir.join("passerelle.db");
    Ok(format!("sqlite://{}?mode=rwc", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/p"),
            "postgres://app:***@db:5432/p"
        );
        assert_eq!(redact_url("postgres://app@db/p"), "postgres://app@db/p");
        assert_eq!(redact_url("sqlite://data/p.db"), "sqlite://data/p.db");
    }

    #[test]
    fn unknown_schemes_are_refused_with_the_url_redacted() {
        let error = "mysql://u:pw@h/db".parse::<Backend>().unwrap_err();
        assert!(error.to_string().contains("mysql://u:***@h/db"));
        assert!(!error.to_string().contains("pw"));
    }
}
