//! `passerelle-bench bench-journal`: the journal pages over millions of rows. Writes the demo,
//! then `rows` journal rows generated in SQL (a recursive CTE on SQLite, `generate_series` on
//! PostgreSQL: a few minutes instead of hours of one-by-one appends), then measures pages of
//! the security journal as the administrator, one request at a time, through HTTP: the first
//! page, a page filtered on one account, a page filtered on an action and dates, and a deep
//! page (keyset bound near the oldest rows). Figures go to docs/benchmarks.md.
//!
//! The generated rows carry placeholder links: this database is thrown away, its chain is
//! never verified. Their mix: 70 % reads of personal data, 10 % writes, 20 % security events
//! (logins, failures), 2,000 accounts acting (the demo social worker among them), one row
//! every 30 seconds from 2021 on.

use anyhow::Context;
use clap::Args;
use passerelle_demo::progress::seed_demo;
use passerelle_domain::identity::role::Role;
use passerelle_store::db::Backend;
use std::time::Instant;

use crate::bench::serve_in_process;
use crate::load_client::role_session;

#[derive(Args, Debug)]
pub struct BenchJournalArgs {
    /// Database to measure on (default: a fresh SQLite file in a temporary folder).
    #[arg(long, env = "PASSERELLE_BENCH_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Journal rows to generate.
    #[arg(long, default_value_t = 5_000_000)]
    pub rows: i64,

    /// Requests per measured page.
    #[arg(long, default_value_t = 300)]
    pub requests: usize,
}

/// Rows generated per statement (one transaction each).
const BATCH: i64 = 250_000;
/// 2021-01-01T00:00:00Z.
const FIRST_INSTANT: i64 = 1_609_459_200;

pub async fn run(args: BenchJournalArgs) -> anyhow::Result<()> {
    let folder = tempfile::Builder::new()
        .prefix("passerelle-bench-journal-")
        .tempdir()?;
    let db = match &args.database_url {
        Some(url) => passerelle_store::Db::connect(url, 8).await?,
        None => passerelle_store::Db::open_sqlite_in(folder.path()).await?,
    };
    db.migrate().await?;
    let referentials = passerelle_store::registry::territory::Referentials::embedded()?;
    passerelle_store::registry::territory::load_referentials(&db, &referentials).await?;
    if passerelle_store::registry::post::count_all(&db).await? > 0 {
        anyhow::bail!("la base de mesure doit être vide (la démonstration y est écrite)");
    }
    let (plan, _) = seed_demo(&db, 2020, false).await?;
    let worker = plan
        .logins
        .iter()
        .find(|login| login.role == Role::SocialWorker)
        .context("demo social worker")?
        .clone();

    let started = Instant::now();
    let (first_seq,): (i64,) = sqlx::query_as("SELECT seq FROM journal_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    let mut written = 0;
    while written < args.rows {
        let count = BATCH.min(args.rows - written);
        generate(&db, first_seq + written, count, &worker.id).await?;
        written += count;
        eprintln!("journal : {written} lignes écrites");
    }
    let last_seq = first_seq + written;
    sqlx::query("UPDATE journal_head SET seq = $1 WHERE id = 1")
        .bind(last_seq)
        .execute(db.pool())
        .await?;
    sqlx::query("ANALYZE").execute(db.pool()).await?;
    let generation = started.elapsed();

    let keys =
        passerelle_store::seal::KeyRing::generate_file(&folder.path().join("passerelle.key"))?;
    let db = db.with_journal_key(keys.journal_key());
    let state = passerelle_web::AppState::new(db.clone(), passerelle_web::Config::default(), keys);
    let app = passerelle_web::router_with(passerelle_web::routes(), state);
    let (base, server) = serve_in_process(app).await?;
    let cookie = format!(
        "passerelle_session={}",
        role_session(&db, &plan, Role::Admin).await?
    );
    let pages = [
        ("première page", "/journal/securite".to_string()),
        (
            "filtrée sur un compte",
            format!("/journal/securite?qui={}", worker.email),
        ),
        (
            "filtrée sur un événement et un mois",
            "/journal/securite?quoi=login.failed&du=01/03/2023&au=31/03/2023".to_string(),
        ),
        (
            "page profonde (les plus anciennes)",
            format!("/journal/securite?avant={}", first_seq + 2_000),
        ),
    ];
    println!(
        "Journal : {} lignes générées en {:.1} s ({}), {} requêtes par page",
        written,
        generation.as_secs_f64(),
        db.backend().name(),
        args.requests
    );
    for (name, path) in pages {
        let (p50, p99) = page_latency(&format!("{base}{path}"), &cookie, args.requests).await?;
        println!("  {name:<40} p50 {p50:>6.2} ms   p99 {p99:>6.2} ms   ({path})");
    }
    server.abort();
    Ok(())
}

/// Writes `count` rows after `after` in one statement.
async fn generate(
    db: &passerelle_store::Db,
    after: i64,
    count: i64,
    worker: &str,
) -> anyhow::Result<()> {
    // n runs over after+1 ..= after+count; every value below derives from it.
    let (numbers, instant) = match db.backend() {
        Backend::Sqlite => (
            "WITH RECURSIVE numbers(n) AS (SELECT $1 + 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < $1 + $2)",
            "strftime('%Y-%m-%dT%H:%M:%S', $3 + n * 30, 'unixepoch') || '.000000Z'",
        ),
        Backend::Postgres => (
            "WITH numbers(n) AS (SELECT generate_series($1 + 1, $1 + $2))",
            "to_char(to_timestamp($3 + n * 30) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '.000000Z'",
        ),
    };
    let sql = format!(
        "{numbers} INSERT INTO journal (seq, at, actor_account_id, actor_role, action, target_kind, \
         target_id, scope_post_id, scope_employer_id, scope_departement, detail, ip, previous_hash, hash) \
         SELECT n, {instant}, \
         CASE WHEN n % 1999 = 0 THEN $4 ELSE 'bench-account-' || CAST(n % 1999 AS TEXT) END, \
         'social_worker', \
         CASE n % 10 WHEN 7 THEN 'personal_data.written' WHEN 8 THEN 'login.succeeded' \
              WHEN 9 THEN 'login.failed' ELSE 'personal_data.read' END, \
         'case', 'bench-case-' || CAST(n % 100000 AS TEXT), \
         'bench-post-' || CAST(n % 600 AS TEXT), 'bench-employer-' || CAST(n % 300 AS TEXT), \
         NULL, 'dossier consulté', '127.0.0.1', 'bench', 'bench' FROM numbers"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(after)
        .bind(count)
        .bind(FIRST_INSTANT)
        .bind(worker)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Latencies of `count` GET requests with `cookie`, one at a time: (p50 ms, p99 ms).
async fn page_latency(url: &str, cookie: &str, count: usize) -> anyhow::Result<(f64, f64)> {
    let client = reqwest::Client::new();
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let response = client.get(url).header("cookie", cookie).send().await?;
        anyhow::ensure!(
            response.status().is_success(),
            "{url} : {}",
            response.status()
        );
        let body = response.text().await?;
        anyhow::ensure!(body.contains("<tbody>"), "{url} : pas de tableau");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Ok((at(0.5), at(0.99)))
}
