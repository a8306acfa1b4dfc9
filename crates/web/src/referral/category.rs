//! The grid of problem categories: read by every referral form, inbox and case page through
//! a short-lived in-process copy, and changed by the national team on its page.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::WebResult;
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::category::{self, Category, CategoryGrid};
use passerelle_store::WriteError;
use passerelle_store::journal::Entry;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .form("/referentiels/categories", grid_page, add_category)
        .post("/referentiels/categories/{code}", change_category)
}

/// How long a server keeps its copy: a change made on another server shows within this time;
/// one made on this server shows at once.
const KEPT_FOR: Duration = Duration::from_secs(30);

/// This server's copy of the grid, read on nearly every case page.
#[derive(Default)]
pub struct GridCache {
    kept: RwLock<Option<(Instant, Arc<CategoryGrid>)>>,
}

impl GridCache {
    fn fresh(&self) -> Option<Arc<CategoryGrid>> {
        let kept = self.kept.read().ok()?;
        kept.as_ref()
            .filter(|(at, _)| at.elapsed() < KEPT_FOR)
            .map(|(_, grid)| grid.clone())
    }

    fn forget(&self) {
        if let Ok(mut kept) = self.kept.write() {
            *kept = None;
        }
    }
}

/// The grid as it stands (at most `KEPT_FOR` old).
pub async fn grid(state: &AppState) -> WebResult<Arc<CategoryGrid>> {
    if let Some(grid) = state.categories.fresh() {
        return Ok(grid);
    }
    let grid = Arc::new(passerelle_store::referral::category::grid(&state.db).await?);
    if let Ok(mut kept) = state.categories.kept.write() {
        *kept = Some((Instant::now(), grid.clone()));
    }
    Ok(grid)
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/categories.html")]
pub struct GridPage {
    shell: Shell,
    categories: Vec<Category>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    error: Option<String>,
) -> WebResult<Response> {
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = GridPage {
        shell: Shell::for_actor("Catégories", auth, csrf).at("/referentiels/categories"),
        categories: grid(state).await?.all().to_vec(),
        error,
    };
    Ok((status, page).into_response())
}

async fn grid_page(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::CategoryGrid)?;
    page(&state, &auth, &csrf, None).await
}

fn entry(auth: &Authenticated, detail: String) -> Entry {
    Entry::new(JournalAction::ReferentialChanged)
        .by(auth.account.id.as_str(), Some(auth.role().code()))
        .on("problem_category", "grid")
        .detail(detail)
}

/// After a write: the page again (with the refusal, if any).
async fn answer(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    result: Result<(), WriteError>,
) -> WebResult<Response> {
    match result {
        Ok(()) => {
            state.categories.forget();
            Ok(Redirect::to("/referentiels/categories").into_response())
        }
        Err(error) => page(state, auth, csrf, Some(crate::http::error::refusal(error)?)).await,
    }
}

#[derive(serde::Deserialize)]
pub struct NewCategoryForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    label: String,
}

async fn add_category(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    FrenchForm(form): FrenchForm<NewCategoryForm>,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::CategoryGrid)?;
    let result = match (
        category::parse_code(&form.code),
        category::parse_label(&form.label),
    ) {
        (Ok(code), Ok(label)) => {
            let detail = format!("catégorie ajoutée : {code} « {label} »");
            passerelle_store::referral::category::add(
                &state.db,
                &code,
                &label,
                entry(&auth, detail),
            )
            .await
        }
        (Err(error), _) | (_, Err(error)) => Err(error.into()),
    };
    answer(&state, &auth, &csrf, result).await
}

#[derive(serde::Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    label: String,
}

async fn change_category(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(code): Path<String>,
    FrenchForm(form): FrenchForm<ChangeForm>,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::CategoryGrid)?;
    let change = match form.action.as_str() {
        "renommer" => category::parse_label(&form.label).map(|label| (Some(label), None)),
        "retirer" => Ok((None, Some(false))),
        "retablir" => Ok((None, Some(true))),
        _ => Err(passerelle_domain::ParseError::new(
            "Action",
            "choisissez de corriger le libellé, de retirer ou de proposer de nouveau",
        )),
    };
    let result = match change {
        Ok((label, active)) => {
            let detail = match (&label, active) {
                (Some(label), _) => format!("catégorie {code} renommée « {label} »"),
                (None, Some(false)) => format!("catégorie {code} retirée"),
                _ => format!("catégorie {code} proposée de nouveau"),
            };
            passerelle_store::referral::category::change(
                &state.db,
                &code,
                label.as_deref(),
                active,
                entry(&auth, detail),
            )
            .await
        }
        Err(error) => Err(error.into()),
    };
    answer(&state, &auth, &csrf, result).await
}
