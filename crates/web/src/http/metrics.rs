//! Prometheus metrics: requests by route and status, latency histogram, pool usage.
//! They reveal the activity of the platform, so they are never public: served on their own
//! listener (`--metrics-listen`, a private network) or, on the main one, only to a scraper
//! presenting the bearer token (`--metrics-token`).

use crate::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    source: &'static str,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 8 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 14))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pool_connections: Gauge,
    pool_idle: Gauge,
    case_lists: Family<SourceLabels, Counter>,
    statistics_differing: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("passerelle");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let pool_connections = Gauge::default();
        let pool_idle = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            latency.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Open database connections",
            pool_connections.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Idle database connections",
            pool_idle.clone(),
        );
        let case_lists = Family::<SourceLabels, Counter>::default();
        registry.register(
            "case_lists",
            "Case lists served, from this server's current copies (memory) or read (database)",
            case_lists.clone(),
        );
        let statistics_differing = Gauge::default();
        registry.register(
            "statistics_differing_cells",
            "Published statistics cells that differ from a recount of the facts, at the last verification",
            statistics_differing.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            pool_connections,
            pool_idle,
            case_lists,
            statistics_differing,
        }
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_string(),
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// A case list served from this server's copy or read from the database.
    pub fn case_list_served(&self, from_memory: bool) {
        let source = if from_memory { "memory" } else { "database" };
        self.case_lists
            .get_or_create(&SourceLabels { source })
            .inc();
    }

    /// The outcome of the last verification of the statistics against a recount.
    pub fn statistics_verified(&self, differing: usize) {
        self.statistics_differing
            .set(i64::try_from(differing).unwrap_or(i64::MAX));
    }

    /// The Prometheus text exposition, with the pool usage read now.
    pub fn encode(&self, pool_size: u32, pool_idle: usize) -> String {
        self.pool_connections.set(i64::from(pool_size));
        self.pool_idle
            .set(i64::try_from(pool_idle).unwrap_or(i64::MAX));
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            tracing::error!("metrics encoding failed");
        }
        text
    }
}

/// Middleware: times each request and counts it under its route pattern (never the raw
/// path, which may carry identifiers and would make the label set unbounded).
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "inconnue".to_string());
    let response = next.run(request).await;
    state.metrics.observe(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// The scraper's secret; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl BearerToken {
    /// A token of at least 16 characters, or None.
    pub fn new(token: &str) -> Option<Self> {
        let token = token.trim();
        (token.len() >= 16).then(|| Self(token.to_string()))
    }

    fn presented_in(&self, headers: &HeaderMap) -> bool {
        use subtle::ConstantTimeEq;
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .unwrap_or_default();
        presented.len() == self.0.len() && bool::from(presented.as_bytes().ct_eq(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(…)")
    }
}

/// `/metrics` for the main router: only when a token is configured (else the route does not
/// exist there), and only to whoever presents it.
pub fn routes_with_token() -> Router<AppState> {
    Router::new().route("/metrics", get(exposition))
}

/// The metrics listener's whole application (`--metrics-listen`): `/metrics` alone, also
/// behind the token if one is configured.
pub fn listener_app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(exposition))
        .with_state(state)
}

async fn exposition(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.config.metrics_token
        && !token.presented_in(&headers)
    {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "jeton d'accès aux métriques absent ou invalide",
        )
            .into_response();
    }
    let (size, idle) = state.db.pool_usage();
    let body = state.metrics.encode(size, idle);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
