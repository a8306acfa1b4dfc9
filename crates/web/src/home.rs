//! The public home page: what Passerelle is, and the live national counts of posts.

use crate::clock::{french_date, paris_today};
use crate::error::WebResult;
use crate::layout::Shell;
use crate::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use passerelle_domain::post::PostCounts;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    shell: Shell,
    counts: PostCounts,
    departements_covered: u64,
    as_of: String,
}

async fn home(State(state): State<AppState>) -> WebResult<HomePage> {
    let today = paris_today();
    let counts = passerelle_store::post::counts_on(&state.db, today).await?;
    let departements_covered = passerelle_store::post::departements_covered_on(&state.db, today).await?;
    Ok(HomePage { shell: Shell::public("Accueil").at("/"), counts, departements_covered, as_of: french_date(today) })
}
