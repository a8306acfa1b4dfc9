//! The registry in the national directory of inclusion offers, data·inclusion (which feeds
//! DORA, Soliguide and the départements' directories), following its schema v1.0
//! (`data-inclusion-schema` on PyPI): every filled post's host units as *structures*, the
//! social worker's reception there as a *service*, its opening hours the presence schedule's
//! regular week in the OpenStreetMap syntax. No personal name.

use crate::AppState;
use crate::http::error::{WebError, WebResult};
use crate::http::route_table::RouteTable;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use passerelle_domain::presence::opening_hours::osm_opening_hours;
use passerelle_store::registry::directory::{HostedReception, filled_receptions};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/donnees/data-inclusion/structures.json", structures)
        .get("/donnees/data-inclusion/services.json", services)
}

/// The producer's identifier, prefixed to every id as the schema asks.
const SOURCE: &str = "passerelle";

#[derive(Serialize)]
struct Structure {
    source: &'static str,
    id: String,
    nom: String,
    date_maj: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    lien_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commune: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_insee: Option<String>,
}

#[derive(Serialize)]
struct Service {
    source: &'static str,
    structure_id: String,
    id: String,
    nom: &'static str,
    description: &'static str,
    date_maj: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    lien_source: Option<String>,
    #[serde(rename = "type")]
    kind: &'static str,
    thematiques: &'static [&'static str],
    frais: &'static str,
    publics: &'static [&'static str],
    conditions_acces: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    commune: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_insee: Option<String>,
    modes_accueil: &'static [&'static str],
    zone_eligibilite: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    horaires_accueil: Option<String>,
}

fn structure_id(reception: &HostedReception) -> String {
    format!("{SOURCE}--unite-{}", reception.unit_id)
}

/// The day of the export. UTC: the schema refuses a date after the reader's today, and Paris
/// is a day ahead of UTC for an hour or two every night.
fn date_maj() -> String {
    passerelle_store::db::time_text::date_to_text(time::OffsetDateTime::now_utc().date())
}

/// An INSEE commune code as the schema takes it (five characters), else none.
fn insee(code: &Option<String>) -> Option<String> {
    code.clone().filter(|code| code.chars().count() == 5)
}

fn unit_page(state: &AppState, reception: &HostedReception) -> Option<String> {
    let base = state.config.public_url.trim_end_matches('/');
    base.starts_with("http")
        .then(|| format!("{base}/presence/unites/{}", reception.unit_id))
}

fn json(body: &impl Serialize) -> WebResult<Response> {
    let bytes = serde_json::to_vec_pretty(body).map_err(|e| WebError::Internal(e.into()))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

async fn structures(State(state): State<AppState>) -> WebResult<Response> {
    let receptions = filled_receptions(&state.db).await?;
    let date = date_maj();
    // A unit hosting several posts is one structure.
    let mut by_unit: BTreeMap<String, Structure> = BTreeMap::new();
    for reception in &receptions {
        by_unit
            .entry(reception.unit_id.to_string())
            .or_insert_with(|| Structure {
                source: SOURCE,
                id: structure_id(reception),
                nom: reception.unit_name.trim_end_matches('.').to_string(),
                date_maj: date.clone(),
                description: "Unité de police ou de gendarmerie où un intervenant social (ISCG) reçoit les personnes que les agents lui orientent et celles qui se présentent.".into(),
                lien_source: unit_page(&state, reception),
                commune: reception.commune_name.clone(),
                code_insee: insee(&reception.commune_code),
            });
    }
    json(&by_unit.into_values().collect::<Vec<_>>())
}

async fn services(State(state): State<AppState>) -> WebResult<Response> {
    let receptions = filled_receptions(&state.db).await?;
    let date = date_maj();
    let today = crate::http::clock::paris_today();
    let mut slots_of_post = HashMap::new();
    let mut services = Vec::new();
    for reception in &receptions {
        if !slots_of_post.contains_key(&reception.post_id) {
            let slots =
                passerelle_store::presence::slots_of(&state.db, reception.post_id.as_str()).await?;
            slots_of_post.insert(reception.post_id.clone(), slots);
        }
        let at_unit: Vec<_> = slots_of_post[&reception.post_id]
            .iter()
            .filter(|slot| slot.unit_id == reception.unit_id.as_str())
            .cloned()
            .collect();
        services.push(Service {
            source: SOURCE,
            structure_id: structure_id(reception),
            id: format!("{SOURCE}--{}--{}", reception.post_code, reception.unit_id),
            nom: "Intervenant social en commissariat et gendarmerie",
            description: "Un intervenant social reçoit, écoute et oriente les victimes et les personnes en détresse sociale que rencontrent la police et la gendarmerie : violences conjugales et intrafamiliales, conflits familiaux, enfants en danger, précarité. Entretiens confidentiels et gratuits, accompagnement vers les droits et les services compétents.",
            date_maj: date.clone(),
            lien_source: unit_page(&state, reception),
            kind: "accompagnement",
            thematiques: &[
                "famille--surmonter-conflits-separation-violence",
                "famille--soutien-a-la-parentalite-et-a-leducation",
                "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
            ],
            frais: "gratuit",
            publics: &["tous-publics"],
            conditions_acces: "Sur orientation des policiers ou des gendarmes, ou en se présentant à l'accueil de l'unité aux heures de présence.",
            commune: reception.commune_name.clone(),
            code_insee: insee(&reception.commune_code),
            modes_accueil: &["en-presentiel", "a-distance"],
            zone_eligibilite: vec![reception.departement_code.clone()],
            horaires_accueil: osm_opening_hours(&at_unit, today),
        });
    }
    json(&services)
}
