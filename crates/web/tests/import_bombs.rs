//! Uploaded spreadsheets are bounded (issue 17, point 4): a 1 MB XLSX or ODS that inflates to
//! 1 GiB (one cell of repeated characters), one whose archive lies about its sizes, and an
//! ODS repeating a cell over a million rows, sent two at a time to the partner import and the
//! past statistics upload, are refused in French, naming the file and the limit, while the
//! server (in this process) stays within 100 MB of its idle memory.

mod helpers;

use helpers::{CSRF, TestApp, spawn_all};
use passerelle_domain::identity::role::Role;

const GIB: usize = 1 << 30;

/// Raw deflate of `data`, flushed to a byte boundary (final block only if `last`).
fn deflate(data: &[u8], last: bool) -> Vec<u8> {
    let mut compress = flate2::Compress::new(flate2::Compression::default(), false);
    let mut out = Vec::with_capacity(data.len() + 1024);
    let flush = if last {
        flate2::FlushCompress::Finish
    } else {
        flate2::FlushCompress::Sync
    };
    compress.compress_vec(data, &mut out, flush).unwrap();
    out
}

/// A deflate stream of `prefix`, `size` times the letter A, then `suffix`: one megabyte of
/// A compressed once and its (non-final) blocks repeated, about 1 KB per MB inflated.
fn bomb_stream(prefix: &str, size: usize, suffix: &str) -> Vec<u8> {
    let mega = deflate(&vec![b'A'; 1 << 20], false);
    let mut stream = deflate(prefix.as_bytes(), false);
    for _ in 0..size >> 20 {
        stream.extend_from_slice(&mega);
    }
    stream.extend(deflate(suffix.as_bytes(), true));
    stream
}

/// An entry of a hand-written zip: name, method (0 stored, 8 deflated), data as stored, the
/// size it declares once inflated.
struct Entry {
    name: &'static str,
    method: u16,
    data: Vec<u8>,
    declared: u32,
}

fn stored(name: &'static str, text: &str) -> Entry {
    Entry {
        name,
        method: 0,
        data: text.as_bytes().to_vec(),
        declared: text.len() as u32,
    }
}

/// A zip archive written by hand, so that it can declare what it likes (CRC left at zero:
/// nobody should read far enough to check it).
fn zip(entries: &[Entry]) -> Vec<u8> {
    let crc = |e: &Entry| {
        if e.method == 0 {
            let mut hasher = flate2::Crc::new();
            hasher.update(&e.data);
            hasher.sum()
        } else {
            0
        }
    };
    let mut out = Vec::new();
    let mut central = Vec::new();
    for entry in entries {
        let offset = out.len() as u32;
        let header = |signature: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(signature.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(entry.method.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(0x21u16.to_le_bytes());
            h.extend(crc(entry).to_le_bytes());
            h.extend((entry.data.len() as u32).to_le_bytes());
            h.extend(entry.declared.to_le_bytes());
            h.extend((entry.name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                h.extend([0u8; 6]);
                h.extend(0u32.to_le_bytes());
                h.extend(offset.to_le_bytes());
            }
            h.extend(entry.name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&entry.data);
        central.extend(header(0x0201_4b50, true));
    }
    let central_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(central_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// An XLSX whose one cell is `size` letters; `declared` what its archive says once inflated.
fn xlsx_bomb(size: usize, declared: u32) -> Vec<u8> {
    let prefix = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#
    );
    let suffix = "</t></is></c></row></sheetData></worksheet>";
    zip(&[
        stored(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        stored(
            "_rels/.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        stored(
            "xl/workbook.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        stored(
            "xl/_rels/workbook.xml.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
        Entry {
            name: "xl/worksheets/sheet1.xml",
            method: 8,
            data: bomb_stream(&prefix, size, suffix),
            declared,
        },
    ])
}

const ODS_OPEN: &str = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="F">"#;
const ODS_CLOSE: &str =
    "</table:table></office:spreadsheet></office:body></office:document-content>";

fn ods(content: Entry) -> Vec<u8> {
    zip(&[
        stored("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        stored(
            "META-INF/manifest.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
        ),
        content,
    ])
}

/// An ODS whose one cell is `size` letters.
fn ods_bomb(size: usize, declared: u32) -> Vec<u8> {
    let prefix = format!(
        r#"{ODS_OPEN}<table:table-row><table:table-cell office:value-type="string"><text:p>"#
    );
    let suffix = format!("</text:p></table:table-cell></table:table-row>{ODS_CLOSE}");
    ods(Entry {
        name: "content.xml",
        method: 8,
        data: bomb_stream(&prefix, size, &suffix),
        declared,
    })
}

/// A small ODS repeating a filled cell over every column of a million rows.
fn ods_repeats() -> Vec<u8> {
    ods(stored(
        "content.xml",
        &format!(
            r#"{ODS_OPEN}<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>{ODS_CLOSE}"#
        ),
    ))
}

/// A memory figure of this process (the server runs in it) from `/proc/self/status`, in bytes.
fn memory_figure(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// The resident memory now.
fn resident() -> u64 {
    memory_figure("VmRSS:")
}

/// Measures the peak from now on. Linux keeps the high-water mark of the resident memory
/// (`VmHWM`), exact where a thread sampling the resident memory would miss a short spike;
/// writing 5 to `clear_refs` brings it back to the resident memory of now.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5")
        .expect("the peak of resident memory is reset through /proc/self/clear_refs (Linux)");
}

/// The peak of resident memory since `reset_peak`.
fn peak() -> u64 {
    memory_figure("VmHWM:")
}

async fn upload(app: &TestApp, path: &str, name: &str, bytes: Vec<u8>) -> (u16, String) {
    let session = app.session_for(Role::SocialWorker).await;
    let form = reqwest::multipart::Form::new().text("csrf", CSRF).part(
        "fichier",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let response = reqwest::Client::new()
        .post(app.url(path))
        .header(
            "cookie",
            format!("passerelle_csrf={CSRF}; passerelle_session={session}"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, text.replace("&#x27;", "'").replace("&#39;", "'"))
}

#[tokio::test]
async fn spreadsheet_bombs_are_refused_in_french_within_100_mb() {
    let xlsx = xlsx_bomb(GIB, GIB as u32);
    let ods_file = ods_bomb(GIB, GIB as u32);
    // The same bombs declaring a few hundred bytes: the bytes inflated are counted anyway.
    let xlsx_liar = xlsx_bomb(GIB, 300);
    let ods_liar = ods_bomb(GIB, 300);
    let repeats = ods_repeats();
    assert!(
        xlsx.len() < 1_500_000 && ods_file.len() < 1_500_000,
        "1 MB files"
    );
    for app in spawn_all().await {
        let partners = format!(
            "/partenaires/import?departement={}",
            app.departement_for(true).await
        );
        let legacy = "/statistiques/historique";
        // Warm up (sessions, pages) before measuring the idle memory.
        upload(&app, legacy, "vide.csv", b"x".to_vec()).await;
        let idle = resident();
        reset_peak();
        let cases: [(&str, &str, &Vec<u8>, &str); 5] = [
            (
                &partners,
                "annuaire.xlsx",
                &xlsx,
                "décompressé dépasserait 50 Mo",
            ),
            (
                legacy,
                "historique.ods",
                &ods_file,
                "décompressé dépasserait 50 Mo",
            ),
            // Inflated no further than declared, the entry fails its checksum: damaged.
            (&partners, "annuaire-menteur.xlsx", &xlsx_liar, "illisible"),
            (legacy, "historique-menteur.ods", &ods_liar, "illisible"),
            (&partners, "repetitions.ods", &repeats, "colonnes remplies"),
        ];
        // Two at once: each case with the next one.
        for pair in cases.windows(2) {
            let [(p1, n1, b1, m1), (p2, n2, b2, m2)] = pair else {
                unreachable!()
            };
            let (first, second) = tokio::join!(
                upload(&app, p1, n1, (*b1).clone()),
                upload(&app, p2, n2, (*b2).clone())
            );
            for ((status, text), name, message) in [(first, n1, m1), (second, n2, m2)] {
                assert_eq!(status, 422, "{} {name}: {text}", app.backend);
                assert!(
                    text.contains(&format!("« {name} »")) && text.contains(message),
                    "{} {name}: {}",
                    app.backend,
                    text.lines()
                        .filter(|l| l.contains("Fichier") || l.contains("fichier"))
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
        }
        let grown = peak().saturating_sub(idle);
        eprintln!(
            "{}: idle {} MB, peak +{} MB",
            app.backend,
            idle >> 20,
            grown >> 20
        );
        assert!(
            grown < 100 << 20,
            "{}: the server grew by {} MB reading bombs",
            app.backend,
            grown >> 20
        );
    }
}
