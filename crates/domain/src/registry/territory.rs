//! Départements and communes, identified by their official INSEE codes.

use crate::ParseError;
use std::fmt;

/// An official département code: 01–19, 2A, 2B, 21–95, and the overseas 971–974 and 976.
/// "20" (pre-1976 Corse), "975" (Saint-Pierre-et-Miquelon, a collectivité) and the like are
/// refused, so a value of this type always names a real département.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct DepartementCode(String);

impl DepartementCode {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let code = text.trim().to_ascii_uppercase();
        let valid = match code.as_str() {
            "2A" | "2B" => true,
            c if c.len() == 2 && c.bytes().all(|b| b.is_ascii_digit()) => {
                matches!(c.parse::<u8>(), Ok(n) if (1..=95).contains(&n) && n != 20)
            }
            c if c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()) => {
                matches!(c.parse::<u16>(), Ok(971..=974) | Ok(976))
            }
            _ => false,
        };
        if valid {
            Ok(Self(code))
        } else {
            Err(ParseError::new(
                "département",
                format!(
                    "« {} » n'est pas un code de département (01 à 95, 2A, 2B, 971 à 974, 976)",
                    text.trim()
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_overseas(&self) -> bool {
        self.0.len() == 3
    }
}

impl fmt::Display for DepartementCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

crate::ids::stored_as_text!(
    DepartementCode,
    |text: String| DepartementCode::parse(&text),
    as_str
);

impl TryFrom<String> for DepartementCode {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DepartementCode> for String {
    fn from(value: DepartementCode) -> Self {
        value.0
    }
}

/// An INSEE commune code: five characters, the département's prefix then digits
/// (2A004 for Ajaccio, 97411 for Saint-Denis de La Réunion).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct CommuneCode(String);

impl CommuneCode {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let code = text.trim().to_ascii_uppercase();
        let error = || {
            ParseError::new(
                "commune",
                format!(
                    "« {} » n'est pas un code commune INSEE à 5 caractères",
                    text.trim()
                ),
            )
        };
        if code.len() != 5 || !code.is_ascii() {
            return Err(error());
        }
        let departement_len = if code.starts_with("97") { 3 } else { 2 };
        DepartementCode::parse(&code[..departement_len]).map_err(|_| error())?;
        if !code[departement_len..].bytes().all(|b| b.is_ascii_digit()) {
            return Err(error());
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn departement(&self) -> DepartementCode {
        let len = if self.0.starts_with("97") { 3 } else { 2 };
        DepartementCode(self.0[..len].to_string())
    }
}

impl fmt::Display for CommuneCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CommuneCode {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CommuneCode> for String {
    fn from(value: CommuneCode) -> Self {
        value.0
    }
}

/// French "de" before a place name: "de Rennes", "d'Avranches", "du Mans", "des Herbiers"
/// (a unit's name, "Commissariat d'Évry", or a département's CRIP).
pub fn of_place(name: &str) -> String {
    if let Some(rest) = name.strip_prefix("Le ") {
        format!("du {rest}")
    } else if let Some(rest) = name.strip_prefix("Les ") {
        format!("des {rest}")
    } else if name.starts_with(['A', 'E', 'I', 'O', 'U', 'Y', 'É', 'È', 'Ê', 'Î', 'Ô', 'Â']) {
        format!("d'{name}")
    } else {
        format!("de {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn place_names_take_the_right_preposition() {
        assert_eq!(of_place("Rennes"), "de Rennes");
        assert_eq!(of_place("Avranches"), "d'Avranches");
        assert_eq!(of_place("Le Mans"), "du Mans");
        assert_eq!(of_place("Les Herbiers"), "des Herbiers");
        assert_eq!(of_place("Évry"), "d'Évry");
    }

    #[test]
    fn corsica_and_overseas_are_departements() {
        for code in ["01", "2A", "2b", "95", "971", "974", "976"] {
            assert!(DepartementCode::parse(code).is_ok(), "{code}");
        }
        assert!(DepartementCode::parse("976").unwrap().is_overseas());
    }

    #[test]
    fn codes_that_name_no_departement_are_refused_in_french() {
        for code in [
            "", "0", "00", "20", "96", "99", "975", "977", "2C", "1", "100", "９１",
        ] {
            let error = DepartementCode::parse(code).unwrap_err();
            assert_eq!(error.field, "département");
            assert!(
                error.reason.contains("n'est pas un code de département"),
                "{code}"
            );
        }
    }

    #[test]
    fn commune_codes_carry_their_departement() {
        assert_eq!(
            CommuneCode::parse("2A004").unwrap().departement().as_str(),
            "2A"
        );
        assert_eq!(
            CommuneCode::parse("97411").unwrap().departement().as_str(),
            "974"
        );
        assert_eq!(
            CommuneCode::parse("35238").unwrap().departement().as_str(),
            "35"
        );
        for bad in ["2004", "20004", "9751A", "35 38", "97511", "AB123"] {
            assert!(CommuneCode::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_round_trips(text in "\\PC{0,6}") {
            if let Ok(code) = DepartementCode::parse(&text) {
                prop_assert_eq!(DepartementCode::parse(code.as_str()).unwrap(), code);
            }
            if let Ok(code) = CommuneCode::parse(&text) {
                prop_assert_eq!(CommuneCode::parse(code.as_str()).unwrap(), code);
            }
        }

        #[test]
        fn exactly_101_departements_exist(n in 0u16..1000) {
            let text = if n < 100 { format!("{n:02}") } else { n.to_string() };
            let expected = (1..=95).contains(&n) && n != 20 || (971..=974).contains(&n) || n == 976;
            prop_assert_eq!(DepartementCode::parse(&text).is_ok(), expected);
        }
    }
}
