//! Sentinels: a case file of a post the demo accounts do not work in, every sealed field of
//! it holding a distinct, unguessable value, so that a test can search any answer for them.
//! A sealed column of the schema (`passerelle_store::SEALED_COLUMNS`) left without its
//! sentinel fails [`Sentinels::check_every_sealed_column`]: a new one must be planted here.

use super::TestApp;
use super::bodies::folded;
use passerelle_domain::identity::role::Role;
use passerelle_domain::ids::{AccountId, CaseId, PersonId, PostId, UnitId};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::case::{
    ActionKind, InterviewDuration, InterviewPlace, NoteVisibility, PartnerType,
};
use passerelle_domain::referral::person::{HouseholdRelation, PersonForm, validate_person};
use passerelle_domain::referral::{PersonInput, PersonRole, ReferralInput, validate_referral};
use passerelle_store::journal::Entry;
use passerelle_store::referral::person::CaseLink;
use std::collections::BTreeSet;

/// One planted value: where it is sealed, what the store holds, and how a page may show it.
#[derive(Debug, Clone)]
pub struct Sentinel {
    /// `table.column`, as in `SEALED_COLUMNS`.
    pub column: String,
    /// Which field of which record, for the failure message.
    pub what: String,
    /// The text inside the sealed value (none when the store keeps another form of it, a
    /// birth date in a JSON identity).
    pub stored: Option<String>,
    /// Every way an answer could show it, folded (see `bodies::folded`).
    pub shown: Vec<String>,
}

/// The records planted in one post, for the requests that aim at them.
#[derive(Debug, Clone)]
pub struct SentinelPost {
    pub post: String,
    pub case: String,
    /// The lines of the case's persons as the referral transmitted them.
    pub case_person_lines: Vec<String>,
    /// The post's persons (full identity), linked in one household.
    pub persons: Vec<String>,
    pub appointment: String,
    /// The Paris day of the appointment, `YYYY-MM-DD`.
    pub appointment_day: String,
    /// The post's social worker, whose second-factor secret is a sentinel, and their role.
    pub social_worker: String,
    pub social_worker_role: String,
}

pub struct Sentinels {
    pub all: Vec<Sentinel>,
    pub posts: Vec<SentinelPost>,
}

/// Where an account's second-factor secret is sealed.
pub fn totp_column() -> &'static passerelle_store::seal::SealedColumn {
    passerelle_store::SEALED_COLUMNS
        .iter()
        .find(|c| c.table == "accounts" && c.column == "totp_secret_sealed")
        .expect("the second-factor secret is a sealed column")
}

/// Twelve hex digits nobody types by chance.
fn random_tag() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

fn french_month(month: time::Month) -> &'static str {
    use time::Month::*;
    match month {
        January => "janvier",
        February => "février",
        March => "mars",
        April => "avril",
        May => "mai",
        June => "juin",
        July => "juillet",
        August => "août",
        September => "septembre",
        October => "octobre",
        November => "novembre",
        December => "décembre",
    }
}

struct Planter {
    all: Vec<Sentinel>,
    /// Which post (1 or 2), so that messages say where a leak comes from.
    post_label: String,
}

impl Planter {
    /// A free-text sentinel of `column`, named `what`.
    fn text(&mut self, column: &str, what: &str) -> String {
        let value = format!(
            "SENTINELLE-{}-{}",
            column.replace("_sealed", "").replace('.', "-"),
            random_tag()
        );
        self.all.push(Sentinel {
            column: column.into(),
            what: format!("{what} ({})", self.post_label),
            stored: Some(value.clone()),
            shown: vec![folded(&value)],
        });
        value
    }

    /// A French mobile number nobody has: stored in international form, shown in pairs.
    fn phone(&mut self, column: &str, what: &str) -> String {
        let digits: String = uuid::Uuid::new_v4()
            .as_bytes()
            .iter()
            .take(8)
            .map(|b| char::from(b'0' + b % 10))
            .collect();
        let national = format!("07{digits}");
        let international = format!("+337{digits}");
        self.all.push(Sentinel {
            column: column.into(),
            what: format!("{what} ({})", self.post_label),
            stored: Some(international.clone()),
            shown: vec![folded(&national), folded(&international)],
        });
        national
    }

    /// A filled danger grid whose number of alarm criteria is drawn at random (2 to the
    /// grid's maximum): stored as the domain seals it, shown as the case page words it.
    fn danger(
        &mut self,
        column: &str,
        what: &str,
    ) -> passerelle_domain::referral::danger::DangerInput {
        use passerelle_domain::referral::danger::ALARM_CRITERIA_MAX;
        let count = 2 + uuid::Uuid::new_v4().as_bytes()[0] % (ALARM_CRITERIA_MAX - 1);
        self.all.push(Sentinel {
            column: column.into(),
            what: format!("{what} ({})", self.post_label),
            stored: Some(format!("characterised:{count}")),
            shown: vec![folded(&format!(
                "{count} critères d'alarme sur {ALARM_CRITERIA_MAX}"
            ))],
        });
        passerelle_domain::referral::danger::DangerInput {
            filled: "yes".into(),
            conclusion: "characterised".into(),
            alarm_criteria: count.to_string(),
        }
    }

    /// A birth date of the early twentieth century, drawn at random: `DD/MM/YYYY`.
    fn birth_date(&mut self, column: &str, what: &str) -> String {
        let bytes = *uuid::Uuid::new_v4().as_bytes();
        let date = time::Date::from_calendar_date(
            1901 + i32::from(bytes[0] % 30),
            time::Month::try_from(1 + bytes[1] % 12).unwrap(),
            2 + bytes[2] % 27,
        )
        .unwrap();
        let (day, month, year) = (date.day(), u8::from(date.month()), date.year());
        self.all.push(Sentinel {
            column: column.into(),
            what: format!("{what} ({})", self.post_label),
            stored: None,
            shown: vec![
                folded(&format!("{day:02}/{month:02}/{year}")),
                folded(&format!("{year}-{month:02}-{day:02}")),
                folded(&format!("{day} {} {year}", french_month(date.month()))),
            ],
        });
        format!("{day:02}/{month:02}/{year}")
    }

    /// A second-factor secret whose bytes are a sentinel, found as such or as the base32
    /// text an enrolment page shows.
    fn secret(&mut self, column: &str, what: &str) -> Vec<u8> {
        let value = format!("SENTINELLE-totp-{}", random_tag());
        let base32 = totp_rs::Secret::from(value.as_bytes().to_vec()).to_base32();
        self.all.push(Sentinel {
            column: column.into(),
            what: format!("{what} ({})", self.post_label),
            stored: Some(value.clone()),
            shown: vec![folded(&value), folded(&base32)],
        });
        value.into_bytes()
    }
}

/// A post of the demo's département other than the demo post, of the demo employer when it
/// has one: the employer and the prevention referent read its registry and its figures,
/// never its cases.
async fn neighbour_post(app: &TestApp) -> String {
    let demo = app.scope(Role::SocialWorker);
    let (id,): (String,) = sqlx::query_as(
        "SELECT p.id FROM posts p JOIN posts d ON d.id = $1 \
         WHERE p.id <> d.id AND p.departement_code = d.departement_code AND p.status IN ('filled', 'vacant') \
         ORDER BY CASE WHEN p.employer_id = d.employer_id THEN 0 ELSE 1 END, p.code LIMIT 1",
    )
    .bind(&demo)
    .fetch_one(app.db.pool())
    .await
    .expect("the demo département has a second post");
    id
}

/// Plants a full case file in `post`: referred from `unit` by `referrer`, its appointment
/// booked by `booker` (none: the post's own social worker).
async fn plant_in(
    app: &TestApp,
    planter: &mut Planter,
    post: &str,
    unit: &str,
    referrer: &str,
    booker: Option<&str>,
) -> SentinelPost {
    use passerelle_store::referral as store;
    let keys = app.keys();
    let (social_worker, social_worker_role) = app.new_account(Role::SocialWorker, Some(post)).await;
    let social_worker_id = AccountId::new(&social_worker);
    let by = |action| {
        Entry::new(action)
            .by(&social_worker, Some(Role::SocialWorker.code()))
            .in_post(Some(post))
    };

    // The referral: context, safe contact, procedure reference, two transmitted persons.
    let input = ReferralInput {
        source: "intervention".into(),
        urgency: "within_48h".into(),
        categories: vec!["domestic_violence".into(), "child_in_danger".into()],
        context: planter.text("cases.context_sealed", "contexte du signalement"),
        persons: vec![
            PersonInput {
                role: "victim".into(),
                last_name: planter.text("case_persons.identity_sealed", "nom transmis (victime)"),
                first_name: planter
                    .text("case_persons.identity_sealed", "prénom transmis (victime)"),
                phone: planter.phone(
                    "case_persons.identity_sealed",
                    "téléphone transmis (victime)",
                ),
            },
            PersonInput {
                role: "child".into(),
                last_name: planter.text("case_persons.identity_sealed", "nom transmis (enfant)"),
                first_name: planter
                    .text("case_persons.identity_sealed", "prénom transmis (enfant)"),
                phone: planter.phone(
                    "case_persons.identity_sealed",
                    "téléphone transmis (enfant)",
                ),
            },
        ],
        consent: "yes".into(),
        contact_channel: "phone_call".into(),
        contact_hours: planter.text("cases.safe_contact_sealed", "consignes de contact sûr"),
        procedure_reference: planter
            .text("cases.procedure_reference_sealed", "référence de procédure"),
        danger: planter.danger(
            "cases.danger_assessment_sealed",
            "grille d'évaluation du danger",
        ),
    };
    let referral = validate_referral(
        &input,
        &passerelle_domain::referral::category::CategoryGrid::first(),
    )
    .expect("the sentinel referral is valid");
    let case_id = CaseId::generate();
    let case = case_id.to_string();
    store::create_referral(
        &app.db,
        &keys,
        &store::NewReferral {
            id: case_id.clone(),
            post_id: &PostId::new(post),
            unit_id: Some(&UnitId::new(unit)),
            referred_by: &AccountId::new(referrer),
            referral: &referral,
            notify_referrer: false,
        },
        Entry::new(JournalAction::PersonalDataWritten).by(referrer, None),
    )
    .await
    .unwrap();
    let case_person_lines: Vec<String> = sqlx::query_as::<_, (String,)>(
        "SELECT id FROM case_persons WHERE case_id = $1 ORDER BY role DESC, id",
    )
    .bind(&case)
    .fetch_all(app.db.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(id,)| id)
    .collect();

    // The post's persons, with every field of the identity, linked in one household: the
    // victim identified from the first transmitted line, a second person on a new line.
    let mut persons = Vec::new();
    for (index, role) in [PersonRole::Victim, PersonRole::Child]
        .into_iter()
        .enumerate()
    {
        let who = format!("personne {}", index + 1);
        let form = PersonForm {
            last_name: planter.text("persons.identity_sealed", &format!("nom ({who})")),
            birth_name: planter.text(
                "persons.identity_sealed",
                &format!("nom de naissance ({who})"),
            ),
            first_names: planter.text("persons.identity_sealed", &format!("prénoms ({who})")),
            sex: "female".into(),
            birth_date: planter.birth_date(
                "persons.identity_sealed",
                &format!("date de naissance ({who})"),
            ),
            phone: planter.phone("persons.identity_sealed", &format!("téléphone ({who})")),
            commune: planter.text("persons.identity_sealed", &format!("commune ({who})")),
            known_to_social_services: "no".into(),
        };
        let person = validate_person(&form, passerelle_web::http::clock::paris_today())
            .expect("the sentinel person is valid");
        let to = if index == 0 {
            CaseLink::ReferredLine {
                case_id: &CaseId::new(&case),
                case_person_id: &case_person_lines[0],
            }
        } else {
            CaseLink::NewLine {
                case_id: &CaseId::new(&case),
                role,
            }
        };
        persons.push(
            store::person::create_in_case(
                &app.db,
                &keys,
                &PostId::new(post),
                &person,
                passerelle_web::http::clock::paris_today(),
                to,
                by(JournalAction::PersonalDataWritten),
            )
            .await
            .unwrap(),
        );
    }
    store::person::link_household(
        &app.db,
        &persons[0],
        &persons[1],
        HouseholdRelation::Child,
        by(JournalAction::PersonalDataWritten),
    )
    .await
    .unwrap();

    // The work on the case: notes for the team and for their author alone, an interview, an
    // action, an orientation to a named partner, the next step.
    for (visibility, what) in [
        (NoteVisibility::Team, "note d'équipe"),
        (NoteVisibility::Author, "note privée"),
    ] {
        store::add_note(
            &app.db,
            &keys,
            &case_id,
            &social_worker_id,
            visibility,
            &planter.text("case_notes.body_sealed", what),
            by(JournalAction::PersonalDataWritten),
        )
        .await
        .unwrap();
    }
    let today = passerelle_web::http::clock::paris_today();
    store::case_work::record_interview(
        &app.db,
        &case_id,
        today,
        InterviewPlace::Phone,
        InterviewDuration::new(45).unwrap(),
        &social_worker_id,
        by(JournalAction::PersonalDataWritten),
    )
    .await
    .unwrap();
    store::case_work::record_action(
        &app.db,
        &case_id,
        today,
        ActionKind::RightsInformation,
        &social_worker_id,
        by(JournalAction::PersonalDataWritten),
    )
    .await
    .unwrap();
    store::case_work::propose_orientation(
        &app.db,
        &keys,
        &case_id,
        today,
        PartnerType::Cidff,
        &planter.text(
            "case_orientations.partner_name_sealed",
            "partenaire de l'orientation",
        ),
        &social_worker_id,
        by(JournalAction::PersonalDataWritten),
    )
    .await
    .unwrap();
    let next_step = planter.text("cases.next_step_sealed", "prochaine étape");
    store::case_work::set_next_step(
        &app.db,
        &keys,
        &CaseId::new(&case),
        Some((&next_step, today + time::Duration::days(10))),
        by(JournalAction::PersonalDataWritten),
    )
    .await
    .unwrap();

    // An appointment naming a person, with safe-contact instructions, in three weeks.
    let appointment = uuid::Uuid::now_v7().to_string();
    let booker = booker.unwrap_or(&social_worker);
    let starts = passerelle_domain::presence::instant(
        today + time::Duration::days(21),
        time::macros::time!(10:00),
        "Europe/Paris",
    );
    let person = planter.text("appointments.person_sealed", "personne du rendez-vous");
    let safe_contact = planter.text(
        "appointments.safe_contact_sealed",
        "contact sûr du rendez-vous",
    );
    passerelle_store::presence::appointment::book(
        &app.db,
        &keys,
        &passerelle_store::presence::appointment::NewAppointment {
            id: appointment.clone(),
            post_id: post,
            request: passerelle_domain::presence::appointment::Request {
                mode: passerelle_domain::presence::appointment::AppointmentMode::Visio,
                unit_id: None,
                starts_unix: starts,
                ends_unix: starts + 1800,
                moving: None,
            },
            person: &person,
            safe_contact: &safe_contact,
            visio_room: Some(uuid::Uuid::new_v4().simple().to_string()),
            booked_by: booker,
            case_id: None,
        },
        starts - 86_400,
        &[],
        Entry::new(JournalAction::AppointmentBooked).by(booker, None),
    )
    .await
    .unwrap();

    // The social worker's second factor, its secret sealed in their account.
    let secret = planter.secret("accounts.totp_secret_sealed", "secret du second facteur");
    let sealed = keys.seal(&secret, &totp_column().associated_data(&social_worker));
    passerelle_store::identity::second_factor::start_enrolment(&app.db, &social_worker, &sealed)
        .await
        .unwrap();

    SentinelPost {
        post: post.to_string(),
        case,
        case_person_lines,
        persons: persons.into_iter().map(PersonId::into_string).collect(),
        appointment,
        appointment_day: (today + time::Duration::days(21)).to_string(),
        social_worker,
        social_worker_role,
    }
}

impl Sentinels {
    /// Plants two sentinel case files: one in a post of another département and employer
    /// (referred from a unit there; its appointment booked by the demo officer, who may not
    /// read it from a unit the post does not serve), one in a second post of the demo
    /// département (referred from the demo officer's unit by a colleague: the desk lists its
    /// status, never its reference).
    pub async fn plant(app: &TestApp) -> Sentinels {
        let mut planter = Planter {
            all: Vec::new(),
            post_label: "poste d'un autre département".into(),
        };
        let officer = app.login(Role::Officer).id.clone();
        let far = plant_in(
            app,
            &mut planter,
            &app.elsewhere.other_post.clone(),
            &app.elsewhere.other_unit.clone(),
            &officer,
            Some(&officer),
        )
        .await;
        planter.post_label = "autre poste du département".into();
        let near_post = neighbour_post(app).await;
        // Referred by a colleague of the demo officer's unit: the desk lists its status, and
        // its procedure reference stays its referrer's alone.
        let (colleague, _) = app
            .new_account(Role::Officer, Some(&app.scope(Role::Officer)))
            .await;
        let near = plant_in(
            app,
            &mut planter,
            &near_post,
            &app.scope(Role::Officer),
            &colleague,
            None,
        )
        .await;
        Sentinels {
            all: planter.all,
            posts: vec![far, near],
        }
    }

    /// The post of another département, the "outside" of the case routes.
    pub fn far(&self) -> &SentinelPost {
        &self.posts[0]
    }

    /// The second post of the demo département.
    pub fn near(&self) -> &SentinelPost {
        &self.posts[1]
    }

    /// The sentinels an answer's text shows.
    pub fn found_in(&self, text: &str) -> Vec<&Sentinel> {
        let text = folded(text);
        self.all
            .iter()
            .filter(|s| s.shown.iter().any(|shown| text.contains(shown.as_str())))
            .collect()
    }

    /// Every sealed column of the schema holds a sentinel, read back through the key ring
    /// (proof that it was planted where the store seals it), and every stored sentinel is
    /// found in its column.
    pub async fn check_every_sealed_column(&self, app: &TestApp) {
        let keys = app.keys();
        let mut missing = Vec::new();
        let mut found = BTreeSet::new();
        for column in passerelle_store::SEALED_COLUMNS {
            let name = format!("{}.{}", column.table, column.column);
            // Our own identifiers from the schema's list, never input.
            let sql = format!(
                "SELECT {id}, {col} FROM {table} WHERE {col} IS NOT NULL",
                id = column.id_column,
                col = column.column,
                table = column.table
            );
            let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_all(app.db.pool())
                .await
                .unwrap();
            let opened: Vec<String> = rows
                .iter()
                .filter_map(|(id, sealed)| keys.open(sealed, &column.associated_data(id)).ok())
                .map(|bytes| String::from_utf8_lossy(bytes.as_slice()).into_owned())
                .collect();
            let mut planted = 0;
            for sentinel in self.all.iter().filter(|s| s.column == name) {
                if let Some(stored) = &sentinel.stored
                    && opened.iter().any(|text| text.contains(stored.as_str()))
                {
                    planted += 1;
                    found.insert(stored.clone());
                }
            }
            if planted == 0 {
                missing.push(name);
            }
        }
        assert!(
            missing.is_empty(),
            "sealed columns without a sentinel (plant one in tests/helpers/sentinels.rs): {missing:?}"
        );
        let lost: Vec<&str> = self
            .all
            .iter()
            .filter_map(|s| s.stored.as_deref())
            .filter(|stored| !found.contains(*stored))
            .collect();
        assert!(
            lost.is_empty(),
            "sentinels not found in their sealed column: {lost:?}"
        );
    }
}
