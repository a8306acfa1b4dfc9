//! Importing employers and posts from a spreadsheet, with a dry run first.

use crate::AppState;
use crate::auth::{Authenticated, CsrfToken};
use crate::error::{WebError, WebResult};
use crate::layout::Shell;
use crate::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequest, Multipart, Request, State};
use passerelle_domain::access::{Action, Resource};
use passerelle_store::import::{ImportKind, ImportReport, import, read_table};

pub fn routes() -> RouteTable {
    RouteTable::new().upload_form("/registre/import", show_import, run_import, MAX_FILE_BYTES)
}

/// Five megabytes: a registry spreadsheet is far smaller.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// A spreadsheet upload: its text fields and its file (name, bytes), if one was sent.
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub file: Option<(String, Vec<u8>)>,
}

impl Upload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Reads a multipart upload whose file field is `fichier`; a broken or oversized upload is
/// refused in French. Call it after the policy said yes: nobody else's upload is read.
pub async fn read_upload(state: &AppState, request: Request) -> WebResult<Upload> {
    let incomplete =
        || WebError::BadRequest("Fichier : l'envoi est incomplet ou dépasse 5 Mo.".into());
    let mut multipart = Multipart::from_request(request, state).await.map_err(|_| {
        WebError::BadRequest(
            "Fichier : le formulaire doit envoyer un fichier (multipart/form-data).".into(),
        )
    })?;
    let mut upload = Upload {
        fields: Vec::new(),
        file: None,
    };
    while let Some(field) = multipart.next_field().await.map_err(|_| incomplete())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "fichier" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(|_| incomplete())?;
            upload.file = Some((file_name, bytes.to_vec()));
        } else {
            let text = field.text().await.map_err(|_| incomplete())?;
            upload.fields.push((name, text));
        }
    }
    Ok(upload)
}

pub struct Outcome {
    pub dry_run: bool,
    pub report: ImportReport,
    pub errors: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
pub struct ImportPage {
    shell: Shell,
    units_columns: &'static [(&'static str, bool, &'static str)],
    employers_columns: &'static [(&'static str, bool, &'static str)],
    posts_columns: &'static [(&'static str, bool, &'static str)],
    outcome: Option<Outcome>,
    error: Option<String>,
}

fn page(
    auth: &Authenticated,
    csrf: &CsrfToken,
    outcome: Option<Outcome>,
    error: Option<String>,
) -> ImportPage {
    ImportPage {
        shell: Shell::for_actor("Importer dans le registre", auth, csrf).at("/registre/import"),
        units_columns: ImportKind::Units.columns(),
        employers_columns: ImportKind::Employers.columns(),
        posts_columns: ImportKind::Posts.columns(),
        outcome,
        error,
    }
}

async fn show_import(auth: Authenticated, csrf: CsrfToken) -> WebResult<ImportPage> {
    auth.require(Action::Manage, &Resource::Registry)?;
    Ok(page(&auth, &csrf, None, None))
}

async fn run_import(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    request: Request,
) -> WebResult<(axum::http::StatusCode, ImportPage)> {
    // The policy first: nobody else's upload is even read.
    auth.require(Action::Manage, &Resource::Registry)?;
    let upload = read_upload(&state, request).await?;
    let kind = upload.field("type").and_then(ImportKind::parse);
    let dry_run = upload.field("essai").is_some();
    let file = upload.file;
    let refuse = |message: &str| {
        Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            page(&auth, &csrf, None, Some(message.to_string())),
        ))
    };
    let Some(kind) = kind else {
        return refuse("Type : choisissez « unités », « employeurs » ou « postes ».");
    };
    let Some((name, bytes)) = file.filter(|(name, bytes)| !name.is_empty() && !bytes.is_empty())
    else {
        return refuse("Fichier : choisissez un fichier .csv, .xlsx ou .ods.");
    };
    let report = match read_table(&name, &bytes) {
        Ok(table) => import(&state.db, kind, &table, dry_run, &auth.account.id).await?,
        Err(error) => ImportReport {
            errors: vec![error],
            ..ImportReport::default()
        },
    };
    if report.written {
        state.national_figures.invalidate();
    }
    let status = if report.errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let errors = report.errors.iter().map(ToString::to_string).collect();
    Ok((
        status,
        page(
            &auth,
            &csrf,
            Some(Outcome {
                dry_run,
                report,
                errors,
            }),
            None,
        ),
    ))
}
