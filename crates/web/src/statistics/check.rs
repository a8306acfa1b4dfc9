//! The server's weekly check of the published statistics: a full recount from the facts
//! compared with the rollups kept in every write (`store::rollup::verify`). A difference is
//! an alert — an error in the log and the `passerelle_statistics_differing_cells` gauge — for
//! an operator to look at and repair with `passerelle stats rebuild`; the server repairs
//! nothing by itself, so that the cause stays visible.

use crate::AppState;

/// How many differing cells the log names.
const NAMED: usize = 5;

/// One verification: the count of differing cells, also set on the gauge and logged.
pub async fn verify_once(state: &AppState) -> Result<usize, passerelle_store::StoreError> {
    let found = passerelle_store::statistics::rollup::verify(&state.db, NAMED).await?;
    state.metrics.statistics_verified(found.differing);
    if found.is_exact() {
        tracing::info!(
            cells = found.cells,
            "statistics verified: equal to a recount"
        );
    } else {
        for difference in &found.first {
            tracing::error!(
                cell = %difference.cell,
                published = difference.stored,
                recounted = difference.recounted,
                "statistics differ from a recount"
            );
        }
        tracing::error!(
            differing = found.differing,
            cells = found.cells,
            "statistics differ from a recount: run `passerelle stats rebuild`"
        );
    }
    Ok(found.differing)
}

/// Verifies every `every`, the first time one period after the start (a recount of a
/// national database takes a while: not at every restart).
pub async fn verify_forever(state: AppState, every: std::time::Duration) {
    use passerelle_store::db::jobs::{Job, Run, once_a_day, server_name};
    let server = server_name();
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        // One server of those sharing the database checks on a given day.
        let today = crate::http::clock::paris_today();
        let run = once_a_day(&state.db, Job::RollupCheck, today, &server, || {
            verify_once(&state)
        })
        .await;
        match run {
            Ok(Run::Ran(Err(error))) => {
                tracing::error!(%error, "statistics verification failed")
            }
            Ok(Run::Ran(Ok(_)) | Run::AlreadyDone | Run::Busy) => {}
            Err(error) => tracing::error!(%error, "statistics verification not started"),
        }
    }
}
