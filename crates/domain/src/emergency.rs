//! The emergency numbers shown on every public page and on the posters (PRODUCT.md §11).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmergencyNumber {
    pub number: &'static str,
    pub label: &'static str,
    /// How to reach it when it is not a plain phone call.
    pub how: Option<&'static str>,
}

pub const EMERGENCY_NUMBERS: &[EmergencyNumber] = &[
    EmergencyNumber {
        number: "17",
        label: "Police - Gendarmerie",
        how: None,
    },
    EmergencyNumber {
        number: "112",
        label: "Numéro d'urgence européen",
        how: None,
    },
    EmergencyNumber {
        number: "15",
        label: "SAMU",
        how: None,
    },
    EmergencyNumber {
        number: "18",
        label: "Sapeurs-pompiers",
        how: None,
    },
    EmergencyNumber {
        number: "114",
        label: "Sourds et malentendants",
        how: Some("par SMS"),
    },
    EmergencyNumber {
        number: "119",
        label: "Enfance en danger",
        how: None,
    },
    EmergencyNumber {
        number: "3919",
        label: "Violences conjugales",
        how: None,
    },
    EmergencyNumber {
        number: "3977",
        label: "Maltraitance des personnes âgées ou en situation de handicap",
        how: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_the_product_names_is_listed_once() {
        let numbers: Vec<_> = EMERGENCY_NUMBERS.iter().map(|n| n.number).collect();
        assert_eq!(
            numbers,
            ["17", "112", "15", "18", "114", "119", "3919", "3977"]
        );
    }
}
