//! The matrix's world: the demo, the sentinel case files of two posts the demo accounts do
//! not work in, and the fresh records each cell's valid form aims at (a post, a proposal, a
//! slot…), so that a form that succeeds changes nothing another cell relies on.

use super::Side;
use crate::helpers::bodies::readable_text;
use crate::helpers::sentinels::Sentinels;
use crate::helpers::{CSRF, TestApp};
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::CaseId;
use passerelle_domain::ids::{AccountId, PostId};
use passerelle_domain::journal::JournalAction;
use passerelle_store::journal::Entry;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

pub struct World<'a> {
    pub app: &'a TestApp,
    pub sentinels: Sentinels,
    /// A day (`YYYY-MM-DD`) with an appointment of the demo post: its day list names a person.
    pub inside_day: String,
    /// The demo accounts' passwords as the cells of `/compte/mot-de-passe` leave them.
    passwords: Mutex<HashMap<Role, String>>,
    /// The demo accounts' role ids (one each, never changed by a cell).
    role_ids: Mutex<HashMap<Role, String>>,
    counter: AtomicI64,
}

/// The passwords the cells change a demo account's to, one after the other (the demo's own
/// would be refused as a new one: it holds the account's name).
const PASSWORDS: [&str; 2] = [
    "cheval agrafe lumière boussole",
    "girafe tambour lanterne cerise",
];

pub fn today() -> time::Date {
    passerelle_web::http::clock::paris_today()
}

/// `today + days` as a form types it.
pub fn day(days: i64) -> String {
    passerelle_web::http::clock::french_date(today() + time::Duration::days(days))
}

/// Letters only (a category code takes no digit first), unguessable.
pub fn letters() -> String {
    uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .chars()
        .take(10)
        .map(|c| match c.to_digit(16) {
            Some(d) => char::from(b'a' + d as u8),
            None => c,
        })
        .collect()
}

impl<'a> World<'a> {
    pub async fn new(app: &'a TestApp) -> World<'a> {
        let sentinels = Sentinels::plant(app).await;
        sentinels.check_every_sealed_column(app).await;
        let appointment = app.appointment_for(true).await;
        let (starts,): (String,) =
            sqlx::query_as("SELECT starts_at FROM appointments WHERE id = $1")
                .bind(&appointment)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let starts = passerelle_store::db::time_text::text_to_instant(&starts).unwrap();
        let (inside_day, _) = passerelle_web::http::clock::civil_of(
            starts.unix_timestamp(),
            passerelle_domain::presence::time_zone_of_departement(&app.departement_for(true).await),
        );
        World {
            app,
            sentinels,
            inside_day: inside_day.to_string(),
            passwords: Mutex::new(HashMap::new()),
            role_ids: Mutex::new(HashMap::new()),
            counter: AtomicI64::new(0),
        }
    }

    /// The search sees what a reader is shown: the sentinel post's own social worker reads
    /// the case and a person (pages), prints the information préoccupante (a PDF) and
    /// downloads their private calendar (iCalendar), and the sentinels are found in each; a
    /// workbook's cells are found too. Without this, a search that could find nothing would
    /// let every cell pass.
    pub async fn check_the_search_finds_what_is_shown(&self) {
        let app = self.app;
        let far = self.sentinels.far();
        let session = app
            .session_of(&far.social_worker, &far.social_worker_role)
            .await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let cookie = format!("passerelle_csrf={CSRF}; passerelle_session={session}");
        let columns_in = |text: &str| -> BTreeSet<String> {
            self.sentinels
                .found_in(text)
                .iter()
                .map(|s| s.column.clone())
                .collect()
        };
        let fetch = |request: reqwest::RequestBuilder| async {
            let response = request.header("cookie", &cookie).send().await.unwrap();
            assert_eq!(response.status(), 200, "{}", app.backend);
            readable_text(&response.bytes().await.unwrap())
        };
        let case = fetch(client.get(app.url(&format!("/dossiers/{}", far.case)))).await;
        for column in [
            "cases.context_sealed",
            "cases.safe_contact_sealed",
            "cases.next_step_sealed",
            "case_notes.body_sealed",
            "case_orientations.partner_name_sealed",
            "case_persons.identity_sealed",
            "persons.identity_sealed",
        ] {
            assert!(
                columns_in(&case).contains(column),
                "the case page shows {column} to its own social worker, the search must see it"
            );
        }
        let person = fetch(client.get(app.url(&format!("/personnes/{}", far.persons[0])))).await;
        assert!(
            self.sentinels
                .found_in(&person)
                .iter()
                .any(|s| s.stored.is_none()),
            "a birth date shown on the person's page is found"
        );
        let pdf = fetch(
            client
                .post(app.url(&format!("/dossiers/{}/information-preoccupante", far.case)))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("csrf={CSRF}")),
        )
        .await;
        assert!(
            columns_in(&pdf).contains("cases.context_sealed"),
            "the PDF's text is searched"
        );
        let token = passerelle_store::presence::appointment::issue_feed(
            &app.db,
            &far.social_worker,
            &far.post,
            true,
            Entry::new(JournalAction::CalendarFeedIssued).by(&far.social_worker, None),
        )
        .await
        .unwrap();
        let feed = fetch(client.get(app.url(&format!("/agenda/{token}.ics")))).await;
        assert!(
            columns_in(&feed).contains("appointments.person_sealed"),
            "the calendar's text is searched"
        );
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let stored = self.sentinels.all[0].stored.clone().unwrap();
        workbook
            .add_worksheet()
            .write_string(3, 2, &stored)
            .unwrap();
        let xlsx = readable_text(&workbook.save_to_buffer().unwrap());
        assert!(
            !self.sentinels.found_in(&xlsx).is_empty(),
            "a workbook's cells are searched"
        );
    }

    /// A new session of the demo account of `role`, second factor done, written in one
    /// transaction: the matrix opens one for each of its thousands of requests (a cell may
    /// sign out or close the other sessions), and one commit each keeps PostgreSQL quick.
    pub async fn session_for(&self, role: Role) -> String {
        let cached = self.role_ids.lock().unwrap().get(&role).cloned();
        let role_id = match cached {
            Some(id) => id,
            None => {
                let id = self.app.demo_role_id(role).await;
                self.role_ids.lock().unwrap().insert(role, id.clone());
                id
            }
        };
        self.app
            .session_of(&self.app.login(role).id, &role_id)
            .await
    }

    /// 0, 1, 2…: distinct days, hours and names for the records cells create.
    /// A fresh announcement of the network: inside, to the whole network for every role
    /// that reads the network; outside, to another employer's posts for officers only, so
    /// that no demo account is addressed.
    pub async fn announcement(&self, inside: bool) -> String {
        use passerelle_domain::network::announcement::{
            AnnouncementDraft, AnnouncementFields, AnnouncementScope,
        };
        let app = self.app;
        let (scope, audience) = if inside {
            let every: Vec<String> = [
                "social_worker",
                "employer",
                "prevention",
                "national",
                "officer",
            ]
            .map(String::from)
            .to_vec();
            (AnnouncementScope::Nation, every)
        } else {
            let (employer,): (passerelle_domain::ids::EmployerId,) =
                sqlx::query_as("SELECT employer_id FROM posts WHERE id = $1")
                    .bind(&app.elsewhere.other_post)
                    .fetch_one(app.db.pool())
                    .await
                    .unwrap();
            (
                AnnouncementScope::Employer(employer),
                vec!["officer".to_string()],
            )
        };
        let fields = AnnouncementFields {
            title: "Visio du réseau",
            body: "Ordre du jour : les permanences à l'accueil.",
            audience: &audience,
            pinned: false,
            publish_on: "",
            expires_on: "",
        };
        let draft = AnnouncementDraft::parse(&fields, scope, today()).unwrap();
        let author = app.login(Role::National).id.clone();
        passerelle_store::network::announcement::publish(
            &app.db,
            &draft,
            (&author, Role::National),
            false,
            Entry::new(JournalAction::AnnouncementPublished),
        )
        .await
        .unwrap()
    }

    pub fn next(&self) -> i64 {
        self.counter.fetch_add(1, Ordering::SeqCst)
    }

    /// The demo post (inside) or the post of another département holding sentinels.
    pub fn post(&self, side: Side) -> String {
        match side {
            Side::Inside => self.app.scope(Role::SocialWorker),
            Side::Outside => self.sentinels.far().post.clone(),
        }
    }

    /// The demo account's password now, and the one a change sets.
    pub fn passwords_of(&self, role: Role) -> (String, String) {
        let original = self.app.login(role).password.clone();
        let current = self
            .passwords
            .lock()
            .unwrap()
            .get(&role)
            .cloned()
            .unwrap_or(original.clone());
        let next = if current == PASSWORDS[0] {
            PASSWORDS[1]
        } else {
            PASSWORDS[0]
        };
        (current, next.to_string())
    }

    /// Records that a change of password went through.
    pub fn password_changed(&self, role: Role, to: String) {
        self.passwords.lock().unwrap().insert(role, to);
    }

    /// A pending second-factor secret for the demo account of `role`, as the enrolment page
    /// starts one, and the code an authenticator shows for it now.
    pub async fn enrolment_code(&self, role: Role) -> String {
        let account = self.app.login(role).id.clone();
        let secret = passerelle_web::identity::second_factor::new_secret();
        let sealed = self.app.keys().seal(
            &secret,
            &crate::helpers::sentinels::totp_column().associated_data(&account),
        );
        passerelle_store::identity::second_factor::start_enrolment(&self.app.db, &account, &sealed)
            .await
            .unwrap();
        passerelle_web::identity::second_factor::totp(&secret, &self.app.login(role).email)
            .unwrap()
            .generate_current()
            .to_string()
    }

    /// The code the demo account's authenticator shows now, its last used step forgotten
    /// (an earlier cell may have used this very step; a replay is tested in tests/login.rs).
    pub async fn second_factor_code(&self, role: Role) -> String {
        let account = self.app.login(role).id.clone();
        let (sealed,): (Option<Vec<u8>>,) =
            sqlx::query_as("SELECT totp_secret_sealed FROM accounts WHERE id = $1")
                .bind(&account)
                .fetch_one(self.app.db.pool())
                .await
                .unwrap();
        let Some(sealed) = sealed else {
            return "000000".into();
        };
        sqlx::query("UPDATE accounts SET totp_last_step = 0 WHERE id = $1")
            .bind(&account)
            .execute(self.app.db.pool())
            .await
            .unwrap();
        let secret = self
            .app
            .keys()
            .open(
                &sealed,
                &crate::helpers::sentinels::totp_column().associated_data(&account),
            )
            .unwrap();
        passerelle_web::identity::second_factor::totp(&secret, &self.app.login(role).email)
            .unwrap()
            .generate_current()
            .to_string()
    }

    /// Whether the demo employer employs `post`'s social workers.
    pub async fn employs(&self, post: &str) -> bool {
        let (employer,): (String,) = sqlx::query_as("SELECT employer_id FROM posts WHERE id = $1")
            .bind(post)
            .fetch_one(self.app.db.pool())
            .await
            .unwrap();
        employer == self.app.scope(Role::Employer)
    }

    pub async fn email_of(&self, account: &str) -> String {
        let (email,): (String,) = sqlx::query_as("SELECT email FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_one(self.app.db.pool())
            .await
            .unwrap();
        email
    }

    /// A fresh post, filled for a month, of the demo employer in the demo département
    /// (inside) or of the sentinel post's employer in its département; with a host unit when
    /// asked. Its lifecycle, agreements and host units may change without touching a post
    /// another cell reads.
    pub async fn fresh_post(&self, side: Side, hosted: bool) -> String {
        let reference = match side {
            Side::Inside => self.app.scope(Role::SocialWorker),
            Side::Outside => self.app.elsewhere.other_post.clone(),
        };
        let (departement, employer): (String, String) = sqlx::query_as(
            "SELECT p.departement_code, e.name FROM posts p JOIN employers e ON e.id = p.employer_id WHERE p.id = $1",
        )
        .bind(&reference)
        .fetch_one(self.app.db.pool())
        .await
        .unwrap();
        let host = if hosted {
            passerelle_store::registry::post::hostable_units(
                &self.app.db,
                &passerelle_domain::registry::territory::DepartementCode::parse(&departement)
                    .unwrap(),
            )
            .await
            .unwrap()[0]
                .1
                .clone()
        } else {
            String::new()
        };
        let code = format!("TEMOIN-{}", letters());
        let file = format!(
            "code;zone;departement;employeur;etp;statut;date;unites\n{code};Gendarmerie;{departement};{employer};1;Pourvu;{};{host}\n",
            day(-30)
        );
        let table =
            passerelle_store::spreadsheet::read_table("postes.csv", file.as_bytes()).unwrap();
        let report = passerelle_store::registry::import::import(
            &self.app.db,
            passerelle_store::registry::import::ImportKind::Posts,
            &table,
            false,
            &self.app.login(Role::National).id,
            today(),
        )
        .await
        .unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let (id,): (String,) = sqlx::query_as("SELECT id FROM posts WHERE code = $1")
            .bind(&code)
            .fetch_one(self.app.db.pool())
            .await
            .unwrap();
        id
    }

    /// A unit of the post's département that may host it and does not yet.
    pub async fn hostable_unit(&self, post: &str) -> String {
        let (departement,): (String,) =
            sqlx::query_as("SELECT departement_code FROM posts WHERE id = $1")
                .bind(post)
                .fetch_one(self.app.db.pool())
                .await
                .unwrap();
        let hosts =
            passerelle_store::registry::post::host_units_of(&self.app.db, &PostId::new(post))
                .await
                .unwrap();
        passerelle_store::registry::post::hostable_units(
            &self.app.db,
            &passerelle_domain::registry::territory::DepartementCode::parse(&departement).unwrap(),
        )
        .await
        .unwrap()
        .into_iter()
        .find(|(id, _)| !hosts.iter().any(|(host, _, _)| host == id))
        .unwrap()
        .0
    }

    /// A unit hosting the post, if any.
    pub async fn host_of(&self, post: &str) -> Option<String> {
        passerelle_store::registry::post::host_units_of(&self.app.db, &PostId::new(post))
            .await
            .unwrap()
            .first()
            .map(|(id, _, _)| id.to_string())
    }

    /// A fresh proposal (by the technical administrator) that a new account get the social
    /// worker role on `post`: who may confirm it decides, nobody else.
    pub async fn fresh_proposal(&self, post: &str) -> String {
        let (grantee, _) = self
            .app
            .new_account(Role::Officer, Some(&self.app.elsewhere.other_unit.clone()))
            .await;
        let admin = self.app.login(Role::Admin).id.clone();
        passerelle_store::identity::case_access::propose(
            &self.app.db,
            &passerelle_store::identity::case_access::NewProposal {
                kind: passerelle_domain::access::CaseAccessKind::Role,
                post_id: &PostId::new(post),
                account_id: &AccountId::new(&grantee),
                replacement: None,
                proposed_by: &AccountId::new(&admin),
            },
            Entry::new(JournalAction::CaseAccessProposed)
                .by(&admin, None)
                .in_post(Some(post)),
        )
        .await
        .unwrap()
        .expect("a new proposal")
    }

    /// A fresh social worker of `post`, who may replace in it.
    pub async fn fresh_social_worker(&self, post: &str) -> String {
        self.app.new_account(Role::SocialWorker, Some(post)).await.0
    }

    /// A replacement granted on `post` for a month.
    pub async fn fresh_replacement(&self, post: &str) -> String {
        let account = self.fresh_social_worker(post).await;
        let national = self.app.login(Role::National).id.clone();
        passerelle_store::registry::replacement::grant(
            &self.app.db,
            &passerelle_store::registry::replacement::NewReplacement {
                post_id: post,
                account_id: &account,
                reason: "Congé de l'intervenante",
                starts_on: today(),
                ends_on: today() + time::Duration::days(30),
                granted_by: &national,
            },
            Entry::new(JournalAction::ReplacementGranted)
                .by(&national, None)
                .in_post(Some(post)),
        )
        .await
        .unwrap()
    }

    /// Half an hour of a Saturday no other slot takes: (start, end) as typed.
    pub fn free_half_hour(&self) -> (String, String) {
        let n = self.next() % 24;
        let start = 7 * 60 + 30 * n;
        let end = start + 30;
        (
            format!("{:02}:{:02}", start / 60, start % 60),
            format!("{:02}:{:02}", end / 60, end % 60),
        )
    }

    /// A weekly slot of `post` at `unit`, on Saturdays.
    pub async fn fresh_slot(&self, post: &str, unit: &str) -> String {
        let (start, end) = self.free_half_hour();
        let id = uuid::Uuid::now_v7().to_string();
        let slot = passerelle_domain::presence::WeeklySlot {
            id: id.clone(),
            unit_id: unit.to_string(),
            weekday: time::Weekday::Saturday,
            start: passerelle_domain::presence::parse_clock("début", &start).unwrap(),
            end: passerelle_domain::presence::parse_clock("fin", &end).unwrap(),
            valid_from: today(),
            valid_until: None,
            time_zone: "Europe/Paris",
        };
        passerelle_store::presence::add_slot(
            &self.app.db,
            post,
            &slot,
            Entry::new(JournalAction::ScheduleChanged),
        )
        .await
        .unwrap();
        id
    }

    /// (first, last day) of an absence nobody else records, two years ahead.
    pub fn free_days(&self) -> (time::Date, time::Date) {
        let first = today() + time::Duration::days(700 + 3 * self.next());
        (first, first + time::Duration::days(1))
    }

    pub async fn fresh_absence(&self, post: &str) -> String {
        let (starts_on, ends_on) = self.free_days();
        let id = uuid::Uuid::now_v7().to_string();
        passerelle_store::presence::add_absence(
            &self.app.db,
            post,
            &passerelle_domain::presence::Absence {
                id: id.clone(),
                kind: passerelle_domain::presence::AbsenceKind::Training,
                starts_on,
                ends_on,
            },
            Entry::new(JournalAction::ScheduleChanged),
        )
        .await
        .unwrap();
        id
    }

    /// A day for an appointment that no other appointment of any post takes (four to ten
    /// months ahead, within the year a booking may reach).
    pub fn free_appointment_day(&self) -> String {
        day(120 + self.next() % 200)
    }

    pub async fn fresh_category(&self) -> String {
        let code = format!("temoin_{}", letters());
        passerelle_store::referral::category::add(
            &self.app.db,
            &code,
            "Catégorie témoin",
            Entry::new(JournalAction::ReferentialChanged),
        )
        .await
        .unwrap();
        code
    }

    /// An orientation proposed in `case`.
    pub async fn fresh_orientation(&self, case: &str) -> String {
        passerelle_store::referral::case_work::propose_orientation(
            &self.app.db,
            &self.app.keys(),
            &CaseId::new(case),
            today(),
            passerelle_domain::referral::case::PartnerType::Ccas,
            "CCAS de la ville",
            &AccountId::new(&self.app.login(Role::SocialWorker).id),
            Entry::new(JournalAction::PersonalDataWritten),
        )
        .await
        .unwrap();
        orientation_of(self.app, case).await
    }

    /// The first line of a case's persons that is not identified yet.
    pub async fn open_line(&self, case: &str) -> String {
        let (id,): (String,) = sqlx::query_as(
            "SELECT id FROM case_persons WHERE case_id = $1 AND person_id IS NULL ORDER BY id LIMIT 1",
        )
        .bind(case)
        .fetch_one(self.app.db.pool())
        .await
        .unwrap();
        id
    }

    /// How many names the demo officer's desk shows: the appointments they booked on the
    /// posts their unit hosts (visio, until they end; the policy's rule), each a read.
    pub async fn names_on_the_officers_desk(&self) -> u64 {
        let officer = &self.app.login(Role::Officer).id;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let rows = passerelle_store::presence::appointment::booked_by(&self.app.db, officer, now)
            .await
            .unwrap();
        let hosted: Vec<String> = sqlx::query_as::<_, (String,)>(
            "SELECT post_id FROM post_host_units WHERE unit_id = $1",
        )
        .bind(self.app.scope(Role::Officer))
        .fetch_all(self.app.db.pool())
        .await
        .unwrap()
        .into_iter()
        .map(|(post,)| post)
        .collect();
        rows.iter()
            .filter(|row| row.unit_id.is_none() && hosted.contains(&(&row.post_id).to_string()))
            .filter(|row| {
                passerelle_store::presence::appointment::text_to_unix(&row.ends_at).unwrap() > now
            })
            .count() as u64
    }
}

pub async fn orientation_of(app: &TestApp, case: &str) -> String {
    let (id,): (String,) = sqlx::query_as(
        "SELECT id FROM case_orientations WHERE case_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(case)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    id
}
