//! `passerelle-bench bench-report`: the national annual report over years of national demo
//! activity (every filled post, 300 persons per full-time post and year), read from the
//! rollups, against DuckDB computing the same activity table by scanning the same facts
//! exported to Parquet. Run it with 1 and with 10 years: the report's time should not grow.

use crate::bench::{sequential_latency, serve_in_process};
use clap::Args;
use passerelle_demo::progress::seed_demo;
use passerelle_domain::statistics::{TOTAL, indicator};
use passerelle_store::Db;
use passerelle_store::statistics::rollup::{self, ReportScope};
use sqlx::Row;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

#[derive(Args)]
pub struct BenchReportArgs {
    /// Database to fill and measure (default: a fresh SQLite file in a temporary folder).
    #[arg(long, env = "PASSERELLE_BENCH_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Whole calendar years of national activity written before this one (and this year so
    /// far); the report is the last whole year's.
    #[arg(long, default_value_t = 10)]
    pub years: u32,

    /// Report pages requested, one at a time.
    #[arg(long, default_value_t = 50)]
    pub pages: usize,
}

/// The facts a report counts, as rows of the tables behind them.
async fn count_rows(db: &Db) -> anyhow::Result<(i64, i64)> {
    let mut events = 0;
    for table in [
        "cases",
        "case_persons",
        "case_status_history",
        "case_interviews",
        "case_actions",
        "case_orientations",
    ] {
        let (n,): (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(db.pool())
                .await?;
        events += n;
    }
    let (persons,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM persons")
        .fetch_one(db.pool())
        .await?;
    Ok((persons, events))
}

/// Writes one query's rows (text columns) as a CSV file with a header.
async fn export(db: &Db, sql: &'static str, columns: &[&str], file: &Path) -> anyhow::Result<()> {
    let mut writer =
        csv::Writer::from_writer(std::io::BufWriter::new(std::fs::File::create(file)?));
    writer.write_record(columns)?;
    for row in sqlx::query(sql).fetch_all(db.pool()).await? {
        let values: Vec<Option<String>> = (0..columns.len())
            .map(|i| row.try_get::<Option<String>, _>(i))
            .collect::<Result<_, _>>()?;
        writer.write_record(values.iter().map(|v| v.as_deref().unwrap_or("")))?;
    }
    writer.flush()?;
    Ok(())
}

/// The national activity table of `year` from the rollups: (indicator, month) → count.
async fn rollup_activity(db: &Db, year: i32) -> anyhow::Result<BTreeMap<(String, String), i64>> {
    let mut cells = BTreeMap::new();
    for code in [
        indicator::REFERRALS,
        indicator::CLOSURES,
        indicator::INTERVIEWS,
        indicator::ACTIONS,
        indicator::ORIENTATIONS,
    ] {
        let (first, last) = (format!("{year:04}-01"), format!("{year:04}-12"));
        for (month, _, n) in
            rollup::report(db, &ReportScope::Nation, code, TOTAL, &first, &last).await?
        {
            *cells.entry((code.to_string(), month)).or_insert(0) += n;
        }
    }
    Ok(cells)
}

pub async fn run(args: BenchReportArgs) -> anyhow::Result<()> {
    let folder = tempfile::Builder::new()
        .prefix("passerelle-bench-report-")
        .tempdir()?;
    let db = match &args.database_url {
        Some(url) => Db::connect(url, 16).await?,
        None => Db::open_sqlite_in(folder.path()).await?,
    };
    db.migrate().await?;
    let backend = db.backend().name();
    let referentials = passerelle_store::registry::territory::Referentials::embedded()?;
    passerelle_store::registry::territory::load_referentials(&db, &referentials).await?;
    anyhow::ensure!(
        passerelle_store::registry::post::count_all(&db).await? == 0,
        "la base de mesure doit être vide (les données de démonstration y sont écrites)"
    );
    let (plan, _) = seed_demo(&db, 2020, false).await?;
    let keys =
        passerelle_store::seal::KeyRing::generate_file(&folder.path().join("passerelle.key"))?;
    let db = db.with_journal_key(keys.journal_key());

    // The nation's activity over the years asked for, post by post.
    let bar = passerelle_demo::progress::activity_bar(
        plan.posts.len() as u64,
        format!("Activité nationale sur {} ans", args.years),
    );
    let written = Instant::now();
    let today = passerelle_web::http::clock::paris_today();
    // N whole calendar years before this one, and this year so far: the report's year (the
    // last whole one) is full whatever N.
    let months = args.years * 12 + u32::from(u8::from(today.month())) - 1;
    passerelle_demo::activity::insert_activity(
        &db,
        &keys,
        &plan,
        today,
        months,
        &passerelle_demo::progress::activity_progress(&bar),
    )
    .await?;
    bar.finish_and_clear();
    let written = written.elapsed();
    let (persons, events) = count_rows(&db).await?;

    // The report: the public observatory, every table of the nation for the last whole year.
    let year = today.year() - 1;
    let state = passerelle_web::AppState::new(db.clone(), passerelle_web::Config::default(), keys);
    let app = passerelle_web::router_with(passerelle_web::routes(), state);
    let (base, server) = serve_in_process(app).await?;
    let (p50, p99, pages) =
        sequential_latency(&format!("{base}/observatoire?annee={year}"), args.pages).await?;
    server.abort();

    // DuckDB: the same activity table, scanning the facts exported to Parquet.
    let exports = folder.path().join("facts");
    std::fs::create_dir_all(&exports)?;
    let exported = Instant::now();
    for (sql, columns, file) in [
        (
            "SELECT received_at, status, status_changed_at FROM cases",
            &["received_at", "status", "status_changed_at"][..],
            "cases.csv",
        ),
        (
            "SELECT held_on FROM case_interviews",
            &["held_on"][..],
            "interviews.csv",
        ),
        (
            "SELECT done_on FROM case_actions",
            &["done_on"][..],
            "actions.csv",
        ),
        (
            "SELECT proposed_on FROM case_orientations",
            &["proposed_on"][..],
            "orientations.csv",
        ),
    ] {
        export(&db, sql, columns, &exports.join(file)).await?;
    }
    let exported = exported.elapsed();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/duckdb_activity.py");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(&exports)
        .arg(year.to_string())
        .output()?;
    let duckdb: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(
        |_| serde_json::json!({ "error": String::from_utf8_lossy(&output.stderr).to_string() }),
    );
    let ours = rollup_activity(&db, year).await?;
    let theirs: BTreeMap<(String, String), i64> = duckdb["cells"]
        .as_array()
        .map(|cells| {
            cells
                .iter()
                .filter_map(|c| {
                    Some((
                        (c[0].as_str()?.to_string(), c[1].as_str()?.to_string()),
                        c[2].as_i64()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Passerelle bench-report — backend {backend}, {} ans d'activité nationale",
        args.years
    )?;
    writeln!(
        out,
        "  data              : {} posts, {persons} persons, {events} events (cases and their persons, statuses, interviews, actions, orientations), written in {:.1} s",
        plan.posts.len(),
        written.as_secs_f64()
    )?;
    writeln!(
        out,
        "  national report {year} (/observatoire, rollups) : p50 {p50:.2} ms  p99 {p99:.2} ms over {pages} pages (goal ≤ 50 ms)"
    )?;
    match duckdb["ms"].as_f64() {
        Some(ms) => writeln!(
            out,
            "  DuckDB {} over Parquet (activity table only, best of 3) : {ms:.1} ms = {:.1} × our report's p50; same counts as the rollups: {} (facts exported in {:.1} s)",
            duckdb["duckdb"].as_str().unwrap_or("?"),
            ms / p50,
            if theirs == ours { "yes" } else { "NO" },
            exported.as_secs_f64()
        )?,
        None => writeln!(
            out,
            "  DuckDB not measured: {}",
            duckdb["error"].as_str().unwrap_or("?")
        )?,
    }
    Ok(())
}
