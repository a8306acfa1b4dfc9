//! « Trouver l'intervenant social »: from a commune (name, INSEE code, postcode) to the units
//! of the commune and of its département that host a social worker, with their next presence
//! and their public page and poster. Public; names no person unless she chose to be shown.

use super::{next_presence, unit_presence};
use crate::AppState;
use crate::http::auth::{CsrfToken, MaybeAuthenticated};
use crate::http::clock::paris_today;
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use passerelle_domain::registry::commune_search::{
    CommuneQuery, NameMatch, departement_of_postcode, match_name,
};
use passerelle_domain::text::fold;
use passerelle_store::registry::territory::{Commune, Referentials};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

pub fn routes() -> RouteTable {
    RouteTable::new().get("/trouver", find_social_worker)
}

/// The official communes (the referential loaded in the database, embedded in the binary),
/// with their folded names, parsed once.
struct CommuneIndex {
    communes: Vec<Commune>,
    folded: Vec<String>,
    departements: HashMap<String, String>,
}

fn index() -> Option<&'static CommuneIndex> {
    static INDEX: OnceLock<Option<CommuneIndex>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let referentials = Referentials::embedded().ok()?;
            Some(CommuneIndex {
                folded: referentials
                    .communes
                    .iter()
                    .map(|c| fold(&c.name))
                    .collect(),
                departements: referentials
                    .departements
                    .iter()
                    .map(|d| (d.code.to_string(), d.name.clone()))
                    .collect(),
                communes: referentials.communes,
            })
        })
        .as_ref()
}

/// The name of a département from the referential ("Ille-et-Vilaine").
pub fn departement_name(code: &str) -> Option<String> {
    index().and_then(|i| i.departements.get(code).cloned())
}

#[derive(Deserialize, Default)]
pub struct FinderQuery {
    q: Option<String>,
    /// A commune chosen among homonyms or close names, by INSEE code.
    commune: Option<String>,
}

/// A commune offered to choose from.
pub struct CommuneChoice {
    pub code: String,
    pub name: String,
    pub departement: String,
}

/// A unit hosting a social worker.
pub struct UnitCard {
    pub id: String,
    pub name: String,
    pub next: Option<String>,
    /// The names the social workers chose to show; empty otherwise.
    pub names: Vec<String>,
}

/// The place the answer is about.
pub struct Place {
    /// "La Mézière (35177)", or none when only the département is known (postcode).
    pub commune: Option<String>,
    pub departement_code: String,
    pub departement_name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/finder.html")]
pub struct FinderPage {
    shell: Shell,
    query: String,
    message: Option<String>,
    choices: Vec<CommuneChoice>,
    place: Option<Place>,
    local: Vec<UnitCard>,
    elsewhere: Vec<UnitCard>,
}

const EMPTY_QUERY: &str =
    "Commune : saisissez le nom de votre commune, son code postal ou son code INSEE.";

async fn find_social_worker(
    State(state): State<AppState>,
    MaybeAuthenticated(visitor): MaybeAuthenticated,
    csrf: CsrfToken,
    Query(query): Query<FinderQuery>,
) -> WebResult<FinderPage> {
    let title = "Trouver l'intervenant social";
    let mut page = FinderPage {
        shell: match &visitor {
            Some(auth) => Shell::for_actor(title, auth, &csrf),
            None => Shell::public(title),
        }
        .at("/trouver"),
        query: query.q.clone().unwrap_or_default(),
        message: None,
        choices: Vec::new(),
        place: None,
        local: Vec::new(),
        elsewhere: Vec::new(),
    };
    let index = index()
        .ok_or_else(|| WebError::Internal(anyhow::anyhow!("référentiel des communes illisible")))?;
    let chosen = query
        .commune
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let typed = match (chosen, query.q.as_deref()) {
        (Some(code), _) => CommuneQuery::Code(code.to_ascii_uppercase()),
        (None, Some(text)) => CommuneQuery::parse(text),
        // The first visit: the form alone.
        (None, None) => return Ok(page),
    };
    let shown = page.query.trim().to_string();
    let choose = |found: &[usize]| -> Vec<CommuneChoice> {
        found
            .iter()
            .filter_map(|&i| index.communes.get(i))
            .map(|c| CommuneChoice {
                code: c.code.to_string(),
                name: c.name.clone(),
                departement: format!(
                    "{} ({})",
                    index
                        .departements
                        .get(c.departement_code.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    c.departement_code
                ),
            })
            .collect()
    };
    let commune = match typed {
        CommuneQuery::Empty => {
            page.message = Some(EMPTY_QUERY.into());
            return Ok(page);
        }
        CommuneQuery::Code(code) => match index.communes.iter().find(|c| c.code.as_str() == code) {
            Some(commune) => commune,
            None => {
                let departement = departement_of_postcode(&code)
                    .filter(|_| chosen.is_none())
                    .and_then(|d| index.departements.get(&d).map(|n| (d, n.clone())));
                match departement {
                    Some((code, name)) => {
                        page.message = Some(format!(
                            "Les codes postaux ne figurent pas dans le référentiel des communes : \
                                 voici les unités du département {name} ({code}). Pour votre \
                                 commune, saisissez son nom ou son code INSEE."
                        ));
                        fill(&state, &mut page, None, code, name).await?;
                    }
                    None => {
                        page.message =
                            Some(format!("Aucune commune ne correspond au code « {code} »."))
                    }
                }
                return Ok(page);
            }
        },
        CommuneQuery::Name(folded) => match match_name(&folded, &index.folded) {
            NameMatch::Exact(found) if found.len() == 1 => match index.communes.get(found[0]) {
                Some(commune) => commune,
                None => return Ok(page),
            },
            NameMatch::Exact(found) => {
                page.message = Some(format!(
                    "Plusieurs communes s'appellent « {shown} » : choisissez la vôtre."
                ));
                page.choices = choose(&found);
                return Ok(page);
            }
            NameMatch::Close(found) if !found.is_empty() => {
                page.message = Some(format!(
                    "Aucune commune ne s'appelle exactement « {shown} ». Vouliez-vous dire :"
                ));
                page.choices = choose(&found);
                return Ok(page);
            }
            NameMatch::Close(_) => {
                page.message = Some(format!(
                    "Aucune commune ne correspond à « {shown} ». Vérifiez l'orthographe, ou \
                     saisissez le code INSEE de la commune."
                ));
                return Ok(page);
            }
        },
    };
    let departement = commune.departement_code.to_string();
    let name = index
        .departements
        .get(&departement)
        .cloned()
        .unwrap_or_default();
    fill(
        &state,
        &mut page,
        Some((commune.code.to_string(), commune.name.clone())),
        departement,
        name,
    )
    .await?;
    Ok(page)
}

/// The units of the département hosting a social worker, those of the commune first.
async fn fill(
    state: &AppState,
    page: &mut FinderPage,
    commune: Option<(String, String)>,
    departement_code: String,
    departement_name: String,
) -> WebResult<()> {
    let units =
        passerelle_store::registry::post::units_with_social_worker(&state.db, &departement_code)
            .await?;
    let today = paris_today();
    for unit in units {
        let presence = unit_presence(state, &unit.id, today, 3).await?;
        let card = UnitCard {
            next: presence.as_ref().and_then(next_presence),
            names: presence.map(|p| p.names).unwrap_or_default(),
            id: unit.id,
            name: unit.name,
        };
        let in_commune = matches!((&commune, &unit.commune_code), (Some((code, _)), Some(unit_commune)) if code == unit_commune);
        if in_commune {
            page.local.push(card);
        } else {
            page.elsewhere.push(card);
        }
    }
    page.place = Some(Place {
        commune: commune.map(|(code, name)| format!("{name} ({code})")),
        departement_code,
        departement_name,
    });
    Ok(())
}
