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
