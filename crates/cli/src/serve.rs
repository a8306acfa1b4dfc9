//! `passerelle serve`: migrations, optional demo data, then the web server until SIGTERM.

use crate::config::{DatabaseArgs, open_and_migrate};
use crate::demo::{print_logins, seed_activity, seed_demo, seed_network};
use crate::keyfile::{Missing, load_key_ring, open_key_ring};
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Address and port to listen on (port 0 picks a free port).
    #[arg(long, env = "PASSERELLE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Key file sealing sensitive fields. Default: passerelle.key in the data folder;
    /// created on first run — back it up: without it sealed data cannot be read.
    #[arg(long, env = "PASSERELLE_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    #[command(flatten)]
    pub journal_checkpoints: crate::audit::CheckpointFile,

    /// Start with demonstration data: a fresh SQLite database in a temporary folder (unless
    /// --data-dir or --database-url is given), filled if empty, and the demo logins printed.
    #[arg(long)]
    pub demo: bool,

    /// Months of case activity the demonstration writes for every filled post (0: none).
    #[arg(long, env = "PASSERELLE_DEMO_MONTHS", default_value_t = crate::demo::DEFAULT_ACTIVITY_MONTHS)]
    pub demo_months: u32,

    /// Seed of the demonstration data.
    #[arg(long, env = "PASSERELLE_DEMO_SEED", default_value_t = 2020)]
    pub demo_seed: u64,

    /// The address people reach Passerelle at (invitation links, OpenID Connect return).
    /// Default: http:// followed by the listening address.
    #[arg(long, env = "PASSERELLE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Served behind TLS: cookies over HTTPS only, named `__Host-…`, and HSTS (browsers
    /// never come back over plain HTTP).
    #[arg(long, env = "PASSERELLE_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Reverse proxies or load balancers whose forwarded client address is believed,
    /// comma-separated addresses or CIDR networks (e.g. 10.0.0.0/8,fd00::/8). Without it the
    /// client is the connection's peer and forwarding headers are ignored.
    #[arg(long, env = "PASSERELLE_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// The header the trusted proxies append the client's address to: x-forwarded-for or
    /// forwarded (RFC 7239). The other one is ignored: a client could have forged it.
    #[arg(
        long,
        env = "PASSERELLE_FORWARDED_HEADER",
        default_value = "x-forwarded-for"
    )]
    pub forwarded_header: passerelle_web::http::forwarded::ForwardedHeader,

    /// Serve /metrics on this separate address (keep it on a private network); it is never
    /// on the public listener without --metrics-token.
    #[arg(long, env = "PASSERELLE_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// Serve /metrics (on the public listener too) only to a scraper sending
    /// `Authorization: Bearer <token>`; 16 characters at least.
    #[arg(long, env = "PASSERELLE_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Coverage target: posts per département (map and steering).
    #[arg(long, env = "PASSERELLE_TARGET_PER_DEPARTEMENT", default_value_t = passerelle_domain::registry::coverage::DEFAULT_TARGET_PER_DEPARTEMENT)]
    pub target_per_departement: u64,

    /// Coverage target: posts in the nation (steering).
    #[arg(long, env = "PASSERELLE_NATIONAL_TARGET", default_value_t = passerelle_domain::registry::coverage::DEFAULT_NATIONAL_TARGET)]
    pub national_target: u64,

    /// Visio provider: the address of a room, with {salle} where the room's unguessable name goes.
    #[arg(long, env = "PASSERELLE_VISIO_URL_TEMPLATE", default_value = passerelle_web::DEFAULT_VISIO_URL_TEMPLATE)]
    pub visio_url_template: String,

    /// How often, in milliseconds, this server polls the read stamps to keep copies of case
    /// lists: a write made by another server or the command line shows in its lists within
    /// this time (one made here shows at once). 0: every list is read from the database.
    #[arg(long, env = "PASSERELLE_CASE_LIST_POLL_MS", default_value_t = 250)]
    pub case_list_poll_ms: u64,

    /// Days between two verifications of the published statistics against a recount of the
    /// facts (0: never); a difference is logged as an error and shown by the metrics.
    #[arg(long, env = "PASSERELLE_STATS_VERIFY_DAYS", default_value_t = 7)]
    pub stats_verify_days: u16,

    /// Folder of the daily encrypted backups (see `passerelle backup`); none without it.
    #[arg(long, env = "PASSERELLE_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,

    /// How many daily backups to keep in --backup-dir (0: all).
    #[arg(long, env = "PASSERELLE_BACKUP_KEEP", default_value_t = 14)]
    pub backup_keep: usize,

    /// Retention period in years after a case's last contact; the purge runs daily.
    #[arg(long, env = "PASSERELLE_RETENTION_YEARS", default_value_t = passerelle_domain::referral::case::RETENTION_YEARS)]
    pub retention_years: u16,

    /// The legal notice's publisher: the organisation running this installation, its address.
    #[arg(long, env = "PASSERELLE_LEGAL_PUBLISHER")]
    pub legal_publisher: Option<String>,

    /// The director of publication (a function is enough).
    #[arg(long, env = "PASSERELLE_LEGAL_DIRECTOR")]
    pub legal_director: Option<String>,

    /// The host of the servers, with its address.
    #[arg(long, env = "PASSERELLE_LEGAL_HOST")]
    pub legal_host: Option<String>,

    /// Where people write about the service (accessibility, questions): an e-mail address.
    #[arg(long, env = "PASSERELLE_LEGAL_CONTACT")]
    pub legal_contact: Option<String>,

    /// The data protection officer's contact (name or function, address, e-mail).
    #[arg(long, env = "PASSERELLE_DPO_CONTACT")]
    pub dpo_contact: Option<String>,

    /// Status e-mails to officers over SMTP, e.g. smtps://user:password@smtp.example.org:465
    /// or smtp://localhost:25. Without it (nor --mail-dir) they wait in the outbox.
    #[arg(
        long,
        env = "PASSERELLE_SMTP_URL",
        hide_env_values = true,
        conflicts_with = "mail_dir"
    )]
    pub smtp_url: Option<String>,

    /// Write the status e-mails as .eml files in this folder instead of sending them
    /// (with --demo: the folder "courriels" of the data folder, unless --smtp-url is given).
    #[arg(long, env = "PASSERELLE_MAIL_DIR")]
    pub mail_dir: Option<PathBuf>,

    /// Sender of the status e-mails.
    #[arg(
        long,
        env = "PASSERELLE_MAIL_FROM",
        default_value = "Passerelle <ne-pas-repondre@passerelle.invalid>"
    )]
    pub mail_from: String,

    /// Seconds between two reads of the outbox: an e-mail leaves within this time of the
    /// change it announces (at least 1).
    #[arg(long, env = "PASSERELLE_MAIL_INTERVAL_SECS", default_value_t = 15)]
    pub mail_interval_secs: u64,

    /// OpenID Connect issuer (ProConnect or compatible), e.g. https://auth.agentconnect.gouv.fr/api/v2
    #[arg(long, env = "PASSERELLE_OIDC_ISSUER", requires_all = ["oidc_client_id", "oidc_client_secret"])]
    pub oidc_issuer: Option<String>,

    /// OpenID Connect client id.
    #[arg(long, env = "PASSERELLE_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,

    /// OpenID Connect client secret.
    #[arg(long, env = "PASSERELLE_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
}

pub async fn run(mut args: ServeArgs) -> anyhow::Result<()> {
    // Kept alive until the server stops; removed on exit.
    let mut _temporary_data = None;
    if args.demo && args.database.data_dir.is_none() && args.database.database_url.is_none() {
        let folder = tempfile::Builder::new()
            .prefix("passerelle-demo-")
            .tempdir()
            .context("dossier temporaire")?;
        args.database.data_dir = Some(folder.path().to_path_buf());
        println!(
            "Base de démonstration neuve dans {}",
            folder.path().display()
        );
        _temporary_data = Some(folder);
    }
    let db = open_and_migrate(&args.database).await?;
    let key_file = args
        .key_file
        .clone()
        .unwrap_or_else(|| args.database.data_dir().join("passerelle.key"));
    // Refused before any write when the key file cannot open this database's data; created
    // only for an empty database.
    let ring = open_key_ring(&db, &key_file, Missing::CreateIfEmpty).await?;
    // Every journal row this server writes is linked with the key file's journal key.
    let db = db.with_journal_key(ring.journal_key());
    passerelle_store::journal::record_key_change(&db).await?;
    if args.demo {
        if passerelle_store::registry::post::count_all(&db).await? == 0 {
            let (plan, _) = seed_demo(&db, args.demo_seed, true).await?;
            let keys = load_key_ring(&key_file)?;
            seed_activity(&db, &keys, &plan, args.demo_months, true).await?;
            seed_network(&db, &plan).await?;
            print_logins(&plan.logins);
        } else {
            println!("La base contient déjà des données : démonstration non régénérée.");
        }
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("impossible d'écouter sur {}", args.listen))?;
    let address = listener.local_addr()?;
    println!("Passerelle écoute sur http://{address}");
    tracing::info!(%address, "listening");
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}"));
    let trusted_proxies = passerelle_web::http::forwarded::TrustedProxies::parse(
        &args.trusted_proxies,
        args.forwarded_header,
    )
    .map_err(|e| anyhow::anyhow!("--trusted-proxies : {e}"))?;
    let metrics_token = match &args.metrics_token {
        Some(token) => Some(
            passerelle_web::http::metrics::BearerToken::new(token)
                .context("--metrics-token : 16 caractères au moins")?,
        ),
        None => None,
    };
    let config = passerelle_web::Config {
        secure_cookies: args.secure_cookies,
        trusted_proxies,
        metrics_token,
        public_url: public_url.clone(),
        oidc: match (
            &args.oidc_issuer,
            &args.oidc_client_id,
            &args.oidc_client_secret,
        ) {
            (Some(issuer_url), Some(client_id), Some(client_secret)) => {
                Some(passerelle_web::OidcConfig {
                    issuer_url: issuer_url.clone(),
                    client_id: client_id.clone(),
                    client_secret: client_secret.clone(),
                })
            }
            _ => None,
        },
        target_per_departement: args.target_per_departement,
        national_target: args.national_target,
        visio_url_template: args.visio_url_template.clone(),
        case_lists_polled_every: std::time::Duration::from_millis(args.case_list_poll_ms),
        legal: legal_notice(&args),
        retention_years: args.retention_years,
        ..passerelle_web::Config::default()
    };
    let keys = load_key_ring(&key_file)?;
    // Migration 0020 could not seal the partner names already written: done here, with the key.
    let sealed =
        passerelle_store::referral::case_work::seal_clear_partner_names(&db, &keys, 500).await?;
    if sealed > 0 {
        tracing::info!(sealed, "orientation partner names sealed");
    }
    // Migration 0028 could not index the names referrals transmitted before it: done here too.
    let indexed = passerelle_store::referral::referral_keys::index_missing(&db, &keys, 500).await?;
    if indexed > 0 {
        tracing::info!(
            indexed,
            "names transmitted by referrals indexed for the name search"
        );
    }
    anyhow::ensure!(
        args.retention_years >= 1,
        "--retention-years : au moins 1 an de conservation"
    );
    anyhow::ensure!(
        args.mail_interval_secs >= 1,
        "--mail-interval-secs : au moins 1 seconde entre deux envois"
    );
    let state = passerelle_web::AppState::new(db.clone(), config, keys);
    passerelle_web::referral::case_list_copies::watch(&state);
    tokio::spawn(daily_purge(
        db.clone(),
        state.keys.clone(),
        args.retention_years,
    ));
    if let Some(folder) = args.backup_dir.clone() {
        tokio::spawn(crate::backup::daily(
            db.clone(),
            state.keys.clone(),
            crate::backup::Source::of(&args.database),
            folder,
            args.backup_keep,
        ));
    }
    match mailer(&args, &public_url)? {
        Some(mailer) => {
            tokio::spawn(passerelle_web::mail::deliver_forever(
                db.clone(),
                mailer.with_keys(state.keys.clone()),
                std::time::Duration::from_secs(args.mail_interval_secs),
            ));
        }
        None => tracing::warn!(
            "no --smtp-url nor --mail-dir: status e-mails to officers wait in the outbox"
        ),
    }
    if args.stats_verify_days > 0 {
        tokio::spawn(passerelle_web::statistics::check::verify_forever(
            state.clone(),
            std::time::Duration::from_secs(u64::from(args.stats_verify_days) * 24 * 60 * 60),
        ));
    }
    let checkpoints = args.journal_checkpoints.path_in(&args.database);
    tokio::spawn(crate::audit::checkpoint_daily(
        db.clone(),
        checkpoints.clone(),
    ));
    if let Some(address) = args.metrics_listen {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("impossible d'écouter sur {address} (métriques)"))?;
        println!("Métriques sur http://{}/metrics", listener.local_addr()?);
        let metrics = passerelle_web::http::metrics::listener_app(state.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, metrics).await {
                tracing::error!(%error, "metrics listener stopped");
            }
        });
    }
    let app = passerelle_web::app(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("stopped");
    crate::audit::checkpoint_or_log(&db, &checkpoints).await;
    db.close().await;
    Ok(())
}

/// The status e-mails' transport: SMTP, a folder of .eml files, or none (they wait).
fn mailer(
    args: &ServeArgs,
    public_url: &str,
) -> anyhow::Result<Option<passerelle_web::mail::Mailer>> {
    use passerelle_web::mail::Mailer;
    let folder = args.mail_dir.clone().or_else(|| {
        args.demo
            .then(|| args.database.data_dir().join("courriels"))
    });
    let mailer = match (&args.smtp_url, folder) {
        (Some(url), _) => Mailer::smtp(url, &args.mail_from, public_url),
        (None, Some(folder)) => {
            println!("Courriels aux officiers écrits dans {}", folder.display());
            Mailer::folder(folder, &args.mail_from, public_url)
        }
        (None, None) => return Ok(None),
    };
    mailer.map(Some).map_err(|e| anyhow::anyhow!(e))
}

/// Resolves on SIGTERM (service managers, containers) or Ctrl-C; in-flight requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested, finishing in-flight requests");
}

/// The legal notice: each setting given replaces its default.
fn legal_notice(args: &ServeArgs) -> passerelle_web::home::legal::LegalNotice {
    let mut notice = passerelle_web::home::legal::LegalNotice::default();
    let given = |value: &Option<String>| {
        value
            .as_ref()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    for (value, field) in [
        (&args.legal_publisher, &mut notice.publisher),
        (&args.legal_director, &mut notice.publication_director),
        (&args.legal_host, &mut notice.host),
        (&args.legal_contact, &mut notice.contact),
        (&args.dpo_contact, &mut notice.dpo_contact),
    ] {
        if let Some(value) = given(value) {
            *field = value;
        }
    }
    notice
}

/// The retention purge, at start and then every day, on one server of those sharing the
/// database (`store::db::jobs`); a failure is logged and retried at the next tick (the data
/// stays sealed meanwhile).
async fn daily_purge(
    db: passerelle_store::Db,
    keys: std::sync::Arc<passerelle_store::seal::KeyRing>,
    years: u16,
) {
    use passerelle_store::db::jobs::{Job, Run, once_a_day, server_name};
    let server = server_name();
    let mut every_day = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
    loop {
        every_day.tick().await;
        let today = passerelle_web::http::clock::paris_today();
        let run = once_a_day(&db, Job::RetentionPurge, today, &server, || {
            passerelle_store::referral::retention::purge(&db, &keys, today, years, false, &|_| {})
        })
        .await;
        match run {
            Ok(Run::Ran(Ok(report))) => tracing::info!(
                cases = report.cases,
                persons = report.persons,
                notes = report.notes,
                appointments = report.appointments,
                "retention purge"
            ),
            Ok(Run::Ran(Err(error))) => tracing::error!(%error, "retention purge failed"),
            Ok(Run::AlreadyDone | Run::Busy) => {
                tracing::debug!("retention purge: done today by another server")
            }
            Err(error) => tracing::error!(%error, "retention purge not started"),
        }
    }
}
