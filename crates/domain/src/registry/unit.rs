//! Units of the two forces that host social workers, and their hierarchies.
//!
//! Gendarmerie: région → groupement → compagnie → brigade (BTA, or a COB whose lead brigade
//! has brigades de proximité); the maison de protection des familles hangs off the groupement.
//! Police: DZPN → DDPN/DIPN → circonscription → commissariat.

use crate::vocabulary;

vocabulary!(
    /// The force a unit belongs to.
    Force, "force", {
        Gendarmerie => ("gendarmerie", "Gendarmerie nationale"),
        Police => ("police", "Police nationale"),
    }
);

vocabulary!(
    /// The kind of a unit, which fixes its force and its place in the hierarchy.
    UnitKind, "type d'unité", {
        GendarmerieRegion => ("region_gendarmerie", "Région de gendarmerie"),
        Groupement => ("groupement", "Groupement de gendarmerie départementale"),
        Compagnie => ("compagnie", "Compagnie de gendarmerie départementale"),
        BrigadeTerritorialeAutonome => ("bta", "Brigade territoriale autonome"),
        CommunauteDeBrigades => ("cob", "Communauté de brigades"),
        BrigadeDeProximite => ("brigade_proximite", "Brigade de proximité"),
        MaisonProtectionFamilles => ("mpf", "Maison de protection des familles"),
        Dzpn => ("dzpn", "Direction zonale de la police nationale"),
        Ddpn => ("ddpn", "Direction départementale de la police nationale"),
        Dipn => ("dipn", "Direction interdépartementale de la police nationale"),
        Circonscription => ("circonscription", "Circonscription de police"),
        Commissariat => ("commissariat", "Commissariat de police"),
    }
);

/// What people write for a unit's kind, lower-case and without accents; the code and the
/// label are accepted too.
pub const UNIT_KIND_ALIASES: &[(&str, UnitKind)] = &[
    ("region", UnitKind::GendarmerieRegion),
    ("rgend", UnitKind::GendarmerieRegion),
    ("ggd", UnitKind::Groupement),
    ("cie", UnitKind::Compagnie),
    (
        "brigade territoriale autonome",
        UnitKind::BrigadeTerritorialeAutonome,
    ),
    ("communaute de brigades", UnitKind::CommunauteDeBrigades),
    ("bp", UnitKind::BrigadeDeProximite),
    ("brigade de proximite", UnitKind::BrigadeDeProximite),
    (
        "maison de protection des familles",
        UnitKind::MaisonProtectionFamilles,
    ),
    ("circo", UnitKind::Circonscription),
    ("csp", UnitKind::Circonscription),
    (
        "circonscription de securite publique",
        UnitKind::Circonscription,
    ),
    ("commissariat", UnitKind::Commissariat),
    ("commissariat de police", UnitKind::Commissariat),
    ("dipn", UnitKind::Dipn),
];

impl UnitKind {
    pub fn force(self) -> Force {
        use UnitKind::*;
        match self {
            GendarmerieRegion
            | Groupement
            | Compagnie
            | BrigadeTerritorialeAutonome
            | CommunauteDeBrigades
            | BrigadeDeProximite
            | MaisonProtectionFamilles => Force::Gendarmerie,
            Dzpn | Ddpn | Dipn | Circonscription | Commissariat => Force::Police,
        }
    }

    /// The kinds a unit of this kind may be attached to; empty for the top of a hierarchy.
    pub fn allowed_parents(self) -> &'static [UnitKind] {
        use UnitKind::*;
        match self {
            GendarmerieRegion | Dzpn => &[],
            Groupement => &[GendarmerieRegion],
            Compagnie | MaisonProtectionFamilles => &[Groupement],
            BrigadeTerritorialeAutonome | CommunauteDeBrigades => &[Compagnie],
            BrigadeDeProximite => &[CommunauteDeBrigades],
            Ddpn | Dipn => &[Dzpn],
            Circonscription => &[Ddpn, Dipn],
            Commissariat => &[Circonscription],
        }
    }

    /// Whether a social worker can be hosted by (hold office hours in) such a unit.
    pub fn can_host_a_post(self) -> bool {
        use UnitKind::*;
        matches!(
            self,
            Groupement
                | Compagnie
                | BrigadeTerritorialeAutonome
                | CommunauteDeBrigades
                | BrigadeDeProximite
                | MaisonProtectionFamilles
                | Circonscription
                | Commissariat
        )
    }

    /// Whether a unit of this kind belongs to one département (regions and zones span several).
    pub fn is_departemental(self) -> bool {
        !matches!(
            self,
            UnitKind::GendarmerieRegion | UnitKind::Dzpn | UnitKind::Dipn
        )
    }
}

/// Checks that `child` may be attached under `parent`, with a French reason when not.
pub fn check_parent(child: UnitKind, parent: Option<UnitKind>) -> Result<(), crate::ParseError> {
    let allowed = child.allowed_parents();
    match parent {
        None if allowed.is_empty() => Ok(()),
        None => Err(crate::ParseError::new(
            "unité de rattachement",
            format!(
                "une unité de type « {} » doit être rattachée à une unité de type « {} »",
                child.label(),
                allowed[0].label()
            ),
        )),
        Some(parent) if allowed.contains(&parent) => Ok(()),
        Some(parent) => Err(crate::ParseError::new(
            "unité de rattachement",
            format!(
                "une unité de type « {} » ne peut pas être rattachée à une unité de type « {} »",
                child.label(),
                parent.label()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_is_attached_only_inside_its_own_force() {
        for kind in UnitKind::ALL {
            for parent in kind.allowed_parents() {
                assert_eq!(kind.force(), parent.force(), "{kind:?} under {parent:?}");
            }
        }
    }

    #[test]
    fn every_hierarchy_reaches_a_top_without_cycles() {
        for &kind in UnitKind::ALL {
            let mut current = kind;
            for _ in 0..UnitKind::ALL.len() {
                match current.allowed_parents().first() {
                    Some(&parent) => current = parent,
                    None => break,
                }
            }
            assert!(
                current.allowed_parents().is_empty(),
                "{kind:?} never reaches a top"
            );
        }
    }

    #[test]
    fn a_brigade_de_proximite_belongs_to_a_cob() {
        assert!(
            check_parent(
                UnitKind::BrigadeDeProximite,
                Some(UnitKind::CommunauteDeBrigades)
            )
            .is_ok()
        );
        let error =
            check_parent(UnitKind::BrigadeDeProximite, Some(UnitKind::Compagnie)).unwrap_err();
        assert!(error.reason.contains("ne peut pas être rattachée"));
        assert!(check_parent(UnitKind::Commissariat, None).is_err());
        assert!(check_parent(UnitKind::Dzpn, None).is_ok());
    }

    #[test]
    fn codes_round_trip() {
        for &kind in UnitKind::ALL {
            assert_eq!(UnitKind::parse(kind.code()).unwrap(), kind);
        }
        assert!(
            UnitKind::parse("brigade")
                .unwrap_err()
                .reason
                .contains("valeurs possibles")
        );
    }
}
