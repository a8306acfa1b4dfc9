//! The jobs a server runs on its own — the retention purge, the backups, the rollups' check —
//! when several app servers share one database: each job
//! runs once a day, on one server.
//!
//! Two guards, because each alone leaves a gap. PostgreSQL's session advisory lock keeps two
//! servers from running the same job at the same moment (a server that dies mid-job loses its
//! connection, and the lock with it); the day's row in `scheduled_runs` keeps the second
//! server, whose timer fires later the same day, from running it again. SQLite has no
//! advisory locks: there the day's row alone decides (its writes are serialised anyway).

use super::{Backend, Db, StoreError};
use crate::journal::{Entry, append};
use passerelle_domain::journal::JournalAction;
use std::future::Future;
use time::Date;

/// A job the servers run by themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    RetentionPurge,
    Backup,
    RollupCheck,
}

impl Job {
    /// The code stored in `scheduled_runs.job`.
    pub fn code(self) -> &'static str {
        match self {
            Job::RetentionPurge => "retention_purge",
            Job::Backup => "backup",
            Job::RollupCheck => "rollup_check",
        }
    }

    /// How the journal names it.
    pub fn label(self) -> &'static str {
        match self {
            Job::RetentionPurge => "purge de conservation",
            Job::Backup => "sauvegarde quotidienne",
            Job::RollupCheck => "vérification des statistiques",
        }
    }

    /// The advisory lock's number: fixed per job, in a range no other code of ours uses
    /// (0x5041_5353 is « PASS »).
    fn lock_key(self) -> i64 {
        let base = 0x5041_5353_0000_i64;
        base + match self {
            Job::RetentionPurge => 1,
            Job::Backup => 2,
            Job::RollupCheck => 3,
        }
    }
}

/// What happened to one tick of a job.
#[derive(Debug, PartialEq, Eq)]
pub enum Run<T> {
    /// This server ran it; the job's own answer.
    Ran(T),
    /// Another server (or an earlier tick) ran it today.
    AlreadyDone,
    /// Another server is running it now.
    Busy,
}

/// Runs `work` if no server has run `job` on `day` and none is running it now; journals the
/// run with its outcome (one row per run, none for a skipped tick). A failed run gives its
/// day back, so that the next tick (of any server) tries again.
pub async fn once_a_day<T, E, Work, Done>(
    db: &Db,
    job: Job,
    day: Date,
    server: &str,
    work: Work,
) -> Result<Run<Result<T, E>>, StoreError>
where
    Work: FnOnce() -> Done,
    Done: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    // The lock lives on a connection of its own, taken out of the pool: if this task dies,
    // the connection is dropped and closed, which releases the lock (a pooled connection
    // would go back to the pool still holding it).
    let mut lock = match db.backend() {
        Backend::Postgres => {
            let mut connection = db.pool().acquire().await?.detach();
            let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                .bind(job.lock_key())
                .fetch_one(&mut connection)
                .await?;
            if !taken {
                return Ok(Run::Busy);
            }
            Some(connection)
        }
        Backend::Sqlite => None,
    };
    let outcome = run_claimed(db, job, day, server, work).await;
    if let Some(connection) = lock.as_mut() {
        // Closing the connection would release it too; unlocking says so plainly.
        let _: Result<bool, _> = sqlx::query_scalar("SELECT pg_advisory_unlock($1)")
            .bind(job.lock_key())
            .fetch_one(&mut *connection)
            .await;
    }
    if let Some(connection) = lock {
        let _ = sqlx::Connection::close(connection).await;
    }
    outcome
}

async fn run_claimed<T, E, Work, Done>(
    db: &Db,
    job: Job,
    day: Date,
    server: &str,
    work: Work,
) -> Result<Run<Result<T, E>>, StoreError>
where
    Work: FnOnce() -> Done,
    Done: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let day_text = super::time_text::date_to_text(day);
    let mut tx = db.begin_write().await?;
    let claimed = sqlx::query(
        "INSERT INTO scheduled_runs (job, day, server, started_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (job, day) DO NOTHING",
    )
    .bind(job.code())
    .bind(&day_text)
    .bind(server)
    .bind(super::time_text::instant_to_text(db.clock().now()))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if claimed == 0 {
        return Ok(Run::AlreadyDone);
    }
    let answer = work().await;
    let mut tx = db.begin_write().await?;
    let detail = match &answer {
        Ok(_) => format!(
            "{} du {} : faite par le serveur {server}",
            job.label(),
            day_text
        ),
        Err(error) => {
            sqlx::query("DELETE FROM scheduled_runs WHERE job = $1 AND day = $2")
                .bind(job.code())
                .bind(&day_text)
                .execute(&mut *tx)
                .await?;
            format!(
                "{} du {} : échec sur le serveur {server} ({error}), reprise au prochain passage",
                job.label(),
                day_text
            )
        }
    };
    append(
        &mut tx,
        Entry::new(JournalAction::ScheduledJob)
            .on("job", job.code())
            .detail(detail),
    )
    .await?;
    tx.commit().await?;
    Ok(Run::Ran(answer))
}

/// This server's name in the journal: the machine's name and the process, so that two
/// servers on one machine differ too.
pub fn server_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "serveur".into());
    format!("{host}/{}", std::process::id())
}
