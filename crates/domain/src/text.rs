//! Text folding shared by every search on names typed by people (persons, communes): case,
//! accents, ligatures and punctuation do not count.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Lowercase, without accents, ligatures spelt out (œ → oe, æ → ae, ß → ss), every hyphen,
/// apostrophe or other non-alphanumeric character as a single space, trimmed:
/// "Le Gall-Kerjean" → "le gall kerjean", "La Mézière" → "la meziere". Letters of other
/// scripts are kept, lowercased.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for lower in text.chars().flat_map(char::to_lowercase) {
        // Compatibility decomposition also spells out ligatures (ﬁ) and full-width letters.
        decompose_compatible(lower, |part| {
            // A decomposition can yield a capital (ᴭ → Æ): lowercase once more before mapping.
            for letter in part.to_lowercase() {
                match letter {
                    _ if is_combining_mark(letter) => {}
                    'œ' => folded.push_str("oe"),
                    'æ' => folded.push_str("ae"),
                    'ß' => folded.push_str("ss"),
                    'ø' => folded.push('o'),
                    'đ' | 'ð' => folded.push('d'),
                    'ł' => folded.push('l'),
                    _ if letter.is_alphanumeric() => folded.push(letter),
                    _ => folded.push(' '),
                }
            }
        });
    }
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn case_accents_and_separators_do_not_count() {
        assert_eq!(fold("La Mézière"), "la meziere");
        assert_eq!(fold("  SAINT-ÉTIENNE "), "saint etienne");
        assert_eq!(fold("L'Haÿ-les-Roses"), "l hay les roses");
        assert_eq!(fold("Œuilly"), "oeuilly");
    }
}
