//! Finding a commune from what a visitor typed: its INSEE code, a postcode, or its name with
//! or without accents, in any case, with a typo or two.

use crate::text::fold;

/// How close a misspelt name must be (Jaro-Winkler on the folded names without spaces).
const CLOSE_ENOUGH: f64 = 0.9;
/// How many close names are offered at most.
const MAX_CLOSE: usize = 8;

/// What the visitor typed, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommuneQuery {
    Empty,
    /// Five characters that may be an INSEE code ("35177", "2A004") or a postcode ("35520").
    Code(String),
    /// A name, folded ("la meziere").
    Name(String),
}

impl CommuneQuery {
    pub fn parse(text: &str) -> CommuneQuery {
        let trimmed = text.trim();
        let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        let is_code = compact.len() == 5
            && compact.is_ascii()
            && compact
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || (i == 1 && matches!(c, 'a' | 'A' | 'b' | 'B')));
        if is_code {
            return CommuneQuery::Code(compact.to_ascii_uppercase());
        }
        match fold(trimmed) {
            folded if folded.is_empty() => CommuneQuery::Empty,
            folded => CommuneQuery::Name(folded),
        }
    }
}

/// The département a postcode belongs to, by its first digits ("35520" → "35", "97400" →
/// "974"); `None` for Corsica's "20…" (shared by 2A and 2B) and for what is no postcode.
pub fn departement_of_postcode(code: &str) -> Option<String> {
    if code.len() != 5 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match &code[..2] {
        "00" | "20" => None,
        "97" | "98" => Some(code[..3].to_string()),
        prefix => Some(prefix.to_string()),
    }
}

/// The communes a folded name designates.
#[derive(Debug, Clone, PartialEq)]
pub enum NameMatch {
    /// The indexes of the names equal to the query once folded (homonyms: several).
    Exact(Vec<usize>),
    /// No equal name: the closest ones, best first (empty: nothing close).
    Close(Vec<usize>),
}

/// Which of `folded_names` (already folded with [`fold`]) the folded `query` designates.
pub fn match_name(query: &str, folded_names: &[String]) -> NameMatch {
    let exact: Vec<usize> = folded_names
        .iter()
        .enumerate()
        .filter(|(_, name)| name.as_str() == query)
        .map(|(i, _)| i)
        .collect();
    if !exact.is_empty() {
        return NameMatch::Exact(exact);
    }
    let query = query.replace(' ', "");
    let mut close: Vec<(usize, f64)> = folded_names
        .iter()
        .enumerate()
        .map(|(i, name)| (i, strsim::jaro_winkler(&query, &name.replace(' ', ""))))
        .filter(|(_, score)| *score >= CLOSE_ENOUGH)
        .collect();
    close.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    NameMatch::Close(close.into_iter().take(MAX_CLOSE).map(|(i, _)| i).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| fold(n)).collect()
    }

    #[test]
    fn codes_names_and_empty_queries() {
        assert_eq!(
            CommuneQuery::parse(" 35177 "),
            CommuneQuery::Code("35177".into())
        );
        assert_eq!(
            CommuneQuery::parse("2a004"),
            CommuneQuery::Code("2A004".into())
        );
        assert_eq!(
            CommuneQuery::parse("LA MÉZIÈRE"),
            CommuneQuery::Name("la meziere".into())
        );
        assert_eq!(CommuneQuery::parse(" - "), CommuneQuery::Empty);
        assert_eq!(
            CommuneQuery::parse("3517"),
            CommuneQuery::Name("3517".into())
        );
    }

    #[test]
    fn postcodes_lead_to_their_departement() {
        assert_eq!(departement_of_postcode("35520").as_deref(), Some("35"));
        assert_eq!(departement_of_postcode("97400").as_deref(), Some("974"));
        assert_eq!(departement_of_postcode("20000"), None);
        assert_eq!(departement_of_postcode("2A004"), None);
    }

    #[test]
    fn exact_homonyms_then_close_names() {
        let list = names(&[
            "La Mézière",
            "Mézières-sur-Couesnon",
            "Maizières",
            "Maizières",
        ]);
        assert_eq!(match_name("la meziere", &list), NameMatch::Exact(vec![0]));
        assert_eq!(match_name("maizieres", &list), NameMatch::Exact(vec![2, 3]));
        match match_name("la mezeire", &list) {
            NameMatch::Close(found) => assert_eq!(found.first(), Some(&0)),
            other => panic!("{other:?}"),
        }
        assert_eq!(match_name("paris", &list), NameMatch::Close(vec![]));
    }
}
