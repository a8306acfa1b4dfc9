//! Connection, migrations and the few places where the two backends differ.

pub mod bulk;
pub mod clock;
pub mod jobs;
pub mod read_stamp;
pub mod time_text;

use crate::journal::JournalKey;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
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
    #[error(
        "clé du journal absente : cette écriture doit être journalisée, mais la base a été ouverte sans le fichier de clés"
    )]
    NoJournalKey,
    #[error("fichier des points de contrôle du journal « {path} » : {source}")]
    Checkpoints {
        path: String,
        source: std::io::Error,
    },
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The one error of every write of the store: a refusal the person can act on (a French
/// message naming the field), the thing written to that is not there (or no longer), or a
/// storage failure. The web crate maps it to its one answer (`http::error::refusal`).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0}")]
    Refused(#[from] passerelle_domain::ParseError),
    /// What the write is about does not exist: the page says « introuvable » without telling
    /// whether it ever did.
    #[error("{0} introuvable")]
    NotFound(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WriteError {
    /// A refusal of `field`, in French.
    pub fn refused(field: &'static str, reason: impl Into<String>) -> Self {
        WriteError::Refused(passerelle_domain::ParseError::new(field, reason))
    }
}

pub type WriteResult<T> = Result<T, WriteError>;

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

/// The database: a pool plus the backend it talks to, the key that links the journal's
/// rows (from the key file, never stored in the database), and the clock that decides what
/// has expired (the system's, except in tests).
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    journal_key: Option<Arc<JournalKey>>,
    clock: clock::Clock,
}

/// A write transaction that knows the journal key, so that `journal::append(&mut tx, …)`
/// links its row with it. Derefs to the connection, like sqlx's own transaction.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) journal_key: Option<Arc<JournalKey>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }

    pub fn journal_key(&self) -> Option<&JournalKey> {
        self.journal_key.as_deref()
    }
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

/// SQLite's `synchronous` level. `Full`, the default, syncs the WAL at every commit, so a write
/// acknowledged to a person survives a power cut; `Normal` syncs at checkpoints only and may
/// lose the last commits (never corrupt the file). Measured in docs/benchmarks.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSynchronous {
    Full,
    Normal,
}

impl SqliteSynchronous {
    /// `full` or `normal`, as typed in `--sqlite-synchronous` or PASSERELLE_SQLITE_SYNCHRONOUS.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "full" => Some(Self::Full),
            "normal" => Some(Self::Normal),
            _ => None,
        }
    }
}

static SQLITE_SYNCHRONOUS: std::sync::OnceLock<SqliteSynchronous> = std::sync::OnceLock::new();

/// Sets the level of every SQLite connection opened afterwards by this process (the command
/// line's option); the first setting wins.
pub fn set_sqlite_synchronous(level: SqliteSynchronous) {
    let _ = SQLITE_SYNCHRONOUS.set(level);
}

/// The level set, else PASSERELLE_SQLITE_SYNCHRONOUS (so the benchmarks and tests follow it
/// too), else `Full`.
pub fn sqlite_synchronous() -> SqliteSynchronous {
    SQLITE_SYNCHRONOUS.get().copied().unwrap_or_else(|| {
        std::env::var("PASSERELLE_SQLITE_SYNCHRONOUS")
            .ok()
            .and_then(|text| SqliteSynchronous::parse(&text))
            .unwrap_or(SqliteSynchronous::Full)
    })
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
                    let pragmas = match sqlite_synchronous() {
                        SqliteSynchronous::Full => {
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;"
                        }
                        SqliteSynchronous::Normal => {
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;"
                        }
                    };
                    connection.execute(pragmas).await?;
                    Ok(())
                })
            }),
            Backend::Postgres => options,
        };
        let pool = options.connect(url).await.map_err(StoreError::Connect)?;
        Ok(Self {
            pool,
            backend,
            journal_key: None,
            clock: clock::Clock::system(),
        })
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
        crate::after_migrations(self).await
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (BEGIN IMMEDIATE): a transaction that read first and wrote later could otherwise fail
    /// when another writer committed in between, which the busy timeout does not retry.
    pub async fn begin_write(&self) -> StoreResult<WriteTx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx {
            tx,
            journal_key: self.journal_key.clone(),
        })
    }

    /// The same database, whose write transactions link journal rows with `key` (the
    /// current key of the key file, see `KeyRing::journal_key`). Without it, every journaled
    /// write fails.
    pub fn with_journal_key(mut self, key: JournalKey) -> Self {
        self.journal_key = Some(Arc::new(key));
        self
    }

    pub fn journal_key(&self) -> Option<&JournalKey> {
        self.journal_key.as_deref()
    }

    /// The same database, deciding what has expired by `clock` (a test's adjustable one).
    pub fn with_clock(mut self, clock: clock::Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The clock that sessions, login locks, invitations, the outbox and the server's
    /// memories decide by.
    pub fn clock(&self) -> &clock::Clock {
        &self.clock
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

/// Creates `folder` and its missing parents readable by their owner only (0700 on Unix): the
/// data folder holds the database and the key file. An existing folder is left as it is.
pub fn create_private_dir(folder: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(folder)
}

/// Creates `data_dir` if needed and returns the URL of the SQLite file inside it.
pub fn sqlite_url_in(data_dir: &Path) -> StoreResult<String> {
    create_private_dir(data_dir).map_err(|source| StoreError::DataDir {
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

    #[cfg(unix)]
    #[test]
    fn the_data_folder_is_created_private() {
        use std::os::unix::fs::PermissionsExt;
        let parent = std::env::temp_dir().join(format!("db-{}", uuid::Uuid::new_v4()));
        let data = parent.join("data");
        sqlite_url_in(&data).unwrap();
        for folder in [&parent, &data] {
            let mode = std::fs::metadata(folder).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{}", folder.display());
        }
        std::fs::remove_dir_all(parent).unwrap();
    }

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
