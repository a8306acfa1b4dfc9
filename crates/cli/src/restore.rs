//! `passerelle restore ARCHIVE`: a backup into a fresh place — a new SQLite data folder, or an
//! empty PostgreSQL database — refused when the key file cannot open it, then checked: the
//! counts against the manifest, the journal's chain, the statistics against a recount.

use crate::backup::{
    Manifest, State, create_private_file, find_pg_tool, open_archive, pg_command, read_state,
    run_tool,
};
use crate::config::DatabaseArgs;
use crate::keyfile::{load_existing_key_ring, refusal_message};
use anyhow::Context;
use clap::Args;
use indicatif::ProgressBar;
use passerelle_store::Db;
use passerelle_store::seal::key_guard;
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The archive written by `passerelle backup`.
    pub archive: PathBuf,

    /// Where to restore: a new data folder (SQLite; it must not hold a database), or
    /// --database-url of an empty PostgreSQL database.
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The key file saved with the database (default: passerelle.key in the data folder).
    #[arg(long, env = "PASSERELLE_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

pub async fn run(args: RestoreArgs) -> anyhow::Result<()> {
    let key_file = crate::keyfile::key_file_path(args.key_file.as_deref(), &args.database);
    let ring = load_existing_key_ring(&key_file)?;
    let (manifest, content) = open_archive(&args.archive, &ring, &key_file)?;
    // The archive opened with the current key; the data may also need older ones.
    if let Err(refusal) = key_guard::compare(&manifest.key_fingerprints, &ring) {
        anyhow::bail!(refusal_message(&refusal, &key_file));
    }
    let target = Target::of(&args.database, &manifest)?;
    target
        .refuse_if_not_empty(args.database.db_connections)
        .await?;
    // The size of the plain content is not known before the end: bytes so far.
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} restauration : {bytes} ({bytes_per_sec})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let content = ProgressReader {
        inner: content,
        bar: bar.clone(),
    };
    let restored = target.restore(content).await;
    bar.finish_and_clear();
    restored?;
    let db = target.open(args.database.db_connections).await?;
    let outcome = check(&db, &ring, &key_file, &manifest).await;
    db.close().await;
    outcome?;
    println!(
        "Sauvegarde du {} restaurée ({}, niveau de migration {}) : comptes identiques au manifeste, journal intègre ({} lignes), statistiques exactes.",
        manifest.taken_at, manifest.backend, manifest.migration_level, manifest.journal_count
    );
    println!(
        "Démarrez le serveur avec le même fichier de clés : passerelle serve {} --key-file {}",
        target.describe(),
        key_file.display()
    );
    Ok(())
}

/// Counts against the manifest, the key ring against the restored fingerprints, then the
/// journal and the statistics; every finding is printed, the first failure returned.
async fn check(
    db: &Db,
    ring: &passerelle_store::seal::KeyRing,
    key_file: &Path,
    manifest: &Manifest,
) -> anyhow::Result<()> {
    let mut connection = db.pool().acquire().await?;
    let state = read_state(&mut connection).await?;
    drop(connection);
    let differences = compare(manifest, &state);
    anyhow::ensure!(
        differences.is_empty(),
        "la base restaurée diffère du manifeste de la sauvegarde : {}",
        differences.join(", ")
    );
    for (table, count) in &manifest.counts {
        println!("  {table:<20} {count}");
    }
    if let Err(refusal) = key_guard::check_and_record(db, ring).await? {
        anyhow::bail!(refusal_message(&refusal, key_file));
    }
    // The restored schema may be older than this binary.
    db.migrate().await?;
    let spinner = crate::backup::spinner(true, "vérification du journal…");
    let journal = passerelle_store::journal::verify(db, ring, &[], &|_| {}).await;
    spinner.finish_and_clear();
    let journal = journal?;
    if !journal.is_intact() {
        let reason = journal
            .first_break
            .map(|(_, reason)| reason)
            .unwrap_or_default();
        anyhow::bail!("journal altéré dans la base restaurée — {reason}");
    }
    println!(
        "Journal intègre : {} lignes vérifiées.",
        journal.rows_checked
    );
    let spinner = crate::backup::spinner(true, "recomptage des statistiques…");
    let stats = passerelle_store::statistics::rollup::verify(db, 10).await;
    spinner.finish_and_clear();
    let stats = stats?;
    anyhow::ensure!(
        stats.is_exact(),
        "statistiques de la base restaurée différentes du recomptage : {} cellule(s) sur {}",
        stats.differing,
        stats.cells
    );
    println!(
        "Statistiques exactes : {} cellules comparées au recomptage.",
        stats.cells
    );
    Ok(())
}

/// What differs between the manifest and the restored database, in French.
fn compare(manifest: &Manifest, state: &State) -> Vec<String> {
    let mut differences = Vec::new();
    for (table, expected) in &manifest.counts {
        let found = state.counts.get(table).copied().unwrap_or(-1);
        if found != *expected {
            differences.push(format!("{table} : {found} lignes pour {expected}"));
        }
    }
    if state.journal_count != manifest.journal_count || state.journal_head != manifest.journal_head
    {
        differences.push(format!(
            "tête du journal {} pour {}",
            state.journal_count, manifest.journal_count
        ));
    }
    if state.migration_level != manifest.migration_level {
        differences.push(format!(
            "niveau de migration {} pour {}",
            state.migration_level, manifest.migration_level
        ));
    }
    differences
}

enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Target {
    fn of(args: &DatabaseArgs, manifest: &Manifest) -> anyhow::Result<Self> {
        let target = match &args.database_url {
            Some(url) if !url.starts_with("sqlite:") => Target::Postgres(url.clone()),
            Some(_) => anyhow::bail!(
                "restauration SQLite : indiquez le nouveau dossier de données avec --data-dir"
            ),
            None => Target::Sqlite(args.data_dir()),
        };
        let backend = match target {
            Target::Sqlite(_) => "sqlite",
            Target::Postgres(_) => "postgres",
        };
        anyhow::ensure!(
            backend == manifest.backend,
            "cette sauvegarde vient d'une base {} : restaurez-la {}",
            manifest.backend,
            if manifest.backend == "sqlite" {
                "dans un nouveau dossier de données (--data-dir)"
            } else {
                "dans une base PostgreSQL vide (--database-url)"
            }
        );
        Ok(target)
    }

    fn describe(&self) -> String {
        match self {
            Target::Sqlite(folder) => format!("--data-dir {}", folder.display()),
            Target::Postgres(url) => {
                format!("--database-url {}", passerelle_store::db::redact_url(url))
            }
        }
    }

    fn sqlite_file(folder: &Path) -> PathBuf {
        folder.join("passerelle.db")
    }

    /// A restore never overwrites: the folder must hold no database, the PostgreSQL
    /// database no table.
    async fn refuse_if_not_empty(&self, connections: u32) -> anyhow::Result<()> {
        match self {
            Target::Sqlite(folder) => {
                let file = Self::sqlite_file(folder);
                anyhow::ensure!(
                    !file.exists(),
                    "le dossier « {} » contient déjà une base (passerelle.db) : restaurez dans un \
                     dossier neuf",
                    folder.display()
                );
            }
            Target::Postgres(url) => {
                let db = Db::connect(url, connections.clamp(1, 2)).await?;
                let tables: Result<(i64,), _> = sqlx::query_as(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
                )
                .fetch_one(db.pool())
                .await;
                db.close().await;
                let (tables,) = tables?;
                anyhow::ensure!(
                    tables == 0,
                    "la base PostgreSQL « {} » n'est pas vide ({tables} tables) : restaurez dans \
                     une base neuve (CREATE DATABASE …)",
                    passerelle_store::db::redact_url(url)
                );
            }
        }
        Ok(())
    }

    async fn restore(&self, content: ProgressReader) -> anyhow::Result<()> {
        match self {
            Target::Sqlite(folder) => {
                passerelle_store::db::create_private_dir(folder).with_context(|| {
                    format!("impossible de créer le dossier « {} »", folder.display())
                })?;
                let partial = folder.join("passerelle.db.restauration");
                let file = Self::sqlite_file(folder);
                let written = {
                    let partial = partial.clone();
                    tokio::task::spawn_blocking(move || write_out(content, &partial))
                        .await
                        .context("tâche de restauration interrompue")?
                };
                if let Err(error) = written {
                    let _ = std::fs::remove_file(&partial);
                    return Err(error);
                }
                std::fs::rename(&partial, &file)
                    .with_context(|| format!("impossible d'écrire « {} »", file.display()))?;
            }
            Target::Postgres(url) => {
                let pg_restore = find_pg_tool("pg_restore")?;
                let work = tempfile::tempdir().context("dossier temporaire")?;
                let dump = work.path().join("dump");
                {
                    let dump = dump.clone();
                    tokio::task::spawn_blocking(move || write_out(content, &dump))
                        .await
                        .context("tâche de restauration interrompue")??;
                }
                let (mut command, dbname) = pg_command(&pg_restore, url);
                command
                    .arg("--no-owner")
                    .arg("--exit-on-error")
                    .arg("--single-transaction")
                    .arg(dbname)
                    .arg(&dump);
                let output = run_tool(command, &pg_restore).await?;
                anyhow::ensure!(
                    output.status.success(),
                    "pg_restore a échoué : {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
        }
        Ok(())
    }

    async fn open(&self, connections: u32) -> anyhow::Result<Db> {
        Ok(match self {
            Target::Sqlite(folder) => {
                let url = passerelle_store::db::sqlite_url_in(folder)?;
                Db::connect(&url, connections).await?
            }
            Target::Postgres(url) => Db::connect(url, connections).await?,
        })
    }
}

/// The decrypted database bytes into a new private file, on disk before it is renamed.
fn write_out(mut content: ProgressReader, path: &Path) -> anyhow::Result<()> {
    let mut file = create_private_file(path)?;
    std::io::copy(&mut content, &mut file).context("sauvegarde tronquée ou altérée")?;
    file.sync_all()?;
    Ok(())
}

/// Moves a bar with the bytes read.
struct ProgressReader {
    inner: Box<dyn std::io::BufRead + Send>,
    bar: ProgressBar,
}

impl Read for ProgressReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.bar.inc(read as u64);
        Ok(read)
    }
}
