//! `passerelle audit verify`: checks the journal's hash chain and names the first broken row.

use crate::config::{DatabaseArgs, open_and_migrate};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute the hash chain of the journal; exit code 1 at the first broken row.
    Verify(DatabaseArgs),
}

pub async fn run(args: AuditArgs) -> anyhow::Result<()> {
    match args.command {
        AuditCommand::Verify(database) => verify(database).await,
    }
}

async fn verify(database: DatabaseArgs) -> anyhow::Result<()> {
    let db = open_and_migrate(&database).await?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} lignes vérifiées")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let result = passerelle_store::journal::verify(&db, &|rows| bar.set_position(rows)).await?;
    bar.finish_and_clear();
    db.close().await;
    match result.first_break {
        None => {
            println!(
                "Journal intègre : {} lignes vérifiées, chaînage intact.",
                result.rows_checked
            );
            Ok(())
        }
        Some((_, reason)) => anyhow::bail!(
            "journal altéré — {reason} ({} lignes vérifiées avant)",
            result.rows_checked
        ),
    }
}
