//! The glossary (`docs/glossary.md`) stays applied: none of the words it forbids appears in
//! a template (`crates/web/templates`, `crates/documents/templates`) or in a string literal
//! of the sources that print French (`crates/web/src`, `crates/documents/src`,
//! `crates/domain/src`, `crates/store/src`), except where its « Exceptions » table allows it,
//! with a reason. A failure names the file, the line and the word.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The cells of the table rows of one `## ` section of the glossary.
fn table_rows(glossary: &str, section: &str) -> Vec<Vec<String>> {
    let mut inside = false;
    let mut rows = Vec::new();
    for line in glossary.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            inside = title.trim() == section;
            continue;
        }
        let line = line.trim();
        if !inside || !line.starts_with('|') || line.starts_with("|---") {
            continue;
        }
        rows.push(
            line.trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_string())
                .collect(),
        );
    }
    // The first row is the header.
    rows.into_iter().skip(1).collect()
}

/// Every « word » of a cell.
fn quoted(cell: &str) -> Vec<String> {
    cell.split('«')
        .skip(1)
        .filter_map(|rest| rest.split('»').next())
        .map(|word| word.trim().to_string())
        .filter(|word| !word.is_empty())
        .collect()
}

fn unquoted_code(cell: &str) -> String {
    cell.trim().trim_matches('`').to_string()
}

struct Exception {
    file: String,
    passage: String,
    used: bool,
}

/// Where `word` occurs in `text` as a word of prose: case folded, not inside a longer word,
/// not part of a machine identifier (`tile-saisines`, `/signalements`, `a@b.fr`).
fn occurrences(text: &str, word: &str) -> Vec<usize> {
    let text: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let word: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
    let mut found = Vec::new();
    if word.is_empty() || text.len() < word.len() {
        return found;
    }
    for start in 0..=text.len() - word.len() {
        if text[start..start + word.len()] != word[..] {
            continue;
        }
        let before = start.checked_sub(1).map(|i| text[i]);
        let after = text.get(start + word.len()).copied();
        let in_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let in_identifier = |c: Option<char>| c.is_some_and(|c| "-_/#@".contains(c));
        if in_word(before) || in_word(after) || in_identifier(before) || in_identifier(after) {
            continue;
        }
        found.push(text[..start].iter().filter(|c| **c == '\n').count());
    }
    found
}

/// A string literal's source text with its escapes blanked (`\n` would glue to the next
/// word), its newlines kept so that lines still count.
fn literal_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\n') => out.push_str(" \n"),
                Some(_) => out.push_str("  "),
                None => out.push(' '),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// (line, text) of every string literal of a Rust source, doc comments left out: they are
/// English and for developers.
fn string_literals(source: &str) -> Vec<(usize, String)> {
    fn walk(stream: TokenStream, out: &mut Vec<(usize, String)>) {
        let mut after_pound = false;
        for tree in stream {
            match tree {
                TokenTree::Group(group) => {
                    let is_doc = after_pound
                        && group.delimiter() == Delimiter::Bracket
                        && matches!(
                            group.stream().into_iter().next(),
                            Some(TokenTree::Ident(ident)) if ident == "doc"
                        );
                    if !is_doc {
                        walk(group.stream(), out);
                    }
                    after_pound = false;
                }
                TokenTree::Punct(punct) => {
                    // `#` or `#!` before an attribute.
                    after_pound = punct.as_char() == '#' || (after_pound && punct.as_char() == '!');
                }
                TokenTree::Literal(literal) => {
                    let raw = literal.to_string();
                    if raw.starts_with('"') || raw.starts_with("r\"") || raw.starts_with("r#") {
                        out.push((literal.span().start().line, literal_text(&raw)));
                    }
                    after_pound = false;
                }
                TokenTree::Ident(_) => after_pound = false,
            }
        }
    }
    let stream: TokenStream = source.parse().expect("a Rust source that parses");
    let mut out = Vec::new();
    walk(stream, &mut out);
    out
}

fn files_under(folder: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, extensions, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e))
        {
            out.push(path);
        }
    }
}

/// Every forbidden word found in `text` (one template, or one literal starting at `first_line`),
/// unless an exception of `file` allows the line.
#[allow(clippy::too_many_arguments)]
fn check(
    file: &str,
    source_lines: &[&str],
    first_line: usize,
    text: &str,
    forbidden: &[String],
    exceptions: &mut [Exception],
    failures: &mut Vec<String>,
) {
    for word in forbidden {
        for offset in occurrences(text, word) {
            let line = first_line + offset;
            let source_line = source_lines.get(line - 1).copied().unwrap_or_default();
            if let Some(exception) = exceptions
                .iter_mut()
                .find(|e| e.file == file && source_line.contains(&e.passage))
            {
                exception.used = true;
                continue;
            }
            failures.push(format!(
                "{file}:{line}: « {word} » — {}",
                source_line.trim()
            ));
        }
    }
}

fn forbidden_words(glossary: &str) -> Vec<String> {
    table_rows(glossary, "Les mots")
        .iter()
        .flat_map(|row| quoted(row.get(2).map(String::as_str).unwrap_or_default()))
        .collect()
}

#[test]
fn the_interface_uses_the_words_of_the_glossary() {
    let root = workspace();
    let glossary = std::fs::read_to_string(root.join("docs/glossary.md")).unwrap();
    let forbidden = forbidden_words(&glossary);
    assert!(
        forbidden.iter().any(|w| w == "saisine") && forbidden.len() > 10,
        "the glossary's forbidden words are read: {forbidden:?}"
    );
    let mut exceptions: Vec<Exception> = table_rows(&glossary, "Exceptions")
        .iter()
        .map(|row| {
            assert!(
                row.len() == 3 && !row[2].is_empty(),
                "an exception gives a file, a passage and a reason: {row:?}"
            );
            Exception {
                file: unquoted_code(&row[0]),
                passage: unquoted_code(&row[1]),
                used: false,
            }
        })
        .collect();

    let mut failures = Vec::new();
    let mut templates = Vec::new();
    for folder in ["crates/web/templates", "crates/documents/templates"] {
        files_under(&root.join(folder), &["html", "typ", "txt"], &mut templates);
    }
    let mut sources = Vec::new();
    for folder in [
        "crates/web/src",
        "crates/documents/src",
        "crates/domain/src",
        "crates/store/src",
    ] {
        files_under(&root.join(folder), &["rs"], &mut sources);
    }
    assert!(
        templates.len() > 50 && sources.len() > 100,
        "the files are found"
    );
    let relative = |path: &Path| {
        path.strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    for path in &templates {
        let text = std::fs::read_to_string(path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let file = relative(path);
        check(
            &file,
            &lines,
            1,
            &text,
            &forbidden,
            &mut exceptions,
            &mut failures,
        );
    }
    for path in &sources {
        let text = std::fs::read_to_string(path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let file = relative(path);
        for (line, literal) in string_literals(&text) {
            check(
                &file,
                &lines,
                line,
                &literal,
                &forbidden,
                &mut exceptions,
                &mut failures,
            );
        }
    }
    assert!(
        failures.is_empty(),
        "words the glossary (docs/glossary.md) forbids:\n{}",
        failures.join("\n")
    );
    let stale: Vec<_> = exceptions
        .iter()
        .filter(|e| !e.used)
        .map(|e| format!("{} « {} »", e.file, e.passage))
        .collect();
    assert!(stale.is_empty(), "exceptions no longer needed: {stale:?}");
}

#[test]
fn a_forbidden_word_is_found_in_prose_not_in_identifiers() {
    assert_eq!(occurrences("Nouvelles Saisines reçues", "saisines"), [0]);
    assert_eq!(
        occurrences("l'intervenant(e) social(e)", "intervenant(e)"),
        [0]
    );
    assert_eq!(
        occurrences("un\nsignalement, deux saisines.", "saisines"),
        [1]
    );
    assert!(
        occurrences("saisines", "saisine").is_empty(),
        "a longer word"
    );
    assert!(occurrences("id=\"tile-saisines\"", "saisines").is_empty());
    assert!(occurrences("officier@interieur.gouv.fr", "officier").is_empty());
    let literals = string_literals(
        "/// Une saisine, en commentaire\nfn f() { let _ = format!(\"x\\nSaisines {}\", 1); }\n",
    );
    assert_eq!(literals.len(), 1, "{literals:?}");
    assert_eq!(literals[0].0, 2);
    assert_eq!(occurrences(&literals[0].1, "saisines"), [0]);
}
