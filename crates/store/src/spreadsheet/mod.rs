//! Reading an uploaded spreadsheet (CSV, XLSX, ODS) into a [`Table`] within bounds (a zip
//! bomb or a sheet of a hundred million cells is refused before it costs memory), and the
//! French errors naming the line and the column. Below every capability that imports a file:
//! the registry, the partner directory, the years before Passerelle.

pub mod archive;
mod ods;
mod reading;

use std::collections::HashMap;
use std::fmt;

pub use archive::Budget;
pub use reading::{read_table, read_table_within};

/// A problem with one line (line 1 is the header; 0 means the whole file), in French.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub column: Option<String>,
    pub reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.column) {
            // « Fichier « a.xlsx » décompressé dépasserait… » when the reason names the file.
            (0, _) if self.reason.starts_with('«') => write!(f, "fichier {}", self.reason),
            (0, _) => write!(f, "fichier : {}", self.reason),
            (line, Some(column)) => {
                write!(f, "ligne {line}, colonne « {column} » : {}", self.reason)
            }
            (line, None) => write!(f, "ligne {line} : {}", self.reason),
        }
    }
}

pub(crate) fn file_error(reason: impl Into<String>) -> LineError {
    LineError {
        line: 0,
        column: None,
        reason: reason.into(),
    }
}

/// A sheet: its header (lower-cased) and its lines, each with its line number in the file,
/// and what the reader had to guess (an encoding), to tell the person.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header_line: usize,
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
    pub notices: Vec<String>,
}

/// At most this many lines: the registry has hundreds of posts, a few thousand units; a
/// partner directory or a grid of years far fewer.
pub const MAX_LINES: usize = 20_000;

/// Checks a table's header against `columns` (name, required, meaning): no unknown column,
/// every required one present. Returns where each column is.
pub(crate) fn check_columns(
    columns: &'static [(&'static str, bool, &'static str)],
    table: &Table,
) -> Result<HashMap<&'static str, usize>, LineError> {
    let expected: Vec<&str> = columns.iter().map(|(name, _, _)| *name).collect();
    for header in &table.headers {
        if !expected.contains(&header.as_str()) {
            return Err(LineError {
                line: 1,
                column: Some(header.clone()),
                reason: format!(
                    "colonne inconnue (colonnes attendues : {})",
                    expected.join(", ")
                ),
            });
        }
    }
    let mut positions = HashMap::new();
    for (name, required, _) in columns {
        match table.headers.iter().position(|h| h == name) {
            Some(index) => {
                positions.insert(*name, index);
            }
            None if *required => {
                return Err(LineError {
                    line: 1,
                    column: Some((*name).to_string()),
                    reason: format!(
                        "colonne obligatoire absente (colonnes attendues : {})",
                        expected.join(", ")
                    ),
                });
            }
            None => {}
        }
    }
    Ok(positions)
}

pub(crate) fn cell<'r>(
    row: &'r [String],
    positions: &HashMap<&'static str, usize>,
    name: &str,
) -> &'r str {
    positions
        .get(name)
        .and_then(|&i| row.get(i))
        .map(String::as_str)
        .unwrap_or("")
}
