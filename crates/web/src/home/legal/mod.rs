//! The pages every State site carries, linked from the footer of every page: the
//! accessibility declaration, the legal notice, personal data, cookies and the site map.
//! Who publishes, hosts and answers for personal data is the deploying organisation's, so it
//! comes from the configuration ([`LegalNotice`]).

pub mod processings;
pub mod rgaa;

use crate::AppState;
use crate::http::auth::{CsrfToken, MaybeAuthenticated};
use crate::http::error::WebResult;
use crate::http::layout::{NavItem, Shell, navigation_for};
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use processings::Processing;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/accessibilite", accessibility)
        .get("/mentions-legales", legal_notice)
        .get("/donnees-personnelles", personal_data)
        .get("/cookies", cookies)
        .get("/plan-du-site", site_map)
}

/// Who answers for the service: set by the deploying organisation (`passerelle serve` flags).
#[derive(Debug, Clone)]
pub struct LegalNotice {
    /// The publisher: the organisation that runs this installation, with its address.
    pub publisher: String,
    /// The director of publication (a function, not a person's name, is enough).
    pub publication_director: String,
    /// The host: who runs the servers, with its address.
    pub host: String,
    /// Where people write about the service (accessibility, questions).
    pub contact: String,
    /// The data protection officer's contact.
    pub dpo_contact: String,
}

impl Default for LegalNotice {
    fn default() -> Self {
        Self {
            publisher: "Ministère de l'Intérieur — Direction générale de la gendarmerie nationale, 4 rue Claude-Bernard, 92130 Issy-les-Moulineaux".into(),
            publication_director: "Le directeur général de la gendarmerie nationale".into(),
            host: "L'hébergeur déclaré par l'organisation qui exploite cette installation (à renseigner avec --legal-host)".into(),
            contact: "passerelle@interieur.gouv.fr".into(),
            dpo_contact: "Délégué à la protection des données du ministère de l'Intérieur, Place Beauvau, 75800 Paris Cedex 08 — dpd@interieur.gouv.fr".into(),
        }
    }
}

/// The shell of a legal page: the visitor's own navigation, signed in or not.
fn shell_for(
    title: &str,
    path: &str,
    visitor: &Option<crate::http::auth::Authenticated>,
    csrf: &CsrfToken,
) -> Shell {
    match visitor {
        Some(auth) => Shell::for_actor(title, auth, csrf),
        None => Shell::public(title).with_csrf(csrf),
    }
    .at(path)
}

#[derive(Template, WebTemplate)]
#[template(path = "home/legal/accessibility.html")]
pub struct AccessibilityPage {
    shell: Shell,
    status: rgaa::Status,
    tally: rgaa::Tally,
    rate: String,
    audited: usize,
    total: usize,
    failing: Vec<rgaa::Criterion>,
    checked: &'static [rgaa::Criterion],
    axe_pages: &'static [&'static str],
    contact: String,
}

async fn accessibility(
    State(state): State<AppState>,
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
) -> WebResult<AccessibilityPage> {
    let tally = rgaa::Tally::of(rgaa::CHECKED);
    Ok(AccessibilityPage {
        shell: shell_for(
            "Déclaration d'accessibilité",
            "/accessibilite",
            &visitor,
            &csrf,
        ),
        status: tally.status(),
        rate: tally.rate_percent().map_or_else(
            || "non calculé".to_string(),
            |rate| format!("{rate}\u{a0}%"),
        ),
        tally,
        audited: rgaa::CHECKED.len(),
        total: rgaa::RGAA_CRITERIA,
        failing: rgaa::CHECKED
            .iter()
            .filter(|c| c.outcome == rgaa::Outcome::NonConforme)
            .copied()
            .collect(),
        checked: rgaa::CHECKED,
        axe_pages: rgaa::AXE_CHECKED_PAGES,
        contact: state.config.legal.contact.clone(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "home/legal/legal_notice.html")]
pub struct LegalNoticePage {
    shell: Shell,
    notice: LegalNotice,
}

async fn legal_notice(
    State(state): State<AppState>,
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
) -> WebResult<LegalNoticePage> {
    Ok(LegalNoticePage {
        shell: shell_for("Mentions légales", "/mentions-legales", &visitor, &csrf),
        notice: state.config.legal.clone(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "home/legal/personal_data.html")]
pub struct PersonalDataPage {
    shell: Shell,
    processings: Vec<Processing>,
    notice: LegalNotice,
}

async fn personal_data(
    State(state): State<AppState>,
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
) -> WebResult<PersonalDataPage> {
    Ok(PersonalDataPage {
        shell: shell_for(
            "Données personnelles",
            "/donnees-personnelles",
            &visitor,
            &csrf,
        ),
        processings: processings::all(state.config.retention_years),
        notice: state.config.legal.clone(),
    })
}

/// A cookie the application sets, all strictly necessary.
pub struct CookieUse {
    pub name: &'static str,
    pub purpose: &'static str,
    pub lifetime: &'static str,
}

/// Every cookie the server sets (see `http::auth` and `identity::login::trusted_device`).
pub fn cookie_uses() -> [CookieUse; 3] {
    use crate::http::auth::{CSRF_COOKIE, SESSION_COOKIE};
    use crate::identity::login::trusted_device::DEVICE_COOKIE;
    [
        CookieUse {
            name: SESSION_COOKIE,
            purpose: "Garder la connexion d'une personne authentifiée (et, pendant une connexion ProConnect, l'état de l'échange).",
            lifetime: "La session du navigateur ; la connexion expire après 30 minutes d'inactivité.",
        },
        CookieUse {
            name: CSRF_COOKIE,
            purpose: "Protéger les formulaires contre la falsification de requête (jeton anti-contrefaçon).",
            lifetime: "La session du navigateur.",
        },
        CookieUse {
            name: DEVICE_COOKIE,
            purpose: "Se souvenir d'un appareil de confiance choisi par la personne après le second facteur, pour la durée de son service.",
            lifetime: "12 heures au plus.",
        },
    ]
}

#[derive(Template, WebTemplate)]
#[template(path = "home/legal/cookies.html")]
pub struct CookiesPage {
    shell: Shell,
    cookies: [CookieUse; 3],
    secure_prefix: bool,
}

async fn cookies(
    State(state): State<AppState>,
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
) -> WebResult<CookiesPage> {
    Ok(CookiesPage {
        shell: shell_for("Gestion des cookies", "/cookies", &visitor, &csrf),
        cookies: cookie_uses(),
        secure_prefix: state.config.secure_cookies,
    })
}

/// The public pages, in the site map for everyone.
pub const PUBLIC_PAGES: &[NavItem] = &[
    NavItem {
        label: "Accueil",
        href: "/",
    },
    NavItem {
        label: "Carte des postes",
        href: "/carte",
    },
    NavItem {
        label: "Observatoire de l'activité",
        href: "/observatoire",
    },
    NavItem {
        label: "Registre en données ouvertes",
        href: "/donnees",
    },
    NavItem {
        label: "Connexion",
        href: "/connexion",
    },
    NavItem {
        label: "Accessibilité",
        href: "/accessibilite",
    },
    NavItem {
        label: "Mentions légales",
        href: "/mentions-legales",
    },
    NavItem {
        label: "Données personnelles",
        href: "/donnees-personnelles",
    },
    NavItem {
        label: "Gestion des cookies",
        href: "/cookies",
    },
    NavItem {
        label: "Plan du site",
        href: "/plan-du-site",
    },
];

#[derive(Template, WebTemplate)]
#[template(path = "home/legal/site_map.html")]
pub struct SiteMapPage {
    shell: Shell,
    public: &'static [NavItem],
    /// The pages of the visitor's role, with the role's name; none when not signed in.
    own: Option<(&'static str, Vec<NavItem>)>,
}

async fn site_map(
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
) -> WebResult<SiteMapPage> {
    let own = visitor.as_ref().map(|auth| {
        let role = auth.role();
        // The public entries of the menu are already listed above.
        let pages = navigation_for(&[role])
            .into_iter()
            .filter(|item| !PUBLIC_PAGES.iter().any(|p| p.href == item.href))
            .chain([NavItem {
                label: "Mon compte",
                href: "/compte",
            }])
            .collect();
        (role.label(), pages)
    });
    Ok(SiteMapPage {
        shell: shell_for("Plan du site", "/plan-du-site", &visitor, &csrf),
        public: PUBLIC_PAGES,
        own,
    })
}
