//! `passerelle rekey`: re-seals every sealed value under the newest key of the key file,
//! in batches, with progress, and links the journal's next rows with that key's journal key
//! (a journal row records the change; older rows keep verifying with the older keys, which
//! stay in the file). Run it after adding a key (`--new-key` does both).

use crate::config::{DatabaseArgs, open_and_migrate};
use crate::keyfile::{Missing, key_file_path, open_key_ring};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use passerelle_store::seal::{KeyRing, count_all_sealed, rekey_all};
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

    /// First append a fresh key to the key file; it becomes the sealing key. App servers
    /// must then be restarted with the new file, or they cannot open the re-sealed values.
    #[arg(long)]
    pub new_key: bool,
}

pub async fn run(args: RekeyArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.batch > 0, "--batch : au moins 1 ligne par lot");
    let key_file = key_file_path(args.key_file.as_deref(), &args.database);
    let db = open_and_migrate(&args.database).await?;
    // Checked before a key is added: a key file that cannot open this database is not extended.
    let ring = open_key_ring(&db, &key_file, Missing::Refuse).await?;
    let ring = if args.new_key {
        let ring = KeyRing::add_key(&key_file)?;
        // Recorded before anything is sealed with it: other servers then refuse a file without it.
        passerelle_store::seal::key_guard::record(&db, &ring).await?;
        ring
    } else {
        ring
    };
    let db = db.with_journal_key(ring.journal_key());
    let key_change = passerelle_store::journal::record_key_change(&db).await;
    let bar = progress_bar(count_all_sealed(&db).await?);
    let resealed = rekey_all(&db, &ring, args.batch, &|examined| {
        bar.set_position(examined)
    })
    .await;
    bar.finish_and_clear();
    db.close().await;
    println!(
        "{} valeur(s) rescellée(s) avec la clé « {} ».",
        resealed?,
        ring.current_key_id()
    );
    if let Some(seq) = key_change? {
        println!(
            "Journal : les liens sont désormais signés avec la clé « {} » (changement noté \
             ligne {seq}) ; gardez les anciennes clés dans le fichier pour vérifier les lignes \
             antérieures.",
            ring.current_key_id()
        );
    }
    if args.new_key {
        println!(
            "Nouvelle clé ajoutée à {} : redémarrez les serveurs pour qu'ils l'utilisent, \
             et sauvegardez ce fichier.",
            key_file.display()
        );
    }
    Ok(())
}

/// A bar over the sealed values examined (hidden when stderr is not a terminal).
fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} valeurs scellées examinées ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
