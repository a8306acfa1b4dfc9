//! Announcements: the list a member or an officer reads (pinned first, « non lu » marked and
//! counted), one announcement (opening it marks it read), and the form of those who publish:
//! the national team (the nation or a département), a prevention referent (its
//! département), an employer (its posts). Before saving, the personal-data check: what it
//! finds is shown to the author, who removes it or confirms the text concerns no person;
//! the check and the decision are journaled, never the text.

use crate::AppState;
use crate::http::auth::{Authenticated, ClientIp, CsrfToken};
use crate::http::clock::{french_date, paris_today};
use crate::http::error::{WebError, WebResult};
use crate::http::forms::FrenchForm;
use crate::http::layout::Shell;
use crate::http::route_table::RouteTable;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use passerelle_domain::access::{Action, Place, Resource, Scope};
use passerelle_domain::identity::role::Role;
use passerelle_domain::journal::JournalAction;
use passerelle_domain::network::announcement::{
    AUDIENCE_ROLES, AnnouncementDraft, AnnouncementFields, AnnouncementScope,
};
use passerelle_domain::network::personal_data::{self, Finding};
use passerelle_domain::registry::territory::DepartementCode;
use passerelle_store::journal::Entry;
use passerelle_store::network::announcement::{self as store, AnnouncementRow};

pub fn routes() -> RouteTable {
    RouteTable::new()
        .get("/reseau", list_page)
        .get("/reseau/annonces/nouvelle", form_page)
        .post("/reseau/annonces", publish)
        .get("/reseau/annonces/{id}", announcement_page)
}

/// An announcement as a page shows it.
pub struct Shown {
    pub id: String,
    pub title: String,
    /// The text as HTML, from its safe Markdown subset (`markdown::to_safe_html`).
    pub body_html: String,
    pub scope: String,
    pub audience: String,
    pub pinned: bool,
    pub publish_on: String,
    pub expires_on: Option<String>,
    pub read: bool,
}

fn scope_words(scope: &AnnouncementScope) -> String {
    match scope {
        AnnouncementScope::Nation => "Tout le réseau".into(),
        AnnouncementScope::Departement(code) => format!("Département {code}"),
        AnnouncementScope::Employer(_) => "Les postes de l'employeur".into(),
    }
}

fn shown(row: AnnouncementRow) -> Shown {
    let body_html = super::markdown::to_safe_html(&row.body);
    Shown {
        id: row.id,
        title: row.title,
        body_html,
        scope: scope_words(&row.scope),
        audience: row
            .audience
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join(", "),
        pinned: row.pinned,
        publish_on: french_date(row.publish_on),
        expires_on: row.expires_on.map(french_date),
        read: row.read,
    }
}

/// The reader's place (the départements and employers their grant sits in).
async fn reader_place(state: &AppState, auth: &Authenticated) -> WebResult<Place> {
    Ok(passerelle_store::identity::account::place_of(&state.db, &auth.actor.grant.scope).await?)
}

/// The scope an author publishes to: their own, or for the national team the one chosen.
fn author_scope(auth: &Authenticated, chosen: &str) -> Result<AnnouncementScope, WebError> {
    Ok(match &auth.actor.grant.scope {
        Scope::Nation => match chosen.trim() {
            "" | "nation" => AnnouncementScope::Nation,
            code => AnnouncementScope::Departement(DepartementCode::parse(code).map_err(|_| {
                WebError::BadRequest(format!(
                    "Portée : « {code} » n'est pas un code de département"
                ))
            })?),
        },
        Scope::Departement(code) => AnnouncementScope::Departement(code.clone()),
        Scope::Employer(id) => AnnouncementScope::Employer(id.clone()),
        // Social workers and officers publish nowhere: the policy refuses the nation.
        Scope::Post(_) | Scope::Unit(_) => AnnouncementScope::Nation,
    })
}

fn may_publish(auth: &Authenticated) -> bool {
    author_scope(auth, "nation").is_ok_and(|scope| {
        passerelle_domain::access::decide(
            &auth.actor,
            Action::Manage,
            &Resource::AnnouncementTo { scope: &scope },
        )
        .is_allowed()
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "network/announcements.html")]
pub struct ListPage {
    shell: Shell,
    announcements: Vec<Shown>,
    unread: i64,
    may_publish: bool,
    /// Just published by the reader (who may not be in its audience).
    published: bool,
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    publiee: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Query(query): Query<ListQuery>,
) -> WebResult<Response> {
    auth.require(Action::View, &Resource::Network)?;
    let place = reader_place(&state, &auth).await?;
    let today = paris_today();
    let grant = &auth.actor.grant;
    let rows = store::for_reader(&state.db, auth.account.id.as_str(), grant, &place, today).await?;
    let unread =
        store::unread_count(&state.db, auth.account.id.as_str(), grant, &place, today).await?;
    Ok(ListPage {
        shell: Shell::for_actor("Réseau", &auth, &csrf).at("/reseau"),
        announcements: rows.into_iter().map(shown).collect(),
        unread,
        may_publish: may_publish(&auth),
        published: query.publiee.is_some(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "network/announcement.html")]
pub struct AnnouncementPage {
    shell: Shell,
    announcement: Shown,
}

async fn announcement_page(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> WebResult<Response> {
    auth.require(Action::View, &Resource::Network)?;
    let place = reader_place(&state, &auth).await?;
    let grant = &auth.actor.grant;
    let rows = store::for_reader(
        &state.db,
        auth.account.id.as_str(),
        grant,
        &place,
        paris_today(),
    )
    .await?;
    // One not addressed to the reader does not exist for them.
    let row = rows
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(WebError::NotFound)?;
    store::mark_read(&state.db, auth.account.id.as_str(), &row.id).await?;
    let was_unread = !row.read;
    let announcement = shown(row);
    let mut shell = Shell::for_actor(&announcement.title, &auth, &csrf)
        .at("/reseau")
        .under("Réseau", "/reseau");
    if was_unread {
        shell = shell.one_read();
    }
    Ok(AnnouncementPage {
        shell,
        announcement,
    }
    .into_response())
}

#[derive(Default, serde::Deserialize)]
pub struct AnnouncementForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    portee: String,
    #[serde(default)]
    pinned: Option<String>,
    #[serde(default)]
    publish_on: String,
    #[serde(default)]
    expires_on: String,
    #[serde(default)]
    no_person: Option<String>,
    #[serde(default)]
    dest_social_worker: Option<String>,
    #[serde(default)]
    dest_employer: Option<String>,
    #[serde(default)]
    dest_prevention: Option<String>,
    #[serde(default)]
    dest_national: Option<String>,
    #[serde(default)]
    dest_officer: Option<String>,
}

impl AnnouncementForm {
    fn audience(&self) -> Vec<String> {
        [
            (&self.dest_social_worker, Role::SocialWorker),
            (&self.dest_employer, Role::Employer),
            (&self.dest_prevention, Role::Prevention),
            (&self.dest_national, Role::National),
            (&self.dest_officer, Role::Officer),
        ]
        .into_iter()
        .filter(|(ticked, _)| ticked.is_some())
        .map(|(_, role)| role.code().to_string())
        .collect()
    }

    fn ticked(&self, role: &Role) -> bool {
        self.audience().iter().any(|code| code == role.code())
    }
}

/// A finding as the form lists it: its kind in French and the text found.
pub struct FoundItem {
    pub kind: &'static str,
    pub excerpt: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "network/announcement_form.html")]
pub struct FormPage {
    shell: Shell,
    form: AnnouncementForm,
    /// The national team chooses the scope; the others publish to their own.
    chooses_scope: bool,
    own_scope: String,
    roles: Vec<(&'static str, &'static str, bool)>,
    error: Option<String>,
    findings: Vec<FoundItem>,
}

fn form_page_of(
    auth: &Authenticated,
    csrf: &CsrfToken,
    form: AnnouncementForm,
    error: Option<String>,
    findings: Vec<FoundItem>,
) -> FormPage {
    let fresh = form.audience().is_empty() && form.title.is_empty();
    let roles = AUDIENCE_ROLES
        .iter()
        .map(|role| {
            let ticked = form.ticked(role) || (fresh && *role == Role::SocialWorker);
            (role.code(), role.label(), ticked)
        })
        .collect();
    let own = author_scope(auth, "nation")
        .map(|s| scope_words(&s))
        .unwrap_or_default();
    FormPage {
        shell: Shell::for_actor("Publier une annonce", auth, csrf)
            .at("/reseau")
            .under("Réseau", "/reseau"),
        chooses_scope: auth.actor.grant.scope == Scope::Nation,
        own_scope: own,
        roles,
        form,
        error,
        findings,
    }
}

async fn form_page(auth: Authenticated, csrf: CsrfToken) -> WebResult<Response> {
    auth.require(Action::View, &Resource::Network)?;
    let scope = author_scope(&auth, "nation")?;
    auth.require(Action::Manage, &Resource::AnnouncementTo { scope: &scope })?;
    Ok(form_page_of(&auth, &csrf, AnnouncementForm::default(), None, Vec::new()).into_response())
}

/// The kinds found, counted, in words (the journal keeps these, never the text).
fn findings_in_words(findings: &[Finding]) -> String {
    let mut counted: Vec<(&'static str, usize)> = Vec::new();
    for finding in findings {
        let label = finding.kind.label();
        match counted.iter_mut().find(|(kind, _)| *kind == label) {
            Some((_, count)) => *count += 1,
            None => counted.push((label, 1)),
        }
    }
    counted
        .iter()
        .map(|(kind, count)| format!("{kind} ×{count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn publish(
    State(state): State<AppState>,
    auth: Authenticated,
    csrf: CsrfToken,
    ClientIp(ip): ClientIp,
    FrenchForm(form): FrenchForm<AnnouncementForm>,
) -> WebResult<Response> {
    auth.require(Action::View, &Resource::Network)?;
    let scope = author_scope(&auth, &form.portee)?;
    auth.require(Action::Manage, &Resource::AnnouncementTo { scope: &scope })?;
    let audience = form.audience();
    let fields = AnnouncementFields {
        title: &form.title,
        body: &form.text,
        audience: &audience,
        pinned: form.pinned.is_some(),
        publish_on: &form.publish_on,
        expires_on: &form.expires_on,
    };
    let draft = match AnnouncementDraft::parse(&fields, scope, paris_today()) {
        Ok(draft) => draft,
        Err(error) => {
            let page = form_page_of(&auth, &csrf, form, Some(error.to_string()), Vec::new());
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let text = draft.checked_text();
    let findings = personal_data::check(&text);
    let confirmed = form.no_person.is_some();
    let entry = |action: JournalAction, detail: String| {
        Entry::new(action)
            .by(auth.account.id.as_str(), Some(auth.role().code()))
            .from_ip(ip.as_deref())
            .detail(detail)
    };
    if !findings.is_empty() && !confirmed {
        let detail = format!(
            "annonce : {} ; montrés à l'auteur, enregistrement suspendu",
            findings_in_words(&findings)
        );
        passerelle_store::journal::record(
            &state.db,
            entry(JournalAction::NetworkTextChecked, detail).on("network_announcement", "draft"),
        )
        .await?;
        let shown_findings = findings
            .iter()
            .map(|f| FoundItem {
                kind: f.kind.label(),
                excerpt: f.excerpt(&text).to_string(),
            })
            .collect();
        let page = form_page_of(&auth, &csrf, form, None, shown_findings);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let decision = if findings.is_empty() {
        "vérification des données personnelles : rien de trouvé".to_string()
    } else {
        format!(
            "vérification des données personnelles : {} ; l'auteur confirme que le texte ne concerne aucune personne",
            findings_in_words(&findings)
        )
    };
    store::publish(
        &state.db,
        &draft,
        (auth.account.id.as_str(), auth.role()),
        !findings.is_empty(),
        entry(JournalAction::AnnouncementPublished, decision),
    )
    .await
    .map_err(|error| match crate::http::error::refusal(error) {
        Ok(message) => WebError::BadRequest(message),
        Err(error) => error,
    })?;
    // The author may not be in the audience: the list says it was published.
    Ok(Redirect::to("/reseau?publiee=1").into_response())
}
