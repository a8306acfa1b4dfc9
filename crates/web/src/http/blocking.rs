//! CPU-bound work (PDF layout, spreadsheets, parsing) on the blocking pool, so that a few
//! annual reports being drawn do not hold up the async workers that answer every other page
//! (`crates/web/tests/http/off_runtime.rs` measures `/healthz` while eight reports are drawn).

use crate::http::error::{WebError, WebResult};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// How many documents are drawn at once: all the cores but one, so that however many reports
/// are asked for, one core stays for the pages (the others wait their turn, in order).
fn drawing_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Semaphore::new(cores.saturating_sub(1).max(1))
    })
}

/// Runs `work` on the blocking pool when a drawing slot is free; its error, or its panic, is an
/// internal error page.
pub async fn off_runtime<T, E>(work: impl FnOnce() -> Result<T, E> + Send + 'static) -> WebResult<T>
where
    T: Send + 'static,
    E: Into<anyhow::Error> + Send + 'static,
{
    let _slot = drawing_slots()
        .acquire()
        .await
        .map_err(|e| WebError::Internal(e.into()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| WebError::Internal(e.into()))?
        .map_err(|e| WebError::Internal(e.into()))
}
