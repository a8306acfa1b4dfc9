//! The referral form and what it opens: the officer's referral (signalement) to the post that
//! covers their unit and the unit's list of referrals with status words only, and the same
//! form used by the social worker to open a case for a person who came directly.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::french_day_of;
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::listing::{Listing, PAGE_SIZE, Pagination};
use crate::http::route_table::RouteTable;
use crate::referral::access::{acting_post, officer_unit};
use crate::referral::own_referrals::{OwnLine, References, own_lines_page};
use crate::referral::referral_form::{
    FieldError, ReferralFormPage, adds_person, form_page, placed, referral_input, typed_values,
    with_one_more_person,
};
use crate::referral::words::status_words;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::Action;
use passerelle_domain::ids::CaseId;
use passerelle_domain::ids::UnitId;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::{ReferralSource, validate_referral};
use passerelle_store::referral as store_referral;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/signalements", unit_referrals)
        .get("/signalements/nouveau", referral_form)
        .post("/signalements", refer)
        .get("/dossiers/nouveau", direct_case_form)
        .post("/dossiers", open_direct_case)
}

pub struct StatusLine {
    pub received: String,
    pub urgency: &'static str,
    pub status: String,
    pub since: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/referrals.html")]
pub struct ReferralsPage {
    shell: Shell,
    /// The officer's own referrals, with their reasons and references.
    mine: Vec<OwnLine>,
    /// The pages of the officer's own referrals, and how many there are.
    pagination: Pagination,
    summary: String,
    notices: Vec<String>,
    /// The unit's other latest referrals, on the first page: status words only.
    lines: Vec<StatusLine>,
    created: bool,
}

async fn unit_referrals(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    RawQuery(raw): RawQuery,
) -> WebResult<ReferralsPage> {
    let unit = officer_unit(&auth)?;
    let mut listing = Listing::parse(raw.as_deref(), &[]);
    // « envoye »: the referral just sent, confirmed once (the pages' links drop it).
    let created = form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .any(|(key, _)| key == "envoye");
    let total = passerelle_store::referral::referrer::count_sent_by(
        &state.db,
        &UnitId::new(&unit),
        &auth.account.id,
    )
    .await?;
    listing.clamp_to(total);
    let page_size = i64::try_from(PAGE_SIZE).unwrap_or(20);
    let mine = own_lines_page(
        &state,
        &auth,
        &unit,
        page_size,
        i64::try_from(listing.offset()).unwrap_or(0),
        References::Opened { ip: ip.as_deref() },
    )
    .await?;
    let others = if listing.page == 1 {
        store_referral::referrals_of_unit(&state.db, &unit, auth.account.id.as_str(), page_size)
            .await?
    } else {
        Vec::new()
    };
    let lines = others
        .into_iter()
        .map(|row| {
            Ok(StatusLine {
                received: french_day_of(&row.received_at),
                urgency: row.urgency.label(),
                status: status_words(row.status, row.closure_outcome),
                since: french_day_of(&row.status_changed_at),
            })
        })
        .collect::<WebResult<_>>()?;
    let pagination = listing.pagination("/signalements", total);
    Ok(ReferralsPage {
        shell: Shell::for_actor("Mes signalements", &auth, &csrf).at("/signalements"),
        summary: pagination.summary("signalement", "signalements"),
        pagination,
        notices: listing.notices,
        mine,
        lines,
        created,
    })
}

async fn referral_form(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
) -> WebResult<ReferralFormPage> {
    officer_unit(&auth)?;
    Ok(form_page(
        &auth,
        &csrf,
        &*crate::referral::category::grid(&state).await?,
        Vec::new(),
        Default::default(),
        false,
    ))
}

async fn refer(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(fields): FrenchForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let unit = officer_unit(&auth)?;
    let typed = typed_values(&fields);
    let grid = crate::referral::category::grid(&state).await?;
    if adds_person(&fields) {
        // Nothing is sent: the same form with one more person, everything typed kept.
        let page = form_page(
            &auth,
            &csrf,
            &grid,
            Vec::new(),
            with_one_more_person(typed),
            false,
        );
        return Ok(page.into_response());
    }
    let refuse = |errors: Vec<FieldError>| {
        let page = form_page(&auth, &csrf, &grid, errors, typed.clone(), false);
        Ok::<_, WebError>((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let referral = match validate_referral(&referral_input(&fields), &grid) {
        Ok(referral) => referral,
        Err(errors) => return refuse(placed(&errors, &grid)),
    };
    // The post that covers the officer's unit (a filled one first).
    let Some(post) = passerelle_store::presence::posts_serving(&state.db, &unit)
        .await?
        .into_iter()
        .next()
    else {
        return refuse(vec![FieldError::general(
            "Aucun poste d'intervenant social ne couvre votre unité : adressez la personne aux services sociaux du département.",
        )]);
    };
    let post_row = passerelle_store::registry::post::find(&state.db, post.id.as_str())
        .await?
        .ok_or(WebError::Forbidden)?;
    let id = uuid::Uuid::now_v7().to_string();
    let entry = crate::journal::entry::post_entry(
        &auth,
        &post_row,
        JournalAction::PersonalDataWritten,
        format!(
            "signalement {} ({})",
            referral.urgency().code(),
            if referral.anonymous_count_only() {
                "sans consentement : comptage anonyme"
            } else {
                "avec consentement"
            }
        ),
        ip.as_deref(),
    )
    .on("case", &id);
    let new = store_referral::NewReferral {
        id: CaseId::new(id.as_str()),
        post_id: &post.id,
        unit_id: Some(&UnitId::new(&unit)),
        referred_by: &auth.account.id,
        referral: &referral,
        notify_referrer: fields
            .iter()
            .any(|(key, value)| key == "notify" && value == "yes"),
    };
    store_referral::create_referral(&state.db, &state.keys, &new, entry).await?;
    Ok(Redirect::to("/signalements?envoye=1").into_response())
}

async fn direct_case_form(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
) -> WebResult<ReferralFormPage> {
    acting_post(&state, &auth, Action::Manage).await?;
    let typed = [(
        "source".to_string(),
        ReferralSource::Spontaneous.code().to_string(),
    )]
    .into();
    let grid = crate::referral::category::grid(&state).await?;
    Ok(form_page(&auth, &csrf, &grid, Vec::new(), typed, true))
}

/// A case the social worker opens for a person who came without a referral: the person is
/// there, so there is no consent question; no unit referred it.
async fn open_direct_case(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(fields): FrenchForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let post = acting_post(&state, &auth, Action::Manage).await?;
    let typed = typed_values(&fields);
    let mut input = referral_input(&fields);
    input.consent = "yes".into();
    let grid = crate::referral::category::grid(&state).await?;
    let referral = match validate_referral(&input, &grid) {
        Ok(referral) => referral,
        Err(errors) => {
            let page = form_page(&auth, &csrf, &grid, placed(&errors, &grid), typed, true);
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let id = uuid::Uuid::now_v7().to_string();
    let entry = crate::journal::entry::post_entry(
        &auth,
        &post,
        JournalAction::PersonalDataWritten,
        format!(
            "dossier ouvert sans signalement ({})",
            referral.urgency().code()
        ),
        ip.as_deref(),
    )
    .on("case", &id);
    let new = store_referral::NewReferral {
        id: CaseId::new(id.as_str()),
        post_id: &post.id,
        unit_id: None,
        referred_by: &auth.account.id,
        referral: &referral,
        notify_referrer: false,
    };
    store_referral::create_referral(&state.db, &state.keys, &new, entry).await?;
    Ok(Redirect::to(&format!("/dossiers/{id}")).into_response())
}
