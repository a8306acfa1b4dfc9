//! Files to save: CSV for French spreadsheets, any file under its name. Below every
//! capability, so that each one's exports (registry, statistics, journal) share them.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A CSV writer for French spreadsheets: `;` between fields, and a byte-order mark so they
/// read it as UTF-8. Every CSV Passerelle gives out starts here.
pub fn french_csv() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::from("\u{feff}".as_bytes()))
}

/// A CSV file to download under `filename`.
pub fn csv_download(filename: &str, body: Vec<u8>) -> Response {
    file_download(filename, "text/csv; charset=utf-8", body)
}

/// A file to save, under `filename`, of type `content_type`.
pub fn file_download(filename: &str, content_type: &str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}
