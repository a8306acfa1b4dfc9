//! `passerelle demo` and `serve --demo`: fill an empty database with the deterministic
//! demonstration data. Compiled with the `demo` feature only: the production build
//! (`--no-default-features`) holds no demonstration code.

use crate::config::{DatabaseArgs, open_and_migrate};
use clap::Args;
use indicatif::ProgressBar;
use passerelle_demo::progress::seed_demo;
use passerelle_demo::progress::{activity_bar, activity_progress};
use passerelle_demo::{DemoLogin, DemoPlan};
use passerelle_store::Db;

#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Seed of the generator: the same seed always gives the same data.
    #[arg(long, env = "PASSERELLE_DEMO_SEED", default_value_t = 2020)]
    pub seed: u64,

    /// Months of case activity (referrals, persons, case work) for every filled post, up to
    /// today; 0 for the registry only.
    #[arg(long, env = "PASSERELLE_DEMO_MONTHS", default_value_t = DEFAULT_ACTIVITY_MONTHS)]
    pub months: u32,

    /// Key file sealing the demo identities (default: passerelle.key in the data folder,
    /// created if missing).
    #[arg(long, env = "PASSERELLE_KEY_FILE")]
    pub key_file: Option<std::path::PathBuf>,
}

/// `serve --demo`'s options.
#[derive(Args, Debug)]
pub struct ServeDemoArgs {
    /// Start with demonstration data: a fresh SQLite database in a temporary folder (unless
    /// --data-dir or --database-url is given), filled if empty, and the demo logins printed.
    #[arg(long)]
    pub demo: bool,

    /// Months of case activity the demonstration writes for every filled post (0: none).
    #[arg(long, env = "PASSERELLE_DEMO_MONTHS", default_value_t = DEFAULT_ACTIVITY_MONTHS)]
    pub demo_months: u32,

    /// Seed of the demonstration data.
    #[arg(long, env = "PASSERELLE_DEMO_SEED", default_value_t = 2020)]
    pub demo_seed: u64,
}

/// Fills the database `serve --demo` starts on, unless it already holds posts.
pub async fn seed_for_serve(
    db: &Db,
    key_file: &std::path::Path,
    args: &ServeDemoArgs,
) -> anyhow::Result<()> {
    if passerelle_store::registry::post::count_all(db).await? == 0 {
        let (plan, _) = seed_demo(db, args.demo_seed, true).await?;
        let keys = crate::keyfile::load_key_ring(key_file)?;
        seed_activity(db, &keys, &plan, args.demo_months, true).await?;
        seed_network(db, &plan).await?;
        print_logins(&plan.logins);
    } else {
        println!("La base contient déjà des données : démonstration non régénérée.");
    }
    Ok(())
}

/// Enough for a full inbox and a quarter of statistics, quick to write at start-up.
pub const DEFAULT_ACTIVITY_MONTHS: u32 = 3;

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let db = open_and_migrate(&args.database).await?;
    let key_file = crate::keyfile::key_file_path(args.key_file.as_deref(), &args.database);
    let keys =
        crate::keyfile::open_key_ring(&db, &key_file, crate::keyfile::Missing::CreateIfEmpty)
            .await?;
    let (plan, report) = seed_demo(&db, args.seed, true).await?;
    seed_activity(&db, &keys, &plan, args.months, true).await?;
    seed_network(&db.clone().with_journal_key(keys.journal_key()), &plan).await?;
    println!(
        "Données de démonstration écrites : {} lignes en {:.0} ms ({:.0} lignes/s).",
        report.rows,
        report.insert_duration.as_secs_f64() * 1000.0,
        report.rows as f64 / report.insert_duration.as_secs_f64().max(1e-9)
    );
    print_logins(&plan.logins);
    db.close().await;
    Ok(())
}

/// Publishes the network's demo announcements (the nation, each département, the employer);
/// `db` carries the journal key: each is journaled.
pub async fn seed_network(db: &Db, plan: &DemoPlan) -> anyhow::Result<()> {
    let today = passerelle_web::http::clock::paris_today();
    let written = passerelle_demo::network::insert_announcements(db, plan, today).await?;
    println!("Réseau de démonstration : {written} annonces.");
    Ok(())
}

/// Writes `months` of case activity for the demo's filled posts, with a progress bar.
pub async fn seed_activity(
    db: &Db,
    keys: &passerelle_store::seal::KeyRing,
    plan: &DemoPlan,
    months: u32,
    show_progress: bool,
) -> anyhow::Result<()> {
    if months == 0 {
        return Ok(());
    }
    let bar = if show_progress {
        activity_bar(plan.posts.len() as u64, "Activité")
    } else {
        ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let today = passerelle_web::http::clock::paris_today();
    let report = passerelle_demo::activity::insert_activity(
        db,
        keys,
        plan,
        today,
        months,
        &activity_progress(&bar),
    )
    .await?;
    bar.finish_and_clear();
    println!(
        "Activité de démonstration ({months} mois) : {} dossiers, {} personnes, {} lignes en {:.1} s.",
        report.cases,
        report.persons,
        report.rows,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn print_logins(logins: &[DemoLogin]) {
    println!("Comptes de démonstration (un par rôle) :");
    for login in logins {
        println!(
            "  {:<22} {:<36} mot de passe : {:<24} ({})",
            login.role.label(),
            login.email,
            login.password,
            login.scope_label
        );
    }
}
