//! Passerelle's documents: posters and reports as PDF (typst, with embedded fonts and no
//! network), iCalendar feeds, QR codes. Data in, bytes out: nothing here reads the database.

pub mod annual_report;
pub mod calendar;
pub mod information_preoccupante;
pub mod pdf;
pub mod poster;
pub mod qr;
pub mod spreadsheet;
pub mod subject_access;
pub mod text_workbook;

/// A document that could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("la mise en page du document a échoué : {0}")]
    Layout(String),
    #[error("l'écriture du PDF a échoué : {0}")]
    Pdf(String),
    #[error("l'écriture du classeur a échoué : {0}")]
    Spreadsheet(String),
}
