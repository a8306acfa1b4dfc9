//! `passerelle audit`: checks the journal's keyed chain against the signed checkpoints kept
//! outside the database, and appends such checkpoints.

use crate::config::{DatabaseArgs, open_and_migrate};
use crate::keyfile::{Missing, key_file_path, open_key_ring};
use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use passerelle_store::Db;
use passerelle_store::journal::checkpoint;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute every link of the journal with the key file, and compare it with the
    /// checkpoints; exit code 1 on any finding.
    Verify(JournalArgs),
    /// Append the journal's signed head (row count, last link, time) to the checkpoint file.
    Checkpoint(JournalArgs),
}

#[derive(Args, Debug)]
pub struct JournalArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Key file (default: passerelle.key in the data folder): its keys sign the journal.
    #[arg(long, env = "PASSERELLE_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    #[command(flatten)]
    pub checkpoints: CheckpointFile,
}

/// Where the journal's checkpoints are appended and read.
#[derive(Args, Debug, Clone)]
pub struct CheckpointFile {
    /// File of the journal's signed checkpoints (default: journal-checkpoints.txt in the
    /// data folder). Keep it on another volume or machine than the database: a checkpoint
    /// is what reveals a journal rolled back or rewritten whole.
    #[arg(
        long = "checkpoints",
        env = "PASSERELLE_JOURNAL_CHECKPOINTS",
        value_name = "FILE"
    )]
    pub path: Option<PathBuf>,
}

impl CheckpointFile {
    pub fn path_in(&self, database: &DatabaseArgs) -> PathBuf {
        self.path
            .clone()
            .unwrap_or_else(|| database.data_dir().join("journal-checkpoints.txt"))
    }
}

pub async fn run(args: AuditArgs) -> anyhow::Result<()> {
    match args.command {
        AuditCommand::Verify(args) => verify(args).await,
        AuditCommand::Checkpoint(args) => write_checkpoint(args).await,
    }
}

/// The database with its journal key, and the key ring, checked against the database's
/// recorded fingerprints (a key file of another installation is refused before any work).
async fn open(args: &JournalArgs) -> anyhow::Result<(passerelle_store::seal::KeyRing, Db)> {
    let key_file = key_file_path(args.key_file.as_deref(), &args.database);
    let db = open_and_migrate(&args.database).await?;
    let keys = open_key_ring(&db, &key_file, Missing::Refuse).await?;
    let db = db.with_journal_key(keys.journal_key());
    Ok((keys, db))
}

async fn verify(args: JournalArgs) -> anyhow::Result<()> {
    let path = args.checkpoints.path_in(&args.database);
    // The default file is optional; a file named on purpose must be there.
    let lines = match checkpoint::read_file(&path) {
        Ok(lines) => Some(lines),
        Err(error)
            if error.kind() == std::io::ErrorKind::NotFound && args.checkpoints.path.is_none() =>
        {
            None
        }
        Err(error) => {
            return Err(error)
                .with_context(|| format!("fichier des points de contrôle « {} »", path.display()));
        }
    };
    let (keys, db) = open(&args).await?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} lignes vérifiées")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let result = passerelle_store::journal::verify(
        &db,
        &keys,
        lines.as_deref().unwrap_or_default(),
        &|rows| bar.set_position(rows),
    )
    .await;
    bar.finish_and_clear();
    db.close().await;
    let result = result?;
    if !result.is_intact() {
        let findings: Vec<String> = result
            .first_break
            .iter()
            .map(|(_, reason)| reason.clone())
            .chain(result.checkpoint_findings.iter().cloned())
            .collect();
        anyhow::bail!(
            "journal altéré — {} ({} lignes vérifiées avant)",
            findings.join(" ; "),
            result.rows_checked
        );
    }
    println!(
        "Journal intègre : {} lignes vérifiées, chaînage intact.",
        result.rows_checked
    );
    if result.legacy_rows > 0 {
        println!(
            "Dont {} ligne(s) du début, écrites avant les liens signés (SHA-256 sans clé) : \
             seul un point de contrôle pris depuis atteste qu'elles n'ont pas été réécrites.",
            result.legacy_rows
        );
    }
    match lines {
        Some(lines) => println!(
            "{} point(s) de contrôle de {} concordent ({} ligne(s) lues).",
            result.checkpoints_matched,
            path.display(),
            lines.len()
        ),
        None => println!(
            "Aucun point de contrôle ({} absent) : un journal ramené en arrière ne peut pas \
             être détecté. Voir « passerelle audit checkpoint ».",
            path.display()
        ),
    }
    Ok(())
}

async fn write_checkpoint(args: JournalArgs) -> anyhow::Result<()> {
    let path = args.checkpoints.path_in(&args.database);
    let (_, db) = open(&args).await?;
    let written = checkpoint::write(&db, &path).await;
    db.close().await;
    let written = written?;
    println!(
        "Point de contrôle ajouté à {} : {} lignes, lien de tête {}.",
        path.display(),
        written.count,
        written.head
    );
    Ok(())
}

/// Appends a checkpoint now; a failure is logged, never fatal to the server.
pub async fn checkpoint_or_log(db: &Db, path: &Path) {
    match checkpoint::write(db, path).await {
        Ok(written) => {
            tracing::info!(rows = written.count, file = %path.display(), "journal checkpoint")
        }
        Err(error) => tracing::error!(%error, "journal checkpoint failed"),
    }
}

/// The server's checkpoints: one at start, then one a day.
pub async fn checkpoint_daily(db: Db, path: PathBuf) {
    let mut every_day = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
    loop {
        every_day.tick().await;
        checkpoint_or_log(&db, &path).await;
    }
}
