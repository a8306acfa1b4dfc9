//! A unit's poster, to print and pin at the front desk: the State's block, its regular week
//! (no dated weeks: the poster stays true for months), the coming absences, the notices, how
//! to reach the social worker and the emergency numbers, in HTML and in PDF (laid out by
//! Typst), saved under the unit's name.

use super::unit_presence;
use crate::AppState;
use crate::http::clock::{french_date, paris_today};
use crate::http::error::{WebError, WebResult};
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use passerelle_domain::emergency::EMERGENCY_NUMBERS;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/presence/unites/{id}/affiche", poster_page)
        .get("/presence/unites/{id}/affiche.pdf", poster_pdf)
}

/// The poster's content, shared by its HTML and PDF forms.
async fn poster_of(
    state: &AppState,
    unit_id: &str,
) -> WebResult<passerelle_documents::poster::Poster> {
    let today = paris_today();
    let presence = unit_presence(state, unit_id, today, 1)
        .await?
        .ok_or(WebError::NotFound)?;
    let force_title = if matches!(
        presence.unit.kind,
        passerelle_domain::registry::unit::UnitKind::Commissariat
            | passerelle_domain::registry::unit::UnitKind::Circonscription
    ) {
        "Intervenant social en commissariat"
    } else {
        "Intervenant social en gendarmerie"
    };
    Ok(passerelle_documents::poster::Poster {
        title: force_title.to_string(),
        holder_name: (!presence.names.is_empty()).then(|| presence.names.join(", ")),
        weekly_hours: presence.regular_week,
        absences: presence.coming_absences,
        notices: presence.messages,
        how_to_reach: vec![
            "Adressez-vous à l'accueil de l'unité : on vous proposera un rendez-vous, à l'unité ou en visio.".into(),
            "L'entretien est gratuit et confidentiel. Vous pouvez venir sans porter plainte.".into(),
        ],
        emergency_numbers: EMERGENCY_NUMBERS
            .iter()
            .map(|n| {
                let label = match n.how {
                    Some(how) => format!("{} ({how})", n.label),
                    None => n.label.to_string(),
                };
                (n.number.to_string(), label)
            })
            .collect(),
        page_url: format!("{}/presence/unites/{}", state.config.public_url.trim_end_matches('/'), presence.unit.id),
        updated: format!("Mis à jour le {}", french_date(today)),
        unit_name: presence.unit.name,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "presence/poster.html")]
pub struct PosterPage {
    poster: passerelle_documents::poster::Poster,
    qr_svg: String,
    stylesheet: String,
    favicon: String,
    unit_id: String,
    /// The State's block, the PDF's own images (`passerelle_documents::poster`) as data URIs:
    /// an `<img>` keeps the motto's SVG ids out of the page.
    marianne: String,
    motto: String,
}

/// An SVG as a `data:` URI, for an `<img>`.
fn svg_data_uri(svg: &[u8]) -> String {
    use base64::Engine;
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

async fn poster_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<PosterPage> {
    let poster = poster_of(&state, &id).await?;
    Ok(PosterPage {
        qr_svg: passerelle_documents::qr::svg_of(&poster.page_url, 6).unwrap_or_default(),
        stylesheet: crate::http::assets::url("passerelle-poster.css"),
        favicon: crate::http::assets::url("vendor/dsfr/favicon/favicon.svg"),
        unit_id: id,
        marianne: svg_data_uri(passerelle_documents::poster::MARIANNE_SVG),
        motto: svg_data_uri(passerelle_documents::poster::MOTTO_SVG),
        poster,
    })
}

/// "affiche-brigade-de-gendarmerie-de-pont-l-abbe.pdf": the unit's name in ASCII.
fn poster_file_name(unit_name: &str) -> String {
    let slug = passerelle_domain::referral::person_name::normalise(unit_name)
        .split(' ')
        .map(|word| {
            word.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if slug.is_empty() {
        "affiche.pdf".to_string()
    } else {
        format!("affiche-{slug}.pdf")
    }
}

async fn poster_pdf(State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let poster = poster_of(&state, &id).await?;
    let file_name = poster_file_name(&poster.unit_name);
    // Typst lays out on the blocking pool: a poster takes milliseconds, but CPU ones.
    let pdf = crate::http::blocking::off_runtime(move || {
        passerelle_documents::poster::poster_pdf(&poster)
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-cache".to_string()),
        ],
        pdf,
    )
        .into_response())
}
