//! `passerelle-bench bench-import`: an XLSX of units at the import's bound (`MAX_LINES`, 20,000
//! lines; a tree of units, each in a real commune of its département) read and imported — the reading of
//! the workbook, the dry run the import page shows first, and the import written in one
//! transaction — on a fresh database. A file over the bound is refused before it is read.

use clap::Args;
use passerelle_store::Db;
use passerelle_store::registry::import::{ImportKind, import};
use passerelle_store::registry::territory::{Referentials, load_referentials};
use passerelle_store::spreadsheet::{MAX_LINES, read_table};
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct BenchImportArgs {
    /// Database to import into (default: a fresh SQLite file in a temporary folder).
    #[arg(long, env = "PASSERELLE_BENCH_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Lines of the workbook (at most the import's bound).
    #[arg(long, default_value_t = MAX_LINES)]
    pub rows: usize,
}

fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

pub async fn run(args: BenchImportArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=MAX_LINES).contains(&args.rows),
        "--rows : de 1 à {MAX_LINES} lignes (la limite d'un import)"
    );
    let referentials = Referentials::embedded()?;
    let communes = &referentials.communes;
    // Blocks of five lines, as the gendarmerie's tree is: a region, its groupement, a
    // compagnie, a communauté de brigades and one of its brigades, each attached to the line
    // above it, all in one commune.
    const TREE: [&str; 5] = [
        "region_gendarmerie",
        "groupement",
        "compagnie",
        "cob",
        "brigade_proximite",
    ];
    let rows: Vec<Vec<String>> = (0..args.rows)
        .map(|i| {
            let (block, level) = (i / TREE.len(), i % TREE.len());
            let commune = &communes[(block * 7919) % communes.len()];
            let name = |level: usize| format!("{} d'essai {block:05}", TREE[level]);
            vec![
                TREE[level].to_string(),
                name(level),
                commune.departement_code.to_string(),
                commune.code.to_string(),
                if level == 0 {
                    String::new()
                } else {
                    name(level - 1)
                },
            ]
        })
        .collect();
    let bytes = tokio::task::spawn_blocking(move || {
        passerelle_documents::text_workbook::text_table_xlsx(
            "Unités",
            &["type", "nom", "departement", "commune", "rattachement"],
            &rows,
            &[],
        )
    })
    .await??;

    let folder = tempfile::Builder::new()
        .prefix("passerelle-bench-")
        .tempdir()?;
    let db = match &args.database_url {
        Some(url) => Db::connect(url, 4).await?,
        None => Db::open_sqlite_in(folder.path()).await?,
    };
    db.migrate().await?;
    load_referentials(&db, &referentials).await?;
    let keys =
        passerelle_store::seal::KeyRing::generate_file(&folder.path().join("passerelle.key"))?;
    let db = db.with_journal_key(keys.journal_key());
    let today = time::OffsetDateTime::now_utc().date();

    let started = Instant::now();
    let size = bytes.len();
    let table = tokio::task::spawn_blocking(move || read_table("unites.xlsx", &bytes))
        .await?
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let reading = started.elapsed();
    let started = Instant::now();
    let dry = import(&db, ImportKind::Units, &table, true, "bench", today).await?;
    let dry_run = started.elapsed();
    anyhow::ensure!(
        dry.errors.is_empty(),
        "erreurs à l'essai : {:?}",
        &dry.errors[..dry.errors.len().min(3)]
    );
    let started = Instant::now();
    let written = import(&db, ImportKind::Units, &table, false, "bench", today).await?;
    let writing = started.elapsed();
    anyhow::ensure!(
        written.written && written.created == args.rows,
        "import incomplet"
    );
    println!(
        "bench-import ({}): {} lines, {:.2} MB XLSX — reading {}, dry run {}, import {}; reading + import {}",
        db.backend().name(),
        args.rows,
        size as f64 / 1e6,
        seconds(reading),
        seconds(dry_run),
        seconds(writing),
        seconds(reading + writing)
    );
    db.close().await;
    Ok(())
}
