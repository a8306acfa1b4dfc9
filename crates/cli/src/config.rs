//! Configuration shared by the commands: where the database is, logging.

use anyhow::Context;
use clap::Args;
use passerelle_store::Db;
use passerelle_store::registry::territory::{Referentials, load_referentials};
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// Database URL: postgres://user@host/db for PostgreSQL. Without it, an embedded SQLite
    /// file `passerelle.db` in the data folder.
    #[arg(long, env = "PASSERELLE_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Data folder: SQLite database and key file. Created if missing. Default: ./data
    /// (with `serve --demo`: a fresh temporary folder).
    #[arg(long, env = "PASSERELLE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Maximum number of database connections in the pool.
    #[arg(long, env = "PASSERELLE_DB_CONNECTIONS", default_value_t = 16)]
    pub db_connections: u32,

    /// SQLite only: `full` (default) makes every acknowledged write survive a power cut;
    /// `normal` is faster but may lose the last writes then (see docs/benchmarks.md).
    #[arg(long, env = "PASSERELLE_SQLITE_SYNCHRONOUS", default_value = "full", value_parser = parse_synchronous)]
    pub sqlite_synchronous: passerelle_store::db::SqliteSynchronous,
}

fn parse_synchronous(text: &str) -> Result<passerelle_store::db::SqliteSynchronous, String> {
    passerelle_store::db::SqliteSynchronous::parse(text)
        .ok_or_else(|| "valeurs possibles : full, normal".to_string())
}

impl DatabaseArgs {
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("data"))
    }
}

/// `passerelle migrate`: the database, and the key file to check it against when there is one.
#[derive(Args, Debug, Clone)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Key file (default: passerelle.key in the data folder). When it exists, it is checked
    /// against the database's recorded key fingerprints; a migration never creates one.
    #[arg(long, env = "PASSERELLE_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

/// Migrates, then refuses a key file that cannot open the data (one named on purpose must
/// exist).
pub async fn migrate(args: &MigrateArgs) -> anyhow::Result<()> {
    let db = open_and_migrate(&args.database).await?;
    let key_file = crate::keyfile::key_file_path(args.key_file.as_deref(), &args.database);
    if args.key_file.is_some() || key_file.exists() {
        crate::keyfile::open_key_ring(&db, &key_file, crate::keyfile::Missing::Refuse).await?;
    }
    db.close().await;
    Ok(())
}

/// Opens the configured database, applies the migrations and loads the referentials.
pub async fn open_and_migrate(args: &DatabaseArgs) -> anyhow::Result<Db> {
    passerelle_store::db::set_sqlite_synchronous(args.sqlite_synchronous);
    let db = match &args.database_url {
        Some(url) => Db::connect(url, args.db_connections).await?,
        None => {
            let url = passerelle_store::db::sqlite_url_in(&args.data_dir())?;
            Db::connect(&url, args.db_connections).await?
        }
    };
    db.migrate().await?;
    let referentials = Referentials::embedded().context("référentiels intégrés illisibles")?;
    let written = load_referentials(&db, &referentials).await?;
    if written > 0 {
        tracing::info!(rows = written, "official referentials loaded");
    }
    tracing::info!(backend = db.backend().name(), "database ready");
    Ok(db)
}

/// The format of the log lines.
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, with the request's span (method, path, request id).
    Json,
}

/// Logs on stderr as text, or as JSON lines, never with personal data (see `logs`); `filter`
/// is the level (e.g. "info",
/// "passerelle_web=debug"), "warn" when absent or unreadable.
pub fn init_logging(filter: Option<&str>, format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = match filter.map(EnvFilter::try_new) {
        Some(Ok(filter)) => filter,
        Some(Err(error)) => {
            eprintln!("attention : niveau de journalisation illisible ({error}) : « warn » retenu");
            EnvFilter::new("warn")
        }
        None => EnvFilter::new("warn"),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // The fields of requests' spans without the client's address nor identifiers in paths.
    match format {
        LogFormat::Json => builder
            .json()
            .fmt_fields(crate::logs::Fields { json: true })
            .init(),
        LogFormat::Text => builder
            .fmt_fields(crate::logs::Fields { json: false })
            .init(),
    }
}

/// An input/output error in French for an operator (the kind, then the system's words).
pub fn io_error_fr(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "fichier absent".into(),
        std::io::ErrorKind::PermissionDenied => "accès refusé".into(),
        std::io::ErrorKind::IsADirectory => "c'est un dossier".into(),
        std::io::ErrorKind::InvalidData => "ce n'est pas du texte UTF-8".into(),
        _ => error.to_string(),
    }
}
