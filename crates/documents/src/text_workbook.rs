//! Workbooks where codes stay codes: an import template (drop-down lists of the allowed
//! values) and the open data table (département « 01 » keeps its zero). A spreadsheet reads
//! « 01 » typed as a number as 1; every cell written here as text is typed text.

use crate::DocumentError;
use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook};

fn failed(error: rust_xlsxwriter::XlsxError) -> DocumentError {
    DocumentError::Spreadsheet(error.to_string())
}

/// A column of an import template.
#[derive(Debug, Clone)]
pub struct TemplateColumn {
    pub name: String,
    pub meaning: String,
    pub required: bool,
    /// The allowed values, offered as a drop-down list; empty: free text.
    pub choices: Vec<String>,
    /// The value of the template's example line (second row); empty: left blank.
    pub example: String,
}

/// Rows of a template where the drop-down lists apply.
const TEMPLATE_ROWS: u32 = 2_000;

/// An import template: the header and an example line on the first sheet, cells typed as text, a drop-down list
/// on each column with choices (kept on a second sheet, which has no length limit), and the
/// meaning of each column on a third.
pub fn template_xlsx(columns: &[TemplateColumn]) -> Result<Vec<u8>, DocumentError> {
    let mut workbook = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Import").map_err(failed)?;
    for (index, column) in columns.iter().enumerate() {
        let at = index as u16;
        sheet
            .set_column_format(at, &text)
            .and_then(|s| s.set_column_width(at, 24))
            .map_err(failed)?;
        sheet
            .write_string_with_format(0, at, &column.name, &bold)
            .map_err(failed)?;
        if !column.example.is_empty() {
            sheet
                .write_string_with_format(1, at, &column.example, &text)
                .map_err(failed)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    let mut lists = Vec::new();
    for (index, column) in columns.iter().enumerate() {
        if column.choices.is_empty() {
            continue;
        }
        let list_column = lists.len() as u16;
        let last = column.choices.len() as u32;
        let letter = (b'A' + list_column as u8) as char;
        let validation = DataValidation::new()
            .allow_list_formula(Formula::new(format!(
                "=Listes!${letter}$2:${letter}${}",
                last + 1
            )))
            .set_error_message(format!(
                "Choisissez une valeur de la liste « {} ».",
                column.name
            ))
            .map_err(failed)?;
        sheet
            .add_data_validation(1, index as u16, TEMPLATE_ROWS, index as u16, &validation)
            .map_err(failed)?;
        lists.push(column);
    }
    let list_sheet = workbook.add_worksheet();
    list_sheet.set_name("Listes").map_err(failed)?;
    for (at, column) in lists.iter().enumerate() {
        list_sheet
            .write_string_with_format(0, at as u16, &column.name, &bold)
            .map_err(failed)?;
        for (row, choice) in column.choices.iter().enumerate() {
            list_sheet
                .write_string(row as u32 + 1, at as u16, choice)
                .map_err(failed)?;
        }
    }
    let help = workbook.add_worksheet();
    help.set_name("Aide").map_err(failed)?;
    for (col, title) in ["Colonne", "Obligatoire", "Contenu"].iter().enumerate() {
        help.write_string_with_format(0, col as u16, *title, &bold)
            .map_err(failed)?;
    }
    for (row, column) in columns.iter().enumerate() {
        let row = row as u32 + 1;
        help.write_string(row, 0, &column.name).map_err(failed)?;
        help.write_string(row, 1, if column.required { "oui" } else { "non" })
            .map_err(failed)?;
        help.write_string(row, 2, &column.meaning).map_err(failed)?;
    }
    help.set_column_width(2, 90).map_err(failed)?;
    workbook.save_to_buffer().map_err(failed)
}

/// A table of one sheet: every cell typed as text, except the `numbers` columns written as
/// numbers when they read as one (a comma decimal too).
pub fn text_table_xlsx(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
    numbers: &[usize],
) -> Result<Vec<u8>, DocumentError> {
    let mut workbook = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name).map_err(failed)?;
    for (col, header) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *header, &bold)
            .map_err(failed)?;
    }
    for (row, cells) in rows.iter().enumerate() {
        let row = row as u32 + 1;
        for (col, value) in cells.iter().enumerate() {
            let number = numbers
                .contains(&col)
                .then(|| value.replace(',', ".").parse::<f64>().ok())
                .flatten();
            match number {
                Some(number) => sheet.write_number(row, col as u16, number),
                None => sheet.write_string_with_format(row, col as u16, value, &text),
            }
            .map_err(failed)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    workbook.save_to_buffer().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_and_a_text_table_are_workbooks() {
        let columns = vec![TemplateColumn {
            name: "zone".into(),
            meaning: "Police, Gendarmerie ou Mixte".into(),
            required: true,
            choices: vec!["Zone police".into(), "Zone gendarmerie".into()],
            example: "Zone police".into(),
        }];
        assert!(template_xlsx(&columns).unwrap().starts_with(b"PK"));
        let table = text_table_xlsx(
            "Postes",
            &["departement_code", "etp"],
            &[vec!["01".into(), "0,5".into()]],
            &[1],
        )
        .unwrap();
        assert!(table.starts_with(b"PK"));
    }
}
