//! `passerelle stats verify | rebuild`: the published figures against a full recount from the
//! facts, and their rebuild. The rollups are kept in the transaction of every write; this is
//! how an operator checks that nothing made them drift (the server also verifies weekly),
//! and repairs them if something did.

use crate::config::{DatabaseArgs, open_and_migrate};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use passerelle_store::statistics::rollup;

#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(subcommand)]
    pub command: StatsCommand,
}

#[derive(Subcommand, Debug)]
pub enum StatsCommand {
    /// Recount every figure from the facts and compare; exit code 1 and the first differing
    /// cells when they differ.
    Verify(DatabaseArgs),
    /// Rebuild every figure from the facts, in one transaction (the published figures are
    /// replaced at once when it commits).
    Rebuild(DatabaseArgs),
}

/// How many differing cells are named.
const SHOWN: usize = 10;

pub async fn run(args: StatsArgs) -> anyhow::Result<()> {
    match args.command {
        StatsCommand::Verify(database) => verify(database).await,
        StatsCommand::Rebuild(database) => rebuild(database).await,
    }
}

async fn verify(database: DatabaseArgs) -> anyhow::Result<()> {
    let db = open_and_migrate(&database).await?;
    let spinner = ProgressBar::new_spinner();
    spinner.set_message("recomptage des statistiques depuis les faits…");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let found = rollup::verify(&db, SHOWN).await;
    spinner.finish_and_clear();
    db.close().await;
    let found = found?;
    if found.is_exact() {
        println!(
            "Statistiques exactes : {} cellules comparées, toutes égales au recomptage.",
            passerelle_domain::numbers::count(found.cells as u64)
        );
        return Ok(());
    }
    for difference in &found.first {
        eprintln!(
            "{} : publié {}, recompté {}",
            difference.cell, difference.stored, difference.recounted
        );
    }
    anyhow::bail!(
        "statistiques altérées — {} cellule(s) sur {} diffèrent du recomptage ; \
         `passerelle stats rebuild` les recompte depuis les faits",
        found.differing,
        found.cells
    )
}

async fn rebuild(database: DatabaseArgs) -> anyhow::Result<()> {
    let db = open_and_migrate(&database).await?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} postes recomptés ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let written = rollup::rebuild(&db, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await;
    bar.finish_and_clear();
    db.close().await;
    println!(
        "Statistiques recomptées depuis les faits : {} cellules écrites.",
        passerelle_domain::numbers::count(written? as u64)
    );
    Ok(())
}
