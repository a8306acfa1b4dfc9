//! Reading the first sheet of an uploaded CSV, XLSX or ODS into a [`Table`], within the
//! limits of [`archive`](super::archive).

use super::archive::{self, Budget, Grid};
use super::{LineError, MAX_LINES, Table, file_error};
use std::io::Cursor;

/// Reads the first sheet of a CSV (`;` or `,`, UTF-8 or Windows-1252), XLSX or ODS file,
/// without a deadline.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Table, LineError> {
    read_table_within(file_name, bytes, &Budget::unbounded())
}

/// Reads the first sheet, stopping when `budget` says so.
pub fn read_table_within(
    file_name: &str,
    bytes: &[u8],
    budget: &Budget,
) -> Result<Table, LineError> {
    let extension = file_name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let (rows, notices) = match extension.as_str() {
        "csv" => read_csv(file_name, bytes, budget)?,
        "xlsx" => (read_xlsx(file_name, bytes, budget)?, Vec::new()),
        "ods" => {
            let content = archive::ods_content(file_name, bytes, budget)?;
            let rows = super::ods::read_first_sheet(file_name, &content, budget)?;
            (rows, Vec::new())
        }
        _ => {
            return Err(file_error(
                "format non reconnu : un fichier .csv, .xlsx ou .ods est attendu",
            ));
        }
    };
    // Control and bidi-override characters never reach the registry (as in every form).
    let mut rows = rows
        .into_iter()
        .map(|(line, cells)| {
            let cells: Vec<String> = cells
                .iter()
                .map(|c| passerelle_domain::plain_text::plain_text(c, false))
                .collect();
            (line, cells)
        })
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((header_line, headers)) = rows.next() else {
        return Err(file_error(
            "le fichier est vide : la première ligne doit nommer les colonnes",
        ));
    };
    let table = Table {
        header_line,
        headers: headers.iter().map(|h| h.trim().to_lowercase()).collect(),
        rows: rows.collect(),
        notices,
    };
    if table.rows.len() > MAX_LINES {
        return Err(file_error(format!(
            "plus de {MAX_LINES} lignes : découpez le fichier"
        )));
    }
    Ok(table)
}

/// The line (from 1) where each record starts, counted in one pass over the file: records
/// come in order, so each count goes on from the previous one (counting from the start for
/// every record was quadratic: 46 s for the 20,000 records of a 5 MB file, against 2 ms).
struct LineCounter<'a> {
    bytes: &'a [u8],
    /// Line ends in `bytes[..counted_to]`.
    newlines: usize,
    counted_to: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            newlines: 0,
            counted_to: 0,
        }
    }

    /// The line of the record at byte `offset`; the reader reports the offset before any
    /// blank lines it skipped, so those are stepped over first.
    fn line_of(&mut self, offset: usize) -> usize {
        let bytes = self.bytes;
        let mut start = offset.min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        if start < self.counted_to {
            // Never for records read in order; counted again from the start rather than wrong.
            self.newlines = 0;
            self.counted_to = 0;
        }
        // A line ends at a line feed, or at a carriage return not followed by one (the
        // old Mac files, which the reader splits there too).
        self.newlines += (self.counted_to..start)
            .filter(|&i| match bytes[i] {
                b'\n' => true,
                b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            })
            .count();
        self.counted_to = start;
        self.newlines + 1
    }
}

type Rows = Vec<(usize, Vec<String>)>;

fn read_csv(
    file_name: &str,
    bytes: &[u8],
    budget: &Budget,
) -> Result<(Rows, Vec<String>), LineError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut notices = Vec::new();
    // A spreadsheet on Windows saves « CSV » in Windows-1252 (a superset of Latin-1): a file
    // that is not UTF-8 is read so, and the person is told to check its accents.
    let decoded: std::borrow::Cow<'_, str> = match std::str::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            notices.push(format!(
                "« {file_name} » n'est pas en UTF-8 : il a été lu comme un fichier Windows-1252 (Latin-1) ; vérifiez les accents du résultat"
            ));
            text.into_owned().into()
        }
    };
    let bytes = decoded.as_bytes();
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.iter().filter(|&&b| b == b';').count()
        >= first_line.iter().filter(|&&b| b == b',').count()
    {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut lines = LineCounter::new(bytes);
    for (index, record) in reader.records().enumerate() {
        if index.is_multiple_of(1024) {
            budget.check(file_name)?;
        }
        let record = record.map_err(|e| LineError {
            line: e
                .position()
                .map_or(index + 1, |p| lines.line_of(p.byte() as usize)),
            column: None,
            reason: "ligne CSV illisible (guillemets non fermés ?)".into(),
        })?;
        if index > archive::MAX_ROWS {
            return Err(file_error(format!(
                "plus de {MAX_LINES} lignes : découpez le fichier"
            )));
        }
        // The csv reader skips blank lines: the line number comes from its position.
        let line = record
            .position()
            .map_or(index + 1, |p| lines.line_of(p.byte() as usize));
        rows.push((line, record.iter().map(|c| c.trim().to_string()).collect()));
    }
    Ok((rows, notices))
}

/// The first sheet of an XLSX, read cell by cell (never as one rectangle, which a single cell
/// far down would make huge) from an archive inflated under the limits.
fn read_xlsx(file_name: &str, bytes: &[u8], budget: &Budget) -> Result<Rows, LineError> {
    let stored = archive::bounded_xlsx(file_name, bytes, budget)?;
    let unreadable = || {
        file_error(format!(
            "« {file_name} » : classeur XLSX illisible (fichier tronqué ou abîmé)"
        ))
    };
    // calamine overflows on some cell references it is sent (« AAAAAAAAAAAAAAA1 », found by
    // `crates/store/tests/fuzz_spreadsheets.rs`): a panic there is an unreadable workbook, not
    // a failed request.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        xlsx_cells(file_name, stored, budget, unreadable)
    }))
    .unwrap_or_else(|_| Err(unreadable()))
}

fn xlsx_cells(
    file_name: &str,
    stored: Vec<u8>,
    budget: &Budget,
    unreadable: impl Fn() -> LineError,
) -> Result<Rows, LineError> {
    use calamine::Reader;
    let mut workbook = calamine::Xlsx::new(Cursor::new(stored)).map_err(|_| unreadable())?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| file_error("le classeur n'a aucune feuille"))?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(|_| unreadable())?;
    let mut grid = Grid::new(file_name, budget);
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        let (row, column) = cell.get_position();
        let value = calamine::Data::from(cell.get_value().clone());
        grid.put(row as usize, column as usize, cell_text(&value))?;
    }
    Ok(grid.into_rows())
}

/// A cell as text; a spreadsheet date becomes jj/mm/aaaa.
fn cell_text(cell: &calamine::Data) -> String {
    match cell {
        calamine::Data::DateTime(value) => {
            // Spreadsheet serial dates count days from 30/12/1899 (Julian day 2,415,019).
            let day = 2_415_019 + value.as_f64().floor() as i32;
            time::Date::from_julian_day(day)
                .map(|d| format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year()))
                .unwrap_or_default()
        }
        calamine::Data::Float(value) if value.fract() == 0.0 && value.abs() < 1e15 => {
            format!("{}", *value as i64)
        }
        other => other.to_string().trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines as a person counts them in a text editor: blank lines (skipped by the reader),
    /// Windows line ends and a quoted cell over two lines all count.
    #[test]
    fn each_record_keeps_the_line_it_starts_on() {
        let csv = "nom;commune\r\n\r\nBrigade A;Pacé\r\n\"Brigade\nsur deux lignes\";Rennes\n\n\nBrigade C;Vitré\n;\nBrigade D;Dol\n";
        let table = read_table("unites.csv", csv.as_bytes()).unwrap();
        assert_eq!(table.header_line, 1);
        let lines: Vec<usize> = table.rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, vec![3, 4, 8, 10]);
        assert_eq!(table.rows[1].1[0], "Brigade sur deux lignes");
    }

    /// A 5 MB file of short records between blank lines: every record's line is right, and
    /// the file is read in one pass (counting from the start for each record took 56 s
    /// optimised, many minutes in a test build).
    #[test]
    fn five_megabytes_of_short_lines_are_counted_in_one_pass() {
        let mut csv = String::from("nom;commune\n");
        let mut expected = Vec::new();
        let mut line = 2;
        let mut i = 0;
        while csv.len() < 5 * 1024 * 1024 {
            csv.push_str(&format!("u{i};c\n"));
            expected.push(line);
            // 1 to 400 blank lines, some of them Windows ones.
            let blanks = 1 + (i * 7919) % 400;
            for b in 0..blanks {
                csv.push_str(if b % 3 == 0 { "\r\n" } else { "\n" });
            }
            line += 1 + blanks;
            i += 1;
        }
        let started = std::time::Instant::now();
        let table = read_table("unites.csv", csv.as_bytes()).unwrap();
        let elapsed = started.elapsed();
        let lines: Vec<usize> = table.rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines.len(), expected.len());
        assert_eq!(lines, expected);
        assert!(
            elapsed < std::time::Duration::from_secs(30),
            "{} bytes read in {elapsed:?}",
            csv.len()
        );
    }

    #[test]
    fn cells_lose_control_and_bidi_override_characters() {
        let csv = "nom;commune\nBrigade\u{0}de Pacé;Pac\u{202e}é\n";
        let table = read_table("unites.csv", csv.as_bytes()).unwrap();
        assert_eq!(table.rows[0].1, vec!["Brigadede Pacé", "Pacé"]);
    }

    #[test]
    fn old_mac_line_ends_count_as_lines() {
        // Found by the fuzzer: a lone carriage return ends a record for the reader, so it
        // ends a line for the messages too; « \r\n » stays one line end.
        let table = read_table("a.csv", b"code;nom\rA;un\r\nB;deux\r\rC;trois\n").unwrap();
        let lines: Vec<usize> = table.rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [2, 3, 5]);
    }
}
