//! The HTTP load client of the benchmarks: logged-in sessions (a worker's, a demo login's), a
//! timed login, and concurrent requests to one address counted into a throughput.

use anyhow::Context;
use passerelle_domain::ids::AccountId;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// One route's figures.
pub(crate) struct Throughput {
    pub requests: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

pub(crate) async fn load(
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
    // The load lasts `seconds` of real time: that is what is measured, not a wait for a result.
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

/// A session of the demo social worker, second factor done, acting with that role.
pub(crate) async fn worker_session(
    db: &passerelle_store::Db,
    plan: &passerelle_demo::DemoPlan,
) -> anyhow::Result<String> {
    role_session(
        db,
        plan,
        passerelle_domain::identity::role::Role::SocialWorker,
    )
    .await
}

/// A session of the demo account of `role`, second factor done, acting with that role.
pub(crate) async fn role_session(
    db: &passerelle_store::Db,
    plan: &passerelle_demo::DemoPlan,
    role: passerelle_domain::identity::role::Role,
) -> anyhow::Result<String> {
    use passerelle_store::identity::session;
    let login = plan
        .logins
        .iter()
        .find(|l| l.role == role)
        .with_context(|| format!("demo account of {}", role.code()))?;
    let role = passerelle_store::identity::account::roles_of(db, &AccountId::new(&login.id))
        .await?
        .into_iter()
        .next()
        .context("demo account's role")?;
    let mut connection = db.pool().acquire().await?;
    let token = session::create(
        &mut connection,
        Some(&login.id),
        None,
        &db.clock().now_text(),
    )
    .await?;
    let hash = session::token_hash(&token);
    session::mark_second_factor_done(&mut connection, &hash).await?;
    session::set_active_role(&mut connection, &hash, &role.id).await?;
    Ok(token)
}

/// A session of the demo officer (no second factor needed), opened directly in the store.
pub(crate) async fn demo_session(
    db: &passerelle_store::Db,
    plan: &passerelle_demo::DemoPlan,
) -> anyhow::Result<String> {
    let officer = plan
        .logins
        .iter()
        .find(|l| l.role == passerelle_domain::identity::role::Role::Officer)
        .ok_or_else(|| anyhow::anyhow!("no demo officer"))?;
    let mut connection = db.pool().acquire().await?;
    Ok(passerelle_store::identity::session::create(
        &mut connection,
        Some(&officer.id),
        None,
        &db.clock().now_text(),
    )
    .await?)
}

/// Sequential logins with the right password: (p50 ms, p99 ms, count).
pub(crate) async fn login_latency(
    base: &str,
    plan: &passerelle_demo::DemoPlan,
    keys: &passerelle_store::seal::KeyRing,
    count: usize,
) -> anyhow::Result<(f64, f64, usize)> {
    let officer = plan
        .logins
        .iter()
        .find(|l| l.role == passerelle_domain::identity::role::Role::Officer)
        .ok_or_else(|| anyhow::anyhow!("no demo officer"))?;
    let cookie = "0".repeat(64);
    // The login form's token is bound to the browser's anti-forgery cookie.
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        axum::http::header::COOKIE,
        format!("passerelle_csrf={cookie}").parse()?,
    );
    let token = passerelle_web::http::auth::form_token(keys, &headers)
        .ok_or_else(|| anyhow::anyhow!("no anti-forgery token"))?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut latencies = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let response = client
            .post(format!("{base}/connexion"))
            .header(reqwest::header::COOKIE, format!("passerelle_csrf={cookie}"))
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
