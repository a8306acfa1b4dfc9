//! The daily jobs when several app servers share the database: one run a day, on one server;
//! a failed run leaves the day to the next tick; on PostgreSQL a second server that comes
//! while the first is running is turned away by the advisory lock.

use passerelle_store::Db;
use passerelle_store::db::jobs::{Job, Run, once_a_day};
use passerelle_store::testing::all_backends;
use time::macros::date;

async fn job_rows(db: &Db, job: Job) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT detail FROM journal WHERE action = 'job.ran' AND target_id = $1 ORDER BY seq",
    )
    .bind(job.code())
    .fetch_all(db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_job_runs_once_a_day_whichever_server_ticks() {
    for test_db in all_backends().await {
        let db = &test_db.db;
        let day = date!(2026 - 12 - 06);
        let first = once_a_day(db, Job::RetentionPurge, day, "a/1", || async {
            Ok::<_, String>(3)
        })
        .await
        .unwrap();
        assert_eq!(first, Run::Ran(Ok(3)), "{:?}", test_db.backend());
        let second = once_a_day(db, Job::RetentionPurge, day, "b/2", || async {
            Ok::<_, String>(4)
        })
        .await
        .unwrap();
        assert_eq!(second, Run::AlreadyDone);
        // Another job, and the same job the next day, are not held back.
        let backup = once_a_day(db, Job::Backup, day, "b/2", || async {
            Ok::<_, String>(())
        })
        .await
        .unwrap();
        assert_eq!(backup, Run::Ran(Ok(())));
        let next_day = once_a_day(
            db,
            Job::RetentionPurge,
            date!(2026 - 12 - 07),
            "b/2",
            || async { Ok::<_, String>(5) },
        )
        .await
        .unwrap();
        assert_eq!(next_day, Run::Ran(Ok(5)));
        let rows = job_rows(db, Job::RetentionPurge).await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows[0].contains("purge de conservation du 2026-12-06") && rows[0].contains("a/1"));
        assert!(rows[1].contains("b/2"));
        test_db.finish().await;
    }
}

#[tokio::test]
async fn a_failed_run_gives_its_day_back() {
    for test_db in all_backends().await {
        let db = &test_db.db;
        let day = date!(2026 - 12 - 06);
        let failed = once_a_day(db, Job::Backup, day, "a/1", || async {
            Err::<(), _>("disque plein")
        })
        .await
        .unwrap();
        assert_eq!(failed, Run::Ran(Err("disque plein")));
        let retried = once_a_day(db, Job::Backup, day, "b/2", || async {
            Ok::<_, String>(())
        })
        .await
        .unwrap();
        assert_eq!(retried, Run::Ran(Ok(())), "{:?}", test_db.backend());
        let rows = job_rows(db, Job::Backup).await;
        assert_eq!(rows.len(), 2);
        assert!(
            rows[0].contains("échec") && rows[0].contains("disque plein"),
            "{rows:?}"
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn two_servers_at_once_run_the_job_once() {
    for test_db in all_backends().await {
        // Two pools, as two app servers have.
        let other = match test_db.url() {
            Some(url) => Db::connect(url, 4)
                .await
                .unwrap()
                .with_journal_key(test_db.db.journal_key().unwrap().clone()),
            None => test_db.db.clone(),
        };
        let day = date!(2026 - 12 - 06);
        let (started, wait_started) = tokio::sync::oneshot::channel::<()>();
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let db = test_db.db.clone();
        let first = tokio::spawn(async move {
            once_a_day(&db, Job::RollupCheck, day, "a/1", || async move {
                let _ = started.send(());
                let _ = released.await;
                Ok::<_, String>("premier")
            })
            .await
            .unwrap()
        });
        wait_started.await.unwrap();
        let second = once_a_day(&other, Job::RollupCheck, day, "b/2", || async {
            Ok::<_, String>("second")
        })
        .await
        .unwrap();
        // PostgreSQL: the lock turns it away; SQLite: the day is already claimed.
        match test_db.backend() {
            passerelle_store::Backend::Postgres => assert_eq!(second, Run::Busy),
            passerelle_store::Backend::Sqlite => assert_eq!(second, Run::AlreadyDone),
        }
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Run::Ran(Ok("premier")));
        // The lock is released with the run: a later tick finds the day done, not busy.
        let later = once_a_day(&other, Job::RollupCheck, day, "b/2", || async {
            Ok::<_, String>("encore")
        })
        .await
        .unwrap();
        assert_eq!(later, Run::AlreadyDone);
        assert_eq!(job_rows(&test_db.db, Job::RollupCheck).await.len(), 1);
        if test_db.url().is_some() {
            other.close().await;
        }
        test_db.finish().await;
    }
}
