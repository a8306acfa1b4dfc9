//! `passerelle purge`: applies the retention rule now (the server also runs it daily).
//! A case whose last contact is older than the period loses every personal datum; the
//! counted facts stay for the statistics. `--dry-run` counts without changing anything.

use crate::config::{DatabaseArgs, open_and_migrate};
use crate::keyfile::{Missing, key_file_path, open_key_ring};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use passerelle_store::referral::retention::{PurgeReport, purge};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PurgeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Key file (default: passerelle.key in the data folder).
    #[arg(long, env = "PASSERELLE_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// Retention period in years after the last contact.
    #[arg(long, env = "PASSERELLE_RETENTION_YEARS", default_value_t = passerelle_domain::referral::case::RETENTION_YEARS)]
    pub years: u16,

    /// Count what would be purged; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub async fn run(args: PurgeArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.years >= 1, "--years : au moins 1 an de conservation");
    let key_file = key_file_path(args.key_file.as_deref(), &args.database);
    let db = open_and_migrate(&args.database).await?;
    let keys = open_key_ring(&db, &key_file, Missing::Refuse).await?;
    let db = db.with_journal_key(keys.journal_key());
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} dossier(s) anciens examinés ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let today = passerelle_web::http::clock::paris_today();
    let report = purge(&db, &keys, today, args.years, args.dry_run, &|n| {
        bar.set_position(n)
    })
    .await;
    bar.finish_and_clear();
    db.close().await;
    println!("{}", summary(&report?, args.dry_run));
    Ok(())
}

/// One French sentence for the operator.
pub fn summary(report: &PurgeReport, dry_run: bool) -> String {
    let verb = if dry_run {
        "seraient effacées"
    } else {
        "effacées"
    };
    format!(
        "{}Données personnelles {verb} : {} dossier(s), {} identité(s), {} note(s), {} rendez-vous.",
        if dry_run { "Simulation — " } else { "" },
        report.cases,
        report.persons,
        report.notes,
        report.appointments
    )
}
