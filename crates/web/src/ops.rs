//! Operations endpoints: health check for load balancers, metrics for Prometheus.

use crate::AppState;
use crate::route_table::RouteTable;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/healthz", healthz)
        .get("/metrics", metrics)
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

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let (size, idle) = state.db.pool_usage();
    let body = state.metrics.encode(size, idle);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
}
