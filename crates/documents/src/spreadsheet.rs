//! Tables as a workbook, one sheet per table: XLSX (rust_xlsxwriter) and ODS
//! (spreadsheet-ods). A count is written as a number, so that a spreadsheet can add it up;
//! a suppressed cell keeps its text (« s »), and the sheet's note says what it means.

use crate::DocumentError;

/// A cell: a number, or a text (a label, a suppressed count).
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Number(f64),
    Text(String),
}

/// One table, on its own sheet: a title line, a header line, then the lines.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetTable {
    /// The sheet's tab name (31 characters at most, without `[]:*?/\`).
    pub name: String,
    pub title: String,
    pub columns: Vec<String>,
    /// (line label, cells).
    pub lines: Vec<(String, Vec<CellValue>)>,
    /// A line of text under the table (the legend of its signs), if any.
    pub note: Option<String>,
}

impl SheetTable {
    /// Every line of the sheet as it is written, title first, the note last.
    fn grid(&self) -> Vec<Vec<CellValue>> {
        let mut grid = vec![vec![CellValue::Text(self.title.clone())]];
        grid.push(
            std::iter::once(String::new())
                .chain(self.columns.iter().cloned())
                .map(CellValue::Text)
                .collect(),
        );
        for (label, cells) in &self.lines {
            grid.push(
                std::iter::once(CellValue::Text(label.clone()))
                    .chain(cells.iter().cloned())
                    .collect(),
            );
        }
        if let Some(note) = &self.note {
            grid.push(Vec::new());
            grid.push(vec![CellValue::Text(note.clone())]);
        }
        grid
    }

    /// The tab name both formats accept.
    fn tab_name(&self) -> String {
        let cleaned: String = self
            .name
            .chars()
            .filter(|c| !"[]:*?/\\'".contains(*c))
            .take(31)
            .collect();
        if cleaned.is_empty() {
            "Tableau".into()
        } else {
            cleaned
        }
    }
}

/// The tab names of `tables`, made unique (a spreadsheet refuses two tabs of one name).
fn tab_names(tables: &[SheetTable]) -> Vec<String> {
    let mut used = std::collections::HashSet::new();
    tables
        .iter()
        .map(|table| {
            let base = table.tab_name();
            let mut name = base.clone();
            let mut n = 2;
            while !used.insert(name.to_lowercase()) {
                let suffix = format!(" ({n})");
                name = base.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
                n += 1;
            }
            name
        })
        .collect()
}

fn failed(error: impl std::fmt::Display) -> DocumentError {
    DocumentError::Spreadsheet(error.to_string())
}

/// The tables as an Office Open XML workbook.
pub fn xlsx(tables: &[SheetTable]) -> Result<Vec<u8>, DocumentError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (table, name) in tables.iter().zip(tab_names(tables)) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).map_err(failed)?;
        for (row, line) in table.grid().iter().enumerate() {
            let row = u32::try_from(row).map_err(failed)?;
            for (column, cell) in line.iter().enumerate() {
                let column = u16::try_from(column).map_err(failed)?;
                match cell {
                    CellValue::Number(n) => sheet.write_number(row, column, *n),
                    CellValue::Text(text) if row < 2 => {
                        sheet.write_string_with_format(row, column, text, &bold)
                    }
                    CellValue::Text(text) => sheet.write_string(row, column, text),
                }
                .map_err(failed)?;
            }
        }
        sheet.set_column_width(0, 40).map_err(failed)?;
    }
    workbook.save_to_buffer().map_err(failed)
}

/// The tables as an OpenDocument spreadsheet.
pub fn ods(tables: &[SheetTable]) -> Result<Vec<u8>, DocumentError> {
    let mut workbook = spreadsheet_ods::WorkBook::new_empty();
    for (table, name) in tables.iter().zip(tab_names(tables)) {
        let mut sheet = spreadsheet_ods::Sheet::new(name);
        for (row, line) in table.grid().iter().enumerate() {
            let row = u32::try_from(row).map_err(failed)?;
            for (column, cell) in line.iter().enumerate() {
                let column = u32::try_from(column).map_err(failed)?;
                match cell {
                    CellValue::Number(n) => sheet.set_value(row, column, *n),
                    CellValue::Text(text) => sheet.set_value(row, column, text.as_str()),
                }
            }
        }
        workbook.push_sheet(sheet);
    }
    spreadsheet_ods::write_ods_buf(&mut workbook, Vec::new()).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> SheetTable {
        SheetTable {
            name: "Motifs: 2026/[a]".into(),
            title: "Motifs de signalement, 2026".into(),
            columns: vec!["janv.".into(), "Total".into()],
            lines: vec![
                (
                    "Violences".into(),
                    vec![CellValue::Number(12.0), CellValue::Number(12.0)],
                ),
                (
                    "Logement".into(),
                    vec![CellValue::Text("s".into()), CellValue::Text("s".into())],
                ),
            ],
            note: Some("« s » : secret statistique".into()),
        }
    }

    #[test]
    fn tab_names_lose_the_characters_spreadsheets_refuse() {
        assert_eq!(table().tab_name(), "Motifs 2026a");
        let long = SheetTable {
            name: "x".repeat(40),
            ..table()
        };
        assert_eq!(long.tab_name().chars().count(), 31);
        let empty = SheetTable {
            name: "[]".into(),
            ..table()
        };
        assert_eq!(empty.tab_name(), "Tableau");
        assert_eq!(
            tab_names(&[table(), table(), long.clone(), long]),
            vec![
                "Motifs 2026a".to_string(),
                "Motifs 2026a (2)".into(),
                "x".repeat(31),
                format!("{} (2)", "x".repeat(27)),
            ]
        );
    }

    #[test]
    fn both_formats_are_zip_packages_with_their_own_content_type() {
        let xlsx = xlsx(&[table(), table()]).expect("xlsx");
        assert!(xlsx.starts_with(b"PK"));
        let ods = ods(&[table()]).expect("ods");
        assert!(ods.starts_with(b"PK"));
        // The OpenDocument package names its type in its first, uncompressed entry.
        let head = String::from_utf8_lossy(&ods[..ods.len().min(200)]).to_string();
        assert!(
            head.contains("application/vnd.oasis.opendocument.spreadsheet"),
            "{head}"
        );
    }
}
