//! Text from outside (a form field, a spreadsheet cell) made plain before anything reads it.
//!
//! Control characters have no place in a name, an address or a note: a NUL cuts a string in
//! some tools, an escape sequence repaints a terminal reading the logs. Bidirectional
//! overrides and isolates (U+202A–U+202E, U+2066–U+2069) make a text display in another order
//! than it is stored (a file name, a phone number read backwards). They are invisible, so they
//! are dropped rather than refused: the person would not know what to remove. Multi-line text
//! keeps its line breaks (as `\n`) and tabs; a single-line value gets a space instead.

/// Whether a character is a bidirectional embedding, override or isolate control.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` without control characters (but `\n` and `\t` when `multi_line`) and without
/// bidirectional controls. `\r\n` and a lone `\r` become `\n`.
pub fn plain_text(text: &str, multi_line: bool) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                plain.push(if multi_line { '\n' } else { ' ' });
            }
            '\n' | '\t' => plain.push(if multi_line { c } else { ' ' }),
            c if c.is_control() || is_bidi_control(c) => {}
            c => plain.push(c),
        }
    }
    plain
}

/// Whether a required name has something to show: a letter or a digit (a name made of
/// spaces, punctuation or invisible characters is empty to whoever reads it).
pub fn has_visible_name(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nul_escape_and_bidi_controls_are_dropped() {
        assert_eq!(
            plain_text("Jean\u{0}ne\u{1b}[2J \u{202E}txt.exe", false),
            "Jeanne[2J txt.exe"
        );
        assert_eq!(plain_text("a\u{2066}b\u{2069}c\u{7f}\u{85}", false), "abc");
        assert_eq!(
            plain_text("ligne 1\r\nligne 2\rligne 3\n\tfin", true),
            "ligne 1\nligne 2\nligne 3\n\tfin"
        );
        assert_eq!(plain_text("un\ndeux\tz", false), "un deux z");
        // Letters of every script, and the marks that are not overrides, stay.
        assert_eq!(
            plain_text("Zoé مرحبا\u{200F} 日本", false),
            "Zoé مرحبا\u{200F} 日本"
        );
    }

    #[test]
    fn a_name_needs_a_letter_or_a_digit() {
        assert!(has_visible_name("CCAS 35"));
        assert!(has_visible_name("115"));
        for empty in ["", "   ", "\u{200B}", "-- . --", "\u{202E}"] {
            assert!(!has_visible_name(empty), "{empty:?}");
        }
    }

    proptest! {
        #[test]
        fn plain_text_has_no_control_left(text in "\\PC{0,30}|[\\x00-\\x1f\\x7f\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}a ]{0,30}", multi in any::<bool>()) {
            let plain = plain_text(&text, multi);
            prop_assert!(plain.chars().all(|c| !is_bidi_control(c) && (!c.is_control() || (multi && matches!(c, '\n' | '\t')))));
            prop_assert_eq!(plain_text(&plain, multi), plain.clone());
        }
    }
}
