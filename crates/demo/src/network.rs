//! The network's demo announcements, consistent with the plan's posts: one to the whole
//! network (pinned), one per département that has posts, one to the demo employer's posts.
//! Written through the store's `publish`, journaled as any other; every text passes the
//! personal-data check (a test says so).

use crate::plan::DemoPlan;
use passerelle_domain::identity::role::Role;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::network::announcement::{
    AnnouncementDraft, AnnouncementFields, AnnouncementScope,
};
use passerelle_domain::registry::territory::DepartementCode;
use passerelle_store::journal::Entry;
use passerelle_store::{Db, StoreError, WriteError};
use time::Date;

/// (title, text, audience, pinned) of each announcement, by scope.
fn texts(scope: &AnnouncementScope) -> (String, String, Vec<String>, bool) {
    let members = ["social_worker", "employer", "prevention", "national"].map(String::from);
    match scope {
        AnnouncementScope::Nation => (
            "Visio nationale du réseau : ordre du jour".into(),
            "La prochaine visio nationale portera sur les permanences à l'accueil des unités et sur la participation aux CLSPD.\n\nLe lien de la salle sera envoyé la veille.".into(),
            members.to_vec(),
            true,
        ),
        AnnouncementScope::Departement(code) => (
            format!("Réunion départementale du réseau ({code})"),
            "Les intervenants sociaux du département et les référents prévention se réuniront au groupement.\n\nAu programme : bilan du trimestre, stages d'acculturation à venir.".into(),
            [members.as_slice(), &["officer".to_string()]].concat(),
            false,
        ),
        AnnouncementScope::Employer(_) => (
            "Note de l'employeur : grille d'activité".into(),
            "La grille d'activité du trimestre est attendue à la fin du mois ; les chiffres sont calculés par Passerelle.".into(),
            vec!["social_worker".to_string(), "employer".to_string()],
            false,
        ),
    }
}

fn draft(scope: AnnouncementScope, today: Date) -> AnnouncementDraft {
    let (title, body, audience, pinned) = texts(&scope);
    let fields = AnnouncementFields {
        title: &title,
        body: &body,
        audience: &audience,
        pinned,
        publish_on: "",
        expires_on: "",
    };
    AnnouncementDraft::parse(&fields, scope, today).expect("the demo's announcements are valid")
}

/// The scopes the demo publishes to.
fn scopes(plan: &DemoPlan) -> Vec<(AnnouncementScope, Role)> {
    let mut scopes = vec![(AnnouncementScope::Nation, Role::National)];
    let mut departements: Vec<&str> = plan
        .posts
        .iter()
        .map(|p| p.departement_code.as_str())
        .collect();
    departements.sort_unstable();
    departements.dedup();
    for code in departements {
        if let Ok(code) = DepartementCode::parse(code) {
            scopes.push((AnnouncementScope::Departement(code), Role::National));
        }
    }
    if let Some(employer) = plan.logins.iter().find(|l| l.role == Role::Employer)
        && let Some(id) = &employer.scope_id
    {
        scopes.push((
            AnnouncementScope::Employer(id.as_str().into()),
            Role::Employer,
        ));
    }
    scopes
}

/// Publishes the demo's announcements on `today`; returns how many.
pub async fn insert_announcements(
    db: &Db,
    plan: &DemoPlan,
    today: Date,
) -> Result<usize, StoreError> {
    let mut written = 0;
    for (scope, role) in scopes(plan) {
        let Some(author) = plan.logins.iter().find(|l| l.role == role) else {
            continue;
        };
        let entry = Entry::new(JournalAction::AnnouncementPublished)
            .by(&author.id, Some(role.code()))
            .detail("vérification des données personnelles : rien de trouvé (démonstration)");
        passerelle_store::network::announcement::publish(
            db,
            &draft(scope, today),
            (&author.id, role),
            false,
            entry,
        )
        .await
        .map_err(|error| match error {
            WriteError::Store(error) => error,
            other => StoreError::Corrupt(format!("annonce de démonstration refusée : {other}")),
        })?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use passerelle_domain::network::personal_data::check;

    #[test]
    fn the_demo_texts_pass_the_personal_data_check() {
        let today = crate::DEMO_TODAY;
        for scope in [
            AnnouncementScope::Nation,
            AnnouncementScope::Departement(DepartementCode::parse("35").unwrap()),
            AnnouncementScope::Employer("E1".into()),
        ] {
            let draft = draft(scope, today);
            assert_eq!(check(&draft.checked_text()), vec![], "{}", draft.title);
        }
    }
}
