//! « Créer un poste »: one post from a form, for those who may import posts. The form is a
//! one-line import: the import's checks (`store::registry::import`) read it, so a post's
//! fields obey the same rules either way, and it is journaled as the import is. Its errors
//! come back at their fields, in the import's words.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::clock::paris_today;
use crate::http::error::WebResult;
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Resource};
use passerelle_domain::registry::post::{PostStatus, Zone};
use passerelle_store::registry::import::{ImportKind, import};
use passerelle_store::spreadsheet::Table;
use serde::Deserialize;

pub fn routes() -> RouteTable {
    RouteTable::new().form("/postes/nouveau", show_form, create_post)
}

/// The form's fields: (import column, label). The column is also the field's name.
const FIELDS: &[(&str, &str)] = &[
    ("code", "Code du poste"),
    ("departement", "Département"),
    ("zone", "Zone"),
    ("employeur", "Employeur"),
    ("etp", "Temps de travail (ETP)"),
    ("statut", "Statut"),
    ("date", "Date du statut"),
    ("unites", "Unités d'accueil"),
];

#[derive(Deserialize, Default)]
pub struct NewPostForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    departement: String,
    #[serde(default)]
    zone: String,
    #[serde(default)]
    employeur: String,
    #[serde(default)]
    etp: String,
    #[serde(default)]
    statut: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    unites: String,
}

impl NewPostForm {
    fn values(&self) -> [&str; 8] {
        [
            &self.code,
            &self.departement,
            &self.zone,
            &self.employeur,
            &self.etp,
            &self.statut,
            &self.date,
            &self.unites,
        ]
    }

    /// The form as the one line of an import.
    fn as_table(&self) -> Table {
        Table {
            header_line: 1,
            headers: FIELDS
                .iter()
                .map(|(column, _)| column.to_string())
                .collect(),
            rows: vec![(
                2,
                self.values().iter().map(|v| v.trim().to_string()).collect(),
            )],
            notices: Vec::new(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/post_new.html")]
pub struct NewPostPage {
    shell: Shell,
    form: NewPostForm,
    /// (field, message) at the fields; messages without a field above the form.
    errors: Vec<(String, String)>,
    general: Vec<String>,
    zones: &'static [Zone],
    statuses: Vec<PostStatus>,
    departements: Vec<(String, String)>,
    /// The post was just created (for who does not read posts, and so stays here).
    created: bool,
}

impl NewPostPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    fn value(&self, field: &str) -> &str {
        FIELDS
            .iter()
            .position(|(column, _)| *column == field)
            .and_then(|at| self.form.values().get(at).copied())
            .unwrap_or("")
    }
}

async fn page(
    state: &AppState,
    auth: &Authenticated,
    csrf: &CsrfToken,
    form: NewPostForm,
    errors: Vec<(String, String)>,
    general: Vec<String>,
) -> WebResult<NewPostPage> {
    Ok(NewPostPage {
        shell: Shell::for_actor("Créer un poste", auth, csrf)
            .under("Postes", "/postes")
            .at("/postes"),
        form,
        errors,
        general,
        zones: Zone::ALL,
        statuses: PostStatus::ALL
            .iter()
            .copied()
            .filter(|s| *s != PostStatus::Closed)
            .collect(),
        departements: passerelle_store::registry::territory::departements(&state.db)
            .await?
            .into_iter()
            .map(|d| (d.code, d.name))
            .collect(),
        created: false,
    })
}

#[derive(Deserialize, Default)]
pub struct CreatedQuery {
    cree: Option<String>,
}

async fn show_form(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<CreatedQuery>,
) -> WebResult<NewPostPage> {
    auth.require(Action::Manage, &Resource::Registry)?;
    let mut page = page(
        &state,
        &auth,
        &csrf,
        NewPostForm::default(),
        Vec::new(),
        Vec::new(),
    )
    .await?;
    page.created = query.cree.is_some();
    Ok(page)
}

/// The label of an import column, for the message at its field.
fn label_of(column: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(c, _)| *c == column)
        .map(|(_, label)| *label)
        .unwrap_or("Formulaire")
}

async fn create_post(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    FrenchForm(form): FrenchForm<NewPostForm>,
) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::Registry)?;
    let table = form.as_table();
    let today = paris_today();
    let by = auth.account.id.as_str();
    // A dry run first: the form creates, it never updates a post the import would recognise.
    let trial = import(&state.db, ImportKind::Posts, &table, true, by, today).await?;
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut general = Vec::new();
    for error in &trial.errors {
        match error.column.as_deref() {
            Some(column) if FIELDS.iter().any(|(c, _)| *c == column) => errors.push((
                column.to_string(),
                format!("{} : {}", label_of(column), error.reason),
            )),
            _ => general.push(error.reason.clone()),
        }
    }
    if trial.errors.is_empty() && trial.updated > 0 {
        errors.push((
            "code".into(),
            "Code du poste : ce poste existe déjà (même code, ou sans code le même employeur, département et unités d'accueil) ; modifiez-le depuis sa page".into(),
        ));
    }
    if !errors.is_empty() || !general.is_empty() {
        let page = page(&state, &auth, &csrf, form, errors, general).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let report = import(&state.db, ImportKind::Posts, &table, false, by, today).await?;
    if !report.written {
        let general = report.errors.iter().map(ToString::to_string).collect();
        let page = page(&state, &auth, &csrf, form, Vec::new(), general).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    state.national_figures.invalidate();
    // The new post's page, for whoever may read posts; the administrator, who imports but
    // does not steer, finds the form again with its confirmation.
    let created = passerelle_store::registry::post_list::latest_created(&state.db).await?;
    let reads_posts = auth.require(Action::View, &Resource::Posts).is_ok();
    Ok(match created {
        Some(id) if reads_posts => Redirect::to(&format!("/postes/{id}")),
        _ => Redirect::to("/postes/nouveau?cree=1"),
    }
    .into_response())
}
