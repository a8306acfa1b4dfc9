//! The years before Passerelle: the post's old spreadsheet grid imported (`/statistiques/
//! historique`), kept apart from the computed figures with its provenance, and shown as a
//! table of its own, suppressed like the others outside the post.

use crate::AppState;
use crate::http::auth::{Authenticated, CsrfToken};
use crate::http::error::{WebError, WebResult};
use crate::http::layout::Shell;
use crate::statistics::TableView;
use crate::statistics::tables::{TableSpec, publish};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;
use passerelle_domain::access::{Action, Resource, Scope};
use passerelle_store::statistics::rollup::ReportScope;

#[derive(Template, WebTemplate)]
#[template(path = "statistics/legacy.html")]
pub struct LegacyPage {
    shell: Shell,
    indicators: String,
    errors: Vec<String>,
    imported: Option<usize>,
}

fn legacy_page(
    auth: &Authenticated,
    csrf: &CsrfToken,
    errors: Vec<String>,
    imported: Option<usize>,
) -> LegacyPage {
    LegacyPage {
        shell: Shell::for_actor("Activité avant Passerelle", auth, csrf).at("/statistiques"),
        indicators: passerelle_store::statistics::legacy::INDICATORS
            .map(|(name, _)| name)
            .join(", "),
        errors,
        imported,
    }
}

/// The post whose grid the actor imports: their own, if the policy lets them.
fn own_post_for_legacy(auth: &Authenticated) -> WebResult<String> {
    auth.require(Action::Manage, &Resource::ActivityStatistics)?;
    match &auth.actor.grant.scope {
        Scope::Post(id) => Ok(id.clone().to_string()),
        _ => Err(WebError::Forbidden),
    }
}

pub(super) async fn legacy_form(auth: Authenticated, csrf: CsrfToken) -> WebResult<LegacyPage> {
    own_post_for_legacy(&auth)?;
    Ok(legacy_page(&auth, &csrf, Vec::new(), None))
}

pub(super) async fn legacy_import(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    request: axum::extract::Request,
) -> WebResult<axum::response::Response> {
    // The policy first: nobody else's upload is even read.
    let post = own_post_for_legacy(&auth)?;
    let upload = crate::registry::import::read_upload(&state, request).await?;
    let refuse = |errors: Vec<String>| {
        (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            legacy_page(&auth, &csrf, errors, None),
        )
            .into_response()
    };
    let Some((name, bytes)) = upload
        .file
        .filter(|(name, bytes)| !name.is_empty() && !bytes.is_empty())
    else {
        return Ok(refuse(vec![
            "Fichier : choisissez un fichier .csv, .xlsx ou .ods.".into(),
        ]));
    };
    let table = match crate::registry::import::read_spreadsheet(name.clone(), bytes).await {
        Ok(table) => table,
        Err(error) => return Ok(refuse(vec![error.to_string()])),
    };
    let counts = match passerelle_store::statistics::legacy::parse_grid(
        &table,
        crate::http::clock::paris_today().year(),
    ) {
        Ok(counts) => counts,
        Err(errors) => return Ok(refuse(errors.iter().map(ToString::to_string).collect())),
    };
    let entry = passerelle_store::journal::Entry::new(
        passerelle_domain::journal::JournalAction::RegistryImport,
    )
    .by(auth.account.id.as_str(), Some(auth.role().code()))
    .on("post", &post)
    .detail(format!("activité avant Passerelle importée de « {name} »"));
    match passerelle_store::statistics::legacy::import(
        &state.db,
        &post,
        &counts,
        &name,
        auth.account.id.as_str(),
        entry,
    )
    .await?
    {
        Ok(written) => Ok(legacy_page(&auth, &csrf, Vec::new(), Some(written)).into_response()),
        Err(errors) => Ok(refuse(errors.iter().map(ToString::to_string).collect())),
    }
}

/// The declared years of a scope as a table (suppressed like the others outside the post),
/// and its provenance line.
pub(super) async fn legacy_table(
    state: &AppState,
    scope: &ReportScope,
    suppressed: bool,
) -> WebResult<Option<(TableView, String)>> {
    let (counts, provenance) =
        passerelle_store::statistics::legacy::of_scope(&state.db, scope).await?;
    if counts.is_empty() {
        return Ok(None);
    }
    let mut years: Vec<i64> = counts.iter().map(|c| c.year).collect();
    years.dedup();
    let indicators = passerelle_store::statistics::legacy::INDICATORS;
    let inner: Vec<Vec<u64>> = indicators
        .iter()
        .map(|(_, code)| {
            years
                .iter()
                .map(|year| {
                    counts
                        .iter()
                        .filter(|c| c.year == *year && c.indicator == *code)
                        .map(|c| u64::try_from(c.count).unwrap_or(0))
                        .sum()
                })
                .collect()
        })
        .collect();
    let (table, _) = publish(
        TableSpec {
            id: "table-historique",
            caption: "Activité déclarée avant Passerelle (ancien tableur du poste), par année"
                .into(),
            row_labels: indicators
                .iter()
                .map(|(name, _)| name.to_string())
                .collect(),
            column_labels: years.iter().map(|y| y.to_string()).collect(),
            inner,
        },
        suppressed,
    );
    let provenance = provenance
        .map(|(file, at)| {
            format!(
                "Chiffres déclarés, non calculés par Passerelle : dernier import le {} depuis « {file} ».",
                crate::http::clock::french_day_of(&at)
            )
        })
        .unwrap_or_default();
    Ok(Some((table.without_total_row(), provenance)))
}
