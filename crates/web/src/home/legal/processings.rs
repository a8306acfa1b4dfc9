//! The processings of personal data Passerelle carries out, as the « Données personnelles »
//! page lists them (GDPR articles 13 and 14): one entry per purpose.

/// One processing of personal data.
pub struct Processing {
    pub name: &'static str,
    pub purpose: &'static str,
    pub legal_basis: &'static str,
    pub data: &'static str,
    pub recipients: &'static str,
    pub retention: String,
    pub rights: &'static str,
}

/// Access, rectification, erasure and limitation: for processings under a legal obligation
/// or a public-interest mission; opposition where the GDPR gives it (article 21).
const RIGHTS_PUBLIC_MISSION: &str = "Accès, rectification, effacement (sauf obligation de conservation), limitation et opposition pour un motif tenant à votre situation particulière.";

/// Every processing, with the case retention the installation applies (in years after the
/// last contact; `passerelle serve --retention-years`).
pub fn all(retention_years: u16) -> Vec<Processing> {
    let years = match retention_years {
        1 => "un an".to_string(),
        2 => "deux ans".to_string(),
        n => format!("{n} ans"),
    };
    vec![
        Processing {
            name: "Comptes et authentification",
            purpose: "Permettre aux professionnels du dispositif (intervenants sociaux, gendarmes et policiers, employeurs, référents prévention, pilotage national, administration technique) de se connecter et d'agir dans leur rôle, et protéger l'accès par un second facteur.",
            legal_basis: "Mission d'intérêt public (article 6.1.e du RGPD).",
            data: "Nom, adresse électronique professionnelle, rôle et périmètre, empreinte du mot de passe, secret du second facteur (chiffré), sessions, appareils de confiance, adresse IP des connexions.",
            recipients: "L'administration technique et l'employeur de la personne, pour la gestion des comptes.",
            retention: "Pendant la durée d'activité du compte ; les sessions expirent après 30 minutes d'inactivité.".into(),
            rights: RIGHTS_PUBLIC_MISSION,
        },
        Processing {
            name: "Signalements et suivi des situations, sous secret professionnel",
            purpose: "Transmettre à l'intervenant social les situations repérées par les forces de l'ordre et suivre l'accompagnement social des personnes (entretiens, actions, orientations).",
            legal_basis: "Mission d'intérêt public (article 6.1.e du RGPD) ; données sensibles traitées pour l'action sociale (article 9.2.h), dans le respect du secret professionnel et du secret partagé (article L121-6-2 du code de l'action sociale et des familles).",
            data: "Identité et coordonnées des personnes, contact sûr, situation familiale et sociale, catégories de problématique, notes de suivi (chiffrées), référence de procédure (opaque).",
            recipients: "Les seuls intervenants sociaux du poste qui suit la situation ; le gendarme ou policier auteur du signalement voit son état, jamais son contenu ; les partenaires, strictement ce qui est nécessaire, chaque partage étant enregistré.",
            retention: format!("{years} après le dernier contact, puis suppression des données personnelles ; seuls les faits comptés pour les statistiques demeurent."),
            rights: "Accès, rectification, effacement, limitation et opposition, à exercer auprès de l'intervenant social qui vous accompagne ou du délégué à la protection des données.",
        },
        Processing {
            name: "Rendez-vous",
            purpose: "Organiser les rendez-vous entre une personne et l'intervenant social, à l'unité ou en visioconférence.",
            legal_basis: "Mission d'intérêt public (article 6.1.e du RGPD).",
            data: "Nom de la personne, contact sûr et consignes de contact, date, lieu ou salle de visioconférence.",
            recipients: "L'intervenant social du poste et le gendarme ou policier qui a pris le rendez-vous.",
            retention: format!("{years} après le dernier contact, comme les situations."),
            rights: RIGHTS_PUBLIC_MISSION,
        },
        Processing {
            name: "Journal des accès",
            purpose: "Tracer chaque lecture et chaque écriture de données personnelles (qui, quand, quoi, pourquoi), pour la sécurité et le contrôle des accès.",
            legal_basis: "Obligation légale de sécurité du traitement (articles 6.1.c et 32 du RGPD).",
            data: "Compte et rôle de l'auteur, date, action, identifiant de l'élément concerné, motif d'un accès exceptionnel ; jamais le contenu d'une situation.",
            recipients: "L'administration technique et l'employeur (journal de sécurité), l'intervenant social (accès aux données de son poste).",
            retention: "Le journal est chaîné et vérifiable, il n'est pas réécrit ; une situation supprimée n'y laisse qu'une ligne sans identité.".into(),
            rights: "Accès et limitation ; l'effacement et l'opposition ne s'appliquent pas à une obligation légale.",
        },
        Processing {
            name: "Statistiques de l'activité",
            purpose: "Mesurer l'activité du dispositif pour son pilotage et l'observatoire public.",
            legal_basis: "Mission d'intérêt public (article 6.1.e du RGPD).",
            data: "Aucune donnée nominative : des comptages par catégorie, tranche d'âge et période, les petits effectifs étant masqués (secret statistique).",
            recipients: "Les employeurs, les référents prévention et le pilotage national, chacun pour son périmètre ; le public pour l'observatoire.",
            retention: "Sans limite : les comptages ne permettent pas d'identifier une personne.".into(),
            rights: "Les statistiques ne contiennent pas de donnée personnelle.",
        },
        Processing {
            name: "Courriels",
            purpose: "Envoyer les invitations, les liens de réinitialisation de mot de passe et l'information de l'état d'un signalement à son auteur.",
            legal_basis: "Mission d'intérêt public (article 6.1.e du RGPD).",
            data: "Adresse électronique professionnelle, nom, état du signalement (jamais son contenu).",
            recipients: "La personne destinataire ; le prestataire d'envoi de courriels de l'organisation qui exploite le service.",
            retention: "La file d'envoi garde des codes et des dates, jamais le texte des messages ; le texte n'est pas conservé après l'envoi.".into(),
            rights: RIGHTS_PUBLIC_MISSION,
        },
    ]
}
