//! An announcement of the network: who it is for (a scope and the roles of its audience),
//! when it shows, and who reads it. Nobody outside the audience reads it; the public never.

use crate::ParseError;
use crate::access::{Place, Scope};
use crate::day::read_day;
use crate::identity::role::Role;
use crate::ids::EmployerId;
use crate::plain_text::{has_visible_name, plain_text};
use crate::registry::territory::DepartementCode;
use time::Date;

/// Where an announcement is published: to the whole network, one département, or the posts
/// of one employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnnouncementScope {
    Nation,
    Departement(DepartementCode),
    Employer(EmployerId),
}

impl AnnouncementScope {
    /// Whether a reader acting in `reader`, at `place`, is in this scope: a nationwide
    /// reader (the national team) is in every one.
    pub fn contains(&self, reader: &Scope, place: &Place) -> bool {
        let nationwide = match reader {
            Scope::Nation => true,
            Scope::Unit(_) | Scope::Post(_) | Scope::Employer(_) | Scope::Departement(_) => false,
        };
        nationwide
            || match self {
                AnnouncementScope::Nation => true,
                AnnouncementScope::Departement(code) => place.departements.contains(code),
                AnnouncementScope::Employer(id) => place.employers.contains(id),
            }
    }

    /// The scope as the author's grant sees it (the policy compares them).
    pub fn as_scope(&self) -> Scope {
        match self {
            AnnouncementScope::Nation => Scope::Nation,
            AnnouncementScope::Departement(code) => Scope::Departement(code.clone()),
            AnnouncementScope::Employer(id) => Scope::Employer(id.clone()),
        }
    }
}

/// The roles an announcement may address: the network's members and the officers.
pub const AUDIENCE_ROLES: &[Role] = &[
    Role::SocialWorker,
    Role::Employer,
    Role::Prevention,
    Role::National,
    Role::Officer,
];

/// Whether a reader holding `role` in `reader` (at `place`) reads an announcement of `scope` addressed to
/// `audience`, on `today`, published from `publish_on` until `expires_on` (included).
pub fn reaches(
    role: Role,
    reader: &Scope,
    place: &Place,
    scope: &AnnouncementScope,
    audience: &[Role],
    window: (Date, Option<Date>),
    today: Date,
) -> bool {
    let (publish_on, expires_on) = window;
    let addressed = match role {
        Role::SocialWorker | Role::Employer | Role::Prevention | Role::National | Role::Officer => {
            audience.contains(&role)
        }
        Role::Admin => false,
    };
    addressed
        && scope.contains(reader, place)
        && publish_on <= today
        && expires_on.is_none_or(|last| today <= last)
}

/// An announcement as its author wrote it, every field valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncementDraft {
    pub title: String,
    /// Plain text; paragraphs are separated by blank lines. Shown escaped.
    pub body: String,
    pub scope: AnnouncementScope,
    pub audience: Vec<Role>,
    pub pinned: bool,
    pub publish_on: Date,
    pub expires_on: Option<Date>,
}

pub const TITLE_MAX: usize = 150;
pub const BODY_MAX: usize = 8000;

/// The typed fields of the form.
#[derive(Clone, Copy)]
pub struct AnnouncementFields<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub audience: &'a [String],
    pub pinned: bool,
    pub publish_on: &'a str,
    pub expires_on: &'a str,
}

fn day(field: &'static str, text: &str) -> Result<Date, ParseError> {
    read_day(text).map_err(|problem| ParseError::new(field, problem.reason()))
}

/// A field that must hold visible text of at most `max` characters, cleaned of control
/// characters; refused naming `field` (« le titre est obligatoire »).
fn required_text(
    text: &str,
    multi_line: bool,
    field: &'static str,
    what: &str,
    max: usize,
) -> Result<String, ParseError> {
    let text = plain_text(text, multi_line).trim().to_string();
    if !has_visible_name(&text) {
        return Err(ParseError::new(field, format!("{what} est obligatoire")));
    }
    if text.chars().count() > max {
        return Err(ParseError::new(field, format!("{max} caractères au plus")));
    }
    Ok(text)
}

impl AnnouncementDraft {
    /// Reads the form; `today` is the first day it may be published (no antedating).
    pub fn parse(
        fields: &AnnouncementFields<'_>,
        scope: AnnouncementScope,
        today: Date,
    ) -> Result<Self, ParseError> {
        let title = required_text(fields.title, false, "Titre", "le titre", TITLE_MAX)?;
        let body = required_text(fields.body, true, "Texte", "le texte", BODY_MAX)?;
        let mut audience = Vec::new();
        for code in fields.audience {
            let role = Role::parse(code).map_err(|_| {
                ParseError::new(
                    "Destinataires",
                    format!("« {code} » n'est pas un rôle du réseau"),
                )
            })?;
            if !AUDIENCE_ROLES.contains(&role) {
                return Err(ParseError::new(
                    "Destinataires",
                    format!("« {} » ne lit pas les annonces du réseau", role.label()),
                ));
            }
            if !audience.contains(&role) {
                audience.push(role);
            }
        }
        if audience.is_empty() {
            return Err(ParseError::new(
                "Destinataires",
                "cochez au moins un rôle destinataire",
            ));
        }
        let publish_on = if fields.publish_on.trim().is_empty() {
            today
        } else {
            day("Date de publication", fields.publish_on)?
        };
        if publish_on < today {
            return Err(ParseError::new(
                "Date de publication",
                "aujourd'hui ou plus tard : une annonce ne s'antidate pas",
            ));
        }
        let expires_on = if fields.expires_on.trim().is_empty() {
            None
        } else {
            Some(day("Date de fin d'affichage", fields.expires_on)?)
        };
        if expires_on.is_some_and(|last| last < publish_on) {
            return Err(ParseError::new(
                "Date de fin d'affichage",
                "elle ne peut précéder la date de publication",
            ));
        }
        Ok(Self {
            title,
            body,
            scope,
            audience,
            pinned: fields.pinned,
            publish_on,
            expires_on,
        })
    }

    /// The text the personal-data check reads: the title and the body.
    pub fn checked_text(&self) -> String {
        format!("{}\n\n{}", self.title, self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn dep(code: &str) -> DepartementCode {
        DepartementCode::parse(code).unwrap()
    }

    #[test]
    fn an_announcement_reaches_its_audience_in_its_scope_while_shown() {
        let in_35 = Place {
            departements: vec![dep("35")],
            employers: vec!["E1".into()],
            ..Place::default()
        };
        let in_56 = Place {
            departements: vec![dep("56")],
            ..Place::default()
        };
        let scope = AnnouncementScope::Departement(dep("35"));
        let window = (date!(2026 - 03 - 01), Some(date!(2026 - 03 - 31)));
        let today = date!(2026 - 03 - 10);
        let sw = [Role::SocialWorker];
        let local = Scope::Post("P1".into());
        // The national team reads every scope's announcements addressed to it.
        assert!(reaches(
            Role::National,
            &Scope::Nation,
            &Place::default(),
            &scope,
            &[Role::National],
            window,
            today
        ));
        assert!(!reaches(
            Role::National,
            &Scope::Nation,
            &Place::default(),
            &scope,
            &sw,
            window,
            today
        ));
        assert!(reaches(
            Role::SocialWorker,
            &local,
            &in_35,
            &scope,
            &sw,
            window,
            today
        ));
        assert!(!reaches(
            Role::SocialWorker,
            &local,
            &in_56,
            &scope,
            &sw,
            window,
            today
        ));
        assert!(!reaches(
            Role::Officer,
            &local,
            &in_35,
            &scope,
            &sw,
            window,
            today
        ));
        assert!(!reaches(
            Role::Admin,
            &local,
            &in_35,
            &scope,
            &AUDIENCE_ROLES.to_vec(),
            window,
            today
        ));
        assert!(!reaches(
            Role::SocialWorker,
            &local,
            &in_35,
            &scope,
            &sw,
            window,
            date!(2026 - 02 - 28)
        ));
        assert!(!reaches(
            Role::SocialWorker,
            &local,
            &in_35,
            &scope,
            &sw,
            window,
            date!(2026 - 04 - 01)
        ));
        assert!(reaches(
            Role::SocialWorker,
            &local,
            &in_56,
            &AnnouncementScope::Nation,
            &sw,
            window,
            today
        ));
        assert!(reaches(
            Role::SocialWorker,
            &local,
            &in_35,
            &AnnouncementScope::Employer("E1".into()),
            &sw,
            window,
            today
        ));
    }

    #[test]
    fn the_form_is_read_with_french_refusals() {
        let today = date!(2026 - 03 - 10);
        let audience = vec!["social_worker".to_string()];
        let fields = AnnouncementFields {
            title: "Visio nationale",
            body: "Ordre du jour\n\nÀ venir.",
            audience: &audience,
            pinned: true,
            publish_on: "",
            expires_on: "31/03/2026",
        };
        let draft = AnnouncementDraft::parse(&fields, AnnouncementScope::Nation, today).unwrap();
        assert_eq!(draft.publish_on, today);
        assert_eq!(draft.expires_on, Some(date!(2026 - 03 - 31)));
        let refused = |fields: AnnouncementFields<'_>| {
            AnnouncementDraft::parse(&fields, AnnouncementScope::Nation, today)
                .unwrap_err()
                .field
        };
        assert_eq!(
            refused(AnnouncementFields {
                title: " ",
                ..fields
            }),
            "Titre"
        );
        assert_eq!(
            refused(AnnouncementFields {
                audience: &[],
                ..fields
            }),
            "Destinataires"
        );
        let admin = vec!["admin".to_string()];
        assert_eq!(
            refused(AnnouncementFields {
                audience: &admin,
                ..fields
            }),
            "Destinataires"
        );
        assert_eq!(
            refused(AnnouncementFields {
                publish_on: "09/03/2026",
                ..fields
            }),
            "Date de publication"
        );
        assert_eq!(
            refused(AnnouncementFields {
                expires_on: "01/03/2026",
                ..fields
            }),
            "Date de fin d'affichage"
        );
    }
}
