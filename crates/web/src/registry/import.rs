//! Importing employers and posts from a spreadsheet, with a dry run first; the templates to
//! fill; and [`read_spreadsheet`], the one way every upload is read.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::response::Response;
use passerelle_domain::access::{Action, Resource};
use passerelle_store::registry::import::{ImportKind, ImportReport, import};
use passerelle_store::spreadsheet::{Budget, LineError, Table};
use std::time::{Duration, Instant};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .upload_form("/registre/import", show_import, run_import, MAX_FILE_BYTES)
        .get("/registre/import/modele/{fichier}", template)
}

/// Spreadsheets read at once. Each reading is bounded (see `passerelle_store::spreadsheet::archive`:
/// 50 MB inflated at most); two at a time keep the server's memory well within bounds
/// whatever the number of people uploading; the others wait their turn.
static READERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// A reading stops after this, below the request's own 30 s limit.
const READING_TIME: Duration = Duration::from_secs(20);

/// Cancels a reading when dropped: when the request ends (its answer sent, or the client
/// gone, or its time up), the reading stops at its next check.
struct StopReading(Budget);

impl Drop for StopReading {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Reads an uploaded spreadsheet off the async runtime, within the limits of a reading, and
/// stops when the request ends. Every upload (registry, partners, past statistics) reads here.
pub async fn read_spreadsheet(name: String, bytes: Vec<u8>) -> Result<Table, LineError> {
    let busy = || LineError {
        line: 0,
        column: None,
        reason: "la lecture du fichier a échoué ; réessayez dans un instant".into(),
    };
    let _turn = READERS.acquire().await.map_err(|_| busy())?;
    let budget = Budget::until(Instant::now() + READING_TIME);
    let stop = StopReading(budget.clone());
    let reading = tokio::task::spawn_blocking(move || {
        passerelle_store::spreadsheet::read_table_within(&name, &bytes, &budget)
    });
    let table = reading.await.map_err(|_| busy())?;
    drop(stop);
    table
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
    /// The first [`ERRORS_SHOWN`] errors, as the page's table shows them.
    pub errors: Vec<ErrorRow>,
    /// How many errors the file has in all, in French figures.
    pub error_count: String,
    /// Whether the table shows fewer than all of them.
    pub errors_cut: bool,
}

/// Errors listed on the page: a file with more is wrong throughout, and a longer table
/// would only slow the page down.
pub const ERRORS_SHOWN: usize = 500;

/// One error as a row of the page's table.
pub struct ErrorRow {
    /// The line in the file, or « — » for the whole file.
    pub line: String,
    /// The column as the template names it, or « — ».
    pub column: String,
    pub message: String,
}

impl ErrorRow {
    pub fn of(error: &passerelle_store::spreadsheet::LineError) -> Self {
        let dash = || "—".to_string();
        ErrorRow {
            // As the spreadsheet numbers its lines: no thousands separator.
            line: match error.line {
                0 => dash(),
                line => line.to_string(),
            },
            column: error.column.clone().unwrap_or_else(dash),
            message: error.reason.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "registry/import.html")]
pub struct ImportPage {
    shell: Shell,
    /// The kind the form shows chosen: the one just sent, or employers first.
    kind: &'static str,
    units_columns: &'static [(&'static str, bool, &'static str)],
    employers_columns: &'static [(&'static str, bool, &'static str)],
    posts_columns: &'static [(&'static str, bool, &'static str)],
    outcome: Option<Outcome>,
    error: Option<String>,
}

fn page(
    auth: &Authenticated,
    csrf: &CsrfToken,
    kind: Option<ImportKind>,
    outcome: Option<Outcome>,
    error: Option<String>,
) -> ImportPage {
    ImportPage {
        shell: Shell::for_actor("Importer dans le registre", auth, csrf).at("/registre/import"),
        kind: kind.unwrap_or(ImportKind::Employers).code(),
        units_columns: ImportKind::Units.columns(),
        employers_columns: ImportKind::Employers.columns(),
        posts_columns: ImportKind::Posts.columns(),
        outcome,
        error,
    }
}

async fn show_import(auth: Authenticated, csrf: CsrfToken) -> WebResult<ImportPage> {
    auth.require(Action::Manage, &Resource::Registry)?;
    Ok(page(&auth, &csrf, None, None, None))
}

/// A template to fill, with its example line: `postes.xlsx` (drop-down lists of the allowed values, cells typed as
/// text so that « 01 » keeps its zero) or `postes.csv` (`;`, UTF-8 with its byte-order mark).
async fn template(auth: Authenticated, Path(file): Path<String>) -> WebResult<Response> {
    auth.require(Action::Manage, &Resource::Registry)?;
    let (kind, extension) = file.rsplit_once('.').ok_or(WebError::NotFound)?;
    let kind = ImportKind::parse(kind).ok_or(WebError::NotFound)?;
    let file_name = format!("modele-{}.{extension}", kind.code());
    match extension {
        "csv" => {
            let mut writer = crate::registry::open_data::french_csv();
            writer
                .write_record(kind.columns().iter().map(|(name, _, _)| *name))
                .and_then(|()| writer.write_record(kind.example()))
                .map_err(|e| WebError::Internal(e.into()))?;
            let body = writer
                .into_inner()
                .map_err(|e| WebError::Internal(anyhow::anyhow!(e.to_string())))?;
            Ok(crate::registry::open_data::csv_download(&file_name, body))
        }
        "xlsx" => {
            let columns: Vec<_> = kind
                .columns()
                .iter()
                .zip(kind.example())
                .map(|((name, required, meaning), example)| {
                    passerelle_documents::text_workbook::TemplateColumn {
                        name: (*name).to_string(),
                        meaning: (*meaning).to_string(),
                        required: *required,
                        choices: kind.choices(name).into_iter().map(String::from).collect(),
                        example: (*example).to_string(),
                    }
                })
                .collect();
            let body = tokio::task::spawn_blocking(move || {
                passerelle_documents::text_workbook::template_xlsx(&columns)
            })
            .await
            .map_err(|e| WebError::Internal(e.into()))?
            .map_err(|e| WebError::Internal(e.into()))?;
            Ok(crate::registry::open_data::file_download(
                &file_name,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                body,
            ))
        }
        _ => Err(WebError::NotFound),
    }
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
            page(&auth, &csrf, kind, None, Some(message.to_string())),
        ))
    };
    let Some(kind) = kind else {
        return refuse("Type : choisissez « unités », « employeurs » ou « postes ».");
    };
    let Some((name, bytes)) = file.filter(|(name, bytes)| !name.is_empty() && !bytes.is_empty())
    else {
        return refuse("Fichier : choisissez un fichier .csv, .xlsx ou .ods.");
    };
    let report = match read_spreadsheet(name, bytes).await {
        Ok(table) => {
            let today = crate::http::clock::paris_today();
            import(
                &state.db,
                kind,
                &table,
                dry_run,
                auth.account.id.as_str(),
                today,
            )
            .await?
        }
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
    let errors = report
        .errors
        .iter()
        .take(ERRORS_SHOWN)
        .map(ErrorRow::of)
        .collect();
    let error_count = passerelle_domain::numbers::count(report.errors.len() as u64);
    let errors_cut = report.errors.len() > ERRORS_SHOWN;
    Ok((
        status,
        page(
            &auth,
            &csrf,
            Some(kind),
            Some(Outcome {
                dry_run,
                report,
                errors,
                error_count,
                errors_cut,
            }),
            None,
        ),
    ))
}
