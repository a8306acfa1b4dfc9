//! `passerelle-bench bench`: throughput ratios measured in one run, on the same server and client,
//! so that the machine's speed cancels out. Not a test: it prints figures to record in
//! docs/benchmarks.md.

use anyhow::Context;
use axum::Router;
use axum::routing::get;
use clap::Args;
use passerelle_demo::progress::seed_demo;
use passerelle_domain::ids::PostId;
use std::time::{Duration, Instant};

use crate::load_client::{demo_session, load, login_latency, worker_session};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Database to measure on (default: a fresh SQLite file in a temporary folder).
    #[arg(long, env = "PASSERELLE_BENCH_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Seconds of load per measured route.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,

    /// Concurrent client connections.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,

    /// Persons written for the duplicate-search measure, spread over every post (the
    /// national order of magnitude after ten years); 0 skips it.
    #[arg(long, default_value_t = 1_500_000)]
    pub persons: usize,

    /// Years of the demo social worker's case activity behind the case-list measure.
    #[arg(long, default_value_t = 10)]
    pub case_years: u32,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let folder = tempfile::Builder::new()
        .prefix("passerelle-bench-")
        .tempdir()?;
    let db = match &args.database_url {
        Some(url) => passerelle_store::Db::connect(url, 16).await?,
        None => passerelle_store::Db::open_sqlite_in(folder.path()).await?,
    };
    db.migrate().await?;
    let backend = db.backend().name();

    // Referentials: 35,000 communes and the départements, in one transaction.
    let referentials = passerelle_store::registry::territory::Referentials::embedded()?;
    let started = Instant::now();
    let referential_rows =
        passerelle_store::registry::territory::load_referentials(&db, &referentials).await?;
    let referential_duration = started.elapsed();

    // Demo generation speed: the bulk insertion of the whole demo in one transaction.
    if passerelle_store::registry::post::count_all(&db).await? > 0 {
        anyhow::bail!(
            "la base de mesure doit être vide (les données de démonstration y sont écrites)"
        );
    }
    let (plan, report) = seed_demo(&db, 2020, false).await?;
    let rows_per_second = report.rows as f64 / report.insert_duration.as_secs_f64();

    // Throughput: the real home page vs a hello-world route, behind the same layers.
    let hello: Router<passerelle_web::AppState> =
        Router::new().route("/bench/hello", get(|| async { "Hello, world!" }));
    let keys =
        passerelle_store::seal::KeyRing::generate_file(&folder.path().join("passerelle.key"))?;
    let db = db.with_journal_key(keys.journal_key());
    let state = passerelle_web::AppState::new(db.clone(), passerelle_web::Config::default(), keys);
    let state_keys = state.keys.clone();
    passerelle_web::referral::case_list_copies::watch(&state);
    // The same server without copies of case lists: every list read from the database.
    let unkept = state.reconfigured(passerelle_web::Config {
        case_lists_polled_every: Duration::ZERO,
        ..passerelle_web::Config::default()
    });
    let app = passerelle_web::router_with(passerelle_web::routes().merge(hello.clone()), state);
    let (base, server) = serve_in_process(app).await?;
    let unkept_app = passerelle_web::router_with(passerelle_web::routes().merge(hello), unkept);
    let (unkept_base, unkept_server) = serve_in_process(unkept_app).await?;
    let hello = load(
        &format!("{base}/bench/hello"),
        args.seconds,
        args.connections,
        None,
    )
    .await?;
    let home = load(&format!("{base}/"), args.seconds, args.connections, None).await?;

    // Authentication: a page that loads the session, account and roles vs a public page of
    // the same size; and the login itself (Argon2id verification), one at a time.
    let cookie = format!("passerelle_session={}", demo_session(&db, &plan).await?);
    let public_page = load(
        &format!("{base}/connexion"),
        args.seconds,
        args.connections,
        None,
    )
    .await?;
    let signed_in_page = load(
        &format!("{base}/compte/sans-role"),
        args.seconds,
        args.connections,
        Some(&cookie),
    )
    .await?;
    let login = login_latency(&base, &plan, &state_keys, 30).await?;

    // Presence: a unit's public page (the poster's QR code leads there) and its A4 poster.
    let unit = demo_scheduled_unit(&plan)?;
    let unit_page = load(
        &format!("{base}/presence/unites/{unit}"),
        args.seconds,
        args.connections,
        None,
    )
    .await?;
    let poster =
        sequential_latency(&format!("{base}/presence/unites/{unit}/affiche.pdf"), 20).await?;

    // Cases: the social worker's case list (a page of 50) over years of their post's
    // activity, at 64 connections, against the hello-world route at the same load.
    let worker_cookie = format!("passerelle_session={}", worker_session(&db, &plan).await?);
    let worker_post = plan
        .logins
        .iter()
        .find(|l| l.role == passerelle_domain::identity::role::Role::SocialWorker)
        .and_then(|l| l.scope_id.clone())
        .context("demo social worker")?;
    let mut one_post = plan.clone();
    one_post.posts.retain(|p| p.id == worker_post);
    let activity = passerelle_demo::activity::insert_activity(
        &db,
        &state_keys,
        &one_post,
        passerelle_web::http::clock::paris_today(),
        args.case_years * 12,
        &|_| {},
    )
    .await?;
    let hello_64 = load(&format!("{base}/bench/hello"), args.seconds, 64, None).await?;
    let list_url = "/dossiers?statut=tous";
    let case_list = load(
        &format!("{base}{list_url}"),
        args.seconds,
        64,
        Some(&worker_cookie),
    )
    .await?;
    // Every list read from the database (the first read after a write).
    let case_list_read = load(
        &format!("{unkept_base}{list_url}"),
        args.seconds,
        64,
        Some(&worker_cookie),
    )
    .await?;
    // While the post's cases change ten times a second (as if on another server: seen at
    // the next poll of the read stamps), far more than a post's social workers write.
    let writer = tokio::spawn(change_cases_repeatedly(db.clone(), worker_post.clone()));
    let case_list_written = load(
        &format!("{base}{list_url}"),
        args.seconds,
        64,
        Some(&worker_cookie),
    )
    .await?;
    if writer.is_finished() {
        // It stopped on an error: the measure above had no writes.
        writer.await??;
        anyhow::bail!("the cases stopped changing during the measure");
    }
    writer.abort();
    // The national report: the public observatory page, which reads the nation's rollups for
    // the year (every table of the dashboard), against counting the same facts again by
    // scanning every case and its work (what a report without rollups would do).
    let observatory = sequential_latency(&format!("{base}/observatoire"), 50).await?;
    let scan_started = Instant::now();
    let scans = 5;
    for _ in 0..scans {
        passerelle_store::statistics::rollup::recompute(&db).await?;
    }
    let scan_ms = scan_started.elapsed().as_secs_f64() * 1000.0 / f64::from(scans);
    server.abort();
    unkept_server.abort();

    // Duplicate search: the blind-indexed fuzzy search over a national population.
    let search = if args.persons > 0 {
        Some(person_search(&db, &state_keys, &plan, args.persons).await?)
    } else {
        None
    };

    println!(
        "Passerelle bench — backend {backend}, {} connexions, {} s par route",
        args.connections, args.seconds
    );
    println!(
        "  referentials        : {referential_rows} rows in {:.1} ms = {:.0} rows/s",
        referential_duration.as_secs_f64() * 1000.0,
        referential_rows as f64 / referential_duration.as_secs_f64()
    );
    println!(
        "  demo insertion      : {} rows in {:.1} ms = {:.0} rows/s (goal ≥ 200000 on SQLite)",
        report.rows,
        report.insert_duration.as_secs_f64() * 1000.0,
        rows_per_second
    );
    for (name, figures) in [("hello-world route", &hello), ("home page /", &home)] {
        println!(
            "  {name:<19} : {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  ({} requests)",
            figures.per_second, figures.p50_ms, figures.p99_ms, figures.requests
        );
    }
    println!(
        "  ratio home / hello  : {:.2} (goal ≥ 0.30)",
        home.per_second / hello.per_second
    );
    for (name, figures) in [
        ("public /connexion", &public_page),
        ("signed-in page", &signed_in_page),
    ] {
        println!(
            "  {name:<19} : {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  ({} requests)",
            figures.per_second, figures.p50_ms, figures.p99_ms, figures.requests
        );
    }
    println!(
        "  ratio signed-in / public : {:.2}",
        signed_in_page.per_second / public_page.per_second
    );
    println!(
        "  login (POST /connexion, Argon2id) : p50 {:.1} ms  p99 {:.1} ms  over {} logins",
        login.0, login.1, login.2
    );
    println!(
        "  unit presence page  : {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  ({} requests)",
        unit_page.per_second, unit_page.p50_ms, unit_page.p99_ms, unit_page.requests
    );
    println!(
        "  ratio unit page / hello : {:.2}",
        unit_page.per_second / hello.per_second
    );
    println!(
        "  poster PDF (typst, A4, one at a time) : p50 {:.1} ms  p99 {:.1} ms  over {} posters",
        poster.0, poster.1, poster.2
    );
    println!(
        "  case list (50 of {} cases, 64 connexions) : {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  ({} requests)",
        activity.cases,
        case_list.per_second,
        case_list.p50_ms,
        case_list.p99_ms,
        case_list.requests
    );
    println!(
        "  hello at 64 connexions : {:>8.0} req/s; ratio case list / hello : {:.2} (goal ≥ 0.25, p99 ≤ 25 ms)",
        hello_64.per_second,
        case_list.per_second / hello_64.per_second
    );
    for (name, figures) in [
        ("read from the database every time", &case_list_read),
        (
            "while its cases change 10 times a second",
            &case_list_written,
        ),
    ] {
        println!(
            "  case list {name} : {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  = {:.2} × hello",
            figures.per_second,
            figures.p50_ms,
            figures.p99_ms,
            figures.per_second / hello_64.per_second
        );
    }
    println!(
        "  national report (/observatoire, rollups) : p50 {:.2} ms  p99 {:.2} ms over {} pages (goal ≤ 50 ms); the same facts scanned again : {scan_ms:.1} ms = {:.0} × the report",
        observatory.0,
        observatory.1,
        observatory.2,
        scan_ms / observatory.0
    );
    if let Some((p50, p99, queries, persons, candidates)) = search {
        println!(
            "  person search over {persons} persons : p50 {p50:.2} ms  p99 {p99:.2} ms  over {queries} searches, {candidates:.1} results on average (goal p99 ≤ 20 ms)"
        );
    }
    db.close().await;
    Ok(())
}

/// Changes one of the post's open cases ten times a second, as another server would (the
/// read-stamp triggers move; this server sees it at its next poll), until aborted.
async fn change_cases_repeatedly(db: passerelle_store::Db, post_id: String) -> anyhow::Result<()> {
    let (case_id,): (String,) = sqlx::query_as(
        "SELECT id FROM cases WHERE post_id = $1 AND status <> 'closed' ORDER BY id LIMIT 1",
    )
    .bind(&post_id)
    .fetch_one(db.pool())
    .await?;
    let mut ticks = tokio::time::interval(Duration::from_millis(100));
    for day in (1..=28).cycle() {
        ticks.tick().await;
        sqlx::query("UPDATE cases SET next_step_on = $1 WHERE id = $2")
            .bind(format!("2026-12-{day:02}"))
            .bind(&case_id)
            .execute(db.pool())
            .await?;
    }
    Ok(())
}

/// Writes `total` persons over every post, then searches one post for 1,000 of its persons
/// typed with a typo, no accents or swapped day and month, one at a time:
/// (p50 ms, p99 ms, searches, persons, candidates scored on average).
async fn person_search(
    db: &passerelle_store::Db,
    keys: &passerelle_store::seal::KeyRing,
    plan: &passerelle_demo::DemoPlan,
    total: usize,
) -> anyhow::Result<(f64, f64, usize, usize, f64)> {
    use passerelle_domain::referral::person_name::PersonKey;
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} personnes ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("Population de recherche");
    let posts: Vec<String> = plan.posts.iter().map(|p| p.id.clone()).collect();
    let identities =
        passerelle_demo::activity::insert_person_population(db, keys, &posts, total, 7, &|n| {
            bar.set_position(n)
        })
        .await?;
    bar.finish_and_clear();
    let mut latencies = Vec::new();
    let mut scored = 0usize;
    for (n, identity) in identities.iter().cycle().take(1_000).enumerate() {
        let mut last_name = identity.last_name.clone().unwrap_or_default();
        let first_names = identity.first_names.clone().unwrap_or_default();
        let mut birth_date = identity.birth_date;
        match n % 3 {
            // A letter doubled, accents dropped, or day and month swapped.
            0 => last_name.insert(last_name.len().min(2), 'l'),
            1 => last_name = passerelle_domain::referral::person_name::normalise(&last_name),
            _ => {
                birth_date = birth_date
                    .and_then(|d| {
                        let month = time::Month::try_from(d.day()).ok()?;
                        time::Date::from_calendar_date(d.year(), month, u8::from(d.month())).ok()
                    })
                    .or(birth_date)
            }
        }
        let query = PersonKey {
            last_name,
            birth_name: None,
            first_names,
            birth_date,
        };
        let started = Instant::now();
        // As the web does: each search is a journaled read.
        let read = passerelle_store::journal::read::Read::Entry(
            passerelle_store::journal::Entry::new(
                passerelle_domain::journal::JournalAction::PersonalDataRead,
            )
            .detail("recherche de personnes (banc d'essai)")
            .in_post(Some(&posts[0])),
        );
        let found = passerelle_store::referral::person::search(
            db,
            keys,
            &PostId::new(&posts[0]),
            &query,
            8,
            read,
        )
        .await?;
        latencies.push(started.elapsed());
        scored += found.len();
    }
    latencies.sort();
    let percentile =
        |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize].as_secs_f64() * 1000.0;
    Ok((
        percentile(0.5),
        percentile(0.99),
        latencies.len(),
        total,
        scored as f64 / latencies.len() as f64,
    ))
}

/// The demo officer's unit: the demo gives every filled post a weekly schedule there.
fn demo_scheduled_unit(plan: &passerelle_demo::DemoPlan) -> anyhow::Result<String> {
    plan.logins
        .iter()
        .find(|l| l.role == passerelle_domain::identity::role::Role::Officer)
        .and_then(|l| l.scope_id.clone())
        .context("demo officer")
}

/// Latencies of `count` GET requests sent one after the other: (p50 ms, p99 ms, count).
/// Serves `app` on a free local port in this process: its base URL and the server's task.
pub(crate) async fn serve_in_process(
    app: Router,
) -> anyhow::Result<(String, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    Ok((format!("http://{address}"), server))
}

pub(crate) async fn sequential_latency(
    url: &str,
    count: usize,
) -> anyhow::Result<(f64, f64, usize)> {
    let client = reqwest::Client::new();
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let response = client.get(url).send().await?;
        anyhow::ensure!(
            response.status().is_success(),
            "{url} : {}",
            response.status()
        );
        response.bytes().await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Ok((at(0.5), at(0.99), count))
}
