//! The public home page: what Passerelle is, and the live national counts of posts.
//! Signed in, `/` is the home of the role (`signed_in`).

use crate::AppState;
use crate::http::auth::{CsrfToken, MaybeAuthenticated};
use crate::http::clock::{french_date, paris_today};
use crate::http::error::WebResult;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use passerelle_domain::registry::post::PostCounts;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/", home)
}

#[derive(Template, WebTemplate)]
#[template(path = "home/home.html")]
pub struct HomePage {
    shell: Shell,
    counts: PostCounts,
    departements_covered: u64,
    as_of: String,
}

/// The public home for a visitor; a signed-in person lands on the home of their role.
async fn home(
    State(state): State<AppState>,
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
) -> WebResult<Response> {
    // The social worker's home is their day (« Aujourd'hui »), not a page of links.
    if let Some(auth) = &visitor
        && auth.role() == passerelle_domain::identity::role::Role::SocialWorker
    {
        return Ok(axum::response::Redirect::to("/aujourdhui").into_response());
    }
    if let Some(auth) = &visitor {
        return crate::home::signed_in::home(&state, auth, &csrf).await;
    }
    let figures = state.national_figures.get(&state.db).await?;
    Ok(HomePage {
        shell: Shell::public("Accueil").at("/"),
        counts: figures.counts,
        departements_covered: figures.departements_covered,
        as_of: french_date(figures.date),
    }
    .into_response())
}

/// The national figures of the day.
#[derive(Debug, Clone, Copy)]
pub struct NationalFigures {
    pub date: time::Date,
    pub counts: PostCounts,
    pub departements_covered: u64,
}

/// The public pages show the national figures on every hit; they change a few times a year.
/// Recomputing them at most every few seconds keeps them live without a query per visit.
#[derive(Default)]
pub struct NationalFiguresCache {
    current: std::sync::RwLock<Option<(std::time::Instant, NationalFigures)>>,
}

const FIGURES_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(5);

impl NationalFiguresCache {
    pub async fn get(&self, db: &passerelle_store::Db) -> WebResult<NationalFigures> {
        let today = paris_today();
        if let Ok(current) = self.current.read() {
            if let Some((computed, figures)) = *current {
                if computed.elapsed() < FIGURES_MAX_AGE && figures.date == today {
                    return Ok(figures);
                }
            }
        }
        let figures = NationalFigures {
            date: today,
            counts: passerelle_store::registry::post::counts_on(db, today).await?,
            departements_covered: passerelle_store::registry::post::departements_covered_on(
                db, today,
            )
            .await?,
        };
        if let Ok(mut current) = self.current.write() {
            *current = Some((std::time::Instant::now(), figures));
        }
        Ok(figures)
    }

    /// Forgets the figures, after a change to the posts.
    pub fn invalidate(&self) {
        if let Ok(mut current) = self.current.write() {
            *current = None;
        }
    }
}
