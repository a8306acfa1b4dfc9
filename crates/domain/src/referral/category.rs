//! The grid of problem categories, configurable by the national team: a category keeps its
//! code for ever (cases and statistics count by it), its label may be corrected, and a
//! retired one is no longer offered but still names the cases that carry it. The first grid
//! is `referral::ProblemCategory`, as PRODUCT.md lists it.

use crate::ParseError;
use crate::referral::ProblemCategory;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    pub label: String,
    /// Offered on the forms and the filters; a retired one is not.
    pub active: bool,
}

/// The categories in the order the forms show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryGrid {
    categories: Vec<Category>,
}

pub const CODE_MAX_CHARS: usize = 40;
pub const LABEL_MAX_CHARS: usize = 100;

impl CategoryGrid {
    pub fn new(categories: Vec<Category>) -> Self {
        Self { categories }
    }

    /// The first grid, before any change (PRODUCT.md).
    pub fn first() -> Self {
        Self::new(
            ProblemCategory::ALL
                .iter()
                .map(|c| Category {
                    code: c.code().into(),
                    label: c.label().into(),
                    active: true,
                })
                .collect(),
        )
    }

    pub fn all(&self) -> &[Category] {
        &self.categories
    }

    pub fn active(&self) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(|c| c.active)
    }

    pub fn find(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// The label of a stored code, retired or not; "—" for a code the grid never had.
    pub fn label(&self, code: &str) -> &str {
        self.find(code).map_or("—", |c| c.label.as_str())
    }

    /// The labels of a case's stored codes, in the stored order.
    pub fn labels(&self, codes: &[String]) -> String {
        codes
            .iter()
            .map(|code| self.label(code))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A category that may be chosen today, from its code.
    pub fn parse_active(&self, code: &str) -> Result<&Category, ParseError> {
        let code = code.trim();
        match self.find(code) {
            Some(category) if category.active => Ok(category),
            Some(_) => Err(ParseError::new(
                "catégorie",
                format!("« {code} » est retirée de la grille"),
            )),
            None => Err(ParseError::new(
                "catégorie",
                format!("« {} » n'est pas une catégorie de la grille", shorten(code)),
            )),
        }
    }
}

fn shorten(text: &str) -> String {
    text.chars().take(CODE_MAX_CHARS).collect()
}

/// A new category's code: lowercase letters, digits and `_`, starting with a letter; it
/// never changes once created.
pub fn parse_code(text: &str) -> Result<String, ParseError> {
    let code = text.trim();
    let well_formed = code.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if code.is_empty() {
        Err(ParseError::new("Code", "indiquez un code"))
    } else if code.chars().count() > CODE_MAX_CHARS {
        Err(ParseError::new(
            "Code",
            format!("{CODE_MAX_CHARS} caractères au plus"),
        ))
    } else if !well_formed {
        Err(ParseError::new(
            "Code",
            "lettres minuscules sans accent, chiffres et « _ », en commençant par une lettre (exemple : violences_numeriques)",
        ))
    } else {
        Ok(code.to_string())
    }
}

/// A label as shown on the forms and in the statistics.
pub fn parse_label(text: &str) -> Result<String, ParseError> {
    let label = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if label.chars().count() < 2 {
        Err(ParseError::new("Libellé", "au moins 2 caractères"))
    } else if label.chars().count() > LABEL_MAX_CHARS {
        Err(ParseError::new(
            "Libellé",
            format!("{LABEL_MAX_CHARS} caractères au plus"),
        ))
    } else if label.chars().any(char::is_control) {
        Err(ParseError::new(
            "Libellé",
            "contient des caractères de contrôle invisibles",
        ))
    } else {
        Ok(label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_first_grid_is_product_md_and_every_code_is_well_formed() {
        let grid = CategoryGrid::first();
        assert_eq!(grid.all().len(), 14);
        assert_eq!(grid.label("domestic_violence"), "Violences conjugales");
        for category in grid.all() {
            assert_eq!(
                parse_code(&category.code).as_deref(),
                Ok(category.code.as_str())
            );
            assert_eq!(
                parse_label(&category.label).as_deref(),
                Ok(category.label.as_str())
            );
        }
    }

    #[test]
    fn a_retired_category_still_names_its_cases_but_is_not_chosen() {
        let mut categories = CategoryGrid::first().all().to_vec();
        categories[1].active = false;
        let grid = CategoryGrid::new(categories);
        assert_eq!(
            grid.labels(&["domestic_violence".into(), "intrafamily_violence".into()]),
            "Violences conjugales, Violences intrafamiliales (autres)"
        );
        assert!(
            grid.parse_active("intrafamily_violence")
                .unwrap_err()
                .reason
                .contains("retirée")
        );
        assert!(
            grid.parse_active("fraude")
                .unwrap_err()
                .reason
                .contains("n'est pas")
        );
        assert_eq!(grid.active().count(), 13);
        assert_eq!(grid.label("fraude"), "—");
    }

    #[test]
    fn bad_codes_and_labels_are_named_in_french() {
        for bad in ["", "Violences", "1er", "a-b", "é", "a b", &"a".repeat(41)] {
            assert_eq!(parse_code(bad).unwrap_err().field, "Code", "{bad:?}");
        }
        for bad in ["", " x ", "a\u{7}b", &"é".repeat(101)] {
            assert_eq!(parse_label(bad).unwrap_err().field, "Libellé", "{bad:?}");
        }
        assert_eq!(
            parse_label("  Violences   numériques ").unwrap(),
            "Violences numériques"
        );
    }

    proptest! {
        #[test]
        fn an_accepted_code_is_exactly_what_is_stored(text in "\\PC{0,50}") {
            if let Ok(code) = parse_code(&text) {
                prop_assert_eq!(parse_code(&code), Ok(code.clone()));
                prop_assert!(code.len() <= CODE_MAX_CHARS);
            }
        }

        #[test]
        fn an_accepted_label_is_stable(text in "\\PC{0,120}") {
            if let Ok(label) = parse_label(&text) {
                prop_assert_eq!(parse_label(&label), Ok(label.clone()));
            }
        }
    }
}
