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
        ApiTokenCreated => ("api_token.created", "Jeton d'API créé"),
        ApiTokenRevoked => ("api_token.revoked", "Jeton d'API révoqué"),
        ApiCall => ("api_token.call", "Appel de l'API avec un jeton"),
        NetworkTextChecked => ("network.text_checked", "Texte du réseau : données d'apparence personnelle signalées à l'auteur"),
        AnnouncementPublished => ("network.announcement_published", "Annonce du réseau publiée"),
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
                | JournalAction::NetworkTextChecked
                | JournalAction::AnnouncementPublished
        )
    }
}

/// The label of a code of one vocabulary, if the text is one of its codes.
type CodeWords = fn(&str) -> Option<&'static str>;

macro_rules! code_words {
    ($($name:ident => $vocabulary:ty),+ $(,)?) => {
        $(fn $name(code: &str) -> Option<&'static str> {
            <$vocabulary>::parse(code).ok().map(<$vocabulary>::label)
        })+
    };
}

code_words!(
    interview_place => crate::referral::case::InterviewPlace,
    action_kind => crate::referral::case::ActionKind,
    partner_type => crate::referral::case::PartnerType,
    orientation_status => crate::referral::case::OrientationStatus,
    note_visibility => crate::referral::case::NoteVisibility,
    referral_status => crate::referral::ReferralStatus,
    closure_outcome => crate::referral::ClosureOutcome,
    urgency => crate::referral::Urgency,
    household_relation => crate::referral::person::HouseholdRelation,
    role => crate::identity::role::Role,
    post_status => crate::registry::post::PostStatus,
    funder => crate::registry::funding::Funder,
    renewal => crate::registry::funding::Renewal,
);

/// « pénal : yes » and the like: the answers of a yes / no / unknown field.
fn answer(code: &str) -> Option<&'static str> {
    match code {
        "yes" => Some("oui"),
        "no" => Some("non"),
        "unknown" => Some("ne sait pas"),
        _ => None,
    }
}

impl JournalAction {
    /// The vocabularies whose codes the writers of this action put in a row's detail: the one
    /// mapping from the details' codes to words, read by every journal page and export.
    fn detail_vocabularies(self) -> &'static [CodeWords] {
        use JournalAction::*;
        match self {
            PersonalDataWritten => &[
                interview_place,
                action_kind,
                partner_type,
                orientation_status,
                note_visibility,
                referral_status,
                closure_outcome,
                urgency,
                household_relation,
                answer,
            ],
            RoleGranted | RoleRevoked | RoleSwitched | AccountInvited | CaseAccessProposed
            | CaseAccessConfirmed | CaseAccessDeclined | ReplacementGranted | ReplacementEnded
            | ApiTokenCreated | ApiTokenRevoked | ApiCall => &[role],
            PostLifecycle => &[post_status],
            PostAgreement | PostFunding => &[funder, renewal],
            LoginSucceeded
            | LoginFailed
            | LoginLocked
            | SecondFactorEnrolled
            | SecondFactorSucceeded
            | SecondFactorFailed
            | RecoveryCodeUsed
            | Logout
            | LogoutEverywhere
            | InvitationAccepted
            | AccountDisabled
            | AccountEnabled
            | AccountUnlocked
            | PasswordChanged
            | OidcLinked
            | Export
            | RegistryImport
            | RegistryChange
            | PersonalDataRead
            | ScheduleChanged
            | AppointmentBooked
            | AppointmentMoved
            | AppointmentCancelled
            | CalendarFeedIssued
            | CalendarFeedRevoked
            | RetentionPurge
            | CaseTransferred
            | PersonsMerged
            | Disclosure
            | ReferentialChanged
            | JournalKeyChanged
            | ScheduledJob
            | NetworkTextChecked
            | AnnouncementPublished
            | PasswordResetRequested
            | PasswordReset
            | DeviceTrusted => &[],
        }
    }

    /// A row's detail in words: the codes its writer put there (`entretien (at_unit)`) by
    /// their labels (`entretien (À l'unité)`), stored days (`2026-12-03`) as `03/12/2026`;
    /// the rest as written.
    pub fn detail_in_words(self, detail: &str) -> String {
        let vocabularies = self.detail_vocabularies();
        let mut words = String::with_capacity(detail.len() + 16);
        let mut token = String::new();
        let flush = |token: &mut String, words: &mut String| {
            words.push_str(&token_in_words(token, vocabularies));
            token.clear();
        };
        for character in detail.chars() {
            if character.is_ascii_alphanumeric() || character == '_' || character == '-' {
                token.push(character);
            } else {
                flush(&mut token, &mut words);
                words.push(character);
            }
        }
        flush(&mut token, &mut words);
        words
    }
}

fn token_in_words(token: &str, vocabularies: &[CodeWords]) -> String {
    if let Some(day) = iso_day_in_french(token) {
        return day;
    }
    vocabularies
        .iter()
        .find_map(|words| words(token))
        .map(str::to_string)
        .unwrap_or_else(|| token.to_string())
}

/// `2026-12-03` → `03/12/2026`.
fn iso_day_in_french(token: &str) -> Option<String> {
    let bytes = token.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    (bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10))
    .then(|| format!("{}/{}/{}", &token[8..10], &token[5..7], &token[0..4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_in_words() {
        let written = JournalAction::PersonalDataWritten;
        assert_eq!(
            written.detail_in_words("entretien (at_unit)"),
            "entretien (À l'unité)"
        );
        assert_eq!(
            written.detail_in_words("orientation proposée (france_victimes)"),
            "orientation proposée (Association France Victimes)"
        );
        assert_eq!(written.detail_in_words("pénal : yes"), "pénal : oui");
        assert_eq!(
            JournalAction::PostLifecycle.detail_in_words("filled le 2026-12-03"),
            "Pourvu le 03/12/2026"
        );
        // A code of another action's vocabulary stays as written.
        assert_eq!(
            JournalAction::LoginFailed.detail_in_words("at_unit"),
            "at_unit"
        );
    }
}
