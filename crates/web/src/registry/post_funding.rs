//! Agreements and funding of posts: their lines as the post's page, the list of posts and
//! the pipeline show them (with the renewal alerts), and the forms of a post's page that add
//! them.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::error::WebResult;
use crate::http::forms::{DateField, FrenchForm, read_date};
use crate::http::route_table::RouteTable;
use crate::journal::entry::post_entry;
use crate::registry::post::{date_text, managed_post, refused_page};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::registry::funding::{
    AgreementAlert, Funder, Renewal, alert_on, euros, parse_euros,
};
use passerelle_store::db::time_text::text_to_date;
use passerelle_store::registry::post::PostScope;
use serde::Deserialize;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .post("/postes/{id}/conventions", add_agreement)
        .post("/postes/{id}/financements", add_funding)
}

pub struct AgreementLine {
    pub post_id: String,
    pub post_code: String,
    pub parties: String,
    pub starts_on: String,
    pub ends_on: String,
    pub renewal: &'static str,
    pub alert: Option<&'static str>,
    pub urgent: bool,
}

pub(super) fn agreement_line(
    row: passerelle_store::registry::funding::AgreementRow,
    today: time::Date,
) -> AgreementLine {
    let alert = text_to_date(&row.ends_on)
        .ok()
        .and_then(|end| alert_on(end, today));
    AgreementLine {
        alert: alert.map(AgreementAlert::label),
        urgent: alert == Some(AgreementAlert::Within30Days),
        renewal: row.renewal.label(),
        starts_on: date_text(&Some(row.starts_on)),
        ends_on: date_text(&Some(row.ends_on)),
        post_id: row.post_id.to_string(),
        post_code: row.post_code,
        parties: row.parties,
    }
}

pub struct FundingLine {
    pub year: i64,
    pub funder: &'static str,
    pub amount: String,
}

pub(super) fn funding_line(row: passerelle_store::registry::funding::FundingRow) -> FundingLine {
    FundingLine {
        year: row.year,
        funder: row.funder.label(),
        amount: euros(row.amount_cents),
    }
}

/// Agreements of the scope ending within the first alert threshold (60 days): the renewals
/// the employer and the steering must prepare.
pub(super) async fn agreements_to_renew(
    state: &AppState,
    scope: &PostScope,
    today: time::Date,
) -> WebResult<Vec<AgreementLine>> {
    let horizon = today + time::Duration::days(passerelle_domain::registry::funding::ALERT_DAYS[0]);
    Ok(
        passerelle_store::registry::funding::agreements_ending(&state.db, scope, today, horizon)
            .await?
            .into_iter()
            .map(|a| agreement_line(a, today))
            .collect(),
    )
}

#[derive(Deserialize)]
pub struct AgreementForm {
    parties: String,
    starts_on: String,
    ends_on: String,
    renewal: String,
}

async fn add_agreement(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<AgreementForm>,
) -> WebResult<Response> {
    let post = managed_post(&state, &auth, &id).await?;
    let parties = form.parties.trim();
    let checked = (|| {
        if parties.is_empty() || parties.chars().count() > 300 {
            return Err("Parties : de 1 à 300 caractères (exemple : préfecture, conseil départemental, groupement de gendarmerie).".to_string());
        }
        let starts_on = read_date(DateField::AgreementStart, &form.starts_on)?;
        let ends_on = read_date(DateField::AgreementEnd, &form.ends_on)?;
        if ends_on <= starts_on {
            return Err("Fin : la convention doit finir après son début.".to_string());
        }
        let renewal = Renewal::parse(&form.renewal).map_err(|e| e.to_string())?;
        Ok((starts_on, ends_on, renewal))
    })();
    let (starts_on, ends_on, renewal) = match checked {
        Ok(values) => values,
        Err(error) => return refused_page(&state, &auth, &csrf, &id, error).await,
    };
    let entry = post_entry(
        &auth,
        &post,
        JournalAction::PostAgreement,
        format!("{} → {}", starts_on, ends_on),
        ip.as_deref(),
    );
    let agreement = passerelle_store::registry::funding::NewAgreement {
        parties,
        starts_on,
        ends_on,
        renewal,
    };
    passerelle_store::registry::funding::add_agreement(
        &state.db,
        post.id.as_str(),
        &agreement,
        entry,
    )
    .await?;
    Ok(Redirect::to(&format!("/postes/{}", post.id)).into_response())
}

#[derive(Deserialize)]
pub struct FundingForm {
    year: String,
    funder: String,
    amount: String,
}

async fn add_funding(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    FrenchForm(form): FrenchForm<FundingForm>,
) -> WebResult<Response> {
    let post = managed_post(&state, &auth, &id).await?;
    let checked = (|| {
        let year: i32 = form
            .year
            .trim()
            .parse()
            .ok()
            .filter(|y| (2006..=2100).contains(y))
            .ok_or_else(|| "Année : un nombre entre 2006 et 2100.".to_string())?;
        let funder = Funder::parse(&form.funder).map_err(|e| e.to_string())?;
        let cents = parse_euros(&form.amount).map_err(|e| e.to_string())?;
        Ok::<_, String>((year, funder, cents))
    })();
    let (year, funder, cents) = match checked {
        Ok(values) => values,
        Err(error) => return refused_page(&state, &auth, &csrf, &id, error).await,
    };
    let entry = post_entry(
        &auth,
        &post,
        JournalAction::PostFunding,
        format!("{year} {} {}", funder.code(), euros(cents)),
        ip.as_deref(),
    );
    if !passerelle_store::registry::funding::add_funding(
        &state.db,
        post.id.as_str(),
        year,
        funder,
        cents,
        entry,
    )
    .await?
    {
        return refused_page(
            &state,
            &auth,
            &csrf,
            &id,
            format!(
                "Financement : une ligne « {} » existe déjà pour {year}.",
                funder.label()
            ),
        )
        .await;
    }
    Ok(Redirect::to(&format!("/postes/{}", post.id)).into_response())
}
