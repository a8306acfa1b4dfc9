//! The activity rollups equal a full recomputation from the facts, after any random history
//! of case work (referrals, status moves, interviews, actions, orientations, transfers — which
//! change no published figure —, persons identified, added to other cases and merged, refused
//! writes), on both backends — and still after the retention purge erased the personal data,
//! which must leave every counted figure as it was.

mod common;

use passerelle_domain::ids::{AccountId, CaseId, PersonId, PostId, UnitId};
use passerelle_domain::journal::JournalAction;
use passerelle_domain::referral::PersonRole;
use passerelle_domain::referral::case::{
    ActionKind, InterviewDuration, InterviewPlace, KnownToSocialServices, OrientationStatus,
    PartnerType, Sex,
};
use passerelle_domain::referral::category::CategoryGrid;
use passerelle_domain::referral::person::{Identity, ValidPerson};
use passerelle_domain::referral::{
    ClosureOutcome, PersonInput, ProblemCategory, ReferralInput, ReferralSource, ReferralStatus,
    Urgency, validate_referral,
};
use passerelle_store::journal::Entry;
use passerelle_store::seal::KeyRing;
use passerelle_store::statistics::rollup;
use passerelle_store::testing::{TestDb, all_backends};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use time::macros::date;

#[derive(Debug, Clone)]
enum Op {
    Refer {
        post: usize,
        categories: u16,
        urgency: usize,
        source: usize,
        consent: bool,
    },
    Move {
        case: usize,
        status: usize,
        outcome: usize,
    },
    Interview {
        case: usize,
        place: usize,
        day: u8,
    },
    Action {
        case: usize,
        kind: usize,
        day: u8,
    },
    Orient {
        case: usize,
        partner: usize,
        day: u8,
    },
    MoveOrientation {
        case: usize,
        status: usize,
    },
    Criminal {
        case: usize,
        criminal: Option<bool>,
    },
    Transfer {
        case: usize,
        post: usize,
    },
    /// A new person of the case's post, in the case.
    Identify {
        case: usize,
        sex: usize,
        known: usize,
        born: Option<u16>,
    },
    /// A person already known, in another case.
    AddPerson {
        person: usize,
        case: usize,
    },
    Merge {
        kept: usize,
        duplicate: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let any_case = 0usize..1000;
    prop_oneof![
        3 => (0usize..3, 1u16..(1 << 14), 0usize..3, 0usize..5, any::<bool>())
            .prop_map(|(post, categories, urgency, source, consent)| Op::Refer { post, categories, urgency, source, consent }),
        3 => (any_case.clone(), 0usize..6, 0usize..4).prop_map(|(case, status, outcome)| Op::Move { case, status, outcome }),
        2 => (any_case.clone(), 0usize..4, 1u8..200).prop_map(|(case, place, day)| Op::Interview { case, place, day }),
        1 => (any_case.clone(), 0usize..7, 1u8..200).prop_map(|(case, kind, day)| Op::Action { case, kind, day }),
        1 => (any_case.clone(), 0usize..12, 1u8..200).prop_map(|(case, partner, day)| Op::Orient { case, partner, day }),
        1 => (any_case.clone(), 0usize..4).prop_map(|(case, status)| Op::MoveOrientation { case, status }),
        1 => (any_case.clone(), proptest::option::of(any::<bool>())).prop_map(|(case, criminal)| Op::Criminal { case, criminal }),
        1 => (any_case.clone(), 0usize..3).prop_map(|(case, post)| Op::Transfer { case, post }),
        2 => (any_case.clone(), 0usize..3, 0usize..3, proptest::option::of(1940u16..2020))
            .prop_map(|(case, sex, known, born)| Op::Identify { case, sex, known, born }),
        2 => (0usize..1000, any_case).prop_map(|(person, case)| Op::AddPerson { person, case }),
        2 => (0usize..1000, 0usize..1000).prop_map(|(kept, duplicate)| Op::Merge { kept, duplicate }),
    ]
}

struct World {
    posts: Vec<String>,
    unit: String,
    account: String,
    keys: KeyRing,
    cases: Vec<String>,
    /// (person, post).
    persons: Vec<(String, String)>,
}

fn entry() -> Entry {
    Entry::new(JournalAction::PersonalDataWritten)
}

/// Applies one operation through the store's own writes; refusals are part of the history.
async fn apply(test: &TestDb, world: &mut World, op: &Op) {
    let db = &test.db;
    let pick =
        |world: &World, index: usize| world.cases.get(index % world.cases.len().max(1)).cloned();
    let day = |offset: u8| date!(2025 - 01 - 01) + time::Duration::days(i64::from(offset) * 3);
    match op {
        Op::Refer {
            post,
            categories,
            urgency,
            source,
            consent,
        } => {
            let input = ReferralInput {
                source: ReferralSource::ALL[*source % ReferralSource::ALL.len()]
                    .code()
                    .into(),
                urgency: Urgency::ALL[*urgency % Urgency::ALL.len()].code().into(),
                categories: ProblemCategory::ALL
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| categories & (1 << i) != 0)
                    .map(|(_, c)| c.code().to_string())
                    .collect(),
                context: "Faits".into(),
                persons: vec![PersonInput {
                    role: "victim".into(),
                    last_name: "Durand".into(),
                    first_name: "Alix".into(),
                    phone: "0612345678".into(),
                }],
                consent: if *consent { "yes" } else { "no" }.into(),
                contact_channel: "sms".into(),
                contact_hours: String::new(),
                procedure_reference: String::new(),
                danger: Default::default(),
            };
            let referral = validate_referral(&input, &CategoryGrid::first()).unwrap();
            let id = uuid::Uuid::now_v7().to_string();
            let new = passerelle_store::referral::NewReferral {
                id: CaseId::new(id.clone()),
                post_id: &PostId::new(&world.posts[*post]),
                unit_id: Some(&UnitId::new(&world.unit)),
                referred_by: &AccountId::new(&world.account),
                referral: &referral,
                notify_referrer: false,
            };
            passerelle_store::referral::create_referral(db, &world.keys, &new, entry())
                .await
                .unwrap();
            world.cases.push(id);
        }
        Op::Move {
            case,
            status,
            outcome,
        } => {
            let Some(case) = pick(world, *case) else {
                return;
            };
            let _ = passerelle_store::referral::move_case(
                db,
                &CaseId::new(&case),
                ReferralStatus::ALL[*status % ReferralStatus::ALL.len()],
                ClosureOutcome::ALL.get(*outcome).copied(),
                &AccountId::new(&world.account),
                entry(),
            )
            .await;
        }
        Op::Interview {
            case,
            place,
            day: offset,
        } => {
            let Some(case) = pick(world, *case) else {
                return;
            };
            passerelle_store::referral::case_work::record_interview(
                db,
                &CaseId::new(&case),
                day(*offset),
                InterviewPlace::ALL[*place % InterviewPlace::ALL.len()],
                InterviewDuration::new(30).unwrap(),
                &AccountId::new(&world.account),
                entry(),
            )
            .await
            .unwrap();
        }
        Op::Action {
            case,
            kind,
            day: offset,
        } => {
            let Some(case) = pick(world, *case) else {
                return;
            };
            passerelle_store::referral::case_work::record_action(
                db,
                &CaseId::new(&case),
                day(*offset),
                ActionKind::ALL[*kind % ActionKind::ALL.len()],
                &AccountId::new(&world.account),
                entry(),
            )
            .await
            .unwrap();
        }
        Op::Orient {
            case,
            partner,
            day: offset,
        } => {
            let Some(case) = pick(world, *case) else {
                return;
            };
            passerelle_store::referral::case_work::propose_orientation(
                db,
                &world.keys,
                &CaseId::new(&case),
                day(*offset),
                PartnerType::ALL[*partner % PartnerType::ALL.len()],
                "Partenaire",
                &AccountId::new(&world.account),
                entry(),
            )
            .await
            .unwrap();
        }
        Op::MoveOrientation { case, status } => {
            let Some(case) = pick(world, *case) else {
                return;
            };
            let orientation: Option<(String,)> = sqlx::query_as(
                "SELECT id FROM case_orientations WHERE case_id = $1 ORDER BY id LIMIT 1",
            )
            .bind(&case)
            .fetch_optional(db.pool())
            .await
            .unwrap();
            if let Some((orientation,)) = orientation {
                let _ = passerelle_store::referral::case_work::move_orientation(
                    db,
                    &CaseId::new(&case),
                    &orientation,
                    OrientationStatus::ALL[*status % OrientationStatus::ALL.len()],
                    date!(2025 - 06 - 01),
                    entry(),
                )
                .await;
            }
        }
        Op::Criminal { case, criminal } => {
            let Some(case) = pick(world, *case) else {
                return;
            };
            passerelle_store::referral::case_work::set_criminal(
                db,
                &CaseId::new(&case),
                *criminal,
                entry(),
            )
            .await
            .unwrap();
        }
        Op::Transfer { case, post } => {
            let Some(case) = pick(world, *case) else {
                return;
            };
            let published = rollup::stored(db).await.unwrap();
            let transferred = passerelle_store::referral::case_work::transfer(
                db,
                &world.keys,
                &CaseId::new(&case),
                &PostId::new(&world.posts[*post]),
                "La personne a déménagé",
                &AccountId::new(&world.account),
                entry(),
            )
            .await;
            // A transfer rewrites no post's past: every published figure stays, the
            // receiving post counts only what is done from then on.
            if transferred.is_ok() {
                assert_eq!(
                    rollup::stored(db).await.unwrap(),
                    published,
                    "a transfer changed published figures"
                );
            }
        }
        Op::Identify {
            case,
            sex,
            known,
            born,
        } => {
            let Some(case) = pick(world, *case) else {
                return;
            };
            let (post,): (String,) = sqlx::query_as("SELECT post_id FROM cases WHERE id = $1")
                .bind(&case)
                .fetch_one(db.pool())
                .await
                .unwrap();
            let person = ValidPerson {
                identity: Identity {
                    last_name: Some("Durand".into()),
                    birth_date: born.and_then(|year| {
                        time::Date::from_calendar_date(i32::from(year), time::Month::March, 1).ok()
                    }),
                    ..Identity::default()
                },
                sex: [Sex::Female, Sex::Male, Sex::Unknown][*sex],
                known_to_social_services: [
                    KnownToSocialServices::Yes,
                    KnownToSocialServices::No,
                    KnownToSocialServices::Unknown,
                ][*known],
            };
            let id = passerelle_store::referral::person::create_in_case(
                db,
                &world.keys,
                &PostId::new(&post),
                &person,
                date!(2025 - 06 - 01),
                passerelle_store::referral::person::CaseLink::NewLine {
                    case_id: &CaseId::new(&case),
                    role: PersonRole::Victim,
                },
                entry(),
            )
            .await
            .unwrap();
            world.persons.push((id.to_string(), post));
        }
        Op::AddPerson { person, case } => {
            let (Some(case), Some((person, _))) = (
                pick(world, *case),
                world.persons.get(person % world.persons.len().max(1)),
            ) else {
                return;
            };
            passerelle_store::referral::person::add_to_case(
                db,
                &PersonId::new(person),
                passerelle_store::referral::person::CaseLink::NewLine {
                    case_id: &CaseId::new(&case),
                    role: PersonRole::Victim,
                },
                entry(),
            )
            .await
            .unwrap();
        }
        Op::Merge { kept, duplicate } => {
            let Some((kept, post)) = world.persons.get(kept % world.persons.len().max(1)) else {
                return;
            };
            // Mostly a person of the same post, as the page offers.
            let same_post: Vec<&String> = world
                .persons
                .iter()
                .filter(|(_, p)| p == post)
                .map(|(id, _)| id)
                .collect();
            let duplicate = same_post[duplicate % same_post.len()];
            // Refused for one person, two posts or a person merged already: history too.
            let _ = passerelle_store::referral::person::merge(db, kept, duplicate, entry()).await;
        }
    }
}

async fn world_of(test: &TestDb, keys_folder: &std::path::Path) -> World {
    let plan = common::demo_registry(test).await;
    let posts: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM posts WHERE status = 'filled' ORDER BY code LIMIT 3")
            .fetch_all(test.db.pool())
            .await
            .unwrap();
    let (unit,): (String,) = sqlx::query_as("SELECT id FROM units ORDER BY id LIMIT 1")
        .fetch_one(test.db.pool())
        .await
        .unwrap();
    World {
        posts: posts.into_iter().map(|(id,)| id).collect(),
        unit,
        account: plan.logins[0].id.clone(),
        keys: KeyRing::generate_file(&keys_folder.join("passerelle.key")).unwrap(),
        cases: Vec::new(),
        persons: Vec::new(),
    }
}

#[test]
fn rollups_equal_a_full_recomputation_after_any_history_and_after_the_purge() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for test in runtime.block_on(all_backends()) {
        let folder = tempfile::tempdir().unwrap();
        let mut world = runtime.block_on(world_of(&test, folder.path()));
        let mut runner = TestRunner::new(Config {
            cases: 12,
            ..Config::default()
        });
        let backend = test.backend().name();
        let world_cell = std::cell::RefCell::new(&mut world);
        runner
            .run(&proptest::collection::vec(op(), 1..30), |ops| {
                let mut world = world_cell.borrow_mut();
                runtime.block_on(async {
                    for op in &ops {
                        apply(&test, &mut world, op).await;
                    }
                    let stored = rollup::stored(&test.db).await.unwrap();
                    let recomputed = rollup::recompute(&test.db).await.unwrap();
                    prop_assert_eq!(&stored, &recomputed, "after {:?} on {}", ops, backend);
                    let (nation, summed) =
                        rollup::nation_stored_and_summed(&test.db).await.unwrap();
                    prop_assert_eq!(
                        nation,
                        summed,
                        "the nation's rollups after {:?} on {}",
                        ops,
                        backend
                    );
                    Ok(())
                })
            })
            .unwrap();
        runtime.block_on(async {
            let before = rollup::stored(&test.db).await.unwrap();
            assert!(!before.is_empty());
            assert!(
                before
                    .keys()
                    .any(|(_, _, indicator, _, _)| indicator == "persons"),
                "{backend}: the histories received persons"
            );
            // Far in the future every case is past retention: all personal data goes.
            let report = passerelle_store::referral::retention::purge(
                &test.db,
                &world.keys,
                date!(2040 - 01 - 01),
                2,
                false,
                &|_| {},
            )
            .await
            .unwrap();
            assert!(report.cases > 0, "{backend}: the purge erased something");
            assert_eq!(
                rollup::stored(&test.db).await.unwrap(),
                before,
                "{backend}: the purge changes no figure"
            );
            assert_eq!(
                rollup::recompute(&test.db).await.unwrap(),
                before,
                "{backend}: nor the facts they count"
            );
            let (nation, summed) = rollup::nation_stored_and_summed(&test.db).await.unwrap();
            assert_eq!(nation, summed, "{backend}: the nation's rollups after the purge");
            // A post changing zone moves its totals between the nation's zones.
            let post = &world.posts[0];
            sqlx::query("UPDATE posts SET zone = CASE zone WHEN 'police' THEN 'gendarmerie' ELSE 'police' END WHERE id = $1")
                .bind(post)
                .execute(test.db.pool())
                .await
                .unwrap();
            let (_, moved) = rollup::nation_stored_and_summed(&test.db).await.unwrap();
            assert_ne!(nation, moved, "{backend}: the post's totals changed zone");
            let mut tx = test.db.begin_write().await.unwrap();
            rollup::regroup_nation(&mut tx).await.unwrap();
            tx.commit().await.unwrap();
            let (nation, summed) = rollup::nation_stored_and_summed(&test.db).await.unwrap();
            assert_eq!(nation, summed, "{backend}: regrouped");
            // A rebuild from the facts gives the same rollups too, and keeps what each case
            // and person adds, so that the next writes change the rollups by the difference:
            // refreshing every case (and its persons) afterwards changes nothing.
            rollup::rebuild(&test.db, |_, _| {}).await.unwrap();
            assert_eq!(rollup::stored(&test.db).await.unwrap(), before);
            let cases: Vec<(String,)> = sqlx::query_as("SELECT id FROM cases")
                .fetch_all(test.db.pool())
                .await
                .unwrap();
            let mut tx = test.db.begin_write().await.unwrap();
            for (case,) in &cases {
                rollup::refresh_case(&mut tx, case).await.unwrap();
            }
            tx.commit().await.unwrap();
            assert_eq!(
                rollup::stored(&test.db).await.unwrap(),
                before,
                "{backend}: the rebuild kept each contributor's cells"
            );
            // Rollups counted by other rules are counted again at the next start; rollups
            // counted by these rules are left alone.
            let lose_persons = "DELETE FROM activity_rollups WHERE indicator = 'persons'";
            sqlx::query(lose_persons)
                .execute(test.db.pool())
                .await
                .unwrap();
            sqlx::query("UPDATE rollup_counting SET version = version - 1")
                .execute(test.db.pool())
                .await
                .unwrap();
            test.db.migrate().await.unwrap();
            assert_eq!(rollup::stored(&test.db).await.unwrap(), before, "{backend}");
            sqlx::query(lose_persons)
                .execute(test.db.pool())
                .await
                .unwrap();
            test.db.migrate().await.unwrap();
            assert_ne!(
                rollup::stored(&test.db).await.unwrap(),
                before,
                "{backend}: no recount when the rules did not change"
            );
        });
        runtime.block_on(test.finish());
    }
}
