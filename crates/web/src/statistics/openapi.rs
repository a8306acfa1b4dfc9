//! The hand-written OpenAPI 3.1 description of the JSON API (`/api/openapi.json`), served by
//! the application itself; it must follow what `api` answers.

use crate::AppState;
use crate::http::error::WebResult;
use crate::statistics::activity_filter::ActivityFilter;
use crate::statistics::api::SECRET_VALUE;
use axum::extract::State;

/// The API's description (OpenAPI 3.1), served by the application itself.
pub(super) async fn openapi(
    State(state): State<AppState>,
    _caller: crate::http::bearer::PublicCaller,
) -> WebResult<axum::Json<serde_json::Value>> {
    let this_year = crate::http::clock::paris_today().year();
    let year = serde_json::json!({
        "name": "annee", "in": "query", "required": false,
        "description": "Année civile (heure de Paris), de 2000 à l'année en cours ; par défaut l'année en cours.",
        "schema": { "type": "integer", "minimum": 2000, "maximum": this_year }
    });
    // Every value the dashboards offer, read from the category grid in force: the document
    // says exactly what is accepted (empty: no filter).
    let grid = crate::referral::category::grid(&state).await?;
    let categories: Vec<(String, String)> = grid
        .all()
        .iter()
        .filter(|category| category.active)
        .map(|category| (category.code.clone(), category.label.clone()))
        .collect();
    let mut filters = vec![String::new()];
    filters.extend(
        ActivityFilter::groups(None, &categories, true)
            .into_iter()
            .flat_map(|group| group.options)
            .map(|option| option.value),
    );
    let filter = serde_json::json!({
        "name": "filtre", "in": "query", "required": false,
        "description": "Restreint le tableau d'activité (ajouté sous l'id « activite-filtree ») : « motif:<code> » (un motif de la grille), ou, au-delà d'un poste, « zone:<code> » ou « employeur:<type> » ; vide : aucun filtre. Au périmètre d'un seul poste, zone et employeur sont refusés (400).",
        "schema": { "type": "string", "enum": filters }
    });
    let figures = serde_json::json!({ "$ref": "#/components/schemas/Figures" });
    let answer = |description: &str| {
        serde_json::json!({
            "200": { "description": description, "content": { "application/json": { "schema": figures } } },
            "400": { "description": "Année ou filtre invalide (message en français).", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        })
    };
    let mut scoped = answer(
        "Les chiffres du périmètre du rôle actif : exacts pour le poste, soumis au secret statistique au-delà.",
    );
    scoped["403"] = serde_json::json!({ "description": "Rôle sans statistiques (gendarme ou policier, administration technique), ou jeton qui n'y donne pas accès.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let unauthorized = serde_json::json!({ "description": "Jeton d'API inconnu, expiré ou révoqué (message en français).", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    scoped["401"] = unauthorized.clone();
    let mut public = answer("Chiffres nationaux, soumis au secret statistique.");
    public["401"] = unauthorized.clone();
    // Public data: a token is optional; if one is sent it must be valid (and the call is journaled).
    let optional_token = serde_json::json!([{}, { "jeton": [] }]);
    Ok(axum::Json(serde_json::json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Passerelle — statistiques d'activité des intervenants sociaux",
            "version": "2",
            "description": "Chiffres calculés à partir du travail enregistré ; hors du poste, toute case de 1 à 4 est remplacée par un secret, avec des secrets secondaires pour qu'aucun total ni aucune différence ne la révèle. Un secret ne dit pas pourquoi la case est cachée. Version 2 : les secrets « moins_de_5 » et « masque » de la version 1 sont remplacés par la seule valeur « secret_statistique », et « < 5 » dans les textes par « s »."
        },
        "paths": {
            "/api/observatoire": { "get": {
                "summary": "Chiffres nationaux publics (observatoire), sans connexion",
                "parameters": [year, filter],
                "security": optional_token,
                "responses": public
            }},
            "/api/statistiques": { "get": {
                "summary": "Chiffres du périmètre du rôle : celui de la personne connectée (cookie de session) ou celui du jeton d'API",
                "parameters": [year, filter],
                "security": [{ "jeton": [] }, { "session": [] }],
                "responses": scoped
            }},
            "/donnees/postes.json": { "get": {
                "summary": "Registre public des postes (données ouvertes, Licence Ouverte 2.0) ; le schéma des colonnes est décrit sur /donnees",
                "security": optional_token,
                "responses": {
                    "200": { "description": "Les postes, sans donnée personnelle.", "content": { "application/json": { "schema": { "type": "object", "required": ["schema", "licence", "generated_on", "posts"], "properties": {
                        "schema": { "type": "string" },
                        "licence": { "type": "string" },
                        "generated_on": { "type": "string", "format": "date" },
                        "posts": { "type": "array", "items": { "type": "object" } }
                    } } } } },
                    "401": unauthorized
                }
            }},
            "/api/openapi.json": { "get": {
                "summary": "Ce document",
                "security": optional_token,
                "responses": { "200": { "description": "OpenAPI 3.1." } }
            }}
        },
        "components": {
        "securitySchemes": {
            "jeton": {
                "type": "http",
                "scheme": "bearer",
                "description": "Jeton d'API (« psr_… ») créé par l'administration technique pour un rôle dans un périmètre (pilotage national, départemental ou employeur), en lecture seule, avec une date d'expiration ; il agit comme une personne de ce rôle et n'ouvre ni page ni dossier. Chaque appel est inscrit au journal avec le nom du jeton. Jeton inconnu, expiré ou révoqué : 401."
            },
            "session": { "type": "apiKey", "in": "cookie", "name": "passerelle_session", "description": "Session d'une personne connectée (navigateur)." }
        },
        "schemas": {
            "Error": { "type": "object", "required": ["erreur"], "properties": { "erreur": { "type": "string", "description": "Message en français." } } },
            "Figures": {
                "type": "object",
                "required": ["annee", "perimetre", "secret_statistique", "tableaux"],
                "properties": {
                    "schema": { "type": "string" },
                    "filtre": { "type": ["string", "null"], "description": "Ce que le tableau « activite-filtree » retient, ou null sans filtre." },
                    "annee": { "type": "integer" },
                    "perimetre": { "type": "string" },
                    "secret_statistique": { "type": "boolean" },
                    "delai_premier_contact": {
                        "type": "object",
                        "description": "Délai entre le signalement et le premier contact : nombre de signalements mesurés (« s » hors du poste quand il va de 1 à 4), médiane et 90e centile (« — » quand non publiés).",
                        "properties": {
                            "saisines": { "type": "string" },
                            "mediane": { "type": "string" },
                            "p90": { "type": "string" }
                        }
                    },
                    "personnes_recues": { "type": "string", "description": "Personnes distinctes reçues dans l'année (« s » quand non publié : secret statistique)." },
                    "part_inconnues_des_services_sociaux": { "type": "string", "description": "Part des personnes reçues qu'aucun service social ne connaissait à l'accueil, en pourcentage au dixième, écrit à la française (« 12,5 % », « — » quand non publiée)." },
                    "tableaux": { "type": "array", "items": { "$ref": "#/components/schemas/Table" } }
                }
            },
            "Table": {
                "type": "object",
                "required": ["id", "titre", "colonnes", "lignes"],
                "properties": {
                    "id": { "type": "string", "description": "activite, activite-filtree, motifs, origines, urgences, penal, danger, zones, employeurs, issues, entretiens, actions, partenaires, suites, personnes-sexe, personnes-age, personnes-connues, recidives" },
                    "titre": { "type": "string" },
                    "colonnes": { "type": "array", "items": { "type": "string" }, "description": "La dernière colonne est le total." },
                    "lignes": { "type": "array", "items": {
                        "type": "object",
                        "required": ["libelle", "valeurs"],
                        "properties": {
                            "libelle": { "type": "string", "description": "La dernière ligne est le total." },
                            "valeurs": { "type": "array", "items": { "$ref": "#/components/schemas/Cell" } }
                        }
                    }}
                }
            },
            "Cell": { "oneOf": [
                { "type": "object", "required": ["effectif"], "properties": { "effectif": { "type": "integer", "minimum": 0, "description": "Un zéro est toujours publié." } } },
                { "type": "object", "required": ["secret"], "properties": { "secret": {
                    "type": "string",
                    "enum": [SECRET_VALUE],
                    "description": "Case non publiée (secret statistique) : elle compte de 1 à 4, ou elle est masquée pour qu'aucun total ni aucune différence ne permette de retrouver une telle case. Les deux ont la même valeur, à dessein : jusqu'à la version 1, « moins_de_5 » et « masque » les distinguaient, et cette distinction suffisait à retrouver des effectifs."
                } } }
            ]}
        }}
    })))
}
