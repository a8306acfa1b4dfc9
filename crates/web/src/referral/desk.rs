//! The referral form and what it opens: the officer's referral (saisine) to the post that
//! covers their unit and the unit's list of referrals with status words only, and the same
//! form used by the social worker to open a case for a person who came directly.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::french_day_of;
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use crate::referral::access::{acting_post, officer_unit};
use crate::referral::words::{label_of, status_words};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::Action;
use passerelle_domain::ids::CaseId;
use passerelle_domain::ids::UnitId;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::category::{Category, CategoryGrid};
use passerelle_domain::referral::{
    ContactChannel, PersonInput, PersonRole, ReferralInput, ReferralSource, Urgency,
    validate_referral,
};
use passerelle_store::referral as store_referral;

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/signalements", unit_referrals)
        .get("/signalements/nouveau", referral_form)
        .post("/signalements", refer)
        .get("/dossiers/nouveau", direct_case_form)
        .post("/dossiers", open_direct_case)
}

/// How many persons the form offers (victim, suspect, a child…); more are rare at intake.
const FORM_PERSONS: usize = 3;

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
    lines: Vec<StatusLine>,
    created: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct CreatedQuery {
    envoye: Option<String>,
}

async fn unit_referrals(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    axum::extract::Query(query): axum::extract::Query<CreatedQuery>,
) -> WebResult<ReferralsPage> {
    let unit = officer_unit(&auth)?;
    let lines = store_referral::referrals_of_unit(&state.db, &unit, 200)
        .await?
        .into_iter()
        .map(|row| {
            Ok(StatusLine {
                received: french_day_of(&row.received_at),
                urgency: label_of(&row.urgency, Urgency::parse, Urgency::label)?,
                status: status_words(&row.status, row.closure_outcome.as_deref())?,
                since: french_day_of(&row.status_changed_at),
            })
        })
        .collect::<WebResult<_>>()?;
    Ok(ReferralsPage {
        shell: Shell::for_actor("Signalements de l'unité", &auth, &csrf).at("/signalements"),
        lines,
        created: query.envoye.is_some(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "referral/referral_form.html")]
pub struct ReferralFormPage {
    shell: Shell,
    sources: &'static [ReferralSource],
    urgencies: &'static [Urgency],
    categories: Vec<Category>,
    roles: &'static [PersonRole],
    channels: &'static [ContactChannel],
    persons: Vec<usize>,
    /// Opened by the social worker for a person who came directly: no unit, no consent
    /// question (the person is there), one person.
    direct: bool,
    errors: Vec<String>,
    /// The values typed, given back after a refusal.
    typed: std::collections::HashMap<String, String>,
}

impl ReferralFormPage {
    fn value(&self, name: &str) -> String {
        self.typed.get(name).cloned().unwrap_or_default()
    }

    fn is(&self, name: &str, value: &str) -> bool {
        self.typed.get(name).is_some_and(|v| v == value)
    }

    fn person_field(&self, index: &usize, field: &str) -> String {
        self.value(&format!("person_{index}_{field}"))
    }
}

fn form_page(
    auth: &Authenticated,
    csrf: &CsrfToken,
    grid: &CategoryGrid,
    errors: Vec<String>,
    typed: std::collections::HashMap<String, String>,
    direct: bool,
) -> ReferralFormPage {
    ReferralFormPage {
        shell: if direct {
            Shell::for_actor("Ouvrir un dossier", auth, csrf).at("/dossiers")
        } else {
            Shell::for_actor("Signaler une situation", auth, csrf).at("/signalements")
        },
        sources: ReferralSource::ALL,
        urgencies: Urgency::ALL,
        categories: grid.active().cloned().collect(),
        roles: PersonRole::ALL,
        channels: ContactChannel::ALL,
        persons: (1..=if direct { 1 } else { FORM_PERSONS }).collect(),
        direct,
        errors,
        typed,
    }
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

/// The referral form's fields as the domain reads them (categories are checkboxes named
/// `category`, persons `person_N_field`).
fn referral_input(fields: &[(String, String)]) -> ReferralInput {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    ReferralInput {
        source: one("source"),
        urgency: one("urgency"),
        categories: fields
            .iter()
            .filter(|(key, _)| key == "category")
            .map(|(_, value)| value.clone())
            .collect(),
        context: one("context"),
        persons: (1..=FORM_PERSONS)
            .map(|index| PersonInput {
                role: one(&format!("person_{index}_role")),
                last_name: one(&format!("person_{index}_last_name")),
                first_name: one(&format!("person_{index}_first_name")),
                phone: one(&format!("person_{index}_phone")),
            })
            .filter(|p| {
                !(p.last_name.trim().is_empty()
                    && p.first_name.trim().is_empty()
                    && p.phone.trim().is_empty())
            })
            .collect(),
        consent: one("consent"),
        contact_channel: one("contact_channel"),
        contact_hours: one("contact_hours"),
        procedure_reference: one("procedure_reference"),
    }
}

/// The values typed, to give the form back after a refusal (each category ticked as
/// `category_<code>`).
fn typed_values(fields: &[(String, String)]) -> std::collections::HashMap<String, String> {
    fields
        .iter()
        .filter(|(key, _)| key != "csrf" && key != "category")
        .cloned()
        .chain(
            fields
                .iter()
                .filter(|(key, _)| key == "category")
                .map(|(_, v)| (format!("category_{v}"), "1".into())),
        )
        .collect()
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
    let refuse = |errors: Vec<String>| {
        let page = form_page(&auth, &csrf, &grid, errors, typed.clone(), false);
        Ok::<_, WebError>((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let referral = match validate_referral(&referral_input(&fields), &grid) {
        Ok(referral) => referral,
        Err(errors) => return refuse(errors.iter().map(|e| format!("{e}.")).collect()),
    };
    // The post that covers the officer's unit (a filled one first).
    let Some(post) = passerelle_store::presence::posts_serving(&state.db, &unit)
        .await?
        .into_iter()
        .next()
    else {
        return refuse(vec!["Aucun poste d'intervenant social ne couvre votre unité : adressez la personne aux services sociaux du département.".into()]);
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
            "saisine {} ({})",
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
            let page = form_page(
                &auth,
                &csrf,
                &grid,
                errors.iter().map(|e| format!("{e}.")).collect(),
                typed,
                true,
            );
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let id = uuid::Uuid::now_v7().to_string();
    let entry = crate::journal::entry::post_entry(
        &auth,
        &post,
        JournalAction::PersonalDataWritten,
        format!(
            "dossier ouvert sans saisine ({})",
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
