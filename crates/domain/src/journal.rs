//! What the journal records: every security event and every read or write of personal data.

use crate::vocabulary;

vocabulary!(
    JournalAction, "action du journal", {
        LoginSucceeded => ("login.succeeded", "Connexion réussie"),
        LoginFailed => ("login.failed", "Échec de connexion"),
        LoginLocked => ("login.locked", "Connexion bloquée (trop d'échecs)"),
        SecondFactorEnrolled => ("second_factor.enrolled", "Second facteur activé"),
        SecondFactorSucceeded => ("second_factor.succeeded", "Second facteur vérifié"),
        SecondFactorFailed => ("second_factor.failed", "Échec du second facteur"),
        RecoveryCodeUsed => ("second_factor.recovery_code", "Code de secours utilisé"),
        Logout => ("logout", "Déconnexion"),
        LogoutEverywhere => ("logout.everywhere", "Déconnexion de toutes les sessions"),
        RoleSwitched => ("role.switched", "Changement de rôle actif"),
        AccountInvited => ("account.invited", "Compte invité"),
        InvitationAccepted => ("account.invitation_accepted", "Invitation acceptée"),
        RoleGranted => ("role.granted", "Rôle attribué"),
        RoleRevoked => ("role.revoked", "Rôle retiré"),
        AccountDisabled => ("account.disabled", "Compte désactivé"),
        AccountEnabled => ("account.enabled", "Compte réactivé"),
        AccountUnlocked => ("account.unlocked", "Compte débloqué"),
        PasswordChanged => ("account.password_changed", "Mot de passe changé"),
        PasswordResetRequested => ("account.password_reset_requested", "Réinitialisation du mot de passe demandée"),
        PasswordReset => ("account.password_reset", "Mot de passe réinitialisé par le lien envoyé"),
        DeviceTrusted => ("second_factor.device_trusted", "Appareil de confiance pour le service (12 h)"),
        OidcLinked => ("account.oidc_linked", "Compte relié à ProConnect"),
        Export => ("export", "Export de données"),
        PostLifecycle => ("post.lifecycle", "Étape du cycle de vie d'un poste"),
        PostAgreement => ("post.agreement", "Convention d'un poste enregistrée"),
        PostFunding => ("post.funding", "Financement d'un poste enregistré"),
        RegistryImport => ("registry.import", "Import dans le registre"),
        RegistryChange => ("registry.change", "Modification du registre (unité, employeur)"),
        PersonalDataRead => ("personal_data.read", "Consultation de données personnelles"),
        PersonalDataWritten => ("personal_data.written", "Écriture de données personnelles"),
        ScheduleChanged => ("schedule.changed", "Planning de présence modifié"),
        AppointmentBooked => ("appointment.booked", "Rendez-vous pris"),
        AppointmentMoved => ("appointment.moved", "Rendez-vous déplacé"),
        AppointmentCancelled => ("appointment.cancelled", "Rendez-vous annulé"),
        CalendarFeedIssued => ("calendar.feed_issued", "Lien d'agenda créé"),
        CalendarFeedRevoked => ("calendar.feed_revoked", "Lien d'agenda révoqué"),
        RetentionPurge => ("retention.purged", "Purge de rétention (données personnelles effacées)"),
        CaseTransferred => ("case.transferred", "Dossier transféré à un autre poste"),
        PersonsMerged => ("person.merged", "Deux personnes fusionnées"),
        Disclosure => ("personal_data.disclosed", "Transmission de données personnelles hors du poste"),
        ReplacementGranted => ("post.replacement_granted", "Remplacement accordé sur un poste"),
        ReplacementEnded => ("post.replacement_ended", "Remplacement retiré"),
        CaseAccessProposed => ("case_access.proposed", "Accès aux dossiers d'un poste proposé"),
        CaseAccessConfirmed => ("case_access.confirmed", "Accès aux dossiers d'un poste confirmé"),
        CaseAccessDeclined => ("case_access.declined", "Proposition d'accès aux dossiers refusée ou retirée"),
        ReferentialChanged => ("referential.changed", "Référentiel modifié (grille des catégories…)"),
        JournalKeyChanged => ("journal.key_changed", "Clé du journal changée (nouvelle clé du fichier de clés)"),
        ScheduledJob => ("job.ran", "Tâche quotidienne d'un serveur (purge, sauvegarde, contrôle)"),
    }
);

impl JournalAction {
    /// Security events are shown to administrators and employers; data accesses to the post.
    pub fn is_security_event(self) -> bool {
        !matches!(
            self,
            JournalAction::PersonalDataRead
                | JournalAction::PersonalDataWritten
                | JournalAction::Export
                | JournalAction::PostLifecycle
                | JournalAction::PostAgreement
                | JournalAction::PostFunding
                | JournalAction::RegistryImport
                | JournalAction::RegistryChange
                | JournalAction::ScheduleChanged
                | JournalAction::AppointmentBooked
                | JournalAction::AppointmentMoved
                | JournalAction::AppointmentCancelled
                | JournalAction::RetentionPurge
                | JournalAction::CaseTransferred
                | JournalAction::PersonsMerged
                | JournalAction::Disclosure
        )
    }
}
