//! The result of the danger evaluation grid (« grille d'évaluation du danger ») the police
//! and the gendarmerie fill in domestic violence cases since November 2019. Only its result
//! is kept — whether it was filled, its conclusion, how many alarm criteria were met — never
//! the answers. A conclusion exists only for a filled grid: the type holds nothing else.

use crate::{ParseError, vocabulary};

/// The category whose referrals may carry the grid's result.
pub const DOMESTIC_VIOLENCE: &str = "domestic_violence";

/// The grid has 23 questions; more criteria met than that is a typing error.
pub const ALARM_CRITERIA_MAX: u8 = 23;

pub const FIELD_FILLED: &str = "Grille d'évaluation du danger";
pub const FIELD_CONCLUSION: &str = "Conclusion de la grille";
pub const FIELD_CRITERIA: &str = "Critères d'alarme";

vocabulary!(
    /// What the grid concluded.
    DangerConclusion, "conclusion de la grille", {
        Characterised => ("characterised", "Danger caractérisé"),
        NotCharacterised => ("not_characterised", "Danger non caractérisé"),
    }
);

vocabulary!(
    /// The grid's result as it is counted and ordered (kept clear, like the categories: the
    /// statistics count by it and the inbox ranks by it); the number of criteria is sealed only.
    DangerGridResult, "résultat de la grille", {
        Characterised => ("danger", "Danger caractérisé"),
        NotCharacterised => ("no_danger", "Danger non caractérisé"),
        NotFilled => ("not_filled", "Grille non remplie"),
        Unknown => ("unknown", "Grille : ne sait pas"),
    }
);

/// How many alarm criteria the grid met, 0 to [`ALARM_CRITERIA_MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct AlarmCriteria(u8);

impl AlarmCriteria {
    pub fn new(count: u8) -> Option<Self> {
        (count <= ALARM_CRITERIA_MAX).then_some(Self(count))
    }
    pub fn get(self) -> u8 {
        self.0
    }
}

/// Only the valid combinations: a conclusion and a number of criteria belong to a filled
/// grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DangerAssessment {
    NotFilled,
    /// The officer does not know whether the grid was filled.
    Unknown,
    Filled {
        conclusion: DangerConclusion,
        /// The officer may not know the number.
        alarm_criteria: Option<AlarmCriteria>,
    },
}

/// What the form sends, as typed: `filled` is `yes`, `no`, `unknown` or blank.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DangerInput {
    pub filled: String,
    pub conclusion: String,
    pub alarm_criteria: String,
}

impl DangerAssessment {
    pub fn result(self) -> DangerGridResult {
        match self {
            DangerAssessment::NotFilled => DangerGridResult::NotFilled,
            DangerAssessment::Unknown => DangerGridResult::Unknown,
            DangerAssessment::Filled {
                conclusion: DangerConclusion::Characterised,
                ..
            } => DangerGridResult::Characterised,
            DangerAssessment::Filled {
                conclusion: DangerConclusion::NotCharacterised,
                ..
            } => DangerGridResult::NotCharacterised,
        }
    }

    /// Whether the grid concluded to a characterised danger: the referral comes first.
    pub fn is_characterised(self) -> bool {
        self.result() == DangerGridResult::Characterised
    }

    /// The text sealed with the facts: `not_filled`, `unknown` or `<conclusion>:<count>`
    /// (the count blank when unknown).
    pub fn stored(self) -> String {
        match self {
            DangerAssessment::NotFilled => "not_filled".into(),
            DangerAssessment::Unknown => "unknown".into(),
            DangerAssessment::Filled {
                conclusion,
                alarm_criteria,
            } => format!(
                "{}:{}",
                conclusion.code(),
                alarm_criteria.map_or(String::new(), |n| n.get().to_string())
            ),
        }
    }

    /// Reads back [`stored`](Self::stored); anything else is refused.
    pub fn from_stored(text: &str) -> Result<Self, ParseError> {
        let refused = || ParseError::new(FIELD_FILLED, format!("« {text} » illisible"));
        match text {
            "not_filled" => Ok(DangerAssessment::NotFilled),
            "unknown" => Ok(DangerAssessment::Unknown),
            _ => {
                let (conclusion, count) = text.split_once(':').ok_or_else(refused)?;
                let conclusion = DangerConclusion::parse(conclusion).map_err(|_| refused())?;
                let alarm_criteria = if count.is_empty() {
                    None
                } else {
                    Some(
                        count
                            .parse::<u8>()
                            .ok()
                            .and_then(AlarmCriteria::new)
                            .ok_or_else(refused)?,
                    )
                };
                Ok(DangerAssessment::Filled {
                    conclusion,
                    alarm_criteria,
                })
            }
        }
    }

    /// One line for the case page: « Danger caractérisé — 7 critères d'alarme sur 23 ».
    pub fn summary(self) -> String {
        match self {
            DangerAssessment::NotFilled => "Grille non remplie".into(),
            DangerAssessment::Unknown => "Ne sait pas si la grille a été remplie".into(),
            DangerAssessment::Filled {
                conclusion,
                alarm_criteria: None,
            } => format!(
                "{} (nombre de critères d'alarme non précisé)",
                conclusion.label()
            ),
            DangerAssessment::Filled {
                conclusion,
                alarm_criteria: Some(count),
            } => format!(
                "{} — {} critère{} d'alarme sur {ALARM_CRITERIA_MAX}",
                conclusion.label(),
                count.get(),
                if count.get() > 1 { "s" } else { "" }
            ),
        }
    }
}

/// Reads the grid's fields of a referral whose categories are `categories`. Outside domestic
/// violence nothing is kept, whatever was sent (a field left from a category unticked).
/// Blank everywhere: nothing recorded. Every error at once, naming its field.
pub fn parse_danger(
    input: &DangerInput,
    categories: &[String],
    errors: &mut Vec<ParseError>,
) -> Option<DangerAssessment> {
    if !categories.iter().any(|code| code == DOMESTIC_VIOLENCE) {
        return None;
    }
    let conclusion_text = input.conclusion.trim();
    let criteria_text = input.alarm_criteria.trim();
    let conclusion = (!conclusion_text.is_empty())
        .then(|| DangerConclusion::parse(conclusion_text))
        .transpose()
        .map_err(|e| errors.push(ParseError::new(FIELD_CONCLUSION, e.reason)))
        .unwrap_or(None);
    let criteria = if criteria_text.is_empty() {
        None
    } else {
        match criteria_text
            .parse::<u8>()
            .ok()
            .and_then(AlarmCriteria::new)
        {
            Some(count) => Some(count),
            None => {
                errors.push(ParseError::new(
                    FIELD_CRITERIA,
                    format!("un nombre entier de 0 à {ALARM_CRITERIA_MAX}"),
                ));
                None
            }
        }
    };
    let something_else = !conclusion_text.is_empty() || !criteria_text.is_empty();
    match input.filled.trim() {
        "" if something_else => {
            errors.push(ParseError::new(
                FIELD_FILLED,
                "indiquez si la grille a été remplie (oui, non ou ne sait pas)",
            ));
            None
        }
        "" => None,
        "no" | "unknown" if something_else => {
            errors.push(ParseError::new(
                if conclusion_text.is_empty() {
                    FIELD_CRITERIA
                } else {
                    FIELD_CONCLUSION
                },
                "seulement si la grille a été remplie",
            ));
            None
        }
        "no" => Some(DangerAssessment::NotFilled),
        "unknown" => Some(DangerAssessment::Unknown),
        "yes" => match conclusion {
            Some(conclusion) => Some(DangerAssessment::Filled {
                conclusion,
                alarm_criteria: criteria,
            }),
            None => {
                if conclusion_text.is_empty() {
                    errors.push(ParseError::new(
                        FIELD_CONCLUSION,
                        "indiquez si la grille conclut à un danger caractérisé",
                    ));
                }
                None
            }
        },
        _ => {
            errors.push(ParseError::new(
                FIELD_FILLED,
                "répondez par oui (yes), non (no) ou ne sait pas (unknown)",
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(filled: &str, conclusion: &str, criteria: &str) -> DangerInput {
        DangerInput {
            filled: filled.into(),
            conclusion: conclusion.into(),
            alarm_criteria: criteria.into(),
        }
    }

    fn parsed(danger: &DangerInput) -> Result<Option<DangerAssessment>, Vec<ParseError>> {
        let mut errors = Vec::new();
        let found = parse_danger(danger, &[DOMESTIC_VIOLENCE.into()], &mut errors);
        if errors.is_empty() {
            Ok(found)
        } else {
            Err(errors)
        }
    }

    #[test]
    fn the_valid_combinations_are_kept() {
        assert_eq!(parsed(&input("", "", "")), Ok(None));
        assert_eq!(
            parsed(&input("no", "", "")),
            Ok(Some(DangerAssessment::NotFilled))
        );
        assert_eq!(
            parsed(&input("unknown", "", "")),
            Ok(Some(DangerAssessment::Unknown))
        );
        assert_eq!(
            parsed(&input("yes", "characterised", " 7 ")),
            Ok(Some(DangerAssessment::Filled {
                conclusion: DangerConclusion::Characterised,
                alarm_criteria: AlarmCriteria::new(7),
            }))
        );
        assert_eq!(
            parsed(&input("yes", "not_characterised", "")),
            Ok(Some(DangerAssessment::Filled {
                conclusion: DangerConclusion::NotCharacterised,
                alarm_criteria: None,
            }))
        );
    }

    #[test]
    fn the_invalid_ones_are_refused_naming_the_field() {
        let field = |danger: DangerInput| parsed(&danger).unwrap_err()[0].field;
        assert_eq!(field(input("no", "characterised", "")), FIELD_CONCLUSION);
        assert_eq!(field(input("unknown", "", "3")), FIELD_CRITERIA);
        assert_eq!(field(input("yes", "", "3")), FIELD_CONCLUSION);
        assert_eq!(field(input("", "characterised", "")), FIELD_FILLED);
        assert_eq!(field(input("peut-être", "", "")), FIELD_FILLED);
        assert_eq!(field(input("yes", "grave", "")), FIELD_CONCLUSION);
        for bad in ["24", "-1", "2.5", "beaucoup"] {
            assert_eq!(field(input("yes", "characterised", bad)), FIELD_CRITERIA);
        }
    }

    #[test]
    fn outside_domestic_violence_nothing_is_kept() {
        let mut errors = Vec::new();
        let found = parse_danger(
            &input("yes", "characterised", "99"),
            &["housing".into()],
            &mut errors,
        );
        assert_eq!((found, errors.len()), (None, 0));
    }

    #[test]
    fn results_order_and_summaries() {
        let danger = DangerAssessment::Filled {
            conclusion: DangerConclusion::Characterised,
            alarm_criteria: AlarmCriteria::new(1),
        };
        assert!(danger.is_characterised());
        assert_eq!(
            danger.summary(),
            "Danger caractérisé — 1 critère d'alarme sur 23"
        );
        assert!(!DangerAssessment::Unknown.is_characterised());
        assert_eq!(AlarmCriteria::new(24), None);
    }

    fn any_assessment() -> impl Strategy<Value = DangerAssessment> {
        prop_oneof![
            Just(DangerAssessment::NotFilled),
            Just(DangerAssessment::Unknown),
            (any::<bool>(), proptest::option::of(0..=ALARM_CRITERIA_MAX)).prop_map(
                |(characterised, count)| DangerAssessment::Filled {
                    conclusion: if characterised {
                        DangerConclusion::Characterised
                    } else {
                        DangerConclusion::NotCharacterised
                    },
                    alarm_criteria: count.and_then(AlarmCriteria::new),
                }
            ),
        ]
    }

    proptest! {
        #[test]
        fn what_is_sealed_reads_back(assessment in any_assessment()) {
            prop_assert_eq!(DangerAssessment::from_stored(&assessment.stored()), Ok(assessment));
        }

        #[test]
        fn no_text_reads_as_an_invalid_combination(text in "\\PC{0,20}") {
            if let Ok(assessment) = DangerAssessment::from_stored(&text) {
                prop_assert_eq!(assessment.stored(), text);
            }
        }
    }
}
