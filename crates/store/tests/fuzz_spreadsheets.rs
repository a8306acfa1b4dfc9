//! Fuzzing the readers of uploaded spreadsheets (see the domain's `tests/support/fuzzing.rs`):
//! CSV bytes; an XLSX's sheet, shared strings and container; an ODS's content. Whatever the
//! bytes, the reader answers within bounds — a table of at most `MAX_LINES` lines, or a French
//! error naming the file or the line — quickly, and never panics.

#[path = "../../domain/tests/support/fuzzing.rs"]
mod fuzzing;

use passerelle_store::spreadsheet::{MAX_LINES, read_table};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Reads `bytes` as the file `name` and checks what came back; the outcome for the corpus.
fn read_checked(name: &str, bytes: &[u8]) -> String {
    let started = Instant::now();
    let answer = read_table(name, bytes);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{name}: {:?} for {} bytes",
        started.elapsed(),
        bytes.len()
    );
    match answer {
        Ok(table) => {
            assert!(table.rows.len() <= MAX_LINES);
            let mut previous = table.header_line;
            for (line, _) in &table.rows {
                assert!(*line > previous, "lines in order");
                previous = *line;
            }
            format!(
                "ok:{}:{}",
                table.headers.len().min(8),
                table.rows.len().min(8)
            )
        }
        Err(error) => {
            let text = error.to_string();
            assert!(
                text.starts_with("fichier") || text.starts_with("ligne"),
                "{text}"
            );
            // The reason, without the figures that vary with the input.
            let reason: String = error
                .reason
                .chars()
                .filter(|c| !c.is_ascii_digit())
                .take(40)
                .collect();
            format!("err:{}:{reason}", error.line.min(3))
        }
    }
}

/// A workbook as a spreadsheet program writes it, and its parts by name.
fn sample_xlsx() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, header) in ["code", "nom", "departement", "etp", "debut"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    for row in 1..6u32 {
        sheet
            .write_string(row, 0, format!("ISCG-22-{row:03}"))
            .unwrap();
        sheet
            .write_string(row, 1, "Brigade de Lannion « nord » & co")
            .unwrap();
        sheet.write_number(row, 2, 22.0).unwrap();
        sheet.write_number(row, 3, 0.5 * f64::from(row)).unwrap();
        sheet.write_string(row, 4, "01/09/2021").unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

fn parts_of(archive: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().unwrap().to_string(), content)
        })
        .collect()
}

fn zip_of(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in parts {
        writer.start_file(name.as_str(), stored).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn csv_files_of_any_bytes_are_read_within_bounds() {
    let seeds = vec![
        "code;nom;departement\nISCG-22-001;Brigade de Lannion;22\n"
            .as_bytes()
            .to_vec(),
        b"\xef\xbb\xbfcode,nom\r\n\"a;b\",\"l1\nl2\"\r\n\r\n\r\nx,y\r\n".to_vec(),
        "nom;d\u{e9}partement\nCaf\u{e9};22\n".as_bytes().to_vec(),
        b"nom;departement\nCaf\xe9;22\n".to_vec(),
        b"a\tb\tc\n1\t2\t3\n".to_vec(),
    ];
    fuzzing::fuzz("csv", &seeds, |bytes| read_checked("f.csv", bytes));
}

/// The sheet and the shared strings of a real workbook, mutated, in a sound container.
#[test]
fn xlsx_sheets_of_any_content_are_read_within_bounds() {
    let template = parts_of(&sample_xlsx());
    let mutated_parts = ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"];
    let seeds: Vec<Vec<u8>> = mutated_parts
        .iter()
        .enumerate()
        .map(|(which, name)| {
            let content = &template.iter().find(|(n, _)| n == name).unwrap().1;
            let mut seed = vec![which as u8];
            seed.extend_from_slice(content);
            seed
        })
        .collect();
    fuzzing::fuzz("xlsx_parts", &seeds, |bytes| {
        let Some((&which, content)) = bytes.split_first() else {
            return "empty".into();
        };
        let replaced = mutated_parts[usize::from(which) % mutated_parts.len()];
        let parts: Vec<(String, Vec<u8>)> = template
            .iter()
            .map(|(name, original)| {
                let content = if name == replaced {
                    content.to_vec()
                } else {
                    original.clone()
                };
                (name.clone(), content)
            })
            .collect();
        read_checked("f.xlsx", &zip_of(&parts))
    });
}

/// The container itself: a workbook's bytes, mutated (directory, headers, compressed data).
#[test]
fn xlsx_containers_of_any_bytes_are_read_within_bounds() {
    fuzzing::fuzz("xlsx_container", &[sample_xlsx()], |bytes| {
        read_checked("f.xlsx", bytes)
    });
}

#[test]
fn ods_contents_of_any_xml_are_read_within_bounds() {
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>
<table:table table:name="Postes"><table:table-column table:number-columns-repeated="3"/>
<table:table-row><table:table-cell office:value-type="string"><text:p>code</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>nom</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1022"/></table:table-row>
<table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="string"><text:p>A<text:s text:c="2"/>&amp; B</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="22"><text:p>22</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
    fuzzing::fuzz("ods_content", &[content.as_bytes().to_vec()], |bytes| {
        let parts = vec![
            (
                "mimetype".to_string(),
                b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
            ),
            ("content.xml".to_string(), bytes.to_vec()),
        ];
        read_checked("f.ods", &zip_of(&parts))
    });
}
