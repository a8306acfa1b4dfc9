//! `passerelle bench`: throughput ratios measured in one run, on the same server and client,
//! so that the machine's speed cancels out. Not a test: it prints figures to record in
//! docs/benchmarks.md.

use crate::demo::seed_demo;
use anyhow::Context;
use axum::Router;
use axum::routing::get;
use clap::Args;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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
}

/// One route's figures.
struct Throughput {
    requests: u64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

async fn load(
    url: &str,
    seconds: u64,
    connections: usize,
    cookie: Option<&str>,
) -> anyhow::Result<Throughput> {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(cookie) = cookie {
        headers.insert(
            reqwest::header::COOKIE,
            reqwest::header::HeaderValue::from_str(cookie)?,
        );
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()?;
    // Warm up: connections, caches, prepared statements.
    for _ in 0..connections {
        client
            .get(url)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let client = client.clone();
        let url = url.to_string();
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let sent = Instant::now();
                let response = client.get(&url).send().await?.error_for_status()?;
                response.bytes().await?;
                latencies.push(sent.elapsed());
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let percentile = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p) as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Ok(Throughput {
        requests: latencies.len() as u64,
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: percentile(0.5),
        p99_ms: percentile(0.99),
    })
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
    let referentials = passerelle_store::referential::Referentials::embedded()?;
    let started = Instant::now();
    let referential_rows =
        passerelle_store::referential::load_referentials(&db, &referentials).await?;
    let referential_duration = started.elapsed();

    // Demo generation speed: the bulk insertion of the whole demo in one transaction.
    if passerelle_store::post::count_all(&db).await? > 0 {
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
    let state = passerelle_web::AppState::new(db.clone(), passerelle_web::Config::default(), keys);
    let app = passerelle_web::router_with(passerelle_web::routes().merge(hello), state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let base = format!("http://{address}");
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
    let login = login_latency(&base, &plan, 30).await?;

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
    server.abort();

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
    db.close().await;
    Ok(())
}

/// The demo officer's unit: the demo gives every filled post a weekly schedule there.
fn demo_scheduled_unit(plan: &passerelle_store::demo::DemoPlan) -> anyhow::Result<String> {
    plan.logins
        .iter()
        .find(|l| l.role == passerelle_domain::role::Role::Officer)
        .and_then(|l| l.scope_id.clone())
        .context("demo officer")
}

/// Latencies of `count` GET requests sent one after the other: (p50 ms, p99 ms, count).
async fn sequential_latency(url: &str, count: usize) -> anyhow::Result<(f64, f64, usize)> {
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

/// A session of the demo officer (no second factor needed), opened directly in the store.
async fn demo_session(
    db: &passerelle_store::Db,
    plan: &passerelle_store::demo::DemoPlan,
) -> anyhow::Result<String> {
    let officer = plan
        .logins
        .iter()
        .find(|l| l.role == passerelle_domain::role::Role::Officer)
        .ok_or_else(|| anyhow::anyhow!("no demo officer"))?;
    let mut connection = db.pool().acquire().await?;
    Ok(passerelle_store::session::create(&mut connection, Some(&officer.id), None).await?)
}

/// Sequential logins with the right password: (p50 ms, p99 ms, count).
async fn login_latency(
    base: &str,
    plan: &passerelle_store::demo::DemoPlan,
    count: usize,
) -> anyhow::Result<(f64, f64, usize)> {
    let officer = plan
        .logins
        .iter()
        .find(|l| l.role == passerelle_domain::role::Role::Officer)
        .ok_or_else(|| anyhow::anyhow!("no demo officer"))?;
    let token = "0".repeat(64);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut latencies = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let response = client
            .post(format!("{base}/connexion"))
            .header(reqwest::header::COOKIE, format!("passerelle_csrf={token}"))
            .form(&[
                ("email", officer.email.as_str()),
                ("password", officer.password.as_str()),
                ("csrf", token.as_str()),
            ])
            .send()
            .await?;
        anyhow::ensure!(
            response.status() == reqwest::StatusCode::SEE_OTHER,
            "login refused: {}",
            response.status()
        );
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    let at = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    Ok((at(0.5), at(0.99), count))
}
