//! `passerelle rekey`: re-seals every sealed value under the newest key of the key file,
//! in batches, with progress. Run it after adding a key (`--new-key` does both).

use crate::config::{DatabaseArgs, open_and_migrate};
use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use passerelle_store::seal::{KeyRing, rekey_all};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct RekeyArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Key file (default: passerelle.key in the data folder).
    #[arg(long, env = "PASSERELLE_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// Rows re-sealed per transaction.
    #[arg(long, default_value_t = 500)]
    pub batch: usize,

    /// First append a fresh key to the key file; it becomes the sealing key.
    #[arg(long)]
    pub new_key: bool,
}

pub async fn run(args: RekeyArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.batch > 0, "--batch : au moins 1 ligne par lot");
    let db = open_and_migrate(&args.database).await?;
    let key_file = args
        .key_file
        .clone()
        .unwrap_or_else(|| args.database.data_dir().join("passerelle.key"));
    let ring = if args.new_key {
        KeyRing::add_key(&key_file)
    } else {
        KeyRing::load(&key_file)
    }
    .with_context(|| format!("fichier de clés {}", key_file.display()))?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} valeurs rescellées")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let resealed = rekey_all(&db, &ring, args.batch, &|count| bar.set_position(count)).await?;
    bar.finish_and_clear();
    db.close().await;
    println!(
        "{resealed} valeur(s) rescellée(s) avec la clé « {} ».",
        ring.current_key_id()
    );
    Ok(())
}
