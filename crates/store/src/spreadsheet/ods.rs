//! The first sheet of an ODS, read from its `content.xml` with the limits of [`Grid`]. Read
//! here rather than by the workbook library, which expands repeated rows and columns up to a
//! hundred million cells before anyone can say no.

use super::archive::{Budget, Grid, MAX_CELL_CHARS};
use super::{LineError, file_error};
use quick_xml::events::{BytesStart, Event};

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

fn repeats(element: &BytesStart<'_>, name: &str) -> usize {
    attribute(element, name)
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1)
}

/// A typed value written as a person would read it: a whole number without decimals, a
/// date as jj/mm/aaaa. None: the cell's text says it.
fn typed_value(cell: &BytesStart<'_>) -> Option<String> {
    match attribute(cell, "office:value-type").as_deref() {
        Some("float" | "percentage" | "currency") => {
            let value: f64 = attribute(cell, "office:value")?.parse().ok()?;
            Some(if value.fract() == 0.0 && value.abs() < 1e15 {
                format!("{}", value as i64)
            } else {
                value.to_string()
            })
        }
        Some("date") => {
            let value = attribute(cell, "office:date-value")?;
            let day = value.get(..10)?;
            let mut parts = day.split('-');
            let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
            Some(format!("{day}/{month}/{year}"))
        }
        _ => None,
    }
}

/// Reads the first table of `content.xml` into rows numbered from 1.
pub fn read_first_sheet(
    file_name: &str,
    content: &[u8],
    budget: &Budget,
) -> Result<Vec<(usize, Vec<String>)>, LineError> {
    let broken = || {
        file_error(format!(
            "« {file_name} » : classeur ODS illisible (contenu abîmé)"
        ))
    };
    let mut reader = quick_xml::Reader::from_reader(content);
    let mut grid = Grid::new(file_name, budget);
    let (mut in_table, mut row, mut column) = (false, 0usize, 0usize);
    let mut row_repeats = 1usize;
    let mut row_cells: Vec<(usize, String)> = Vec::new();
    // The cell being read: its column repeat count, its typed value, its text so far.
    let mut cell: Option<(usize, Option<String>, String)> = None;
    let mut paragraphs = 0usize;
    let mut events = 0usize;
    loop {
        events += 1;
        if events.is_multiple_of(4096) {
            budget.check(file_name)?;
        }
        let event = reader.read_event().map_err(|_| broken())?;
        match event {
            Event::Eof => break,
            Event::Start(e) if e.name().as_ref() == "table:table" => {
                if in_table {
                    return Err(broken());
                }
                in_table = true;
            }
            Event::End(e) if e.name().as_ref() == "table:table" => break,
            _ if !in_table => {}
            Event::Empty(e) if e.name().as_ref() == "table:table-row" => {
                row = row.saturating_add(repeats(&e, "table:number-rows-repeated"));
            }
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                row_repeats = repeats(&e, "table:number-rows-repeated");
                column = 0;
                row_cells.clear();
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                if row_cells.is_empty() {
                    row = row.saturating_add(row_repeats);
                } else {
                    for _ in 0..row_repeats {
                        for (at, text) in &row_cells {
                            grid.put(row, *at, text.clone())?;
                        }
                        row += 1;
                    }
                }
            }
            Event::Start(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                cell = Some((
                    repeats(&e, "table:number-columns-repeated"),
                    typed_value(&e),
                    String::new(),
                ));
                paragraphs = 0;
            }
            Event::Empty(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                let count = repeats(&e, "table:number-columns-repeated");
                match typed_value(&e) {
                    Some(text) => {
                        for _ in 0..count {
                            push_cell(&mut row_cells, &mut column, text.clone(), file_name)?;
                        }
                    }
                    None => column = column.saturating_add(count),
                }
            }
            Event::End(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                let Some((count, typed, text)) = cell.take() else {
                    return Err(broken());
                };
                let text = typed.unwrap_or(text).trim().to_string();
                if text.is_empty() {
                    column = column.saturating_add(count);
                } else {
                    for _ in 0..count {
                        push_cell(&mut row_cells, &mut column, text.clone(), file_name)?;
                    }
                }
            }
            Event::Start(e) if e.name().as_ref() == "text:p" => {
                if let Some((_, _, text)) = cell.as_mut()
                    && paragraphs > 0
                {
                    text.push('\n');
                }
                paragraphs += 1;
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "text:s" => {
                if let Some((_, _, text)) = cell.as_mut() {
                    let count = repeats(&e, "text:c").min(MAX_CELL_CHARS + 1);
                    text.extend(std::iter::repeat_n(' ', count));
                    too_long(text, row)?;
                }
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "text:tab" => {
                if let Some((_, _, text)) = cell.as_mut() {
                    text.push('\t');
                }
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "text:line-break" => {
                if let Some((_, _, text)) = cell.as_mut() {
                    text.push('\n');
                }
            }
            Event::Text(t) => {
                if let Some((_, _, text)) = cell.as_mut() {
                    text.push_str(&t.xml10_content());
                    too_long(text, row)?;
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, _, text)) = cell.as_mut() {
                    let name: &str = r.as_ref();
                    match quick_xml::escape::resolve_xml_entity(name) {
                        Some(resolved) => text.push_str(resolved),
                        None => match r.resolve_char_ref().map_err(|_| broken())? {
                            Some(c) => text.push(c),
                            None => return Err(broken()),
                        },
                    }
                }
            }
            _ => {}
        }
    }
    Ok(grid.into_rows())
}

fn push_cell(
    row_cells: &mut Vec<(usize, String)>,
    column: &mut usize,
    text: String,
    file_name: &str,
) -> Result<(), LineError> {
    if *column >= super::archive::MAX_COLUMNS {
        return Err(file_error(format!(
            "« {file_name} » a plus de {} colonnes remplies : gardez seulement les colonnes attendues",
            super::archive::MAX_COLUMNS
        )));
    }
    row_cells.push((*column, text));
    *column += 1;
    Ok(())
}

/// Bytes, not characters, so the check stays cheap while the text grows.
fn too_long(text: &str, row: usize) -> Result<(), LineError> {
    if text.len() > MAX_CELL_CHARS * 4 {
        return Err(LineError {
            line: row + 1,
            column: None,
            reason: format!("une cellule dépasse {MAX_CELL_CHARS} caractères"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sheet as LibreOffice writes it: styled empty cells, repeated columns and rows, a
    /// number, a percentage, a date, spaces and an entity, and the filler rows at the end.
    const CONTENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>
<table:table table:name="Postes"><table:table-column table:number-columns-repeated="4"/>
<table:table-row><table:table-cell office:value-type="string"><text:p>Recensement</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1023"/></table:table-row>
<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>n° dépt</text:p></table:table-cell><table:table-cell table:style-name="ce1"/><table:table-cell office:value-type="string"><text:p>ETP</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Date</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>A<text:s text:c="2"/>&amp; B</text:p></table:table-cell><table:table-cell office:value-type="percentage" office:value="0.5"><text:p>50 %</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2021-09-01"><text:p>01/09/21</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
</table:table><table:table table:name="Autre"><table:table-row><table:table-cell office:value-type="string"><text:p>ignorée</text:p></table:table-cell></table:table-row></table:table>
</office:spreadsheet></office:body></office:document-content>"#;

    #[test]
    fn a_libreoffice_sheet_reads_with_its_line_numbers() {
        let rows = read_first_sheet("a.ods", CONTENT.as_bytes(), &Budget::unbounded()).unwrap();
        assert_eq!(
            rows,
            [
                (1, vec!["Recensement".to_string()]),
                (
                    4,
                    vec!["n° dépt".into(), String::new(), "ETP".into(), "Date".into()]
                ),
                (
                    5,
                    vec![
                        "1".into(),
                        "A  & B".into(),
                        "0.5".into(),
                        "01/09/2021".into()
                    ]
                ),
            ]
        );
    }

    #[test]
    fn repeated_filled_cells_stop_at_the_limits() {
        let bomb = CONTENT.replace(
            r#"<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/>"#,
            r#"<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="50" office:value-type="float" office:value="1"/>"#,
        );
        let error = read_first_sheet("a.ods", bomb.as_bytes(), &Budget::unbounded()).unwrap_err();
        assert!(
            error.reason.contains("cellules") || error.reason.contains("lignes"),
            "{error}"
        );
    }
}
