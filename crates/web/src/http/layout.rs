//! The DSFR shell shared by every page: title, navigation by role, emergency numbers.

use passerelle_domain::emergency::{EMERGENCY_NUMBERS, EmergencyNumber};
use passerelle_domain::identity::role::Role;

/// One entry of the main navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
}

/// The entries of the main navigation for a person holding `roles` (none when not logged in).
/// The one place that decides what the menu offers; access itself is decided by the policy.
pub fn navigation_for(roles: &[Role]) -> Vec<NavItem> {
    let mut items = vec![
        NavItem {
            label: "Accueil",
            href: "/",
        },
        NavItem {
            label: "Trouver l'intervenant social",
            href: "/trouver",
        },
        NavItem {
            label: "Carte des postes",
            href: "/carte",
        },
        NavItem {
            label: "Observatoire",
            href: "/observatoire",
        },
    ];
    let has = |role: Role| roles.contains(&role);
    // Only pages that exist: each capability adds its entries when it lands.
    if has(Role::National) || has(Role::Prevention) {
        items.push(NavItem {
            label: "Pilotage",
            href: "/pilotage",
        });
    }
    if has(Role::National) || has(Role::Prevention) || has(Role::Employer) {
        items.push(NavItem {
            label: "Postes",
            href: "/postes",
        });
    }
    if has(Role::National) || has(Role::Admin) || has(Role::Prevention) {
        items.push(NavItem {
            label: "Unités et employeurs",
            href: "/registre/unites",
        });
    }
    if has(Role::National) || has(Role::Admin) {
        items.push(NavItem {
            label: "Importer",
            href: "/registre/import",
        });
    }
    if has(Role::SocialWorker)
        || has(Role::Employer)
        || has(Role::Prevention)
        || has(Role::National)
    {
        items.push(NavItem {
            label: "Statistiques",
            href: "/statistiques",
        });
    }
    if has(Role::National) || has(Role::Admin) {
        items.push(NavItem {
            label: "Catégories",
            href: "/referentiels/categories",
        });
    }
    if has(Role::Admin) || has(Role::Employer) || has(Role::Prevention) {
        items.push(NavItem {
            label: "Comptes",
            href: "/comptes",
        });
    }
    if has(Role::Admin) {
        items.push(NavItem {
            label: "Jetons d'API",
            href: "/jetons-api",
        });
    }
    if has(Role::Admin) || has(Role::Employer) {
        items.push(NavItem {
            label: "Journal de sécurité",
            href: "/journal/securite",
        });
    }
    if has(Role::Officer) {
        items.push(NavItem {
            label: "Mes signalements",
            href: "/signalements",
        });
    }
    if has(Role::SocialWorker) {
        items.push(NavItem {
            label: "Dossiers",
            href: "/dossiers",
        });
        items.push(NavItem {
            label: "Personnes",
            href: "/personnes",
        });
        items.push(NavItem {
            label: "Partenaires",
            href: "/partenaires",
        });
    }
    if has(Role::Officer) || has(Role::SocialWorker) {
        items.push(NavItem {
            label: "Rendez-vous",
            href: "/rendez-vous",
        });
    }
    if has(Role::Officer) || has(Role::SocialWorker) || has(Role::Prevention) || has(Role::National)
    {
        items.push(NavItem {
            label: "Qui est où",
            href: "/presence",
        });
    }
    if has(Role::Officer)
        || has(Role::SocialWorker)
        || has(Role::Employer)
        || has(Role::Prevention)
        || has(Role::National)
    {
        items.push(NavItem {
            label: "Réseau",
            href: "/reseau",
        });
    }
    if has(Role::SocialWorker) {
        items.push(NavItem {
            label: "Accès aux données du poste",
            href: "/journal/acces",
        });
    }
    items
}

/// The person shown in the header.
#[derive(Debug, Clone)]
pub struct ShellAccount {
    pub display_name: String,
    pub role_label: &'static str,
}

/// What the base template needs from every page.
#[derive(Debug, Clone)]
pub struct Shell {
    pub title: String,
    pub nav: Vec<NavItem>,
    pub current_path: String,
    pub account: Option<ShellAccount>,
    /// The anti-forgery token for the page's forms (the header's logout button is one).
    pub csrf: String,
    /// « Vous êtes ici » : drawn by base.html on every page acting through a role.
    pub breadcrumb: Option<Breadcrumb>,
    /// Announcements of the network not yet opened, beside « Réseau » in the navigation;
    /// `None` for the public and the roles outside the network.
    pub network_unread: Option<i64>,
}

/// The trail from the role's home to the current page: links, then the page itself.
/// Built this way the last item is always the current page (`aria-current="page"`, no link).
#[derive(Debug, Clone)]
pub struct Breadcrumb {
    /// (label, href) of each ancestor, the role's home first.
    pub links: Vec<(String, String)>,
    pub here: String,
}

impl Breadcrumb {
    /// The role's home, then `title`; only the home itself when `title` names it.
    fn from_home(role: Role, title: &str) -> Self {
        let (home_label, home_href) = home_of(role);
        if title == home_label {
            return Self {
                links: Vec::new(),
                here: title.to_string(),
            };
        }
        Self {
            links: vec![(home_label.to_string(), home_href.to_string())],
            here: title.to_string(),
        }
    }
}

/// The page a role starts its day on: the social worker's « Aujourd'hui », the others' home.
pub fn home_of(role: Role) -> (&'static str, &'static str) {
    match role {
        Role::SocialWorker => ("Aujourd'hui", "/aujourdhui"),
        Role::Officer | Role::Employer | Role::Prevention | Role::National | Role::Admin => {
            ("Accueil", "/")
        }
    }
}

impl Shell {
    /// The shell of a page seen without logging in.
    pub fn public(title: &str) -> Self {
        Self {
            title: title.to_string(),
            nav: navigation_for(&[]),
            current_path: String::new(),
            account: None,
            csrf: String::new(),
            breadcrumb: None,
            network_unread: None,
        }
    }

    /// A public page that holds a form.
    pub fn with_csrf(mut self, csrf: &crate::http::auth::CsrfToken) -> Self {
        self.csrf = csrf.0.clone();
        self
    }

    /// The shell of a page seen by an authenticated person acting through one role.
    pub fn for_actor(
        title: &str,
        auth: &crate::http::auth::Authenticated,
        csrf: &crate::http::auth::CsrfToken,
    ) -> Self {
        let role = auth.role();
        Self {
            title: title.to_string(),
            nav: navigation_for(&[role]),
            current_path: String::new(),
            account: Some(ShellAccount {
                display_name: auth.account.display_name.clone(),
                role_label: role.label(),
            }),
            csrf: csrf.0.clone(),
            breadcrumb: Some(Breadcrumb::from_home(role, title)),
            network_unread: auth.network_unread,
        }
    }

    /// Logged in, but not yet acting through a role (second factor, role chooser).
    pub fn for_signed_in(
        title: &str,
        display_name: &str,
        csrf: &crate::http::auth::CsrfToken,
    ) -> Self {
        Self {
            title: title.to_string(),
            nav: navigation_for(&[]),
            current_path: String::new(),
            account: Some(ShellAccount {
                display_name: display_name.to_string(),
                role_label: "",
            }),
            csrf: csrf.0.clone(),
            breadcrumb: None,
            network_unread: None,
        }
        .located()
    }

    pub fn at(mut self, path: &str) -> Self {
        self.current_path = path.to_string();
        self
    }

    /// A public page that says where it is too: the home, then the page (signed in: the
    /// role's home, already there).
    pub fn located(mut self) -> Self {
        if self.breadcrumb.is_none() {
            self.breadcrumb = Some(Breadcrumb {
                links: vec![("Accueil".to_string(), "/".to_string())],
                here: self.title.clone(),
            });
        }
        self
    }

    /// Adds an ancestor between the role's home and the current page (call from the top down).
    pub fn under(mut self, label: impl Into<String>, href: impl Into<String>) -> Self {
        if let Some(trail) = self.breadcrumb.as_mut() {
            trail.links.push((label.into(), href.into()));
        }
        self
    }

    /// Names the current page in the breadcrumb when its title says more (or less) than that.
    pub fn here(mut self, label: impl Into<String>) -> Self {
        if let Some(trail) = self.breadcrumb.as_mut() {
            trail.here = label.into();
        }
        self
    }

    pub fn asset(&self, path: &str) -> String {
        crate::http::assets::url(path)
    }

    /// The badge beside a navigation entry: the unread announcements beside « Réseau », when
    /// there are some, in words (« 3 non lues ») rather than a bare figure.
    pub fn unread_beside(&self, item: &NavItem) -> Option<String> {
        let count = self
            .network_unread
            .filter(|count| *count > 0 && item.href == "/reseau")?;
        let plural = if count > 1 { "s" } else { "" };
        Some(format!(
            "{} non lue{plural}",
            passerelle_domain::numbers::thousands(count)
        ))
    }

    /// Opening an unread announcement: the page already counts it read.
    pub fn one_read(mut self) -> Self {
        self.network_unread = self.network_unread.map(|count| (count - 1).max(0));
        self
    }

    pub fn is_current(&self, item: &NavItem) -> bool {
        self.current_path == item.href
    }

    /// The accessibility status the footer shows, computed from the audit.
    pub fn accessibility_status(&self) -> &'static str {
        crate::home::legal::rgaa::current_status().label()
    }

    pub fn emergency_numbers(&self) -> &'static [EmergencyNumber] {
        EMERGENCY_NUMBERS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_sees_the_home_the_search_the_map_and_the_observatory() {
        let hrefs: Vec<_> = navigation_for(&[]).iter().map(|i| i.href).collect();
        assert_eq!(hrefs, ["/", "/trouver", "/carte", "/observatoire"]);
    }

    #[test]
    fn an_officer_is_never_offered_administration_or_journals() {
        let items = navigation_for(&[Role::Officer]);
        assert!(
            !items
                .iter()
                .any(|i| i.href.starts_with("/comptes") || i.href.starts_with("/journal"))
        );
    }

    #[test]
    fn a_trail_starts_at_the_role_home_and_ends_on_the_page() {
        let trail = Breadcrumb::from_home(Role::SocialWorker, "Dossier");
        assert_eq!(trail.links, [("Aujourd'hui".into(), "/aujourdhui".into())]);
        assert_eq!(trail.here, "Dossier");
        let home = Breadcrumb::from_home(Role::Officer, "Accueil");
        assert!(home.links.is_empty());
        assert_eq!(home.here, "Accueil");
    }

    #[test]
    fn several_roles_merge_their_entries() {
        let items = navigation_for(&[Role::SocialWorker, Role::Admin]);
        assert!(items.iter().any(|i| i.href == "/journal/acces"));
        assert!(items.iter().any(|i| i.href == "/comptes"));
    }
}
