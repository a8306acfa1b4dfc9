//! Coverage of the territory by posts: the figures of the map and of the steering pages.

use crate::vocabulary;

/// The target of the 2019 Grenelle and the 2020–2024 national strategy: two posts per
/// département (IGA report 20107-R).
pub const DEFAULT_TARGET_PER_DEPARTEMENT: u64 = 2;
/// The national target for 2022 (IGA report 20107-R); about 600 were announced later.
pub const DEFAULT_NATIONAL_TARGET: u64 = 450;

vocabulary!(
    /// What the map colours the départements by.
    MapMeasure, "mesure", {
        Posts => ("postes", "Nombre de postes"),
        PerHundredThousand => ("pour-100000", "Postes pour 100 000 habitants"),
        GapToTarget => ("ecart-cible", "Écart à la cible de 2 postes"),
    }
);

/// Posts per 100,000 inhabitants.
pub fn per_hundred_thousand(posts: u64, population: i64) -> f64 {
    if population <= 0 {
        0.0
    } else {
        posts as f64 * 100_000.0 / population as f64
    }
}

/// Posts above (positive) or below (negative) the target.
pub fn gap_to_target(posts: u64, target: u64) -> i64 {
    posts as i64 - target as i64
}

/// The colour class (0 = lightest … 4 = darkest) of a value, and the legend of each class.
/// Fixed thresholds, so that two maps of different dates compare.
pub fn class_of(measure: MapMeasure, value: f64) -> usize {
    let thresholds: &[f64] = match measure {
        MapMeasure::Posts => &[1.0, 3.0, 6.0, 10.0],
        MapMeasure::PerHundredThousand => &[0.1, 0.4, 0.7, 1.0],
        MapMeasure::GapToTarget => &[-1.0, 0.0, 2.0, 5.0],
    };
    thresholds.iter().filter(|&&t| value >= t).count()
}

pub fn legend(measure: MapMeasure) -> [&'static str; 5] {
    match measure {
        MapMeasure::Posts => [
            "aucun poste",
            "1 ou 2 postes",
            "3 à 5 postes",
            "6 à 9 postes",
            "10 postes ou plus",
        ],
        MapMeasure::PerHundredThousand => [
            "moins de 0,1",
            "0,1 à 0,4",
            "0,4 à 0,7",
            "0,7 à 1",
            "1 ou plus",
        ],
        MapMeasure::GapToTarget => [
            "2 postes manquants",
            "1 poste manquant",
            "cible atteinte",
            "2 à 4 au-delà",
            "5 ou plus au-delà",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_legend() {
        assert_eq!(class_of(MapMeasure::Posts, 0.0), 0);
        assert_eq!(class_of(MapMeasure::Posts, 2.0), 1);
        assert_eq!(class_of(MapMeasure::Posts, 10.0), 4);
        assert_eq!(
            class_of(MapMeasure::GapToTarget, gap_to_target(0, 2) as f64),
            0
        );
        assert_eq!(
            class_of(MapMeasure::GapToTarget, gap_to_target(1, 2) as f64),
            1
        );
        assert_eq!(
            class_of(MapMeasure::GapToTarget, gap_to_target(2, 2) as f64),
            2
        );
        assert!((per_hundred_thousand(3, 1_000_000) - 0.3).abs() < 1e-9);
        assert_eq!(per_hundred_thousand(3, 0), 0.0);
    }
}
