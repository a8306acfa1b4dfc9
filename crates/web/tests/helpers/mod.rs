//! Starts the real application on 127.0.0.1:0 over a demo database, once per backend, and
//! acts as any demo role through sessions opened directly in the database.
#![allow(dead_code)]

pub mod bodies;
pub mod sentinels;

use passerelle_demo as demo;
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::{AccountId, CaseId, PostId, UnitId};
use passerelle_store::Db;
use passerelle_store::identity::{account, session};
use passerelle_store::registry::territory::{Referentials, load_referentials};
use passerelle_store::seal::KeyRing;
use passerelle_store::testing::{self, TestDb};
use passerelle_web::http::route_table::Method;

/// Scopes outside the demo accounts' own, found in the demo data.
pub struct Elsewhere {
    pub other_post: String,
    pub other_unit: String,
    pub sibling_unit: String,
}

pub struct TestApp {
    pub address: std::net::SocketAddr,
    pub client: reqwest::Client,
    pub db: Db,
    pub backend: &'static str,
    pub plan: demo::DemoPlan,
    pub elsewhere: Elsewhere,
    pub keys_folder: tempfile::TempDir,
    /// The server's state, to reach its in-process memories (signed-in people, the grid).
    pub state: passerelle_web::AppState,
    /// Moves the server's clock on (sessions, login locks, invitations, memories, outbox):
    /// a test sees time pass at once instead of waiting for it.
    pub clock: passerelle_store::db::clock::ClockHand,
    test_db: TestDb,
    server: tokio::task::JoinHandle<()>,
}

/// The anti-forgery token tests write in their forms and cookies. A real token is bound to
/// its session (see `auth::form_token`): the test server takes the part of a browser that
/// reads the token from its page, and puts the request's real token in place of this one
/// (query or form). Any other value reaches the application as sent.
pub const CSRF: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Puts the request's real anti-forgery token in place of [`CSRF`] (see there).
async fn real_token_for_placeholder(
    axum::extract::State(keys): axum::extract::State<std::sync::Arc<KeyRing>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let Some(token) = passerelle_web::http::auth::form_token(&keys, request.headers()) else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    if let Some(query) = parts.uri.path_and_query().map(|p| p.as_str().to_string())
        && query.contains(CSRF)
        && let Ok(uri) = query.replace(CSRF, &token).parse()
    {
        parts.uri = uri;
    }
    let form = parts.headers.get("content-type").is_some_and(|v| {
        v.as_bytes()
            .starts_with(b"application/x-www-form-urlencoded")
            || v.as_bytes().starts_with(b"multipart/form-data")
    });
    if !form {
        return next
            .run(axum::extract::Request::from_parts(parts, body))
            .await;
    }
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    // Bytes, not text: an upload's file is binary.
    let placeholder = CSRF.as_bytes();
    let body = match bytes
        .windows(placeholder.len())
        .position(|w| w == placeholder)
    {
        Some(at) => {
            parts.headers.remove("content-length");
            let mut replaced = bytes[..at].to_vec();
            replaced.extend_from_slice(token.as_bytes());
            replaced.extend_from_slice(&bytes[at + placeholder.len()..]);
            axum::body::Body::from(replaced)
        }
        None => axum::body::Body::from(bytes),
    };
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

async fn one(db: &Db, sql: &'static str, bind: &str) -> String {
    let (id,): (String,) = sqlx::query_as(sql)
        .bind(bind)
        .fetch_one(db.pool())
        .await
        .expect(sql);
    id
}

impl TestApp {
    /// Loads the referentials and the demo (seed 2020) and serves.
    pub async fn spawn(test_db: TestDb) -> Self {
        Self::spawn_with(test_db, passerelle_web::Config::default()).await
    }

    /// The same, with these settings.
    pub async fn spawn_with(test_db: TestDb, config: passerelle_web::Config) -> Self {
        let referentials = Referentials::embedded().unwrap();
        load_referentials(&test_db.db, &referentials).await.unwrap();
        let plan = demo::plan(&referentials, 2020);
        let hashes: Vec<String> = plan
            .logins
            .iter()
            .map(|l| account::hash_password(&l.password).unwrap())
            .collect();
        demo::insert(&test_db.db, &plan, &hashes, &|_| {})
            .await
            .unwrap();
        let db = test_db.db.clone();
        let login = |role: Role| {
            plan.logins
                .iter()
                .find(|l| l.role == role)
                .unwrap()
                .scope_id
                .clone()
                .unwrap()
        };
        let (departement, unit, employer) = (
            login(Role::Prevention),
            login(Role::Officer),
            login(Role::Employer),
        );
        let elsewhere = Elsewhere {
            other_post: sqlx::query_as::<_, (String,)>("SELECT id FROM posts WHERE departement_code <> $1 AND employer_id <> $2 AND status <> 'closed' ORDER BY code LIMIT 1")
                .bind(&departement)
                .bind(&employer)
                .fetch_one(db.pool())
                .await
                .unwrap()
                .0,
            other_unit: one(&db, "SELECT id FROM units WHERE departement_code <> $1 AND kind = 'bta' ORDER BY name LIMIT 1", &departement).await,
            sibling_unit: sqlx::query_as::<_, (String,)>("SELECT id FROM units WHERE departement_code = $1 AND kind = 'bta' AND id <> $2 ORDER BY name LIMIT 1")
                .bind(&departement)
                .bind(&unit)
                .fetch_one(db.pool())
                .await
                .unwrap()
                .0,
        };
        let keys_folder = tempfile::tempdir().unwrap();
        let keys = KeyRing::generate_file(&keys_folder.path().join("passerelle.key")).unwrap();
        let state = passerelle_web::AppState::new(db.clone(), config, keys);
        let app = passerelle_web::app(state.clone()).layer(axum::middleware::from_fn_with_state(
            state.keys.clone(),
            real_token_for_placeholder,
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let backend = db.backend().name();
        Self {
            address,
            client,
            db,
            backend,
            plan,
            elsewhere,
            keys_folder,
            state,
            clock: test_db.clock.clone(),
            test_db,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub fn login(&self, role: Role) -> &demo::DemoLogin {
        self.plan.logins.iter().find(|l| l.role == role).unwrap()
    }

    pub fn scope(&self, role: Role) -> String {
        self.login(role).scope_id.clone().unwrap_or_default()
    }

    /// An API token of `role` in the demo's scope of that role (inside) or in the other
    /// post's (outside), valid through tomorrow: its text and its id.
    pub async fn api_token_for(&self, role: Role, inside: bool) -> (String, String) {
        let sql = match role {
            Role::Employer => Some("SELECT employer_id FROM posts WHERE id = $1"),
            Role::Prevention => Some("SELECT departement_code FROM posts WHERE id = $1"),
            _ => None,
        };
        let scope_id = match (sql, inside) {
            (None, _) => None,
            (Some(_), true) => Some(self.scope(role)),
            (Some(sql), false) => Some(
                sqlx::query_as::<_, (String,)>(sql)
                    .bind(&self.elsewhere.other_post)
                    .fetch_one(self.db.pool())
                    .await
                    .unwrap()
                    .0,
            ),
        };
        let tomorrow = self.db.clock().now().date() + time::Duration::days(1);
        passerelle_store::identity::api_token::create(
            &self.db,
            &format!("Jeton {role:?} {inside}"),
            role,
            scope_id.as_deref(),
            tomorrow,
            &self.login(Role::Admin).id,
            passerelle_store::journal::Entry::new(
                passerelle_domain::journal::JournalAction::ApiTokenCreated,
            ),
        )
        .await
        .unwrap()
    }

    pub async fn demo_role_id(&self, role: Role) -> String {
        account::roles_of(&self.db, &AccountId::new(&self.login(role).id))
            .await
            .unwrap()[0]
            .id
            .clone()
    }

    /// A session of the demo account of `role`, second factor done, acting with that role.
    pub async fn session_for(&self, role: Role) -> String {
        let account_id = self.login(role).id.clone();
        let role_id = self.demo_role_id(role).await;
        self.session_of(&account_id, &role_id).await
    }

    /// A session of `account_id` acting with its role `role_id`, second factor done, written
    /// in one transaction (one commit each keeps PostgreSQL quick for the matrix's thousands).
    pub async fn session_of(&self, account_id: &str, role_id: &str) -> String {
        let mut connection = self.db.pool().begin().await.unwrap();
        let token = session::create(
            &mut connection,
            Some(account_id),
            None,
            &self.db.clock().now_text(),
        )
        .await
        .unwrap();
        let hash = session::token_hash(&token);
        session::mark_second_factor_done(&mut connection, &hash)
            .await
            .unwrap();
        session::set_active_role(&mut connection, &hash, role_id)
            .await
            .unwrap();
        connection.commit().await.unwrap();
        token
    }

    /// The anti-forgery token of the forms of a session's pages.
    pub fn csrf_for(&self, session: &str) -> String {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            "cookie",
            format!("passerelle_session={session}").parse().unwrap(),
        );
        passerelle_web::http::auth::form_token(&self.state.keys, &headers).unwrap()
    }

    /// One request as `who` (anonymous when None), with a fresh session and the CSRF token.
    pub async fn send_as(
        &self,
        who: Option<Role>,
        method: Method,
        path: &str,
        form: &[(String, String)],
    ) -> reqwest::Response {
        let mut cookies = format!("passerelle_csrf={CSRF}");
        if let Some(role) = who {
            cookies.push_str(&format!(
                "; passerelle_session={}",
                self.session_for(role).await
            ));
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let request = match method {
            Method::Get => client.get(self.url(path)),
            Method::Post => {
                let mut fields: Vec<(String, String)> = form.to_vec();
                fields.push(("csrf".into(), CSRF.into()));
                client
                    .post(self.url(path))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(serde_urlencoded::to_string(&fields).unwrap())
            }
        };
        request.header("cookie", cookies).send().await.unwrap()
    }

    /// A new account holding `role` at `scope_id`; returns (account id, role id).
    pub async fn new_account(&self, role: Role, scope_id: Option<&str>) -> (String, String) {
        let mut connection = self.db.pool().acquire().await.unwrap();
        let email = format!("cible-{}@exemple.fr", uuid::Uuid::new_v4().simple());
        let (_, token_hash) = session::new_token();
        let id = account::invite(
            &mut connection,
            &email,
            "Compte cible",
            Some(&self.login(Role::Admin).id),
            &token_hash,
            "2999-01-01T00:00:00Z",
        )
        .await
        .unwrap();
        let role_id = account::grant_role(&mut connection, &AccountId::new(&id), role, scope_id)
            .await
            .unwrap();
        (id, role_id)
    }

    /// A valid invitation token for a new account, for a week (as the administration's).
    pub async fn fresh_invitation(&self) -> String {
        let mut connection = self.db.pool().acquire().await.unwrap();
        let email = format!("invitee-{}@exemple.fr", uuid::Uuid::new_v4().simple());
        let (token, token_hash) = session::new_token();
        let id = account::invite(
            &mut connection,
            &email,
            "Personne invitée",
            Some(&self.login(Role::Admin).id),
            &token_hash,
            // A week, as the administration's invitations.
            &passerelle_store::db::time_text::instant_to_text(
                self.db.clock().now() + time::Duration::days(7),
            ),
        )
        .await
        .unwrap();
        account::grant_role(
            &mut connection,
            &AccountId::new(&id),
            Role::Officer,
            Some(&self.scope(Role::Officer)),
        )
        .await
        .unwrap();
        token
    }

    /// The path of a valid forgotten-password link (as the e-mail gives it) for a new
    /// officer account, which its use leaves the demo accounts' passwords alone.
    pub async fn fresh_reset_link(&self) -> String {
        let (id, _) = self
            .new_account(Role::Officer, Some(&self.scope(Role::Officer)))
            .await;
        let (email,): (String,) = sqlx::query_as("SELECT email FROM accounts WHERE id = $1")
            .bind(&id)
            .fetch_one(self.db.pool())
            .await
            .unwrap();
        use passerelle_store::identity::password_reset;
        let reset = password_reset::new_id();
        let secret =
            passerelle_web::identity::password_reset::link_secret(&self.state.keys, &reset);
        password_reset::request(
            &self.db,
            &email,
            None,
            Some((&id, &reset, &password_reset::token_hash(&secret))),
            |_| {
                passerelle_store::journal::Entry::new(
                    passerelle_domain::journal::JournalAction::PasswordResetRequested,
                )
            },
        )
        .await
        .unwrap();
        passerelle_web::identity::password_reset::link_path(&self.state.keys, &reset)
    }

    /// The demo social worker's post (inside every demo scope) or a post of another
    /// département and employer.
    pub fn post_for(&self, inside: impl Into<bool>) -> String {
        if inside.into() {
            self.scope(Role::SocialWorker)
        } else {
            self.elsewhere.other_post.clone()
        }
    }

    /// The département of the demo social worker's post (inside) or of another post.
    pub async fn departement_for(&self, inside: impl Into<bool>) -> String {
        let (code,): (String,) = sqlx::query_as("SELECT departement_code FROM posts WHERE id = $1")
            .bind(self.post_for(inside))
            .fetch_one(self.db.pool())
            .await
            .unwrap();
        code
    }

    /// A fresh partner of the directory of `departement_for(inside)`.
    pub async fn partner_for(&self, inside: impl Into<bool>) -> String {
        let departement = self.departement_for(inside).await;
        let name = format!("Partenaire {}", uuid::Uuid::now_v7());
        let input = passerelle_domain::referral::partner::PartnerInput {
            partner_type: "ccas".into(),
            name: name.clone(),
            departement: departement.clone(),
            ..Default::default()
        };
        let partner = passerelle_domain::referral::partner::validate_partner(&input).unwrap();
        let entry = passerelle_store::journal::Entry::new(
            passerelle_domain::journal::JournalAction::RegistryChange,
        );
        passerelle_store::referral::partner::save(&self.db, &partner, entry)
            .await
            .unwrap();
        let (id,): (String,) =
            sqlx::query_as("SELECT id FROM partners WHERE departement_code = $1 AND name = $2")
                .bind(&departement)
                .bind(&name)
                .fetch_one(self.db.pool())
                .await
                .unwrap();
        id
    }

    /// A fresh account inside (or outside) the remit of `who` over accounts.
    pub async fn fixture_target(
        &self,
        who: Option<Role>,
        inside: impl Into<bool>,
    ) -> (String, String) {
        let inside = inside.into();
        match who {
            Some(Role::Prevention) => {
                let unit = if inside {
                    self.elsewhere.sibling_unit.clone()
                } else {
                    self.elsewhere.other_unit.clone()
                };
                self.new_account(Role::Officer, Some(&unit)).await
            }
            Some(Role::Admin) => {
                self.new_account(Role::SocialWorker, Some(&self.elsewhere.other_post.clone()))
                    .await
            }
            _ => {
                let post = if inside {
                    self.scope(Role::SocialWorker)
                } else {
                    self.elsewhere.other_post.clone()
                };
                self.new_account(Role::SocialWorker, Some(&post)).await
            }
        }
    }

    /// A role `who` may give inside its remit (or one outside it), as (role, "kind:id").
    pub fn grantable(&self, who: Option<Role>, inside: impl Into<bool>) -> (Role, String) {
        let inside = inside.into();
        match who {
            Some(Role::Admin) => (Role::National, "nation:".into()),
            Some(Role::Employer) if inside => (
                Role::Employer,
                format!("employer:{}", self.scope(Role::Employer)),
            ),
            Some(Role::Employer) => (
                Role::SocialWorker,
                format!("post:{}", self.elsewhere.other_post),
            ),
            Some(Role::Prevention) if inside => {
                (Role::Officer, format!("unit:{}", self.scope(Role::Officer)))
            }
            Some(Role::Prevention) => {
                (Role::Officer, format!("unit:{}", self.elsewhere.other_unit))
            }
            _ => (
                Role::SocialWorker,
                format!("post:{}", self.scope(Role::SocialWorker)),
            ),
        }
    }

    /// The key ring the server seals with.
    pub fn keys(&self) -> KeyRing {
        KeyRing::load(&self.keys_folder.path().join("passerelle.key")).unwrap()
    }

    /// A visio appointment in the future on the demo social worker's post (booked by the demo
    /// officer), or on a post elsewhere (booked by the national account). Each call books a
    /// new one, an hour after the previous.
    pub async fn appointment_for(&self, inside: impl Into<bool>) -> String {
        static NEXT_HOUR: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
        let inside = inside.into();
        let (post, booked_by) = if inside {
            (
                self.scope(Role::SocialWorker),
                self.login(Role::Officer).id.clone(),
            )
        } else {
            (
                self.elsewhere.other_post.clone(),
                self.login(Role::National).id.clone(),
            )
        };
        let hour = NEXT_HOUR.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let starts = time::OffsetDateTime::now_utc().unix_timestamp() + 40 * 86_400 + hour * 3600;
        let id = uuid::Uuid::now_v7().to_string();
        let appointment = passerelle_store::presence::appointment::NewAppointment {
            id: id.clone(),
            post_id: &post,
            request: passerelle_domain::presence::appointment::Request {
                mode: passerelle_domain::presence::appointment::AppointmentMode::Visio,
                unit_id: None,
                starts_unix: starts,
                ends_unix: starts + 1800,
                moving: None,
            },
            person: "Personne fictive",
            safe_contact: "Appeler le matin uniquement",
            visio_room: Some(uuid::Uuid::new_v4().simple().to_string()),
            booked_by: &booked_by,
            case_id: None,
        };
        let entry = passerelle_store::journal::Entry::new(
            passerelle_domain::journal::JournalAction::AppointmentBooked,
        )
        .by(&booked_by, None);
        passerelle_store::presence::appointment::book(
            &self.db,
            &self.keys(),
            &appointment,
            starts - 86_400,
            &[],
            entry,
        )
        .await
        .unwrap();
        id
    }

    /// A private calendar token of a second social worker of the demo post.
    pub async fn feed_token(&self) -> String {
        let post = self.scope(Role::SocialWorker);
        let (account, _) = self.new_account(Role::SocialWorker, Some(&post)).await;
        let entry = passerelle_store::journal::Entry::new(
            passerelle_domain::journal::JournalAction::CalendarFeedIssued,
        )
        .by(&account, None);
        passerelle_store::presence::appointment::issue_feed(&self.db, &account, &post, true, entry)
            .await
            .unwrap()
    }

    /// A referral with consent from the demo officer's unit to the demo social worker's post,
    /// or from a unit elsewhere to a post elsewhere; returns the case id.
    pub async fn case_for(&self, inside: impl Into<bool>) -> String {
        self.case_in(inside.into(), &["domestic_violence"]).await
    }

    /// A referral like `case_for`'s to the demo social worker's post, for `categories`.
    pub async fn case_with_categories(&self, categories: &[&str]) -> String {
        self.case_in(true, categories).await
    }

    async fn case_in(&self, inside: bool, categories: &[&str]) -> String {
        let (post, unit) = if inside {
            (self.scope(Role::SocialWorker), self.scope(Role::Officer))
        } else {
            (
                self.elsewhere.other_post.clone(),
                self.elsewhere.other_unit.clone(),
            )
        };
        let input = passerelle_domain::referral::ReferralInput {
            source: "intervention".into(),
            urgency: "within_48h".into(),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            context: "Intervention au domicile pour un différend conjugal.".into(),
            persons: vec![passerelle_domain::referral::PersonInput {
                role: "victim".into(),
                last_name: "Fictive".into(),
                first_name: "Camille".into(),
                phone: "06 12 34 56 78".into(),
            }],
            consent: "yes".into(),
            contact_channel: "phone_call".into(),
            contact_hours: "après 18 h".into(),
            procedure_reference: String::new(),
            danger: Default::default(),
        };
        self.refer_with(&input, &post, &unit).await
    }

    /// A referral of `input` by the demo officer from `unit` to `post`, with its
    /// journal row; returns the case id.
    pub async fn refer_with(
        &self,
        input: &passerelle_domain::referral::ReferralInput,
        post: &str,
        unit: &str,
    ) -> String {
        let referral = passerelle_domain::referral::validate_referral(
            input,
            &passerelle_domain::referral::category::CategoryGrid::first(),
        )
        .unwrap();
        let id = uuid::Uuid::now_v7().to_string();
        let officer = self.login(Role::Officer).id.clone();
        let new = passerelle_store::referral::NewReferral {
            id: CaseId::new(id.as_str()),
            post_id: &PostId::new(post),
            unit_id: Some(&UnitId::new(unit)),
            referred_by: &AccountId::new(&officer),
            referral: &referral,
            notify_referrer: false,
        };
        let entry = passerelle_store::journal::Entry::new(
            passerelle_domain::journal::JournalAction::PersonalDataWritten,
        )
        .by(&officer, None);
        passerelle_store::referral::create_referral(&self.db, &self.keys(), &new, entry)
            .await
            .unwrap();
        id
    }

    /// A person "Camille Fictive" in a case of the demo social worker's post (inside) or of
    /// another post; returns (person id, case id).
    pub async fn person_for(&self, inside: impl Into<bool>) -> (String, String) {
        let inside = inside.into();
        let case = self.case_for(inside).await;
        let post = if inside {
            self.scope(Role::SocialWorker)
        } else {
            self.elsewhere.other_post.clone()
        };
        let form = passerelle_domain::referral::person::PersonForm {
            last_name: "Fictive".into(),
            first_names: "Camille".into(),
            birth_date: "14/07/1990".into(),
            ..Default::default()
        };
        let person = passerelle_domain::referral::person::validate_person(
            &form,
            passerelle_web::http::clock::paris_today(),
        )
        .unwrap();
        let entry = passerelle_store::journal::Entry::new(
            passerelle_domain::journal::JournalAction::PersonalDataWritten,
        );
        let to = passerelle_store::referral::person::CaseLink::NewLine {
            case_id: &CaseId::new(&case),
            role: passerelle_domain::referral::PersonRole::Victim,
        };
        let id = passerelle_store::referral::person::create_in_case(
            &self.db,
            &self.keys(),
            &PostId::new(&post),
            &person,
            passerelle_web::http::clock::paris_today(),
            to,
            entry,
        )
        .await
        .unwrap();
        (id.to_string(), case)
    }

    pub async fn finish(self) {
        self.server.abort();
        self.test_db.finish().await;
    }
}

pub async fn spawn_all() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for test_db in testing::all_backends().await {
        apps.push(TestApp::spawn(test_db).await);
    }
    apps
}

/// The text of a PDF as `pdftotext -layout` reads it (an independent reader).
/// Every sheet of a workbook (`extension`: xlsx, ods) as LibreOffice reads it: opened and
/// saved as CSV (`;`, UTF-8), one text per sheet, by its tab name.
pub fn libreoffice_sheets(
    workbook: &[u8],
    extension: &str,
) -> std::collections::BTreeMap<String, String> {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join(format!("classeur.{extension}"));
    std::fs::write(&path, workbook).unwrap();
    let output = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}/profil",
            folder.path().display()
        ))
        .args([
            "--headless",
            "--convert-to",
            // Separator `;`, quote `"`, UTF-8 (76), from line 1, then: every sheet (-1).
            "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
        ])
        .arg(folder.path())
        .arg(&path)
        .output()
        .expect("LibreOffice (libreoffice-calc-nogui) is installed by .ci/run");
    assert!(output.status.success(), "{output:?}");
    std::fs::read_dir(folder.path())
        .unwrap()
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().to_string_lossy().to_string();
            let sheet = name.strip_prefix("classeur-")?.strip_suffix(".csv")?;
            let text = std::fs::read_to_string(folder.path().join(&name)).ok()?;
            Some((sheet.to_string(), text))
        })
        .collect()
}

pub fn pdf_text(pdf: &[u8]) -> String {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("document.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by .ci/run");
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}
