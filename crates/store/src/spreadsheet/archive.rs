//! The limits of an uploaded spreadsheet. XLSX and ODS are zip archives: a 1 MB file may
//! inflate to gigabytes (a zip bomb). The central directory is checked before anything is
//! inflated (entries, declared sizes, ratio), then the entries are inflated by hand into
//! bounded buffers, because declared sizes can lie. Parsing is bounded too (rows, columns,
//! cells, cell length) and stops when its [`Budget`] says the request is over.

use super::{LineError, file_error};
use std::io::{Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Inflated bytes of a whole archive: a registry of 20,000 lines is about 20 MB of XML.
pub const MAX_INFLATED_BYTES: u64 = 50 * 1024 * 1024;
/// Entries of an archive: a workbook has about ten, one per sheet more.
pub const MAX_ENTRIES: usize = 200;
/// Inflated / compressed, for an entry over 1 MB: spreadsheet XML compresses about 10 to 30
/// times; a bomb of repeated characters about 1,000 times.
pub const MAX_RATIO: u64 = 100;
/// Rows of a sheet (lines, and some title lines above the header).
pub const MAX_ROWS: usize = super::MAX_LINES + 100;
/// Columns of a sheet: an import has about ten, a statistics grid one per year.
pub const MAX_COLUMNS: usize = 100;
/// Non-empty cells of a sheet.
pub const MAX_CELLS: usize = 500_000;
/// Characters of one cell: a spreadsheet's own limit.
pub const MAX_CELL_CHARS: usize = 32_767;

const MEGABYTE: u64 = 1024 * 1024;

/// When reading must stop: the request's end (its handler drops the guard that cancels) or a
/// deadline. Checked between chunks, rows and cells, so that a reading cannot outlive the
/// request by more than a moment.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    cancelled: Arc<AtomicBool>,
    deadline: Option<Instant>,
}

impl Budget {
    /// No deadline (tests, command line); still cancellable.
    pub fn unbounded() -> Self {
        Self::default()
    }

    pub fn until(deadline: Instant) -> Self {
        Budget {
            cancelled: Arc::default(),
            deadline: Some(deadline),
        }
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// An error once the request is over or the deadline passed.
    pub fn check(&self, file_name: &str) -> Result<(), LineError> {
        let late = self.deadline.is_some_and(|d| Instant::now() >= d);
        if late || self.cancelled.load(Ordering::Relaxed) {
            return Err(file_error(format!(
                "« {file_name} » : la lecture a pris trop de temps et a été arrêtée ; envoyez un fichier plus petit"
            )));
        }
        Ok(())
    }
}

fn megabytes(bytes: u64) -> u64 {
    bytes / MEGABYTE
}

fn too_big(file_name: &str) -> LineError {
    file_error(format!(
        "« {file_name} » décompressé dépasserait {} Mo : envoyez un fichier plus petit (ou en CSV)",
        megabytes(MAX_INFLATED_BYTES)
    ))
}

/// Checks the central directory of an archive, then inflates the entries `wanted` keeps,
/// handing each to `sink` (name, bytes); the total inflated is bounded whatever the
/// directory declares.
pub fn inflate(
    file_name: &str,
    format: &str,
    bytes: &[u8],
    budget: &Budget,
    wanted: impl Fn(&str) -> bool,
    mut sink: impl FnMut(&str, Vec<u8>) -> Result<(), LineError>,
) -> Result<(), LineError> {
    let unreadable = || {
        file_error(format!(
            "« {file_name} » : classeur {format} illisible (fichier tronqué ou abîmé)"
        ))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    if archive.len() > MAX_ENTRIES {
        return Err(file_error(format!(
            "« {file_name} » contient {} éléments, plus que les {MAX_ENTRIES} d'un classeur : il est refusé",
            archive.len()
        )));
    }
    let mut declared_total: u64 = 0;
    let mut names = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|_| unreadable())?;
        let name = entry.name().map_err(|_| unreadable())?.into_owned();
        let (size, compressed) = (entry.size(), entry.compressed_size());
        declared_total = declared_total.saturating_add(size);
        if size > MAX_INFLATED_BYTES || declared_total > MAX_INFLATED_BYTES {
            return Err(too_big(file_name));
        }
        if size > MEGABYTE && size / compressed.max(1) > MAX_RATIO {
            return Err(file_error(format!(
                "« {file_name} » : l'élément « {} » se décompresse plus de {MAX_RATIO} fois (fichier piégé ?) : il est refusé",
                name.chars().take(80).collect::<String>()
            )));
        }
        names.push((index, name, size));
    }
    let mut inflated_total: u64 = 0;
    let mut chunk = vec![0u8; 64 * 1024];
    for (index, name, declared) in names {
        if !wanted(&name) {
            continue;
        }
        let entry = archive.by_index(index).map_err(|_| unreadable())?;
        // Never more than the declared size, nor than what the whole archive may still use.
        let allowed = declared.min(MAX_INFLATED_BYTES - inflated_total);
        let mut limited = entry.take(allowed + 1);
        let mut content = Vec::with_capacity(allowed.min(MEGABYTE) as usize);
        loop {
            budget.check(file_name)?;
            let read = limited.read(&mut chunk).map_err(|_| unreadable())?;
            if read == 0 {
                break;
            }
            content.extend_from_slice(&chunk[..read]);
            if content.len() as u64 > allowed {
                return Err(
                    if inflated_total + content.len() as u64 > MAX_INFLATED_BYTES {
                        too_big(file_name)
                    } else {
                        file_error(format!(
                            "« {file_name} » : l'élément « {} » est plus grand que ce que l'archive annonce (fichier piégé ?) : il est refusé",
                            name.chars().take(80).collect::<String>()
                        ))
                    },
                );
            }
        }
        inflated_total += content.len() as u64;
        sink(&name, content)?;
    }
    Ok(())
}

/// The entries of an XLSX inflated under the limits and stored again without compression,
/// so the workbook reader cannot inflate anything more than what was counted here. Pictures
/// and other media are left out: the reader needs the XML parts only.
pub fn bounded_xlsx(file_name: &str, bytes: &[u8], budget: &Budget) -> Result<Vec<u8>, LineError> {
    let broken = || file_error(format!("« {file_name} » : classeur XLSX illisible"));
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    inflate(
        file_name,
        "XLSX",
        bytes,
        budget,
        |name| name.ends_with(".xml") || name.ends_with(".rels"),
        |name, content| {
            writer.start_file(name, options).map_err(|_| broken())?;
            std::io::Write::write_all(&mut writer, &content).map_err(|_| broken())
        },
    )?;
    Ok(writer.finish().map_err(|_| broken())?.into_inner())
}

/// The `content.xml` of an ODS, inflated under the limits.
pub fn ods_content(file_name: &str, bytes: &[u8], budget: &Budget) -> Result<Vec<u8>, LineError> {
    let mut content = None;
    inflate(
        file_name,
        "ODS",
        bytes,
        budget,
        |name| name == "content.xml",
        |_, bytes| {
            content = Some(bytes);
            Ok(())
        },
    )?;
    content.ok_or_else(|| {
        file_error(format!(
            "« {file_name} » : classeur ODS illisible (il n'a pas de contenu)"
        ))
    })
}

/// A sheet being read, bounded: rows, columns, cells and cell length.
pub struct Grid<'a> {
    file_name: &'a str,
    budget: &'a Budget,
    rows: std::collections::BTreeMap<usize, Vec<String>>,
    cells: usize,
}

impl<'a> Grid<'a> {
    pub fn new(file_name: &'a str, budget: &'a Budget) -> Self {
        Grid {
            file_name,
            budget,
            rows: Default::default(),
            cells: 0,
        }
    }

    /// Puts a cell (row and column from 0); empty cells take no room.
    pub fn put(&mut self, row: usize, column: usize, text: String) -> Result<(), LineError> {
        if text.is_empty() {
            return Ok(());
        }
        let name = self.file_name;
        if row >= MAX_ROWS {
            return Err(file_error(format!(
                "« {name} » a plus de {} lignes : découpez le fichier",
                super::MAX_LINES
            )));
        }
        if column >= MAX_COLUMNS {
            return Err(file_error(format!(
                "« {name} » a plus de {MAX_COLUMNS} colonnes remplies : gardez seulement les colonnes attendues"
            )));
        }
        if text.chars().count() > MAX_CELL_CHARS {
            return Err(LineError {
                line: row + 1,
                column: None,
                reason: format!("une cellule dépasse {MAX_CELL_CHARS} caractères"),
            });
        }
        self.cells += 1;
        if self.cells > MAX_CELLS {
            return Err(file_error(format!(
                "« {name} » a plus de {MAX_CELLS} cellules remplies : découpez le fichier"
            )));
        }
        if self.cells.is_multiple_of(1024) {
            self.budget.check(name)?;
        }
        let cells = self.rows.entry(row).or_default();
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = text;
        Ok(())
    }

    /// The rows, each with its line number (from 1).
    pub fn into_rows(self) -> Vec<(usize, Vec<String>)> {
        self.rows
            .into_iter()
            .map(|(row, cells)| (row + 1, cells))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workbook() -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for row in 0..3000u32 {
            sheet.write_string(row, 0, format!("ligne {row}")).unwrap();
        }
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn a_reading_stops_once_its_request_is_over() {
        let bytes = workbook();
        assert!(super::super::read_table_within("a.xlsx", &bytes, &Budget::unbounded()).is_ok());
        let budget = Budget::unbounded();
        budget.cancel();
        let error = super::super::read_table_within("a.xlsx", &bytes, &budget).unwrap_err();
        assert!(error.reason.contains("arrêtée"), "{error}");
        let late = Budget::until(Instant::now());
        let error = super::super::read_table_within("a.xlsx", &bytes, &late).unwrap_err();
        assert!(error.reason.contains("arrêtée"), "{error}");
    }

    #[test]
    fn a_grid_refuses_beyond_its_limits() {
        let budget = Budget::unbounded();
        let mut grid = Grid::new("a.xlsx", &budget);
        assert!(
            grid.put(MAX_ROWS, 0, "x".into())
                .unwrap_err()
                .reason
                .contains("lignes")
        );
        assert!(
            grid.put(0, MAX_COLUMNS, "x".into())
                .unwrap_err()
                .reason
                .contains("colonnes")
        );
        let long = "x".repeat(MAX_CELL_CHARS + 1);
        assert_eq!(grid.put(4, 0, long).unwrap_err().line, 5);
        assert!(grid.put(0, 0, String::new()).is_ok());
    }
}
