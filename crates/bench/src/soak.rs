//! `passerelle-bench soak`: the production binary, started on a demo database, left idle (its
//! resident memory is read), then kept under a moderate mix of pages for minutes: every
//! answer must succeed and the memory must stay flat. Prints the figures docs/benchmarks.md
//! records; fails on the first wrong answer.

use anyhow::Context;
use clap::Args;
use passerelle_domain::identity::role::Role;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::load_client::role_session;

#[derive(Args, Debug)]
pub struct SoakArgs {
    /// The `passerelle` binary to run (the production build: --no-default-features, release).
    #[arg(long)]
    pub binary: PathBuf,

    /// Minutes of load after the idle reading.
    #[arg(long, default_value_t = 30)]
    pub minutes: u64,

    /// Requests a second, spread over the mix of pages (a busy département's hour is far less).
    #[arg(long, default_value_t = 20)]
    pub rate: u32,

    /// Months of demo case activity behind the pages.
    #[arg(long, default_value_t = 3)]
    pub months: u32,

    /// Seconds the server stays idle before its memory is read.
    #[arg(long, default_value_t = 20)]
    pub idle_seconds: u64,
}

/// The server, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Resident memory of a process, in MiB (Linux).
fn resident_mib(pid: u32) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmRSS")?;
    Ok(kib / 1024.0)
}

/// Writes the demo (registry, accounts, `months` of activity) into `folder`'s SQLite database
/// with its key file; returns the sessions of the roles the mix acts as.
async fn seed(folder: &Path, months: u32) -> anyhow::Result<Vec<(Role, String)>> {
    let db = passerelle_store::Db::open_sqlite_in(folder).await?;
    db.migrate().await?;
    let referentials = passerelle_store::registry::territory::Referentials::embedded()?;
    passerelle_store::registry::territory::load_referentials(&db, &referentials).await?;
    let keys = passerelle_store::seal::KeyRing::generate_file(&folder.join("passerelle.key"))?;
    let db = db.with_journal_key(keys.journal_key());
    let (plan, _) = passerelle_demo::progress::seed_demo(&db, 2020, true).await?;
    let bar = passerelle_demo::progress::activity_bar(plan.posts.len() as u64, "Activité");
    passerelle_demo::activity::insert_activity(
        &db,
        &keys,
        &plan,
        passerelle_web::http::clock::paris_today(),
        months,
        &passerelle_demo::progress::activity_progress(&bar),
    )
    .await?;
    bar.finish_and_clear();
    let mut sessions = Vec::new();
    for role in [
        Role::Officer,
        Role::SocialWorker,
        Role::National,
        Role::Employer,
    ] {
        sessions.push((role, role_session(&db, &plan, role).await?));
    }
    db.close().await;
    Ok(sessions)
}

/// Starts `binary serve` on `folder` on a free port; returns it and its address.
fn start(binary: &Path, folder: &Path) -> anyhow::Result<(Server, String)> {
    let mut child = Command::new(binary)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(folder)
        .env("PASSERELLE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("{} ne démarre pas", binary.display()))?;
    let stdout = child.stdout.take().context("stdout")?;
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines.next().context("le serveur s'est arrêté")??;
        if let Some(address) = line.strip_prefix("Passerelle écoute sur ") {
            break address.trim().to_string();
        }
    };
    // Keep reading what the server prints, so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Ok((server, address))
}

/// The pages of the mix: (session of this role or none, path).
fn mix() -> Vec<(Option<Role>, &'static str)> {
    vec![
        (None, "/"),
        (None, "/trouver?commune=la+meziere"),
        (None, "/observatoire"),
        (None, "/carte"),
        (Some(Role::Officer), "/"),
        (Some(Role::Officer), "/signalements"),
        (Some(Role::SocialWorker), "/aujourdhui"),
        (Some(Role::SocialWorker), "/dossiers"),
        (None, "/presence/departements/35"),
        (Some(Role::SocialWorker), "/rendez-vous"),
        (Some(Role::National), "/postes"),
        (Some(Role::National), "/statistiques"),
        (Some(Role::SocialWorker), "/journal/acces"),
        (Some(Role::National), "/pilotage"),
        (Some(Role::Employer), "/postes"),
        (None, "/healthz"),
    ]
}

pub async fn run(args: SoakArgs) -> anyhow::Result<()> {
    let folder = tempfile::Builder::new()
        .prefix("passerelle-soak-")
        .tempdir()?;
    let started = Instant::now();
    let sessions = seed(folder.path(), args.months).await?;
    println!(
        "Démo écrite en {:.0} s ({} mois d'activité).",
        started.elapsed().as_secs_f64(),
        args.months
    );
    let (server, base) = start(&args.binary, folder.path())?;
    let pid = server.0.id();
    // A page that leads elsewhere (the social worker's appointments to their post's day) is
    // followed, with the session cookie: the page reached must answer.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()?;
    client
        .get(format!("{base}/healthz"))
        .send()
        .await?
        .error_for_status()?;
    let after_start = resident_mib(pid)?;
    tokio::time::sleep(Duration::from_secs(args.idle_seconds)).await;
    let idle = resident_mib(pid)?;
    // Every page once, then idle again: what the first visits leave resident.
    let requests = mix();
    for (role, path) in &requests {
        get(&client, &base, &sessions, *role, path).await?;
    }
    tokio::time::sleep(Duration::from_secs(args.idle_seconds)).await;
    let idle_after_visits = resident_mib(pid)?;
    println!(
        "Mémoire résidente au repos : {after_start:.1} Mio au démarrage, {idle:.1} Mio après {} s, {idle_after_visits:.1} Mio après une visite de chaque page.",
        args.idle_seconds
    );

    let period = Duration::from_secs_f64(1.0 / f64::from(args.rate.max(1)));
    let end = Instant::now() + Duration::from_secs(args.minutes * 60);
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut minute_latencies: Vec<f64> = Vec::new();
    let mut all: Vec<f64> = Vec::new();
    let mut next_report = Instant::now() + Duration::from_secs(60);
    let mut memory = vec![idle_after_visits];
    let mut index = 0usize;
    let mut in_flight = tokio::task::JoinSet::new();
    println!("minute;requêtes;p50 ms;p99 ms;mémoire Mio");
    let mut minute = 0;
    while Instant::now() < end {
        ticker.tick().await;
        let (role, path) = requests[index % requests.len()];
        index += 1;
        let (client, base, sessions) = (client.clone(), base.clone(), sessions.clone());
        in_flight.spawn(async move {
            let sent = Instant::now();
            get(&client, &base, &sessions, role, path).await?;
            Ok::<_, anyhow::Error>(sent.elapsed().as_secs_f64() * 1000.0)
        });
        while let Some(done) = in_flight.try_join_next() {
            minute_latencies.push(done??);
        }
        if Instant::now() >= next_report {
            minute += 1;
            let rss = resident_mib(pid)?;
            memory.push(rss);
            let (p50, p99) = percentiles(&mut minute_latencies);
            println!(
                "{minute};{};{p50:.1};{p99:.1};{rss:.1}",
                minute_latencies.len()
            );
            all.append(&mut minute_latencies);
            next_report += Duration::from_secs(60);
        }
    }
    while let Some(done) = in_flight.join_next().await {
        all.push(done??);
    }
    all.append(&mut minute_latencies);
    let (p50, p99) = percentiles(&mut all);
    let last = resident_mib(pid)?;
    let peak = memory.iter().copied().fold(last, f64::max);
    println!(
        "Endurance : {} requêtes en {} min, 0 erreur, p50 {p50:.1} ms, p99 {p99:.1} ms ; mémoire {idle_after_visits:.1} → {last:.1} Mio (pic {peak:.1}).",
        all.len(),
        args.minutes
    );
    drop(server);
    Ok(())
}

/// One page, as `role` (or signed out): an error unless it answers 200.
async fn get(
    client: &reqwest::Client,
    base: &str,
    sessions: &[(Role, String)],
    role: Option<Role>,
    path: &str,
) -> anyhow::Result<()> {
    let mut request = client.get(format!("{base}{path}"));
    if let Some(role) = role {
        let token = sessions
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, token)| token)
            .context("session")?;
        request = request.header(
            reqwest::header::COOKIE,
            format!("passerelle_session={token}"),
        );
    }
    let response = request.send().await?;
    let status = response.status();
    response.bytes().await?;
    anyhow::ensure!(status.is_success(), "{path} ({role:?}) : {status}");
    Ok(())
}

/// (p50, p99) in ms of the latencies, sorted in place.
fn percentiles(latencies: &mut [f64]) -> (f64, f64) {
    latencies.sort_by(f64::total_cmp);
    let at = |p: f64| {
        latencies
            .get(((latencies.len().max(1) - 1) as f64 * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    (at(0.5), at(0.99))
}
