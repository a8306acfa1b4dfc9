//! The registry of posts as open data: CSV for French spreadsheets (`;`, UTF-8 BOM, dates
//! jj/mm/aaaa), XLSX (codes typed as text, so that département 01 keeps its zero) and JSON
//! (ISO dates), with its schema documented on /donnees. No personal data.

use crate::AppState;
use crate::http::auth::{CsrfToken, MaybeAuthenticated};
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use passerelle_store::registry::post::PublicPost;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/donnees", show_schema)
        .get("/donnees/postes.csv", posts_csv)
        .get("/donnees/postes.xlsx", posts_xlsx)
        .get("/donnees/postes.json", posts_json)
}

/// (column, type, description): the one list behind the CSV header and the schema page.
pub const COLUMNS: &[(&str, &str, &str)] = &[
    (
        "code",
        "texte",
        "Identifiant du poste (ISCG-<département>-<numéro>)",
    ),
    ("zone", "texte", "police, gendarmerie ou mixed (mixte)"),
    (
        "statut",
        "texte",
        "project, funded, recruiting, filled, vacant ou closed",
    ),
    (
        "departement_code",
        "texte",
        "Code officiel du département (01 à 95, 2A, 2B, 971 à 976)",
    ),
    ("departement", "texte", "Nom du département"),
    (
        "employeur",
        "texte",
        "Employeur du poste (collectivité ou association)",
    ),
    (
        "type_employeur",
        "texte",
        "conseil_departemental, commune, intercommunalite ou association",
    ),
    (
        "etp",
        "nombre",
        "Équivalent temps plein (virgule décimale dans le CSV)",
    ),
    (
        "date_creation",
        "date",
        "Date de création du poste (jj/mm/aaaa dans le CSV, AAAA-MM-JJ en JSON), vide pour un projet",
    ),
    (
        "date_fermeture",
        "date",
        "Date de fermeture, vide pour un poste ouvert",
    ),
    (
        "unites_accueil",
        "texte",
        "Unités de police ou de gendarmerie qui accueillent le poste, avec la part du temps, séparées par « | »",
    ),
];

fn french_date(iso: &Option<String>) -> String {
    iso.as_deref()
        .and_then(|d| passerelle_store::db::time_text::text_to_date(d).ok())
        .map(crate::http::clock::french_date)
        .unwrap_or_default()
}

pub use crate::http::downloads::{csv_download, file_download, french_csv};

/// A post's cells, in the order of [`COLUMNS`].
fn post_cells(post: &PublicPost) -> Vec<String> {
    vec![
        post.code.clone(),
        post.zone.code().to_string(),
        post.status.code().to_string(),
        post.departement_code.clone().to_string(),
        post.departement.clone(),
        post.employer.clone(),
        post.employer_kind.clone(),
        post.fte.to_string().replace('.', ","),
        french_date(&post.created_on),
        french_date(&post.closed_on),
        post.host_units.join(" | "),
    ]
}

/// The column of [`COLUMNS`] written as a number in the workbook: the FTE.
const FTE_COLUMN: usize = 7;

/// The CSV file of the registry's posts.
pub fn posts_to_csv(posts: &[PublicPost]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = french_csv();
    writer.write_record(COLUMNS.iter().map(|(name, _, _)| *name))?;
    for post in posts {
        writer.write_record(post_cells(post))?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

async fn posts_csv(State(state): State<AppState>) -> WebResult<Response> {
    let posts = passerelle_store::registry::post::public_posts(&state.db, None).await?;
    let body = posts_to_csv(&posts).map_err(|e| WebError::Internal(e.into()))?;
    Ok(csv_download("postes-iscg.csv", body))
}

/// The registry's posts as a workbook: every code (département, post, zone…) typed as text,
/// the FTE as a number.
async fn posts_xlsx(State(state): State<AppState>) -> WebResult<Response> {
    let posts = passerelle_store::registry::post::public_posts(&state.db, None).await?;
    let body = tokio::task::spawn_blocking(move || {
        let rows: Vec<Vec<String>> = posts.iter().map(post_cells).collect();
        let headers: Vec<&str> = COLUMNS.iter().map(|(name, _, _)| *name).collect();
        passerelle_documents::text_workbook::text_table_xlsx(
            "Postes ISCG",
            &headers,
            &rows,
            &[FTE_COLUMN],
        )
    })
    .await
    .map_err(|e| WebError::Internal(e.into()))?
    .map_err(|e| WebError::Internal(e.into()))?;
    Ok(file_download(
        "postes-iscg.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        body,
    ))
}

#[derive(serde::Serialize)]
struct JsonExport<'a> {
    schema: &'static str,
    licence: &'static str,
    generated_on: String,
    posts: &'a [PublicPost],
}

async fn posts_json(
    State(state): State<AppState>,
    _caller: crate::http::bearer::PublicCaller,
) -> WebResult<Response> {
    let posts = passerelle_store::registry::post::public_posts(&state.db, None).await?;
    let export = JsonExport {
        schema: "/donnees",
        licence: "Licence Ouverte / Open Licence 2.0 (Etalab)",
        generated_on: passerelle_store::db::time_text::date_to_text(
            crate::http::clock::paris_today(),
        ),
        posts: &posts,
    };
    let body = serde_json::to_vec_pretty(&export).map_err(|e| WebError::Internal(e.into()))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/open_data.html")]
pub struct SchemaPage {
    shell: Shell,
    columns: &'static [(&'static str, &'static str, &'static str)],
}

async fn show_schema(
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
) -> SchemaPage {
    let shell = match &visitor {
        Some(auth) => Shell::for_actor("Données ouvertes", auth, &csrf),
        None => Shell::public("Données ouvertes"),
    };
    SchemaPage {
        shell: shell.at("/donnees"),
        columns: COLUMNS,
    }
}
