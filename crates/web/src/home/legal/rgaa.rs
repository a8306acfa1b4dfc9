//! The accessibility audit kept in the repository (RGAA 4.1): the criteria checked by hand
//! with their result, the pages axe checks in the browser tests, and the conformity status
//! the law asks the declaration and the footer to show, computed from them.
//!
//! Update a criterion's result here when it is checked again; the declaration and the footer
//! follow. A criterion not listed was not checked and counts nowhere.

/// How many criteria RGAA 4.1 has.
pub const RGAA_CRITERIA: usize = 106;

/// A criterion's result in the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Conforme,
    NonConforme,
    NonApplicable,
}

/// One RGAA criterion checked by hand.
#[derive(Debug, Clone, Copy)]
pub struct Criterion {
    /// Its number, « 8.3 ».
    pub number: &'static str,
    pub title: &'static str,
    pub outcome: Outcome,
    /// What was looked at, and for a failure what fails.
    pub note: &'static str,
}

use Outcome::*;

/// The criteria checked by hand on the pages of the application (a partial internal audit).
pub const CHECKED: &[Criterion] = &[
    Criterion {
        number: "1.1",
        title: "Chaque image porteuse d'information a-t-elle une alternative textuelle ?",
        outcome: Conforme,
        note: "Les graphiques des statistiques (svg role=img avec titre) et la carte (chaque département nommé).",
    },
    Criterion {
        number: "1.2",
        title: "Chaque image de décoration est-elle correctement ignorée ?",
        outcome: Conforme,
        note: "Les pictogrammes du DSFR sont des icônes CSS, ignorées.",
    },
    Criterion {
        number: "3.1",
        title: "L'information n'est-elle pas donnée uniquement par la couleur ?",
        outcome: Conforme,
        note: "La carte des postes colore les départements ; chacun est nommé avec sa valeur, et un tableau donne les mêmes chiffres.",
    },
    Criterion {
        number: "3.2",
        title: "Le contraste entre le texte et son arrière-plan est-il suffisant ?",
        outcome: Conforme,
        note: "Vérifié par axe sur chaque page testée, mobile et ordinateur.",
    },
    Criterion {
        number: "4.1",
        title: "Chaque média temporel pré-enregistré a-t-il une transcription ?",
        outcome: NonApplicable,
        note: "Aucun média temporel.",
    },
    Criterion {
        number: "5.6",
        title: "Les en-têtes des tableaux de données sont-ils correctement déclarés ?",
        outcome: Conforme,
        note: "Listes de postes, d'unités, de dossiers, tableaux des statistiques : th avec scope.",
    },
    Criterion {
        number: "5.7",
        title: "La technique appropriée associe-t-elle chaque cellule à ses en-têtes ?",
        outcome: Conforme,
        note: "Tableaux simples, en-têtes de colonne.",
    },
    Criterion {
        number: "7.1",
        title: "Chaque script est-il compatible avec les technologies d'assistance ?",
        outcome: Conforme,
        note: "Les pages fonctionnent sans JavaScript ; le script du DSFR gère le menu et les dévoilements.",
    },
    Criterion {
        number: "7.3",
        title: "Chaque script est-il contrôlable par le clavier ?",
        outcome: Conforme,
        note: "Formulaires réels et éléments details natifs.",
    },
    Criterion {
        number: "8.1",
        title: "Chaque page est-elle définie par un type de document ?",
        outcome: Conforme,
        note: "Gabarit commun (doctype HTML5).",
    },
    Criterion {
        number: "8.3",
        title: "La langue par défaut est-elle présente ?",
        outcome: Conforme,
        note: "lang=\"fr\" sur chaque page.",
    },
    Criterion {
        number: "8.5",
        title: "Chaque page a-t-elle un titre de page ?",
        outcome: Conforme,
        note: "« Titre — Passerelle » sur chaque page.",
    },
    Criterion {
        number: "8.6",
        title: "Le titre de chaque page est-il pertinent ?",
        outcome: Conforme,
        note: "Le titre reprend l'intitulé de la page.",
    },
    Criterion {
        number: "9.1",
        title: "L'information est-elle structurée par des titres ?",
        outcome: Conforme,
        note: "Un h1 par page, hiérarchie vérifiée par axe.",
    },
    Criterion {
        number: "10.7",
        title: "La prise de focus est-elle visible ?",
        outcome: Conforme,
        note: "Focus du DSFR conservé.",
    },
    Criterion {
        number: "11.1",
        title: "Chaque champ de formulaire a-t-il une étiquette ?",
        outcome: Conforme,
        note: "Vérifié par axe ; libellés visibles liés par for.",
    },
    Criterion {
        number: "11.10",
        title: "Le contrôle de saisie est-il utilisé de manière pertinente ?",
        outcome: Conforme,
        note: "Les erreurs nomment le champ par son libellé et sont reliées au champ.",
    },
    Criterion {
        number: "12.1",
        title: "Chaque ensemble de pages dispose-t-il de deux systèmes de navigation ?",
        outcome: Conforme,
        note: "Menu principal et plan du site.",
    },
    Criterion {
        number: "12.6",
        title: "Les zones de regroupement de contenus sont-elles identifiables ?",
        outcome: Conforme,
        note: "En-tête, navigation, contenu et pied de page balisés.",
    },
    Criterion {
        number: "12.7",
        title: "Un lien d'évitement vers le contenu principal est-il présent ?",
        outcome: Conforme,
        note: "Liens d'accès rapide en haut de chaque page.",
    },
    Criterion {
        number: "13.3",
        title: "Chaque document bureautique en téléchargement a-t-il une version accessible ?",
        outcome: NonConforme,
        note: "Les affiches et le rapport d'activité en PDF ne sont pas balisés ; les mêmes informations existent en page web.",
    },
];

/// The pages axe-core checks in the browser tests (e2e/*.test.mjs), on a phone (390×844)
/// and on a desktop unless said otherwise.
pub const AXE_CHECKED_PAGES: &[&str] = &[
    "Accueil public et accueil de chaque rôle",
    "Connexion, second facteur, mot de passe oublié",
    "Carte des postes et page d'un département",
    "Registre en données ouvertes",
    "Postes : liste, fiche, création",
    "Unités et employeurs",
    "Pilotage",
    "Statistiques",
    "Comptes et compte personnel",
    "Journal de sécurité",
    "Présence (« Qui est où »)",
    "Page introuvable",
    "Accessibilité, mentions légales, données personnelles, cookies, plan du site",
];

/// The conformity status the law names (« totalement », « partiellement », « non »).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Total,
    Partial,
    None,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Total => "totalement conforme",
            Status::Partial => "partiellement conforme",
            Status::None => "non conforme",
        }
    }
}

/// The audit's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub conformes: usize,
    pub non_conformes: usize,
    pub non_applicables: usize,
}

impl Tally {
    pub fn of(criteria: &[Criterion]) -> Self {
        let count = |outcome| criteria.iter().filter(|c| c.outcome == outcome).count();
        Self {
            conformes: count(Conforme),
            non_conformes: count(NonConforme),
            non_applicables: count(NonApplicable),
        }
    }

    pub fn applicables(&self) -> usize {
        self.conformes + self.non_conformes
    }

    /// The rate of conformity in whole percent (rounded down, so never flattering); none
    /// when nothing applicable was audited.
    pub fn rate_percent(&self) -> Option<usize> {
        (self.applicables() > 0).then(|| self.conformes * 100 / self.applicables())
    }

    /// 100 %: totally; 50 % or more: partially; less, or nothing audited: not conformant.
    pub fn status(&self) -> Status {
        match self.rate_percent() {
            Some(100) if self.non_conformes == 0 => Status::Total,
            Some(rate) if rate >= 50 => Status::Partial,
            _ => Status::None,
        }
    }
}

/// The status of this application's audit, for the declaration and the footer.
pub fn current_status() -> Status {
    Tally::of(CHECKED).status()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn criteria(conformes: usize, non_conformes: usize, non_applicables: usize) -> Vec<Criterion> {
        let one = |outcome| Criterion {
            number: "0",
            title: "",
            outcome,
            note: "",
        };
        std::iter::repeat_n(one(Conforme), conformes)
            .chain(std::iter::repeat_n(one(NonConforme), non_conformes))
            .chain(std::iter::repeat_n(one(NonApplicable), non_applicables))
            .collect()
    }

    #[test]
    fn the_status_follows_the_rate_over_applicable_criteria() {
        assert_eq!(Tally::of(&criteria(10, 0, 5)).status(), Status::Total);
        assert_eq!(Tally::of(&criteria(199, 1, 0)).status(), Status::Partial);
        assert_eq!(Tally::of(&criteria(5, 5, 0)).status(), Status::Partial);
        assert_eq!(Tally::of(&criteria(4, 5, 40)).status(), Status::None);
        assert_eq!(
            Tally::of(&criteria(0, 0, 3)).status(),
            Status::None,
            "nothing applicable audited"
        );
        assert_eq!(Tally::of(&[]).status(), Status::None, "not audited");
        assert_eq!(Tally::of(&criteria(2, 1, 7)).rate_percent(), Some(66));
    }

    #[test]
    fn the_audit_in_the_repository_is_partially_conformant() {
        let tally = Tally::of(CHECKED);
        assert_eq!(
            tally.conformes + tally.non_conformes + tally.non_applicables,
            CHECKED.len()
        );
        assert_eq!(current_status(), Status::Partial);
        let mut numbers: Vec<_> = CHECKED.iter().map(|c| c.number).collect();
        numbers.dedup();
        assert_eq!(numbers.len(), CHECKED.len(), "each criterion once");
        assert!(CHECKED.len() <= RGAA_CRITERIA);
    }
}
