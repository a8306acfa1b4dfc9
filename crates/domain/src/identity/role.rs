//! Roles a person can hold, each in a scope (PRODUCT.md, "Who uses it").

use crate::vocabulary;

vocabulary!(
    Role, "rôle", {
        Officer => ("officer", "Gendarme ou policier"),
        SocialWorker => ("social_worker", "Intervenant social"),
        Employer => ("employer", "Coordination de l'employeur"),
        Prevention => ("prevention", "Référent prévention"),
        National => ("national", "Pilotage national"),
        Admin => ("admin", "Administration technique"),
    }
);

vocabulary!(
    /// What the scope of a role designates.
    ScopeKind, "périmètre", {
        Unit => ("unit", "Unité"),
        Post => ("post", "Poste"),
        Employer => ("employer", "Employeur"),
        Departement => ("departement", "Département"),
        Nation => ("nation", "National"),
    }
);

impl Role {
    /// The kind of scope a role is always held in.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::Officer => ScopeKind::Unit,
            Role::SocialWorker => ScopeKind::Post,
            Role::Employer => ScopeKind::Employer,
            Role::Prevention => ScopeKind::Departement,
            Role::National | Role::Admin => ScopeKind::Nation,
        }
    }
}
