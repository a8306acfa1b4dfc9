//! Passerelle's web server: one axum router, server-rendered French pages on the State
//! design system (DSFR), and the operations endpoints.

pub mod home;
pub mod http;
pub mod identity;
pub mod journal;
pub mod mail;
pub mod network;
pub mod presence;
pub mod referral;
pub mod registry;
pub mod statistics;

use axum::Router;
use axum::extract::Request as AnyRequest;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware::Next;
use axum::response::Response;
use passerelle_store::Db;
use passerelle_store::seal::KeyRing;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Settings of the web server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Cookies only over HTTPS (`__Host-` names) and HSTS: on in production behind TLS, off
    /// on a laptop.
    pub secure_cookies: bool,
    /// The reverse proxies whose forwarded client address is believed (none: the peer's).
    pub trusted_proxies: http::forwarded::TrustedProxies,
    /// The bearer token that opens `/metrics` on the main listener (none: not served there).
    pub metrics_token: Option<http::metrics::BearerToken>,
    /// The address people reach the server at (for invitation links and OpenID Connect).
    pub public_url: String,
    pub oidc: Option<OidcConfig>,
    /// Coverage targets: posts per département and in the nation (steering and map).
    pub target_per_departement: u64,
    pub national_target: u64,
    /// The visio provider's room address, with `{salle}` where the room goes.
    pub visio_url_template: String,
    /// How long a server remembers who is signed in (see `signed_in_cache`); zero: never.
    pub signed_in_kept_for: std::time::Duration,
    /// How often the read stamps are polled to keep copies of case lists (see
    /// `case_list_memory`); zero: no copies.
    pub case_lists_polled_every: std::time::Duration,
    /// Who publishes, hosts and answers for personal data (the legal pages).
    pub legal: home::legal::LegalNotice,
    /// Years a case is kept after its last contact (the purge's setting, shown to the public).
    pub retention_years: u16,
}

/// An OpenID Connect provider (ProConnect or a compatible one).
#[derive(Debug, Clone)]
pub struct OidcConfig {
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: String,
}

/// La Suite numérique's Visio, the State's videoconference, whose rooms open by address.
pub const DEFAULT_VISIO_URL_TEMPLATE: &str = "https://visio.numerique.gouv.fr/{salle}";

impl Default for Config {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trusted_proxies: http::forwarded::TrustedProxies::default(),
            metrics_token: None,
            public_url: "http://127.0.0.1:8080".into(),
            oidc: None,
            target_per_departement:
                passerelle_domain::registry::coverage::DEFAULT_TARGET_PER_DEPARTEMENT,
            national_target: passerelle_domain::registry::coverage::DEFAULT_NATIONAL_TARGET,
            visio_url_template: DEFAULT_VISIO_URL_TEMPLATE.into(),
            signed_in_kept_for: std::time::Duration::from_secs(2),
            case_lists_polled_every: std::time::Duration::from_millis(250),
            legal: home::legal::LegalNotice::default(),
            retention_years: passerelle_domain::referral::case::RETENTION_YEARS,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Seals and opens sensitive fields (TOTP secrets, later case notes).
    pub keys: Arc<KeyRing>,
    pub metrics: Arc<http::metrics::Metrics>,
    pub national_figures: Arc<home::public::NationalFiguresCache>,
    pub categories: Arc<referral::category::GridCache>,
    pub signed_in: Arc<http::signed_in_copies::SignedInCache>,
    pub case_lists: Arc<referral::case_list_copies::CaseListMemory>,
}

impl AppState {
    pub fn new(db: Db, config: Config, keys: KeyRing) -> Self {
        Self::sharing_keys(db, config, Arc::new(keys))
    }

    fn sharing_keys(db: Db, config: Config, keys: Arc<KeyRing>) -> Self {
        // The memories measure their copies' age on the database's clock, as the sessions do.
        let clock = db.clock().clone();
        Self {
            db,
            keys,
            metrics: Arc::new(http::metrics::Metrics::new()),
            national_figures: Arc::default(),
            categories: Arc::default(),
            signed_in: Arc::new(http::signed_in_copies::SignedInCache::new(
                config.signed_in_kept_for,
                clock.clone(),
            )),
            case_lists: Arc::new(referral::case_list_copies::CaseListMemory::new(
                config.case_lists_polled_every,
                clock,
            )),
            config: Arc::new(config),
        }
    }

    /// The same database and keys with other settings and fresh memories (the benchmark
    /// compares a server with and without them).
    pub fn reconfigured(&self, config: Config) -> Self {
        Self::sharing_keys(self.db.clone(), config, self.keys.clone())
    }

    /// After a form this server answered: what it remembers may be out of date.
    pub async fn after_write(&self) {
        self.signed_in.forget_all();
        self.case_lists.poll_now(&self.db).await;
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route of the application, recorded for the authorization matrix.
pub fn route_table() -> http::route_table::RouteTable {
    http::route_table::RouteTable::new()
        .merge(home::public::routes())
        .merge(home::today::routes())
        .merge(home::menu::routes())
        .merge(home::legal::routes())
        .merge(http::health::routes())
        .merge(http::assets::routes())
        .merge(identity::login::routes())
        .merge(identity::own_account::routes())
        .merge(identity::password_reset::routes())
        .merge(identity::accounts::routes())
        .merge(identity::api_tokens::routes())
        .merge(journal::pages::routes())
        .merge(identity::oidc::routes())
        .merge(registry::map::routes())
        .merge(registry::open_data::routes())
        .merge(registry::data_inclusion::routes())
        .merge(registry::post::routes())
        .merge(registry::import::routes())
        .merge(registry::unit::routes())
        .merge(presence::routes())
        .merge(presence::appointment::routes())
        .merge(referral::routes())
        .merge(network::routes())
        .merge(referral::case_work::routes())
        .merge(referral::person::routes())
        .merge(referral::partner::routes())
        .merge(registry::replacement::routes())
        .merge(identity::case_access::routes())
        .merge(referral::category::routes())
        .merge(statistics::routes())
}

/// The application's routes, without the cross-cutting layers (see [`app`]).
pub fn routes() -> Router<AppState> {
    route_table().into_router()
}

/// The whole application: routes, error pages, metrics, request ids, logs, security headers.
/// `/metrics` is there only behind a bearer token (see `metrics`).
pub fn app(state: AppState) -> Router {
    let routes = match state.config.metrics_token {
        Some(_) => routes().merge(http::metrics::routes_with_token()),
        None => routes(),
    };
    router_with(routes, state)
}

/// Middleware: nothing but the static assets may be kept by the browser or a proxy. Pages,
/// downloads, feeds and error pages may show personal data, and a unit's workstation is
/// shared: after logging out, Back must not show a case again, nor its disk cache hold one.
async fn keep_out_of_caches(request: AnyRequest, next: Next) -> Response {
    let asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !(asset && headers.contains_key(header::CACHE_CONTROL)) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    response
}

/// Behind HTTPS, browsers must never come back over plain HTTP (two years, as the HSTS
/// preload list asks).
fn strict_transport_security(secure: bool) -> Option<SetResponseHeaderLayer<HeaderValue>> {
    secure.then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        )
    })
}

/// Wraps any set of routes in the application's layers; the benchmark uses it to serve a
/// hello-world route under exactly the same stack as the real pages.
pub fn router_with(routes: Router<AppState>, state: AppState) -> Router {
    let trusted = state.config.trusted_proxies.clone();
    routes
        .fallback(http::error::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::auth::protect_forms))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::auth::host_prefixed_cookies))
        .layer(axum::extract::DefaultBodyLimit::max(http::auth::FORM_LIMIT_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::metrics::record))
        .layer(CatchPanicLayer::custom(http::error::panic_page))
        .layer(
            TraceLayer::new_for_http().make_span_with(move |request: &Request<_>| {
                let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                let client = http::auth::client_address(&trusted, request.extensions(), request.headers())
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "-".into());
                tracing::info_span!("request", method = %request.method(), uri = %http::local_path::logged_path(request.uri().path()), request_id = %request_id, client = %client)
            }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        // The DSFR's scripts set style attributes (heights of collapsing menus), which only
        // `style-src-attr` allows; style sheets and scripts stay our own files only.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self'; \
                 style-src-attr 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
            ),
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(tower::util::option_layer(strict_transport_security(state.config.secure_cookies)))
        .layer(axum::middleware::from_fn(keep_out_of_caches))
        .with_state(state)
}
