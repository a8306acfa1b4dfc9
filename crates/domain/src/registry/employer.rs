//! Employers of social workers: local authorities or associations (functional authority stays
//! with the police or gendarmerie; the employer holds hierarchical authority).

use crate::vocabulary;

vocabulary!(
    EmployerKind, "type d'employeur", {
        ConseilDepartemental => ("conseil_departemental", "Conseil départemental"),
        Commune => ("commune", "Commune"),
        Intercommunalite => ("intercommunalite", "Intercommunalité (EPCI)"),
        Association => ("association", "Association"),
    }
);

/// What people write for an employer's type, lower-case and without accents; the code and
/// the label are accepted too.
pub const EMPLOYER_KIND_ALIASES: &[(&str, EmployerKind)] = &[
    ("cd", EmployerKind::ConseilDepartemental),
    ("departement", EmployerKind::ConseilDepartemental),
    ("conseil departemental", EmployerKind::ConseilDepartemental),
    ("conseil general", EmployerKind::ConseilDepartemental),
    ("cg", EmployerKind::ConseilDepartemental),
    ("collectivite", EmployerKind::ConseilDepartemental),
    ("mairie", EmployerKind::Commune),
    ("ville", EmployerKind::Commune),
    ("ccas", EmployerKind::Commune),
    ("epci", EmployerKind::Intercommunalite),
    ("intercommunalite", EmployerKind::Intercommunalite),
    ("communaute de communes", EmployerKind::Intercommunalite),
    ("communaute d'agglomeration", EmployerKind::Intercommunalite),
    ("agglomeration", EmployerKind::Intercommunalite),
    ("metropole", EmployerKind::Intercommunalite),
    ("asso", EmployerKind::Association),
    ("association loi 1901", EmployerKind::Association),
];
