//! `passerelle backup`: a consistent copy of the live database, with a manifest, encrypted
//! and written atomically into a folder of dated archives (the server can take one daily).
//!
//! SQLite: `VACUUM INTO` a temporary file — one read transaction, so the copy is a snapshot
//! while the server keeps writing (a plain copy of the live files fails its integrity check
//! under load; the online backup API restarts on every write). PostgreSQL: `pg_dump
//! --format=custom` on a snapshot exported by a repeatable-read transaction, in which the
//! manifest's counts are taken too, so they describe exactly what was dumped.
//!
//! The archive is age (scrypt recipient) over gzip over « magic line, manifest line, database
//! bytes ». Its passphrase is derived from the key file's current key, never stored: whoever
//! steals a backup without the key file reads nothing, and there is no second secret to
//! keep — the key file is needed anyway to read the sealed fields of a restored database.

use crate::config::DatabaseArgs;
use crate::keyfile::{Missing, key_file_path, open_key_ring};
use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use passerelle_store::Db;
use passerelle_store::seal::KeyRing;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// First line of an archive's plain content.
pub const MAGIC: &str = "passerelle-backup v1";
/// File names: `passerelle-<UTC instant>-<backend>.age`; they sort by date.
const PREFIX: &str = "passerelle-";
const SUFFIX: &str = ".age";
/// scrypt's cost: the passphrase is 256 random bits, stretching it adds nothing.
const WORK_FACTOR: u8 = 12;

/// The tables counted in the manifest and compared after a restore.
pub const COUNTED_TABLES: &[&str] = &[
    "units",
    "employers",
    "posts",
    "accounts",
    "cases",
    "case_persons",
    "case_notes",
    "case_interviews",
    "case_actions",
    "case_orientations",
    "persons",
    "partners",
    "appointments",
    "journal",
    "activity_rollups",
    "key_fingerprints",
];

#[derive(Args, Debug)]
pub struct BackupArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Key file (default: passerelle.key in the data folder): its current key encrypts the
    /// archive, and only a file holding that key restores it.
    #[arg(long, env = "PASSERELLE_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// Folder of the archives (created, private).
    #[arg(long, env = "PASSERELLE_BACKUP_DIR")]
    pub output: PathBuf,

    /// Keep the N most recent archives of the folder, delete the older ones (0: keep all).
    #[arg(long, env = "PASSERELLE_BACKUP_KEEP", default_value_t = 0)]
    pub keep: usize,
}

/// What an archive holds, readable once decrypted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub passerelle_version: String,
    pub backend: String,
    pub taken_at: String,
    pub migration_level: i64,
    pub counts: BTreeMap<String, i64>,
    pub journal_count: i64,
    pub journal_head: String,
    /// The key whose derived passphrase encrypts the archive.
    pub encrypted_with: String,
    /// The database's recorded key fingerprints (key id, fingerprint).
    pub key_fingerprints: Vec<(String, String)>,
}

/// The database's state as the manifest records it, read on one connection (inside the
/// snapshot on PostgreSQL, on the copy itself on SQLite).
pub struct State {
    pub migration_level: i64,
    pub counts: BTreeMap<String, i64>,
    pub journal_count: i64,
    pub journal_head: String,
    pub key_fingerprints: Vec<(String, String)>,
}

pub async fn read_state(connection: &mut AnyConnection) -> anyhow::Result<State> {
    let (migration_level,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations")
            .fetch_one(&mut *connection)
            .await?;
    let mut counts = BTreeMap::new();
    for table in COUNTED_TABLES {
        // Built only from the constant list above.
        let (count,): (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&mut *connection)
                .await?;
        counts.insert((*table).to_string(), count);
    }
    let (journal_count, journal_head): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM journal_head WHERE id = 1")
            .fetch_one(&mut *connection)
            .await?;
    let key_fingerprints =
        sqlx::query_as("SELECT key_id, fingerprint FROM key_fingerprints ORDER BY key_id")
            .fetch_all(&mut *connection)
            .await?;
    Ok(State {
        migration_level,
        counts,
        journal_count,
        journal_head,
        key_fingerprints,
    })
}

/// Where the database is, for the copy.
#[derive(Debug, Clone)]
pub enum Source {
    Sqlite,
    Postgres(String),
}

impl Source {
    pub fn of(args: &DatabaseArgs) -> Self {
        match &args.database_url {
            Some(url) if !url.starts_with("sqlite:") => Source::Postgres(url.clone()),
            _ => Source::Sqlite,
        }
    }
}

/// An archive written.
pub struct Written {
    pub path: PathBuf,
    pub bytes: u64,
    pub manifest: Manifest,
    pub removed: usize,
}

pub async fn run(args: BackupArgs) -> anyhow::Result<()> {
    let db = crate::config::open_and_migrate(&args.database).await?;
    let key_file = key_file_path(args.key_file.as_deref(), &args.database);
    let ring = open_key_ring(&db, &key_file, Missing::Refuse).await?;
    let started = std::time::Instant::now();
    let written = take(
        &db,
        &ring,
        &Source::of(&args.database),
        &args.output,
        args.keep,
        true,
    )
    .await;
    db.close().await;
    let written = written?;
    println!(
        "Sauvegarde écrite : {} ({} Kio, {:.1} s) — {} lignes de journal, {} dossiers, niveau de migration {}, chiffrée avec la clé « {} ».",
        written.path.display(),
        written.bytes / 1024,
        started.elapsed().as_secs_f64(),
        written.manifest.journal_count,
        written.manifest.counts.get("cases").copied().unwrap_or(0),
        written.manifest.migration_level,
        written.manifest.encrypted_with
    );
    if written.removed > 0 {
        println!(
            "{} sauvegarde(s) plus ancienne(s) supprimée(s) (--keep).",
            written.removed
        );
    }
    Ok(())
}

/// Takes a consistent copy of `db`, writes the encrypted archive into `output` (temporary
/// file, then rename), and keeps the `keep` most recent archives (0: all).
pub async fn take(
    db: &Db,
    ring: &KeyRing,
    source: &Source,
    output: &Path,
    keep: usize,
    show_progress: bool,
) -> anyhow::Result<Written> {
    passerelle_store::db::create_private_dir(output)
        .with_context(|| format!("impossible de créer le dossier « {} »", output.display()))?;
    let work = tempfile::Builder::new()
        .prefix(".passerelle-backup-")
        .tempdir_in(output)
        .with_context(|| format!("dossier temporaire dans « {} »", output.display()))?;
    let copy = work.path().join("copy");
    let spinner = spinner(show_progress, "copie cohérente de la base…");
    let state = match source {
        Source::Sqlite => copy_sqlite(db, &copy).await,
        Source::Postgres(url) => dump_postgres(db, url, &copy).await,
    };
    spinner.finish_and_clear();
    let state = state?;
    let taken_at = passerelle_store::db::time_text::now_text();
    let manifest = Manifest {
        passerelle_version: env!("CARGO_PKG_VERSION").to_string(),
        backend: db.backend().name().to_string(),
        taken_at: taken_at.clone(),
        migration_level: state.migration_level,
        counts: state.counts,
        journal_count: state.journal_count,
        journal_head: state.journal_head,
        encrypted_with: ring.current_key_id().to_string(),
        key_fingerprints: state.key_fingerprints,
    };
    let secret = ring
        .backup_secret(ring.current_key_id())
        .context("clé courante absente du fichier de clés")?;
    let name = format!(
        "{PREFIX}{}-{}{SUFFIX}",
        file_instant(&taken_at),
        manifest.backend
    );
    let target = output.join(name);
    let partial = work.path().join("archive.age");
    let size = std::fs::metadata(&copy)?.len();
    let bar = bytes_bar(show_progress, size, "chiffrement");
    let encrypted = {
        let (manifest, copy, partial, bar) =
            (manifest.clone(), copy.clone(), partial.clone(), bar.clone());
        // Compression and encryption are CPU work: off the async runtime.
        tokio::task::spawn_blocking(move || encrypt(&manifest, &copy, &partial, &secret, &bar))
            .await
            .context("tâche de chiffrement interrompue")?
    };
    bar.finish_and_clear();
    let bytes = encrypted?;
    std::fs::rename(&partial, &target)
        .with_context(|| format!("impossible d'écrire « {} »", target.display()))?;
    sync_dir(output);
    let removed = apply_retention(output, keep)?;
    Ok(Written {
        path: target,
        bytes,
        manifest,
        removed,
    })
}

/// `VACUUM INTO` the copy (a snapshot under concurrent writes), then reads the manifest's
/// state from the copy itself.
async fn copy_sqlite(db: &Db, copy: &Path) -> anyhow::Result<State> {
    let path = copy
        .to_str()
        .context("chemin du dossier de sauvegarde non UTF-8")?;
    sqlx::query("VACUUM INTO $1")
        .bind(path)
        .execute(db.pool())
        .await
        .context("copie de la base (VACUUM INTO)")?;
    use sqlx::Connection;
    let mut connection = AnyConnection::connect(&format!("sqlite://{path}?mode=ro")).await?;
    let state = read_state(&mut connection).await;
    connection.close().await?;
    state
}

/// `pg_dump` in custom format on the snapshot of a repeatable-read transaction, whose
/// state is read in that same snapshot.
async fn dump_postgres(db: &Db, url: &str, copy: &Path) -> anyhow::Result<State> {
    let pg_dump = find_pg_tool("pg_dump")?;
    let mut tx = db.pool().begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let (snapshot,): (String,) = sqlx::query_as("SELECT pg_export_snapshot()")
        .fetch_one(&mut *tx)
        .await?;
    let state = read_state(&mut tx).await?;
    let (mut command, dbname) = pg_command(&pg_dump, url);
    command
        .arg("--format=custom")
        .arg("--no-owner")
        .arg(format!("--snapshot={snapshot}"))
        .arg(format!("--file={}", copy.display()))
        .arg(dbname);
    let output = run_tool(command, &pg_dump).await?;
    tx.rollback().await?;
    anyhow::ensure!(
        output.status.success(),
        "pg_dump a échoué : {}",
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(state)
}

/// A libpq command for `url`: the password, if any, goes in PGPASSWORD (the environment of
/// the child only), never on a command line other local users can read.
pub fn pg_command(tool: &Path, url: &str) -> (std::process::Command, String) {
    let mut command = std::process::Command::new(tool);
    let mut target = url.to_string();
    if let (Some(scheme_end), Some(at)) = (url.find("://"), url.rfind('@'))
        && at > scheme_end
        && let Some(colon) = url[scheme_end + 3..at].find(':')
    {
        let colon = scheme_end + 3 + colon;
        command.env("PGPASSWORD", &url[colon + 1..at]);
        target = format!("{}{}", &url[..colon], &url[at..]);
    }
    (command, format!("--dbname={target}"))
}

/// Runs a client tool off the async runtime and returns its output.
pub async fn run_tool(
    mut command: std::process::Command,
    tool: &Path,
) -> anyhow::Result<std::process::Output> {
    let name = tool.display().to_string();
    tokio::task::spawn_blocking(move || command.output())
        .await
        .context("tâche interrompue")?
        .with_context(|| format!("impossible de lancer {name}"))
}

/// `pg_dump` or `pg_restore`: on the PATH, or in Debian's /usr/lib/postgresql/<version>/bin.
pub fn find_pg_tool(name: &str) -> anyhow::Result<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    // The newest client first: it reads older servers' dumps.
    debian.sort();
    debian.reverse();
    on_path
        .into_iter()
        .chain(debian)
        .map(|folder| folder.join(name))
        .find(|candidate| candidate.is_file())
        .with_context(|| {
            format!(
                "{name} introuvable : installez le client PostgreSQL (paquet Debian \
                 postgresql-client) de la version du serveur ou plus récent"
            )
        })
}

/// age(gzip(magic, manifest, database)) into `partial`; returns its size.
fn encrypt(
    manifest: &Manifest,
    copy: &Path,
    partial: &Path,
    secret: &str,
    bar: &ProgressBar,
) -> anyhow::Result<u64> {
    let file = create_private_file(partial)?;
    let mut recipient = age::scrypt::Recipient::new(secret.to_owned().into());
    recipient.set_work_factor(WORK_FACTOR);
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
        .map_err(|e| anyhow::anyhow!("chiffrement : {e}"))?;
    let encrypted = encryptor.wrap_output(std::io::BufWriter::new(file))?;
    let mut gzip = flate2::write::GzEncoder::new(encrypted, flate2::Compression::fast());
    writeln!(gzip, "{MAGIC}")?;
    writeln!(gzip, "{}", serde_json::to_string(manifest)?)?;
    let mut input = std::fs::File::open(copy)?;
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = input.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        gzip.write_all(&buffer[..read])?;
        bar.inc(read as u64);
    }
    let file = gzip
        .finish()?
        .finish()?
        .into_inner()
        .map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(file.metadata()?.len())
}

/// Opens an archive with the ring's keys (the newest first): the plain content after the
/// manifest, and the manifest. A ring without the archive's key is refused in French.
pub fn open_archive(
    archive: &Path,
    ring: &KeyRing,
    key_file: &Path,
) -> anyhow::Result<(Manifest, Box<dyn std::io::BufRead + Send>)> {
    let file = std::fs::File::open(archive)
        .with_context(|| format!("sauvegarde « {} » illisible", archive.display()))?;
    let decryptor = age::Decryptor::new_buffered(std::io::BufReader::new(file)).map_err(|e| {
        anyhow::anyhow!(
            "« {} » n'est pas une sauvegarde Passerelle : {e}",
            archive.display()
        )
    })?;
    let ids: Vec<String> = ring.key_ids().map(str::to_string).collect();
    let identities: Vec<age::scrypt::Identity> = ids
        .iter()
        .rev()
        .filter_map(|id| ring.backup_secret(id))
        .map(|secret| age::scrypt::Identity::new(secret.as_str().to_owned().into()))
        .collect();
    let reader = decryptor
        .decrypt(identities.iter().map(|i| i as &dyn age::Identity))
        .map_err(|_| {
            anyhow::anyhow!(
                "le fichier de clés « {} » ne peut pas ouvrir cette sauvegarde : aucune de ses \
                 clés ({}) ne l'a chiffrée — restaurez le fichier de clés sauvegardé avec la base \
                 (--key-file)",
                key_file.display(),
                ids.join(", ")
            )
        })?;
    let mut plain = std::io::BufReader::new(flate2::read::GzDecoder::new(reader));
    let mut line = String::new();
    plain.read_line(&mut line)?;
    anyhow::ensure!(
        line.trim_end() == MAGIC,
        "« {} » n'est pas une sauvegarde Passerelle (format inconnu)",
        archive.display()
    );
    line.clear();
    plain.read_line(&mut line)?;
    let manifest: Manifest = serde_json::from_str(line.trim_end())
        .with_context(|| format!("manifeste illisible dans « {} »", archive.display()))?;
    Ok((manifest, Box::new(plain)))
}

use std::io::BufRead;

/// Deletes the oldest archives of `folder` beyond the `keep` most recent (0: none deleted).
fn apply_retention(folder: &Path, keep: usize) -> anyhow::Result<usize> {
    if keep == 0 {
        return Ok(0);
    }
    let mut archives: Vec<PathBuf> = std::fs::read_dir(folder)?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    // Dated names: their order is the archives' order.
    archives.sort();
    let excess = archives.len().saturating_sub(keep);
    for old in &archives[..excess] {
        std::fs::remove_file(old)
            .with_context(|| format!("impossible de supprimer « {} »", old.display()))?;
    }
    Ok(excess)
}

/// `2026-12-04T20:15:03.123456Z` → `20261204T201503.123Z` (sortable, no colon for file
/// systems; the milliseconds keep two backups of one second apart).
fn file_instant(rfc3339: &str) -> String {
    let (seconds, fraction) = rfc3339
        .trim_end_matches('Z')
        .split_once('.')
        .unwrap_or((rfc3339.trim_end_matches('Z'), ""));
    let digits: String = seconds
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    let millis: String = fraction.chars().chain("000".chars()).take(3).collect();
    format!("{digits}.{millis}Z")
}

pub fn create_private_file(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("impossible de créer « {} »", path.display()))
}

/// The rename is durable once the folder's entry is on disk.
fn sync_dir(folder: &Path) {
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
}

pub fn spinner(show: bool, message: &'static str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

pub fn bytes_bar(show: bool, total: u64, message: &'static str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}

/// The server's backups: the first a minute after start, then one a day; a failure is
/// logged and retried the next day.
pub async fn daily(
    db: Db,
    ring: std::sync::Arc<KeyRing>,
    source: Source,
    output: PathBuf,
    keep: usize,
) {
    use passerelle_store::db::jobs::{Job, Run, once_a_day, server_name};
    let server = server_name();
    let period = std::time::Duration::from_secs(24 * 60 * 60);
    let first = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut every_day = tokio::time::interval_at(first, period);
    loop {
        every_day.tick().await;
        let started = std::time::Instant::now();
        // One server of those sharing the database takes the day's backup.
        let today = passerelle_web::http::clock::paris_today();
        let run = once_a_day(&db, Job::Backup, today, &server, || {
            take(&db, &ring, &source, &output, keep, false)
        })
        .await;
        let taken = match run {
            Ok(Run::Ran(taken)) => taken,
            Ok(Run::AlreadyDone | Run::Busy) => continue,
            Err(error) => {
                tracing::error!(%error, "backup not started");
                continue;
            }
        };
        match taken {
            Ok(written) => tracing::info!(
                archive = %written.path.display(),
                bytes = written.bytes,
                removed = written.removed,
                seconds = started.elapsed().as_secs_f64(),
                journal_rows = written.manifest.journal_count,
                "backup written"
            ),
            Err(error) => tracing::error!(error = %crate::error_chain(&error), "backup failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_goes_to_the_environment_not_the_command_line() {
        let (command, dbname) = pg_command(Path::new("pg_dump"), "postgres://app:s3cret@db:5432/p");
        assert_eq!(dbname, "--dbname=postgres://app@db:5432/p");
        let password: Vec<_> = command
            .get_envs()
            .filter(|(name, _)| *name == "PGPASSWORD")
            .collect();
        assert_eq!(password.len(), 1);
        let (_, dbname) = pg_command(Path::new("pg_dump"), "postgres://postgres@127.0.0.1/p");
        assert_eq!(dbname, "--dbname=postgres://postgres@127.0.0.1/p");
    }

    #[test]
    fn archive_names_sort_by_date() {
        assert_eq!(
            file_instant("2026-12-04T20:15:03.123456Z"),
            "20261204T201503.123Z"
        );
        assert_eq!(file_instant("2026-12-04T20:15:03Z"), "20261204T201503.000Z");
    }

    #[test]
    fn retention_keeps_the_most_recent() {
        let folder = tempfile::tempdir().unwrap();
        for day in 1..=5 {
            std::fs::write(
                folder
                    .path()
                    .join(format!("passerelle-2026120{day}T000000Z-sqlite.age")),
                b"",
            )
            .unwrap();
        }
        std::fs::write(folder.path().join("autre.txt"), b"").unwrap();
        assert_eq!(apply_retention(folder.path(), 2).unwrap(), 3);
        let mut left: Vec<String> = std::fs::read_dir(folder.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "autre.txt",
                "passerelle-20261204T000000Z-sqlite.age",
                "passerelle-20261205T000000Z-sqlite.age"
            ]
        );
    }
}
