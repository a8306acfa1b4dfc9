//! The text a reader gets out of an answer, whatever its kind: a page, a CSV or JSON file or
//! a calendar as they are; a PDF as `pdftotext` reads it; a workbook (XLSX, ODS: zip archives)
//! as the XML of every part. Then folded, so that a value is found however it was laid out.

use std::io::Read;

/// The readable text of an answer's bytes, told apart by their first bytes (a download's
/// content type says as much, but a wrong one must not hide its content).
pub fn readable_text(bytes: &[u8]) -> String {
    if bytes.starts_with(b"%PDF") {
        return super::pdf_text(bytes);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return zip_text(bytes);
    }
    decode_entities(&String::from_utf8_lossy(bytes))
}

/// Every part of a zip archive, one after the other: a workbook's sheets, shared strings,
/// metadata.
fn zip_text(bytes: &[u8]) -> String {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a download that reads as zip");
    let mut text = String::new();
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).expect("a part of the archive");
        let mut content = Vec::new();
        part.read_to_end(&mut content).expect("a readable part");
        text.push_str(&decode_entities(&String::from_utf8_lossy(&content)));
        text.push('\n');
    }
    text
}

/// HTML and XML character references read back (`&#x2f;`, `&#47;`, `&amp;`…): an escaped
/// slash must not hide a date.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|end| *end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let character = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((character, end))
        });
        match decoded {
            Some((character, end)) => {
                out.push(character);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Lower case, without any white space (a PDF's line breaks, a calendar's folded lines, the
/// pairs of a phone number, non-breaking spaces), hyphens (a PDF's hyphenation, an ISO date)
/// and typographic ligatures: one text to search, whatever the layout.
pub fn folded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            c if c.is_whitespace() => {}
            '-' | '\u{ad}' | '\u{2010}' | '\u{2011}' => {}
            'ﬀ' => out.push_str("ff"),
            'ﬁ' => out.push_str("fi"),
            'ﬂ' => out.push_str("fl"),
            'ﬃ' => out.push_str("ffi"),
            'ﬄ' => out.push_str("ffl"),
            'ﬅ' | 'ﬆ' => out.push_str("st"),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}
