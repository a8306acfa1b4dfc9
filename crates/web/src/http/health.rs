//! Operations endpoints: health check for load balancers (the metrics are in `metrics`:
//! never public).

use crate::AppState;
use crate::http::route_table::RouteTable;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/healthz", healthz)
}

/// 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "base de données indisponible",
            )
        }
    }
}
